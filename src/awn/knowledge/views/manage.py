"""Setting up the help center (categories, sections, branding: admins, managers) and its metrics (staff)."""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from awn.core.errors import DomainError
from awn.desk.views.access import staff_required
from awn.knowledge import metrics, services
from awn.knowledge.forms import BrandingForm, NamesForm, SectionForm
from awn.knowledge.models import Article, ArticleTranslation, Category, Section
from awn.knowledge.services import can_manage_help_center, help_center


def manager_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not can_manage_help_center(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _form_error(form, error: DomainError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


@manager_required
def categories(request):
    """Categories and their sections; forms to add one of each."""
    category_form = NamesForm(request.POST or None, prefix="category")
    section_form = SectionForm(request.POST or None, prefix="section")
    status = 200
    if request.method == "POST":
        status = 400
        kind = request.POST.get("kind")
        form = category_form if kind == "category" else section_form
        if form.is_valid():
            data = form.cleaned_data
            try:
                if kind == "category":
                    services.save_category(
                        by=request.user,
                        names=form.names(),
                        descriptions=form.descriptions(),
                        slug=data["slug"],
                        position=data["position"] or 0,
                    )
                else:
                    category = get_object_or_404(Category, pk=data["category"])
                    services.save_section(
                        by=request.user,
                        category=category,
                        names=form.names(),
                        descriptions=form.descriptions(),
                        slug=data["slug"],
                        position=data["position"] or 0,
                    )
            except DomainError as error:
                _form_error(form, error)
                status = error.status
            else:
                messages.success(request, _("Saved."))
                return redirect("knowledge:categories")
    return render(
        request,
        "knowledge/desk/categories.html",
        {
            "categories": Category.objects.prefetch_related("sections"),
            "category_form": category_form,
            "section_form": section_form,
        },
        status=status,
    )


@manager_required
def category_edit(request, pk: int):
    category = get_object_or_404(Category, pk=pk)
    form = NamesForm(request.POST or None, initial=NamesForm.initial_for(category))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.save_category(
                    by=request.user,
                    category=category,
                    names=form.names(),
                    descriptions=form.descriptions(),
                    slug=form.cleaned_data["slug"],
                    position=form.cleaned_data["position"] or 0,
                )
            except DomainError as error:
                _form_error(form, error)
                status = error.status
            else:
                messages.success(request, _("Saved."))
                return redirect("knowledge:categories")
    return render(
        request,
        "knowledge/desk/names_form.html",
        {"form": form, "item": category, "kind": _("Category")},
        status=status,
    )


@manager_required
def section_edit(request, pk: int):
    section = get_object_or_404(Section, pk=pk)
    form = SectionForm(
        request.POST or None, initial={**NamesForm.initial_for(section), "category": section.category_id}
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.save_section(
                    by=request.user,
                    section=section,
                    category=get_object_or_404(Category, pk=form.cleaned_data["category"]),
                    names=form.names(),
                    descriptions=form.descriptions(),
                    slug=form.cleaned_data["slug"],
                    position=form.cleaned_data["position"] or 0,
                )
            except DomainError as error:
                _form_error(form, error)
                status = error.status
            else:
                messages.success(request, _("Saved."))
                return redirect("knowledge:categories")
    return render(
        request,
        "knowledge/desk/names_form.html",
        {"form": form, "item": section, "kind": _("Section")},
        status=status,
    )


@manager_required
def branding(request):
    """Name, logo, colours and footer of the help center."""
    current = help_center()
    form = BrandingForm(
        request.POST or None,
        request.FILES or None,
        initial={
            "name": current.name,
            "primary_color": current.primary_color,
            "header_color": current.header_color,
            "footer": current.footer,
        },
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            logo = None
            upload = data["logo"]
            if upload and upload.size > services.MAX_LOGO_BYTES:  # refused before reading it
                form.add_error("logo", _("The logo must be smaller than 1 MB."))
                return render(
                    request, "knowledge/desk/branding.html", {"form": form, "branding": current}, status=413
                )
            if upload:
                logo = (upload.name, upload.read(), (upload.content_type or "").split(";")[0].strip().lower())
            try:
                services.update_branding(
                    by=request.user,
                    name=data["name"],
                    primary_color=data["primary_color"],
                    header_color=data["header_color"],
                    footer=data["footer"],
                    logo=logo,
                    remove_logo=data["remove_logo"],
                )
            except DomainError as error:
                _form_error(form, error)
                status = error.status
            else:
                messages.success(request, _("Saved."))
                return redirect("knowledge:branding")
    return render(request, "knowledge/desk/branding.html", {"form": form, "branding": current}, status=status)


@staff_required
def metrics_page(request):
    """Views, helpful ratio, suggestions, deflections and sends per article and language; content gaps."""
    try:
        days = min(max(int(request.GET.get("days", 30)), 1), 366)
    except ValueError:
        days = 30
    language = request.GET.get("language", "")
    if language not in dict(settings.LANGUAGES):
        language = ""
    summary = metrics.summarize(days=days, language=language)
    ids = {row.article_id for row in summary.rows}
    titles = {
        (t.article_id, t.language): t
        for t in ArticleTranslation.objects.filter(article_id__in=ids).only("article_id", "language", "title")
    }
    fallback = {t.article_id: t for t in titles.values()}
    rows = [
        (row, titles.get((row.article_id, row.language)) or fallback.get(row.article_id))
        for row in summary.rows
    ]
    return render(
        request,
        "knowledge/desk/metrics.html",
        {
            "summary": summary,
            "rows": rows,
            "days": days,
            "language": language,
            "languages": settings.LANGUAGES,
            "article_count": Article.objects.count(),
        },
    )
