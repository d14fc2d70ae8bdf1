"""The knowledge base: categories and sections, articles with a translation per language, their revisions and
files; the help center's branding; the facts its metrics read (views, votes, searches, suggestions, shares).

An article is the language-independent unit (where it sits, who may read it); an `ArticleTranslation` is what
a reader sees in one language, with its own state, slug and revisions. The full-text index of published
translations lives beside it (`ArticleDocument`, see awn/knowledge/search.py).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from awn.core import clock


def language_choices() -> list[tuple[str, str]]:
    return [(code, name) for code, name in settings.LANGUAGES]


class TranslatedNames(models.Model):
    """Categories and sections carry a short name and description per language ({"en": …, "fa": …})."""

    names = models.JSONField(_("names"), default=dict)
    descriptions = models.JSONField(_("descriptions"), default=dict, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        abstract = True

    def name_in(self, language: str) -> str:
        return _pick(self.names, language)

    def description_in(self, language: str) -> str:
        return _pick(self.descriptions, language)


def _pick(values: dict, language: str) -> str:
    """The value in `language`, else in the default language, else any."""
    if not isinstance(values, dict):
        return ""
    for code in (language, settings.LANGUAGE_CODE):
        if values.get(code):
            return values[code]
    return next((value for value in values.values() if value), "")


class Category(TranslatedNames):
    slug = models.SlugField(_("slug"), max_length=120, unique=True, allow_unicode=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name_in(settings.LANGUAGE_CODE) or self.slug


class Section(TranslatedNames):
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="sections")
    slug = models.SlugField(_("slug"), max_length=120, allow_unicode=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("section")
        constraints = [models.UniqueConstraint(fields=["category", "slug"], name="knowledge_section_slug")]

    def __str__(self) -> str:
        return self.name_in(settings.LANGUAGE_CODE) or self.slug


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public: everyone")
    INTERNAL = "internal", _("Internal: agents only")


class State(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


class Article(models.Model):
    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="articles")
    visibility = models.CharField(
        _("visibility"), max_length=16, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now)
    updated_at = models.DateTimeField(default=clock.now)
    # Counted with each full page view (ArticleStat keeps them per day and language); orders "popular".
    view_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("article")
        indexes = [models.Index(fields=["visibility", "-view_count"], name="knowledge_article_popular")]

    def __str__(self) -> str:
        return f"article {self.pk}"

    @property
    def is_internal(self) -> bool:
        return self.visibility == Visibility.INTERNAL


class ArticleTranslation(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(_("language"), max_length=8, choices=language_choices())
    title = models.CharField(_("title"), max_length=200)
    # Readable in any script ("تغییر-رمز-عبور"); unique among the translations of one language.
    slug = models.SlugField(_("slug"), max_length=200, allow_unicode=True)
    body = models.TextField(_("text (Markdown)"), blank=True)
    html = models.TextField(blank=True)  # rendered from `body` and sanitized: safe to show as is
    text = models.TextField(blank=True)  # plain text of `html`: search, excerpts, replies
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=clock.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revision_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["article_id", "language"]
        verbose_name = _("article translation")
        constraints = [
            models.UniqueConstraint(
                fields=["article", "language"], name="knowledge_one_translation_per_language"
            ),
            models.UniqueConstraint(fields=["language", "slug"], name="knowledge_slug_per_language"),
        ]
        indexes = [
            models.Index(fields=["language", "state"], name="knowledge_translation_state"),
            # The help center's pages are validated by the newest change: MAX(updated_at) reads one entry.
            models.Index(fields=["updated_at"], name="knowledge_translation_updated"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.language})"

    @property
    def is_published(self) -> bool:
        return self.state == State.PUBLISHED


class ArticleRevision(models.Model):
    """What a translation said after each save: the history an editor reads and restores from."""

    translation = models.ForeignKey(ArticleTranslation, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    state = models.CharField(max_length=16, choices=State.choices)
    note = models.CharField(max_length=200, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["translation", "number"], name="knowledge_revision_number")
        ]

    def __str__(self) -> str:
        return f"revision {self.number} of {self.translation_id}"


def article_file_path(instance: ArticleFile, filename: str) -> str:
    return f"knowledge/{instance.article_id}/{filename}"


class ArticleFile(models.Model):
    """An image or attachment of an article: served by awn views, with the article's visibility."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to=article_file_path, max_length=255)
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=127, default="application/octet-stream")
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.filename


