"""The help center's public pages: home, category, article, search, feedback, files and logo.

Readable without JavaScript, and cacheable: each page answers conditional requests (ETag and Last-Modified
through `django.views.decorators.http.condition`) from a few cheap queries, before anything is rendered. The
validators include what makes a page differ between readers (language, timezone, who is signed in, the CSRF
cookie the page's forms carry), so a browser never reuses one reader's page for another.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import FileResponse, Http404, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import condition, require_GET, require_POST

from awn.accounts.throttle import client_ip
from awn.core import ratelimit
from awn.knowledge import metrics
from awn.knowledge.forms import FeedbackForm
from awn.knowledge.models import ArticleFile, ArticleTranslation, Category, Feedback, State, Visibility
from awn.knowledge.selectors import (
    ArticlePage,
    article_for_slug,
    categories_with_counts,
    category_listing,
    content_version,
    may_read_internal,
    popular_articles,
    search_help_center,
)
from awn.knowledge.services import IMAGE_TYPES, help_center

FEEDBACK_LIMIT = 20  # votes per IP per FEEDBACK_WINDOW seconds
FEEDBACK_WINDOW = 600


def _language(request) -> str:
    return translation.get_language() or settings.LANGUAGE_CODE


def _branding(request):
    if not hasattr(request, "_kb_branding"):
        request._kb_branding = help_center()
    return request._kb_branding


def _viewer(request) -> str:
    """What makes the same page differ between two readers."""
    user = request.user
    # The page's forms carry a token made from the CSRF secret: a cached copy is only good with the same
    # secret. get_token() makes the secret now when the reader has none yet, the one the page will then use.
    get_token(request)
    csrf = hashlib.sha256(request.META.get("CSRF_COOKIE", "").encode()).hexdigest()[:16]
    return "|".join(
        [
            _language(request),
            timezone.get_current_timezone_name(),
            str(user.pk if user.is_authenticated else 0),
            csrf,
            request.GET.urlencode(),
        ]
    )


def _etag(*parts) -> str:
    return hashlib.sha256("|".join(str(part) for part in parts).encode()).hexdigest()[:32]


def _latest(*moments: datetime | None) -> datetime | None:
    present = [moment for moment in moments if moment is not None]
    return max(present) if present else None


def _help_context(request, **extra):
    branding = _branding(request)
    context = {
        "branding": branding,
        "helpdesk_name": branding.name or settings.AWN_HELPDESK_NAME,
        "contact_url": reverse("portal:ticket_new")
        if request.user.is_authenticated
        else reverse("portal:contact"),
    }
    context.update(extra)
    return context


def _cacheable(response: HttpResponse) -> HttpResponse:
    """Browsers may keep the page, and must ask again (a cheap 304) before showing it."""
    patch_cache_control(response, private=True, no_cache=True)
    patch_vary_headers(response, ["Cookie", "Accept-Language"])
    return response


# --- home ----------------------------------------------------------------------------------------------


def _home_state(request):
    if not hasattr(request, "_kb_home"):
        popular = popular_articles(user=request.user, language=_language(request))
        request._kb_home = (content_version(), popular)
    return request._kb_home


def _home_etag(request):
    version, popular = _home_state(request)
    return _etag(
        "home", version.key, [t.pk for t in popular], _branding(request).updated_at, _viewer(request)
    )


def _home_modified(request):
    version, _popular = _home_state(request)
    return _latest(version.latest, _branding(request).updated_at)


@require_GET
@condition(etag_func=_home_etag, last_modified_func=_home_modified)
def home(request):
    """Categories, the most read articles and a search box."""
    version, popular = _home_state(request)
    categories = categories_with_counts(user=request.user, language=_language(request), version=version)
    return _cacheable(
        render(
            request,
            "knowledge/help/home.html",
            _help_context(request, categories=categories, popular=popular, language=_language(request)),
        )
    )


# --- category ------------------------------------------------------------------------------------------


def _category_state(request, slug: str):
    if not hasattr(request, "_kb_category"):
        category = Category.objects.filter(slug=slug).first()
        if category is None:
            raise Http404
        # The whole content's version, not this category's newest change: an article moved out of the
        # category changes no date of what is left in it.
        request._kb_category = (category, content_version())
    return request._kb_category


def _category_etag(request, slug: str):
    category, version = _category_state(request, slug)
    return _etag("category", category.pk, version.key, _branding(request).updated_at, _viewer(request))


def _category_modified(request, slug: str):
    _category, version = _category_state(request, slug)
    return _latest(version.latest, _branding(request).updated_at)


LISTING_TTL = 3600  # seconds; the key changes with the content anyway


@require_GET
@condition(etag_func=_category_etag, last_modified_func=_category_modified)
def category(request, slug: str):
    """A category's sections and their articles: rendered once per content version, language and audience."""
    category, version = _category_state(request, slug)
    language, internal = _language(request), may_read_internal(request.user)
    key = f"knowledge:category-listing:{category.pk}:{version.key}:{language}:{int(internal)}"
    listing = cache.get(key)
    if listing is None:
        # A big category lists hundreds of articles: ~100 ms of rendering, the same for every reader.
        _category, listings = category_listing(user=request.user, slug=slug, language=language)
        context = {"listings": listings, "language": language}
        listing = render_to_string("knowledge/help/_category_listing.html", context) if listings else ""
        cache.set(key, listing, LISTING_TTL)
    if not listing and not internal:
        raise Http404
    return _cacheable(
        render(
            request,
            "knowledge/help/category.html",
            # Our own template's output, kept as text in the cache.
            _help_context(request, category=category, listing=mark_safe(listing), language=language),  # noqa: S308
        )
    )


