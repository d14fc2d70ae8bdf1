from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from awn.core import clock


class Status(models.TextChoices):
    NEW = "new", _("New")
    OPEN = "open", _("Open")
    PENDING = "pending", _("Pending")
    ON_HOLD = "on_hold", _("On hold")
    SOLVED = "solved", _("Solved")
    CLOSED = "closed", _("Closed")


UNSOLVED_STATUSES = (Status.NEW, Status.OPEN, Status.PENDING, Status.ON_HOLD)


class Priority(models.IntegerChoices):
    LOW = 1, _("Low")
    NORMAL = 2, _("Normal")
    HIGH = 3, _("High")
    URGENT = 4, _("Urgent")


class Channel(models.TextChoices):
    WEB = "web", _("Web")
    EMAIL = "email", _("Email")
    CHAT = "chat", _("Chat")
    API = "api", _("API")
    PHONE = "phone", _("Phone")


class Tag(models.Model):
    name = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TicketQuerySet(models.QuerySet["Ticket"]):
    def visible_to(self, user) -> TicketQuerySet:
        """The one visibility scope (DESIGN.md §5): every ticket read starts here."""
        from awn.accounts.models import Role, Team

        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.role == Role.ADMIN:
            return self
        if user.role in (Role.MANAGER, Role.AGENT):
            team_ids = list(Team.objects.filter(members=user).values_list("id", "visibility"))
            if any(visibility == Team.Visibility.ALL for _id, visibility in team_ids):
                return self
            ids = [team_id for team_id, _visibility in team_ids]
            # Tickets with no team yet are the shared triage pool every agent may pick up.
            return self.filter(Q(team_id__in=ids) | Q(team__isnull=True) | Q(assignee=user))
        scope = Q(requester=user)
        if user.organization_id and user.organization.shared_tickets:
            scope |= Q(organization_id=user.organization_id)
        # Followed tickets as a list of ids, not a subquery: PostgreSQL cannot use an index for
        # "requester = X OR id IN (subquery)" and would scan every ticket; with literal ids it can.
        followed = list(
            Ticket.followers.through.objects.filter(user=user).values_list("ticket_id", flat=True)
        )
        if followed:
            scope |= Q(pk__in=followed)
        return self.filter(scope)

    def unsolved(self) -> TicketQuerySet:
        return self.filter(status__in=UNSOLVED_STATUSES)


