"""Writes to the knowledge base: categories, sections, articles, translations, revisions, files, branding.

Keyword-only, an explicit actor, one transaction each (STYLE.md §1). Every save of a translation renders its
Markdown to sanitized HTML, writes a revision and keeps the search index in step inside the same transaction.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from awn.accounts.models import Role, User
from awn.core import clock
from awn.core.errors import AttachmentTooLarge, NotPermitted, ValidationFailed
from awn.knowledge.models import (
    Article,
    ArticleFile,
    ArticleRevision,
    ArticleTranslation,
    Category,
    HelpCenter,
    Section,
    State,
    Visibility,
)
from awn.knowledge.rendering import plain_text, render_markdown
from awn.knowledge.search import index_translation, reindex_article
from awn.tickets.models import Message

MAX_TITLE = 200
MAX_SLUG = 200
MAX_NAME = 120
IMAGE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp"}  # never SVG: it can carry script
MAX_LOGO_BYTES = 1024 * 1024
_COLOR = re.compile(r"#[0-9a-fA-F]{6}")


# --- who may ---------------------------------------------------------------------------------------


def can_write_articles(user) -> bool:
    """Write, translate and publish articles: every active staff member."""
    return bool(user and user.is_authenticated and user.is_staff_member)


def can_manage_help_center(user) -> bool:
    """Categories, sections and branding: admins and managers."""
    return bool(user and user.is_authenticated and user.is_active and user.role in (Role.ADMIN, Role.MANAGER))


def _require_writer(by: User) -> None:
    if not can_write_articles(by):
        raise NotPermitted(_("Only agents can write articles."))


def _require_manager(by: User) -> None:
    if not can_manage_help_center(by):
        raise NotPermitted(_("Only admins and managers can change the help center."))


# --- slugs -----------------------------------------------------------------------------------------


def make_slug(text: str, *, fallback: str = "article") -> str:
    """A readable slug in any script: "تغییر رمز عبور" → "تغییر-رمز-عبور"."""
    return slugify(text, allow_unicode=True)[:MAX_SLUG].strip("-") or fallback


def unique_translation_slug(*, language: str, wanted: str, exclude_pk: int | None = None) -> str:
    """`wanted`, or `wanted-2`, `wanted-3`…: the first not taken by another translation in `language`."""
    taken = ArticleTranslation.objects.filter(language=language, slug__startswith=wanted)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    used = set(taken.values_list("slug", flat=True))
    if wanted not in used:
        return wanted
    number = 2
    while True:
        suffix = f"-{number}"
        candidate = wanted[: MAX_SLUG - len(suffix)] + suffix
        if candidate not in used:
            return candidate
        number += 1


# --- categories and sections -----------------------------------------------------------------------


def _clean_names(names: Mapping[str, str], descriptions: Mapping[str, str] | None) -> tuple[dict, dict]:
    codes = {code for code, _name in settings.LANGUAGES}
    clean = {code: (value or "").strip()[:MAX_NAME] for code, value in names.items() if code in codes}
    clean = {code: value for code, value in clean.items() if value}
    if not clean.get(settings.LANGUAGE_CODE):
        raise ValidationFailed(_("A name in the default language is required."), field="names")
    texts = {
        code: (value or "").strip()[:500] for code, value in (descriptions or {}).items() if code in codes
    }
    return clean, {code: value for code, value in texts.items() if value}


def _slug_for(value: str, names: dict) -> str:
    slug = make_slug(value or names[settings.LANGUAGE_CODE], fallback="")
    if not slug:
        raise ValidationFailed(_("The slug needs at least one letter or digit."), field="slug")
    return slug[:MAX_NAME]


@transaction.atomic
def save_category(
    *,
    by: User,
    names: Mapping[str, str],
    descriptions: Mapping[str, str] | None = None,
    slug: str = "",
    position: int = 0,
    category: Category | None = None,
) -> Category:
    """Create a category, or change `category`."""
    _require_manager(by)
    clean_names, clean_descriptions = _clean_names(names, descriptions)
    slug = _slug_for(slug, clean_names)
    taken = Category.objects.filter(slug=slug)
    if category is not None:
        taken = taken.exclude(pk=category.pk)
    if taken.exists():
        raise ValidationFailed(_("Another category already has this slug."), field="slug")
    category = category or Category()
    category.names, category.descriptions, category.slug = clean_names, clean_descriptions, slug
    category.position, category.updated_at = max(position, 0), clock.now()
    category.save()
    return category


@transaction.atomic
def save_section(
    *,
    by: User,
    category: Category,
    names: Mapping[str, str],
    descriptions: Mapping[str, str] | None = None,
    slug: str = "",
    position: int = 0,
    section: Section | None = None,
) -> Section:
    """Create a section in `category`, or change `section`."""
    _require_manager(by)
    clean_names, clean_descriptions = _clean_names(names, descriptions)
    slug = _slug_for(slug, clean_names)
    taken = Section.objects.filter(category=category, slug=slug)
    if section is not None:
        taken = taken.exclude(pk=section.pk)
    if taken.exists():
        raise ValidationFailed(_("Another section of this category already has this slug."), field="slug")
    section = section or Section()
    section.category, section.names, section.descriptions = category, clean_names, clean_descriptions
    section.slug, section.position, section.updated_at = slug, max(position, 0), clock.now()
    section.save()
    Category.objects.filter(pk=category.pk).update(updated_at=section.updated_at)
    return section


# --- articles and translations ---------------------------------------------------------------------


def _check_language(language: str) -> None:
    if language not in {code for code, _name in settings.LANGUAGES}:
        raise ValidationFailed(_("This language is not offered."), field="language")


def _check_title(title: str) -> str:
    title = (title or "").strip()
    if not title:
        raise ValidationFailed(_("An article needs a title."), field="title")
    if len(title) > MAX_TITLE:
        raise ValidationFailed(
            _("A title has at most %(count)d characters.") % {"count": MAX_TITLE}, field="title"
        )
    return title


def _write_revision(translation: ArticleTranslation, *, by: User | None, note: str = "") -> ArticleRevision:
    translation.revision_count += 1
    return ArticleRevision.objects.create(
        translation=translation,
        number=translation.revision_count,
        title=translation.title,
        body=translation.body,
        state=translation.state,
        note=note[:200],
        author=by,
        created_at=clock.now(),
    )


def _touch_article(article: Article) -> None:
    article.updated_at = clock.now()
    article.save(update_fields=["updated_at"])


@transaction.atomic
def create_article(
    *,
    by: User,
    section: Section,
    language: str,
    title: str,
    body: str = "",
    visibility: str = Visibility.PUBLIC,
    slug: str = "",
    publish: bool = False,
) -> ArticleTranslation:
    """A new article with its first translation (a draft, unless `publish`)."""
    _require_writer(by)
    if visibility not in Visibility.values:
        raise ValidationFailed(_("Unknown visibility."), field="visibility")
    _check_language(language)
    _check_title(title)
    now = clock.now()
    article = Article.objects.create(
        section=section, visibility=visibility, created_by=by, created_at=now, updated_at=now
    )
    return save_translation(
        by=by,
        article=article,
        language=language,
        title=title,
        body=body,
        slug=slug,
        state=State.PUBLISHED if publish else State.DRAFT,
    )


@transaction.atomic
def save_translation(
    *,
    by: User,
    article: Article,
    language: str,
    title: str,
    body: str,
    slug: str = "",
    state: str | None = None,
    note: str = "",
) -> ArticleTranslation:
    """Create or change the translation of `article` in `language`; every save is a new revision."""
    _require_writer(by)
    _check_language(language)
    title = _check_title(title)
    if state is not None and state not in State.values:
        raise ValidationFailed(_("Unknown state."), field="state")
    translation = ArticleTranslation.objects.select_for_update().filter(
        article=article, language=language
    ).first() or ArticleTranslation(article=article, language=language)
    wanted = make_slug(slug or title)
    if not slug and translation.pk and translation.slug:
        wanted = translation.slug  # a published URL stays as it was unless the editor changes the slug
    translation.slug = unique_translation_slug(language=language, wanted=wanted, exclude_pk=translation.pk)
    now = clock.now()
    translation.title, translation.body = title, body or ""
    translation.html = render_markdown(translation.body)
    translation.text = plain_text(translation.html)
    if state is not None:
        if state == State.PUBLISHED and translation.state != State.PUBLISHED:
            translation.published_at = now
        translation.state = state
    translation.updated_at, translation.updated_by = now, by
    translation.save()
    _write_revision(translation, by=by, note=note)
    translation.save(update_fields=["revision_count"])
    translation.article = article  # the index reads the article's visibility
    index_translation(translation)
    _touch_article(article)
    return translation


@transaction.atomic
def change_state(*, by: User, translation: ArticleTranslation, state: str) -> ArticleTranslation:
    """Publish, unpublish (back to draft) or archive one translation."""
    _require_writer(by)
    if state not in State.values:
        raise ValidationFailed(_("Unknown state."), field="state")
    if state == translation.state:
        return translation
    now = clock.now()
    if state == State.PUBLISHED:
        translation.published_at = now
    translation.state, translation.updated_at, translation.updated_by = state, now, by
    translation.save(update_fields=["state", "published_at", "updated_at", "updated_by"])
    notes = {State.PUBLISHED: "published", State.DRAFT: "unpublished", State.ARCHIVED: "archived"}
    _write_revision(translation, by=by, note=notes[State(state)])
    translation.save(update_fields=["revision_count"])
    index_translation(translation)
    _touch_article(translation.article)
    return translation


@transaction.atomic
def restore_revision(*, by: User, revision: ArticleRevision) -> ArticleTranslation:
    """Make an earlier revision's title and text current again (as a new revision; the state stays)."""
    translation = revision.translation
    return save_translation(
        by=by,
        article=translation.article,
        language=translation.language,
        title=revision.title,
        body=revision.body,
        slug=translation.slug,
        note=_("restored revision %(number)d") % {"number": revision.number},
    )


