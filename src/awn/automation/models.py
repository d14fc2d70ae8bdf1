"""Automation as data: ordered rule sets of rules (conditions and actions in JSON), the log of rules that
fired, saved replies with per-language variants, in-app notifications and webhook endpoints."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from awn.core import clock


class RuleSet(models.Model):
    class Mode(models.TextChoices):
        FIRST_MATCH = "first_match", _("First match wins")
        ALL_MATCHING = "all_matching", _("Every matching rule runs")

    name = models.CharField(_("name"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True)
    mode = models.CharField(_("mode"), max_length=16, choices=Mode.choices, default=Mode.ALL_MATCHING)
    position = models.PositiveIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=clock.now)
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("rule set")

    def __str__(self) -> str:
        return self.name


class Rule(models.Model):
    class Event(models.TextChoices):
        CREATED = "created", _("Ticket created")
        CUSTOMER_MESSAGE = "customer_message", _("Customer message")
        AGENT_MESSAGE = "agent_message", _("Agent message")
        UPDATED = "updated", _("Ticket updated")
        TIME = "time", _("Time-based (checked every few minutes)")

    rule_set = models.ForeignKey(
        RuleSet, on_delete=models.CASCADE, related_name="rules", verbose_name=_("rule set")
    )
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    event = models.CharField(_("runs on"), max_length=24, choices=Event.choices, default=Event.CREATED)
    # {"all": [{"field": "channel", "op": "is", "value": "email"}], "any": [...]} — see conditions.py
    conditions = models.JSONField(_("conditions"), default=dict, blank=True)
    # [{"type": "set_team", "team": 3}, {"type": "add_tags", "tags": ["vip"]}] — see actions/
    actions = models.JSONField(_("actions"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now)
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["rule_set__position", "rule_set_id", "position", "id"]
        indexes = [models.Index(fields=["is_active", "event"], name="rule_active_event")]
        verbose_name = _("rule")

    def __str__(self) -> str:
        return self.name


class RuleRun(models.Model):
    """One rule firing on one ticket: what it did, for the ticket's rule log and for time-rule dedupe."""

    rule = models.ForeignKey(Rule, null=True, on_delete=models.SET_NULL, related_name="runs")
    rule_name = models.CharField(max_length=120)  # kept when the rule is deleted
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="rule_runs")
    trigger = models.CharField(max_length=24)
    chain = models.CharField(max_length=32, blank=True)  # runs caused by one original event share a chain
    results = models.JSONField(default=list, blank=True)  # [{"type": ..., "result": ..., "error": ...}]
    # Time-based rules fire once per value of the timestamp they measure (e.g. once per `updated_at`).
    anchor_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["ticket", "created_at", "id"], name="rulerun_ticket_created"),
            models.Index(fields=["rule", "ticket", "anchor_at"], name="rulerun_rule_ticket_anchor"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "ticket", "anchor_at"],
                condition=models.Q(anchor_at__isnull=False),
                name="rulerun_once_per_anchor",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule_name} on #{self.ticket_id}"


class SavedReply(models.Model):
    """A canned answer with placeholders; shared (no owner) or personal; optional actions on send."""

    title = models.CharField(_("title"), max_length=120)
    shortcut = models.CharField(_("shortcut"), max_length=40, blank=True, db_index=True)
    body = models.TextField(_("text"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="saved_replies",
        verbose_name=_("owner"),
    )
    # {"status": "pending", "add_tags": ["billing"]}: applied when the agent sends a reply that used it.
    actions = models.JSONField(_("actions"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now)
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["title", "id"]
        indexes = [models.Index(fields=["owner", "title"], name="savedreply_owner_title")]
        verbose_name = _("saved reply")

    def __str__(self) -> str:
        return self.title


class SavedReplyVariant(models.Model):
    saved_reply = models.ForeignKey(SavedReply, on_delete=models.CASCADE, related_name="variants")
    language = models.CharField(_("language"), max_length=8)
    body = models.TextField(_("text"))

    class Meta:
        ordering = ["language"]
        constraints = [
            models.UniqueConstraint(fields=["saved_reply", "language"], name="one_variant_per_language")
        ]

    def __str__(self) -> str:
        return f"{self.saved_reply} ({self.language})"


class SavedReplyUse(models.Model):
    """An agent inserted a saved reply into a ticket's reply box; its actions apply when they send."""

    saved_reply = models.ForeignKey(SavedReply, on_delete=models.CASCADE, related_name="+")
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=clock.now)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["ticket", "agent", "applied_at"], name="savedreplyuse_pending")]

    def __str__(self) -> str:
        return f"{self.saved_reply_id} on #{self.ticket_id}"


class Notification(models.Model):
    """An in-app notice for one person (the bell in the desk); emailed too when the rule asks."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    text = models.CharField(max_length=500)
    email = models.BooleanField(default=False)
    emailed_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at", "created_at"], name="notification_inbox")]

    def __str__(self) -> str:
        return self.text


class Webhook(models.Model):
    """An outside endpoint rules may call; every delivery is signed with HMAC-SHA256 over the body."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    url = models.URLField(_("URL"), max_length=500)
    secret = models.CharField(_("signing secret"), max_length=128)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("webhook")

    def __str__(self) -> str:
        return self.name
