"""Chat widgets, their visitors and conversations, and what routing chats to agents needs to know.

A conversation's messages are its ticket's messages: a chat is a ticket on the chat channel (DESIGN.md §3);
the rows here only hold what the ticket model has no place for (the visitor, the pages they saw, who is
chatting with them, and what each side has read).
"""

from __future__ import annotations

import re
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from awn.core import clock

HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


def new_widget_key() -> str:
    return secrets.token_urlsafe(12)


def new_widget_secret() -> str:
    return secrets.token_urlsafe(32)


def validate_colour(value: str) -> None:
    if not HEX_COLOUR.match(value or ""):
        raise ValidationError(_("Use a colour like #2457c5."))


class ChatWidget(models.Model):
    """One embeddable widget: how it looks, which team answers, which sites may embed it."""

    class Position(models.TextChoices):
        END = "end", _("Bottom, at the end of the line (right in English, left in Arabic)")
        START = "start", _("Bottom, at the start of the line")

    class PreChat(models.TextChoices):
        OFF = "off", _("No form")
        OPTIONAL = "optional", _("Ask for name and email (optional)")
        REQUIRED = "required", _("Ask for name and email (required)")

    key = models.CharField(_("public key"), max_length=32, unique=True, default=new_widget_key)
    name = models.CharField(_("name"), max_length=120)
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="chat_widgets",
        help_text=_("Chats from this widget go to this team's agents."),
    )
    title = models.CharField(
        _("title"),
        max_length=120,
        blank=True,
        help_text=_("Shown at the top of the chat; empty: “Chat with us”."),
    )
    greeting = models.TextField(_("greeting"), blank=True, max_length=1000)
    brand_colour = models.CharField(
        _("brand colour"), max_length=7, default="#2457c5", validators=[validate_colour]
    )
    position = models.CharField(_("position"), max_length=8, choices=Position.choices, default=Position.END)
    language = models.CharField(
        _("language"),
        max_length=8,
        blank=True,
        choices=[("", _("The visitor's browser language")), *settings.LANGUAGES],
    )
    prechat = models.CharField(_("pre-chat form"), max_length=8, choices=PreChat.choices, default=PreChat.OFF)
    business_hours = models.CharField(
        _("business hours"),
        max_length=200,
        blank=True,
        help_text=_("For example “Sunday to Thursday, 9:00–17:00”."),
    )
    reply_time = models.CharField(
        _("usual reply time"),
        max_length=120,
        blank=True,
        help_text=_("Shown as “We usually reply in …”, e.g. “a few minutes”."),
    )
    offline_mode = models.BooleanField(
        _("offline mode"),
        default=True,
        help_text=_(
            "When no agent is available, the visitor leaves a message with an email address and it "
            "becomes a ticket answered by email."
        ),
    )
    allowed_origins = models.JSONField(
        _("allowed origins"),
        default=list,
        blank=True,
        help_text=_("Sites that may embed the widget, e.g. https://www.example.com. Empty: none."),
    )
    secret = models.CharField(
        _("identity secret"),
        max_length=64,
        default=new_widget_secret,
        help_text=_("Your site signs a signed-in user's email with it (HMAC-SHA256)."),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=clock.now)
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("chat widget")

    def __str__(self) -> str:
        return self.name

    def allows_origin(self, origin: str) -> bool:
        """Is a page on `origin` (scheme://host[:port]) allowed to use this widget?"""
        origins = [o.rstrip("/").lower() for o in self.allowed_origins or []]
        return "*" in origins or (bool(origin) and origin.rstrip("/").lower() in origins)


class ProactiveTrigger(models.Model):
    """“On a page matching /pricing for 30 s, show this message”: evaluated by the widget in the browser."""

    widget = models.ForeignKey(ChatWidget, on_delete=models.CASCADE, related_name="triggers")
    path_pattern = models.CharField(
        _("page path"),
        max_length=200,
        help_text=_("A path such as /pricing; * matches anything, e.g. /docs/*."),
    )
    delay_seconds = models.PositiveIntegerField(_("after seconds on the page"), default=30)
    message = models.CharField(_("message"), max_length=500)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("proactive message")

    def __str__(self) -> str:
        return f"{self.path_pattern} after {self.delay_seconds}s"


class ChatVisitor(models.Model):
    """A browser that opened the widget; the signed visitor token names it. `user` once we know who it is."""

    widget = models.ForeignKey(ChatWidget, on_delete=models.CASCADE, related_name="visitors")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="chat_visitors",
    )
    name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    # True when the email came signed by the site (HMAC with the widget's secret), not typed by the visitor.
    verified = models.BooleanField(default=False)
    language = models.CharField(max_length=8, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    current_url = models.URLField(max_length=1000, blank=True)
    current_title = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=clock.now)
    last_seen_at = models.DateTimeField(default=clock.now)

    def __str__(self) -> str:
        return self.name or self.email or f"visitor {self.pk}"


class PageView(models.Model):
    """A page the visitor saw in this browsing session, as the widget reported it."""

    visitor = models.ForeignKey(ChatVisitor, on_delete=models.CASCADE, related_name="page_views")
    url = models.URLField(max_length=1000)
    title = models.CharField(max_length=300, blank=True)
    viewed_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["-viewed_at", "-id"]
        indexes = [models.Index(fields=["visitor", "viewed_at"], name="chat_pageview_visitor")]

    def __str__(self) -> str:
        return self.url


class ChatSession(models.Model):
    """One conversation in the widget; its messages are its ticket's public messages."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Waiting for an agent")
        ASSIGNED = "assigned", _("Offered to an agent")
        ACTIVE = "active", _("In progress")
        ENDED = "ended", _("Ended")
        OFFLINE = "offline", _("Left as a message")

    LIVE_STATES = (State.QUEUED, State.ASSIGNED, State.ACTIVE)
    # States that take one of an agent's chat slots.
    BUSY_STATES = (State.ASSIGNED, State.ACTIVE)

    widget = models.ForeignKey(ChatWidget, on_delete=models.CASCADE, related_name="sessions")
    visitor = models.ForeignKey(ChatVisitor, on_delete=models.CASCADE, related_name="sessions")
    ticket = models.OneToOneField(
        "tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="chat_session"
    )
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="chat_sessions",
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    created_at = models.DateTimeField(default=clock.now)
    queued_at = models.DateTimeField(default=clock.now)
    accepted_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.CharField(max_length=16, blank=True)  # "visitor", "agent", "system"
    # Read receipts: the newest message id each side has seen.
    visitor_read_id = models.BigIntegerField(default=0)
    agent_read_id = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["state", "team", "queued_at", "id"], name="chat_session_queue"),
            models.Index(fields=["agent", "state"], name="chat_session_agent"),
            models.Index(fields=["visitor", "created_at"], name="chat_session_visitor"),
        ]

    def __str__(self) -> str:
        return f"chat {self.pk} ({self.state})"

    @property
    def is_live(self) -> bool:
        return self.state in self.LIVE_STATES


class AgentChatStatus(models.Model):
    """How many chats an agent takes at once (their chat capacity), and when they last got one.

    Whether they are online, away or offline is the routing app's AgentProfile.availability: one switch for
    tickets and chats. An agent without this row takes DEFAULT_CAPACITY chats.
    """

    DEFAULT_CAPACITY = 3

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_status"
    )
    capacity = models.PositiveSmallIntegerField(_("chat capacity"), default=DEFAULT_CAPACITY)
    # Round-robin: the agent who got a chat longest ago gets the next one.
    last_assigned_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("agent chat status")

    def __str__(self) -> str:
        return f"{self.user} ({self.capacity})"