class Ticket(models.Model):
    subject = models.CharField(_("subject"), max_length=255)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.NEW)
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.NORMAL
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices, default=Channel.WEB)
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requester"),
        on_delete=models.PROTECT,
        related_name="requested_tickets",
    )
    organization = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("organization"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
    )
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_tickets",
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="tickets")
    followers = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="followed_tickets")
    language = models.CharField(_("language"), max_length=8, blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_tickets"
    )
    created_at = models.DateTimeField(_("created"), default=clock.now)
    updated_at = models.DateTimeField(_("updated"), default=clock.now)
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    solved_at = models.DateTimeField(_("solved"), null=True, blank=True)
    last_customer_message_at = models.DateTimeField(null=True, blank=True)
    last_agent_message_at = models.DateTimeField(null=True, blank=True)
    message_count = models.PositiveIntegerField(default=0)
    # SLA (awn.sla writes these, DESIGN.md §6): due times computed when events happen; the breach sweep reads
    # sla_check_at and the "SLA due" view next_sla_breach_at, each through its own partial index.
    sla_policy = models.ForeignKey(
        "sla.SLAPolicy",
        verbose_name=_("SLA policy"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
    )
    first_response_due_at = models.DateTimeField(_("first response due"), null=True, blank=True)
    next_response_due_at = models.DateTimeField(_("next response due"), null=True, blank=True)
    periodic_update_due_at = models.DateTimeField(_("update due"), null=True, blank=True)
    resolution_due_at = models.DateTimeField(_("resolution due"), null=True, blank=True)
    next_sla_breach_at = models.DateTimeField(_("next SLA breach"), null=True, blank=True)
    sla_check_at = models.DateTimeField(null=True, blank=True)  # the next warning or breach to fire
    sla_breached = models.BooleanField(_("SLA breached"), default=False)
    sla_state = models.JSONField(default=dict, blank=True)  # the clocks' bookkeeping, see sla/clocks.py

    objects = TicketQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [
            # Every desk queue is "filter by one or two columns, order by a timestamp or priority, keyset".
            models.Index(fields=["status", "updated_at", "id"], name="ticket_status_updated"),
            models.Index(fields=["status", "created_at", "id"], name="ticket_status_created"),
            # The priority sort (urgent first, then oldest): over all tickets, and within one status.
            models.Index(fields=["-priority", "created_at", "id"], name="ticket_priority_created"),
            models.Index(
                fields=["status", "-priority", "created_at", "id"], name="ticket_status_priority_created"
            ),
            models.Index(fields=["assignee", "status", "updated_at", "id"], name="ticket_assignee_status"),
            models.Index(fields=["team", "status", "updated_at", "id"], name="ticket_team_status"),
            # "My teams": a team's backlog sorted from the index alone (oldest first or by priority), whatever
            # its age.
            models.Index(
                fields=["team", "status", "created_at", "id", "priority"], name="ticket_team_status_created"
            ),
            models.Index(fields=["requester", "updated_at", "id"], name="ticket_requester_updated"),
            models.Index(fields=["organization", "updated_at", "id"], name="ticket_org_updated"),
            models.Index(fields=["updated_at", "id"], name="ticket_updated"),
            models.Index(fields=["created_at", "id"], name="ticket_created"),
            models.Index(fields=["channel", "updated_at", "id"], name="ticket_channel_updated"),
            models.Index(
                fields=["next_sla_breach_at", "id"],
                name="ticket_sla_next_breach",
                condition=Q(next_sla_breach_at__isnull=False),
            ),
            models.Index(
                fields=["sla_check_at"], name="ticket_sla_check", condition=Q(sla_check_at__isnull=False)
            ),
            # Time-based automation rules ("pending 72 hours since the last agent reply"): a range per status.
            models.Index(
                fields=["status", "last_agent_message_at", "id"], name="ticket_status_agent_message"
            ),
            models.Index(
                fields=["status", "last_customer_message_at", "id"], name="ticket_status_customer_msg"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.number} {self.subject}"

    @property
    def number(self) -> int:
        """The short human number agents and customers quote (`#1234`)."""
        return self.pk

    @property
    def is_open(self) -> bool:
        return self.status in UNSOLVED_STATUSES


def attachment_path(instance: Attachment, filename: str) -> str:
    now = clock.now()
    return f"attachments/{now:%Y/%m}/{instance.sha256[:2]}/{instance.sha256}"


class Message(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    internal = models.BooleanField(_("internal note"), default=False)
    channel = models.CharField(max_length=16, choices=Channel.choices, default=Channel.WEB)
    body = models.TextField(_("text"), blank=True)
    html = models.TextField(_("HTML"), blank=True)  # always sanitized by the service layer
    language = models.CharField(max_length=8, blank=True)
    # Dedupe key from the source (an email's Message-ID, an API idempotency key): one message per key.
    source_id = models.CharField(max_length=255, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at", "id"], name="message_ticket_created")]

    def __str__(self) -> str:
        return f"message {self.pk} on #{self.ticket_id}"

    @property
    def is_from_staff(self) -> bool:
        return bool(self.author and self.author.is_staff_member)


class Attachment(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=255)
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=127, default="application/octet-stream")
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.filename


class TicketEvent(models.Model):
    """One change to a ticket: who, what, old → new, when. Written in the same transaction as the change."""

    class Kind(models.TextChoices):
        CREATED = "created", _("created")
        MESSAGE = "message", _("message")
        NOTE = "note", _("internal note")
        STATUS = "status", _("status")
        PRIORITY = "priority", _("priority")
        ASSIGNEE = "assignee", _("assignee")
        TEAM = "team", _("team")
        TAGS = "tags", _("tags")
        SUBJECT = "subject", _("subject")
        FOLLOWERS = "followers", _("followers")
        MERGED = "merged", _("merged")
        MERGED_FROM = "merged_from", _("merged from")
        TIER = "tier", _("tier")  # escalation and de-escalation
        LANGUAGE = "language", _("language")
        RULE = "rule", _("automation rule")  # a rule fired (automation)
        DELIVERY = "delivery", _("delivery")  # an outbound message failed or bounced
        SLA = "sla", _("SLA")  # a policy applied, a warning or a breach
        ERASED = "erased", _("personal data erased")  # the requester's personal data (GDPR Art. 17)

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=120, blank=True)  # "system", "automation: <rule>", …
    kind = models.CharField(max_length=24, choices=Kind.choices)
    old = models.JSONField(null=True, blank=True)
    new = models.JSONField(null=True, blank=True)
    message = models.ForeignKey(Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at", "id"], name="event_ticket_created")]

    def __str__(self) -> str:
        return f"{self.kind} on #{self.ticket_id}"