@transaction.atomic
def update_article(
    *, by: User, article: Article, section: Section, visibility: str, position: int | None = None
) -> Article:
    """Move an article to another section, or make it public or internal."""
    _require_writer(by)
    if visibility not in Visibility.values:
        raise ValidationFailed(_("Unknown visibility."), field="visibility")
    changed_visibility = visibility != article.visibility
    article.section, article.visibility = section, visibility
    if position is not None:
        article.position = max(position, 0)
    article.updated_at = clock.now()
    article.save(update_fields=["section", "visibility", "position", "updated_at"])
    if changed_visibility:
        reindex_article(article.pk)
    return article


@transaction.atomic
def add_article_file(
    *, by: User, article: Article, filename: str, content: bytes, content_type: str
) -> ArticleFile:
    """Store an image or attachment of `article`; images can be shown inline in its text."""
    _require_writer(by)
    limit = settings.AWN_MAX_ATTACHMENT_BYTES
    if len(content) > limit:
        raise AttachmentTooLarge(
            _("“%(name)s” is %(size)s MB; the limit is %(limit)s MB.")
            % {
                "name": filename,
                "size": round(len(content) / 1048576, 1),
                "limit": round(limit / 1048576, 1),
            },
            field="file",
        )
    if not content:
        raise ValidationFailed(_("The file is empty."), field="file")
    digest = hashlib.sha256(content).hexdigest()
    name = (filename or "file").replace("/", "_").replace("\\", "_").strip()[:255] or "file"
    item = ArticleFile(
        article=article,
        filename=name,
        content_type=(content_type or "")[:127] or "application/octet-stream",
        size=len(content),
        sha256=digest,
        uploaded_by=by,
    )
    item.file.save(digest, ContentFile(content), save=False)
    item.save()
    return item


