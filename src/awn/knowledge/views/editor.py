"""The agents' knowledge base: list, write, translate, preview, publish, revisions, files, reply → article."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from awn.core.errors import DomainError
from awn.desk.views.access import is_htmx, staff_required
from awn.knowledge import services
from awn.knowledge.forms import ArticleForm, ArticleSettingsForm, FromMessageForm, StateForm, UploadForm
from awn.knowledge.models import Article, ArticleRevision, ArticleTranslation, Section, State
from awn.knowledge.rendering import render_markdown
from awn.tickets.models import Message
from awn.tickets.selectors import get_ticket_for

PAGE_SIZE = 50


def _form_error(form, error: DomainError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _section(pk: int) -> Section:
    section = Section.objects.filter(pk=pk).first()
    if section is None:
        raise Http404
    return section


@staff_required
def article_list(request):
    """Every article with its translations and their states; filter by text, state, language."""
    query = request.GET.get("q", "").strip()[:200]
    state = request.GET.get("state", "")
    language = request.GET.get("language", "")
    articles = Article.objects.select_related("section", "section__category").order_by("-updated_at", "-id")
    if query:
        articles = articles.filter(translations__title__icontains=query)
    if state in State.values:
        articles = articles.filter(translations__state=state)
    if language in dict(settings.LANGUAGES):
        articles = articles.filter(translations__language=language)
    articles = articles.distinct().prefetch_related(
        Prefetch(
            "translations",
            queryset=ArticleTranslation.objects.defer("body", "html", "text").order_by("language"),
        )
    )
    page = Paginator(articles, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "knowledge/desk/articles.html",
        {
            "page": page,
            "query": query,
            "state": state,
            "language": language,
            "states": State.choices,
            "languages": settings.LANGUAGES,
            "section_count": Section.objects.count(),
        },
    )


@staff_required
def article_new(request):
    form = ArticleForm(request.POST or None, initial={"language": request.LANGUAGE_CODE})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                created = services.create_article(
                    by=request.user,
                    section=_section(data["section"]),
                    language=data["language"],
                    title=data["title"],
                    body=data["body"],
                    slug=data["slug"],
                    visibility=data["visibility"],
                    publish=data["publish"],
                )
            except DomainError as error:
                _form_error(form, error)
                status = error.status
            else:
                messages.success(request, _("Article saved."))
                return redirect(_edit_url(created.article_id, created.language))
    return render(request, "knowledge/desk/article_new.html", {"form": form}, status=status)


def _edit_url(pk: int, language: str) -> str:
    return f"{reverse('knowledge:article_edit', args=[pk])}?lang={language}"


def _editor_context(request, article: Article, language: str, form=None, **extra):
    translations = {t.language: t for t in article.translations.all()}
    current = translations.get(language)
    if form is None:
        initial = {"language": language}
        if current is not None:
            initial.update(title=current.title, slug=current.slug, body=current.body)
        form = ArticleForm(initial=initial, new=False)
    context = {
        "article": article,
        "language": language,
        "current": current,
        "form": form,
        "languages": [(code, name, translations.get(code)) for code, name in settings.LANGUAGES],
        "settings_form": ArticleSettingsForm(
            initial={"section": article.section_id, "visibility": article.visibility}
        ),
        "upload_form": UploadForm(),
        "files": list(article.files.all()),
        "states": State,
        "preview_html": current.html if current else "",
        "sent_count": article.shares.count(),
    }
    context.update(extra)
    return context


def _language_param(request) -> str:
    language = request.GET.get("lang") or request.POST.get("language") or settings.LANGUAGE_CODE
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


@staff_required
def article_edit(request, pk: int):
    """Write or translate one language of an article, with a live preview of the Markdown."""
    article = get_object_or_404(Article.objects.select_related("section", "section__category"), pk=pk)
    language = _language_param(request)
    if request.method != "POST":
        return render(
            request, "knowledge/desk/article_edit.html", _editor_context(request, article, language)
        )
    form = ArticleForm(request.POST, new=False)
    if form.is_valid():
        data = form.cleaned_data
        try:
            current = article.translations.filter(language=data["language"]).first()
            state = State.PUBLISHED if data["publish"] else (None if current else State.DRAFT)
            services.save_translation(
                by=request.user,
                article=article,
                language=data["language"],
                title=data["title"],
                body=data["body"],
                slug=data["slug"],
                note=data["note"],
                state=state,
            )
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Article saved."))
            return redirect(_edit_url(article.pk, data["language"]))
    return render(
        request,
        "knowledge/desk/article_edit.html",
        _editor_context(request, article, language, form=form),
        status=400,
    )


@staff_required
@require_POST
def article_state(request, pk: int):
    article = get_object_or_404(Article, pk=pk)
    form = StateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Unknown state."))
        return redirect(_edit_url(article.pk, _language_param(request)))
    found = get_object_or_404(ArticleTranslation, article=article, language=form.cleaned_data["language"])
    try:
        services.change_state(by=request.user, translation=found, state=form.cleaned_data["state"])
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Now: %(state)s.") % {"state": found.get_state_display()})
    return redirect(_edit_url(article.pk, found.language))


@staff_required
@require_POST
def article_settings(request, pk: int):
    article = get_object_or_404(Article, pk=pk)
    form = ArticleSettingsForm(request.POST)
    language = _language_param(request)
    if form.is_valid():
        try:
            services.update_article(
                by=request.user,
                article=article,
                section=_section(form.cleaned_data["section"]),
                visibility=form.cleaned_data["visibility"],
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Saved."))
    else:
        messages.error(request, _("The form is not valid."))
    return redirect(_edit_url(article.pk, language))


@staff_required
@require_POST
def article_upload(request, pk: int):
    article = get_object_or_404(Article, pk=pk)
    form = UploadForm(request.POST, request.FILES)
    language = _language_param(request)
    if not form.is_valid():
        messages.error(request, _("Choose a file."))
        return redirect(_edit_url(article.pk, language))
    upload = form.cleaned_data["file"]
    if upload.size > settings.AWN_MAX_ATTACHMENT_BYTES:
        messages.error(
            request,
            _("“%(name)s” is %(size)s MB; the limit is %(limit)s MB.")
            % {
                "name": upload.name,
                "size": round(upload.size / 1048576, 1),
                "limit": round(settings.AWN_MAX_ATTACHMENT_BYTES / 1048576, 1),
            },
        )
        return redirect(_edit_url(article.pk, language))
    try:
        services.add_article_file(
            by=request.user,
            article=article,
            filename=upload.name,
            content=upload.read(),
            content_type=(upload.content_type or "").split(";")[0].strip().lower(),
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("File added."))
    return redirect(_edit_url(article.pk, language))


@staff_required
def article_revisions(request, pk: int):
    article = get_object_or_404(Article, pk=pk)
    language = _language_param(request)
    found = get_object_or_404(ArticleTranslation, article=article, language=language)
    revisions = found.revisions.select_related("author")
    return render(
        request,
        "knowledge/desk/revisions.html",
        {"article": article, "translation": found, "revisions": revisions, "language": language},
    )


@staff_required
@require_POST
def revision_restore(request, pk: int):
    revision = get_object_or_404(ArticleRevision.objects.select_related("translation__article"), pk=pk)
    try:
        services.restore_revision(by=request.user, revision=revision)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Revision %(number)d restored.") % {"number": revision.number})
    return redirect(_edit_url(revision.translation.article_id, revision.translation.language))


@staff_required
@require_POST
def preview(request):
    """The Markdown being typed, rendered and sanitized exactly as it will be stored (htmx partial)."""
    html = render_markdown(request.POST.get("body", "")[:200_000])
    if not is_htmx(request):
        return render(request, "knowledge/desk/preview_page.html", {"preview_html": html})
    return render(request, "knowledge/desk/_preview.html", {"preview_html": html})


@staff_required
def from_message(request, message_id: int):
    """Turn an agent's public reply into a draft article (the ticket must be in the agent's view)."""
    message = Message.objects.select_related("ticket", "author").filter(pk=message_id).first()
    if message is None:
        raise Http404
    ticket = get_ticket_for(user=request.user, number=message.ticket_id)
    if message.internal or not message.is_from_staff:
        raise Http404
    form = FromMessageForm(request.POST or None, initial={"title": ticket.subject})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                draft = services.draft_article_from_message(
                    by=request.user,
                    message=message,
                    section=_section(form.cleaned_data["section"]),
                    title=form.cleaned_data["title"],
                )
            except DomainError as error:
                _form_error(form, error)
                status = error.status
            else:
                messages.success(request, _("Draft article created from the reply."))
                return redirect(_edit_url(draft.article_id, draft.language))
    return render(
        request,
        "knowledge/desk/from_message.html",
        {"form": form, "message": message, "ticket": ticket},
        status=status,
    )