class ArticleDocument(models.Model):
    """Bookkeeping row of one published translation in the full-text index.

    On SQLite the text is in the FTS5 table `knowledge_fts` (rowid = this id, removed by a delete trigger);
    on PostgreSQL in this table's `tsv` column with a GIN index. Both are created by the migration.
    """

    translation = models.OneToOneField(ArticleTranslation, on_delete=models.CASCADE, related_name="+")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    language = models.CharField(max_length=8)
    internal = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["language", "internal"], name="knowledge_document_language")]

    def __str__(self) -> str:
        return f"document of {self.translation_id}"


class Feedback(models.Model):
    """A reader's answer to "was this helpful?", with an optional comment."""

    translation = models.ForeignKey(ArticleTranslation, on_delete=models.CASCADE, related_name="feedback")
    helpful = models.BooleanField()
    comment = models.TextField(blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["translation", "-created_at"], name="knowledge_feedback_recent")]

    def __str__(self) -> str:
        return f"feedback on {self.translation_id}"


class ArticleStat(models.Model):
    """Daily counters per article and language: the facts the metrics page sums (STYLE.md §10)."""

    day = models.DateField()
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    language = models.CharField(max_length=8)
    views = models.PositiveIntegerField(default=0)
    helpful = models.PositiveIntegerField(default=0)
    not_helpful = models.PositiveIntegerField(default=0)
    suggested = models.PositiveIntegerField(default=0)  # shown as a suggestion while typing a request
    suggestion_opens = models.PositiveIntegerField(default=0)  # opened from such a suggestion
    sent = models.PositiveIntegerField(default=0)  # linked or quoted in an agent's reply

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "article", "language"], name="knowledge_stat_key")
        ]
        indexes = [models.Index(fields=["article", "day"], name="knowledge_stat_article")]

    def __str__(self) -> str:
        return f"{self.day} {self.article_id} {self.language}"


class SearchStat(models.Model):
    """Daily counts of what people searched the help center for; no-result searches are the content gaps."""

    day = models.DateField()
    language = models.CharField(max_length=8)
    query = models.CharField(max_length=200)  # normalized (awn.core.text), so spelling variants add up
    searches = models.PositiveIntegerField(default=0)
    no_results = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "language", "query"], name="knowledge_search_stat_key")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.language} {self.query}"


class SuggestionSession(models.Model):
    """One person typing one request (portal form, contact form, chat) and the articles suggested to them.

    A deflection is a session in which an article was opened from a suggestion and no request followed: the
    reader said it answered them (`confirmed_at`), or left without sending (`submitted_at` stays empty past
    `awn.knowledge.deflection.ABANDON_AFTER`).
    """

    class Source(models.TextChoices):
        PORTAL = "portal", _("Portal request form")
        CONTACT = "contact", _("Contact form")
        CHAT = "chat", _("Chat")

    token = models.CharField(max_length=40, unique=True)
    source = models.CharField(max_length=16, choices=Source.choices)
    language = models.CharField(max_length=8)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    email_hash = models.CharField(max_length=64, blank=True, db_index=True)
    shown = models.JSONField(default=list)  # ids of the articles suggested so far (each counted once)
    started_at = models.DateTimeField(default=clock.now)
    last_seen_at = models.DateTimeField(default=clock.now)
    read_article = models.ForeignKey(
        Article, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    read_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        indexes = [
            models.Index(fields=["user", "last_seen_at"], name="knowledge_session_user"),
            models.Index(fields=["read_at"], name="knowledge_session_read"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(token=""), name="knowledge_session_token_set"),
        ]

    def __str__(self) -> str:
        return f"suggestions {self.token[:8]}"


class ArticleShare(models.Model):
    """An article an agent linked or quoted in a public reply: shown on the ticket, counted as `sent`."""

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey("tickets.Message", on_delete=models.CASCADE, related_name="+")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="shares")
    language = models.CharField(max_length=8)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["message", "article"], name="knowledge_share_once_per_message")
        ]
        indexes = [models.Index(fields=["ticket", "created_at"], name="knowledge_share_ticket")]

    def __str__(self) -> str:
        return f"article {self.article_id} on #{self.ticket_id}"


class HelpCenter(models.Model):
    """The help center's branding, edited by admins in the desk: one row (pk=1)."""

    name = models.CharField(_("name"), max_length=120, blank=True, help_text=_("Empty: the helpdesk's name."))
    logo = models.FileField(_("logo"), upload_to="knowledge/branding/", blank=True, max_length=255)
    logo_type = models.CharField(max_length=127, blank=True)
    primary_color = models.CharField(_("primary colour"), max_length=7, default="#1f6feb")
    header_color = models.CharField(_("header colour"), max_length=7, default="#0f1b2d")
    footer = models.TextField(_("footer (Markdown)"), blank=True)
    footer_html = models.TextField(blank=True)
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("help center")

    def __str__(self) -> str:
        return self.name or "help center"