@transaction.atomic
def draft_article_from_message(
    *, by: User, message: Message, section: Section, title: str = "", language: str = ""
) -> ArticleTranslation:
    """A draft article whose text is an agent's public reply: a good answer, written once, reused."""
    _require_writer(by)
    if message.internal or message.author is None or not message.author.is_staff_member:
        raise ValidationFailed(_("Only an agent's public reply can become an article."), field="message")
    language = language or message.language or message.ticket.language or settings.LANGUAGE_CODE
    if language not in {code for code, _name in settings.LANGUAGES}:
        language = settings.LANGUAGE_CODE
    return create_article(
        by=by,
        section=section,
        language=language,
        title=(title or message.ticket.subject)[:MAX_TITLE],
        body=message.body,
    )


# --- branding --------------------------------------------------------------------------------------


def help_center() -> HelpCenter:
    """The branding row (created with the defaults on first use)."""
    branding, _created = HelpCenter.objects.get_or_create(pk=1)
    return branding


@transaction.atomic
def update_branding(
    *,
    by: User,
    name: str,
    primary_color: str,
    header_color: str,
    footer: str,
    logo: tuple[str, bytes, str] | None = None,
    remove_logo: bool = False,
) -> HelpCenter:
    """Name, colours, footer (Markdown) and logo of the help center."""
    _require_manager(by)
    for field, value in (("primary_color", primary_color), ("header_color", header_color)):
        if not _COLOR.fullmatch(value or ""):
            raise ValidationFailed(_("A colour is written as #rrggbb."), field=field)
    branding = HelpCenter.objects.select_for_update().filter(pk=1).first() or HelpCenter(pk=1)
    branding.name = (name or "").strip()[:120]
    branding.primary_color, branding.header_color = primary_color.lower(), header_color.lower()
    branding.footer = footer or ""
    branding.footer_html = render_markdown(branding.footer)
    if remove_logo:
        branding.logo, branding.logo_type = "", ""
    if logo is not None:
        filename, content, content_type = logo
        if content_type not in IMAGE_TYPES:
            raise ValidationFailed(_("The logo must be a PNG, JPEG, GIF or WebP image."), field="logo")
        if len(content) > MAX_LOGO_BYTES:
            raise ValidationFailed(_("The logo must be smaller than 1 MB."), field="logo")
        branding.logo.save(hashlib.sha256(content).hexdigest(), ContentFile(content), save=False)
        branding.logo_type = content_type
    branding.updated_at = clock.now()
    branding.save()
    return branding