# --- article -------------------------------------------------------------------------------------------


def _article_page(request, slug: str) -> ArticlePage:
    if not hasattr(request, "_kb_article"):
        request._kb_article = article_for_slug(user=request.user, slug=slug, language=_language(request))
    return request._kb_article


def _article_etag(request, slug: str):
    found = _article_page(request, slug).translation
    return _etag(
        "article",
        found.pk,
        found.updated_at,
        found.article.updated_at,
        found.article.section.category.updated_at,
        _branding(request).updated_at,
        _viewer(request),
    )


def _article_modified(request, slug: str):
    found = _article_page(request, slug).translation
    return _latest(
        found.updated_at,
        found.article.updated_at,
        found.article.section.category.updated_at,
        _branding(request).updated_at,
    )


@require_GET
@condition(etag_func=_article_etag, last_modified_func=_article_modified)
def article(request, slug: str):
    """One article in the reader's language (or the default one), with "was this helpful?"."""
    page = _article_page(request, slug)
    found = page.translation
    language = _language(request)
    suggestion = request.GET.get("s", "") if request.GET.get("from") == "suggestion" else ""
    if suggestion:
        from awn.knowledge.deflection import open_suggestion

        if not open_suggestion(token=suggestion, article=found.article, language=found.language):
            suggestion = ""
    metrics.record_view(article_id=found.article_id, language=found.language)
    others = list(
        ArticleTranslation.objects.filter(article_id=found.article_id, state=State.PUBLISHED)
        .exclude(pk=found.pk)
        .values("language", "slug", "title")
    )
    files = [
        f
        for f in ArticleFile.objects.filter(article_id=found.article_id)
        if f.content_type not in IMAGE_TYPES
    ]
    section = found.article.section
    return _cacheable(
        render(
            request,
            "knowledge/help/article.html",
            _help_context(
                request,
                translation=found,
                article=found.article,
                section=section,
                category=section.category,
                fallback=page.fallback,
                in_reader_language=page.in_reader_language,
                others=others,
                files=files,
                language=language,
                feedback_form=FeedbackForm(),
                thanks=request.GET.get("feedback") == "thanks",
                suggestion=suggestion,
            ),
        )
    )


@require_POST
def feedback(request, slug: str):
    """A "yes" or "no", with an optional comment; counted once per click, throttled per address."""
    found = article_for_slug(user=request.user, slug=slug, language=_language(request)).translation
    form = FeedbackForm(request.POST)
    target = reverse("knowledge:article", args=[found.slug])
    ip = client_ip(request)
    if not form.is_valid():
        messages.error(request, _("Please choose yes or no."))
        return redirect(target)
    if ratelimit.is_limited("kb-feedback", ip, limit=FEEDBACK_LIMIT):
        return HttpResponse(_("Too many answers from your address; please try again later."), status=429)
    ratelimit.hit("kb-feedback", ip, window=FEEDBACK_WINDOW)
    helpful = form.cleaned_data["helpful"] == "yes"
    Feedback.objects.create(
        translation=found,
        helpful=helpful,
        comment=form.cleaned_data["comment"],
        user=request.user if request.user.is_authenticated else None,
    )
    metrics.record_vote(article_id=found.article_id, language=found.language, helpful=helpful)
    return redirect(f"{target}?feedback=thanks#feedback")


# --- search --------------------------------------------------------------------------------------------


@require_GET
def search(request):
    query = request.GET.get("q", "").strip()[:200]
    language = _language(request)
    results = search_help_center(user=request.user, query=query, language=language) if query else []
    if query:
        metrics.record_search(query=query, language=language, results=len(results))
    response = render(
        request,
        "knowledge/help/search.html",
        _help_context(request, query=query, results=results, language=language),
    )
    patch_vary_headers(response, ["Cookie", "Accept-Language"])
    return response


# --- files and logo ------------------------------------------------------------------------------------


def article_file(request, pk: int, name: str):
    """An article's image or attachment, for whoever may read the article; 404 for everyone else."""
    item = ArticleFile.objects.select_related("article").filter(pk=pk).first()
    if item is None or item.filename != name:
        raise Http404
    if not may_read_internal(request.user):
        public = (
            item.article.visibility == Visibility.PUBLIC
            and ArticleTranslation.objects.filter(article_id=item.article_id, state=State.PUBLISHED).exists()
        )
        if not public:
            raise Http404
    try:
        handle = item.file.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404 from exc
    image = item.content_type in IMAGE_TYPES
    response = FileResponse(
        handle,
        as_attachment=not image,
        filename=item.filename,
        content_type=item.content_type if image else "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'"
    is_public = item.article.visibility == Visibility.PUBLIC
    response["Cache-Control"] = "public, max-age=3600" if is_public else "private, no-store"
    return response


def _logo_etag(request):
    branding = _branding(request)
    return _etag("logo", branding.logo.name, branding.updated_at) if branding.logo else None


@require_GET
@condition(etag_func=_logo_etag)
def logo(request):
    branding = _branding(request)
    if not branding.logo or branding.logo_type not in IMAGE_TYPES:
        raise Http404
    try:
        handle = branding.logo.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type=branding.logo_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'"
    response["Cache-Control"] = "public, max-age=300"
    return response
