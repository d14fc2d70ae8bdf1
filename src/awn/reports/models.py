"""Metric facts (DESIGN.md §6): one row per ticket and one per agent reply, written when events happen.

Dashboards are SQL aggregates over these tables: the dimensions a report filters or groups by (team, agent,
channel, tier, priority) are copied onto the rows and the timestamps they are ranged over are indexed, so no
report joins the tickets or replays their history. docs/reports.md defines every column.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class TicketFacts(models.Model):
    """The measured life of one ticket so far; recomputed from its rows whenever an event changes it."""

    ticket = models.OneToOneField(
        "tickets.Ticket", primary_key=True, on_delete=models.CASCADE, related_name="report_facts"
    )
    # Dimensions, as the ticket has them now (solved_by: the agent who solved it, kept after reassignment).
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    solved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    channel = models.CharField(_("channel"), max_length=16)
    tier = models.PositiveSmallIntegerField(_("tier"), default=1)
    priority = models.PositiveSmallIntegerField(_("priority"), default=2)
    status = models.CharField(_("status"), max_length=16)
    # When.
    created_at = models.DateTimeField()
    first_response_at = models.DateTimeField(null=True, blank=True)
    solved_at = models.DateTimeField(null=True, blank=True)  # the last solve; None while unsolved
    # Measures (seconds; business seconds on the calendar named in docs/reports.md).
    first_response_seconds = models.BigIntegerField(null=True, blank=True)
    first_response_business_seconds = models.BigIntegerField(null=True, blank=True)
    resolution_seconds = models.BigIntegerField(null=True, blank=True)
    resolution_business_seconds = models.BigIntegerField(null=True, blank=True)
    agent_replies = models.PositiveIntegerField(default=0)
    customer_messages = models.PositiveIntegerField(default=0)
    reopens = models.PositiveIntegerField(default=0)
    tier_escalations = models.PositiveIntegerField(default=0)
    one_touch = models.BooleanField(default=False)
    first_contact_resolution = models.BooleanField(default=False)
    # SLA outcome per target: None when the ticket had no such target (or it has not ended yet).
    sla_first_response_met = models.BooleanField(null=True, blank=True)
    sla_resolution_met = models.BooleanField(null=True, blank=True)
    sla_breached = models.BooleanField(default=False)
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("ticket facts")
        verbose_name_plural = _("ticket facts")
        indexes = [
            models.Index(fields=["created_at"], name="facts_created"),
            models.Index(fields=["solved_at"], name="facts_solved", condition=Q(solved_at__isnull=False)),
            models.Index(fields=["team", "created_at"], name="facts_team_created"),
            models.Index(fields=["agent", "created_at"], name="facts_agent_created"),
            models.Index(
                fields=["team", "solved_at"], name="facts_team_solved", condition=Q(solved_at__isnull=False)
            ),
            models.Index(
                fields=["solved_by", "solved_at"],
                name="facts_solver_solved",
                condition=Q(solved_at__isnull=False),
            ),
            models.Index(
                fields=["agent", "solved_at"], name="facts_agent_solved", condition=Q(solved_at__isnull=False)
            ),
            models.Index(fields=["channel", "created_at"], name="facts_channel_created"),
            models.Index(fields=["status"], name="facts_status"),
        ]

    def __str__(self) -> str:
        return f"facts of #{self.ticket_id}"


class PendingFacts(models.Model):
    """A ticket whose facts are still to be written: a new ticket's, queued in the transaction that creates
    it and written after it commits, in batches, by the facts writer of the job workers (`pending.py`). The
    row is deleted in the transaction that writes the facts, so a writer killed mid-batch leaves it for the
    next one. `attempts`: batches in which computing this ticket's facts failed; from MAX_ATTEMPTS on the
    writer leaves it (`awn doctor` names it, `rebuild_report_facts` writes it)."""

    ticket_id = models.BigIntegerField(primary_key=True)  # no foreign key: a deleted ticket's row is dropped
    queued_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)

    def __str__(self) -> str:
        return f"facts of #{self.ticket_id} pending since {self.queued_at:%Y-%m-%d %H:%M:%S}"


class ReplyFact(models.Model):
    """One public reply by a staff member: the per-agent replies column counts these in a period."""

    message = models.OneToOneField(
        "tickets.Message", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+", db_index=False)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    channel = models.CharField(max_length=16)
    created_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["created_at"], name="replyfact_created"),
            models.Index(fields=["agent", "created_at"], name="replyfact_agent_created"),
            models.Index(fields=["team", "created_at"], name="replyfact_team_created"),
            models.Index(fields=["ticket"], name="replyfact_ticket"),
        ]

    def __str__(self) -> str:
        return f"reply {self.message_id} by {self.agent_id}"


# Roll-ups (awn.reports.rollups): sums of the facts per UTC day or hour and dimensions, kept up to date in
# the transaction that writes the facts, so that dashboards over long periods read thousands of rows, not
# millions.
# Dimension columns hold 0 for "none" (a unique key treats NULLs as distinct, so upserts could not find them).
# Each unique key leads with what every read fixes (the channel, "" on the rows of any channel; the team, -1
# on the hourly rows of all teams), so reads are ranges of the key's index.
HISTOGRAM_BUCKETS = (
    105  # see rollups.bucket_of: 0 s, then four buckets per doubling up to 2^25.75 s (1.8 years)
)


def _counter() -> models.IntegerField:
    return models.IntegerField(default=0, db_default=0)


def _slot() -> models.PositiveSmallIntegerField:
    """Which of a key's rows (the last column of each unique key). Every new ticket adds to the same few rows
    (today's, its team's): on PostgreSQL each connection adds to its own `rollups.SLOTS` copy of them, so
    concurrent transactions do not queue for one row lock until the first commits; reads sum the copies, and
    `fold_rollup_slots` folds the copies of past days into slot 0 (as a rebuild writes them)."""
    return models.PositiveSmallIntegerField(default=0, db_default=0)


class TicketRollup(models.Model):
    """Per UTC day, team, channel and tier: the tickets created that day (kind "c") or last solved that day
    (kind "s"), with the sums, counts and histograms of their first response (c) or resolution (s) times."""

    CREATED, SOLVED = "c", "s"

    kind = models.CharField(max_length=1)
    day = models.DateField()
    team_id = models.IntegerField()
    channel = models.CharField(max_length=16)
    tier = models.PositiveSmallIntegerField()
    slot = _slot()
    tickets = _counter()
    timed = _counter()  # with a first response (c) / resolution (s) time
    seconds = models.BigIntegerField(default=0, db_default=0)
    business_timed = _counter()
    business_seconds = models.BigIntegerField(default=0, db_default=0)
    sla_met = _counter()
    sla_counted = _counter()
    fcr = _counter()
    one_touch = _counter()
    reopened = _counter()
    for _i in range(HISTOGRAM_BUCKETS):
        locals()[f"h{_i:03d}"] = _counter()  # calendar seconds
    for _i in range(HISTOGRAM_BUCKETS):
        locals()[f"b{_i:03d}"] = _counter()  # business seconds
    del _i

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "kind", "day", "team_id", "tier", "slot"], name="ticketrollup_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.day} team {self.team_id} {self.channel}"


class AgentRollup(models.Model):
    """The per-agent table's part of the roll-ups: per UTC day and dimensions, the tickets created assigned to
    the agent with the histogram of their first response times (kind "c"), or solved by them (kind "s")."""

    kind = models.CharField(max_length=1)
    day = models.DateField()
    team_id = models.IntegerField()
    agent_id = models.IntegerField()
    channel = models.CharField(max_length=16)
    tier = models.PositiveSmallIntegerField()
    slot = _slot()
    tickets = _counter()
    for _i in range(HISTOGRAM_BUCKETS):
        locals()[f"h{_i:03d}"] = _counter()
    del _i

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "kind", "day", "team_id", "agent_id", "tier", "slot"],
                name="agentrollup_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.day} agent {self.agent_id}"


class HourlyRollup(models.Model):
    """Per UTC hour, team, channel and tier: tickets created (with their first responses) and last solved.
    Whole hours make the days and hours of any whole-hour timezone exact (volume, backlog, heatmaps)."""

    hour = models.DateTimeField()
    team_id = models.IntegerField()
    channel = models.CharField(max_length=16)
    tier = models.PositiveSmallIntegerField()
    slot = _slot()
    created = _counter()
    answered = _counter()
    first_response_seconds = models.BigIntegerField(default=0, db_default=0)
    solved = _counter()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["team_id", "hour", "channel", "tier", "slot"], name="hourlyrollup_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.hour} team {self.team_id} {self.channel}"


class TagRollup(models.Model):
    """Per UTC hour, team and tag: the tickets created with that tag (as the ticket is tagged now). Whole
    hours, as the hourly rows, so the days of any whole-hour timezone are exact (volume by tag)."""

    hour = models.DateTimeField()
    team_id = models.IntegerField()
    tag_id = models.IntegerField()
    slot = _slot()
    created = _counter()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team_id", "hour", "tag_id", "slot"], name="tagrollup_key")
        ]

    def __str__(self) -> str:
        return f"{self.hour} team {self.team_id} tag {self.tag_id}"


class TagDailyRollup(models.Model):
    """Per UTC day, team and tag: the tickets created with that tag, the sums of that day's `TagRollup` rows.
    A year's volume by tag reads these for the whole UTC days of the period, and the hourly rows only for the
    hours whose local day is not their UTC day's (a few per day in a whole-hour timezone)."""

    day = models.DateField()
    team_id = models.IntegerField()
    tag_id = models.IntegerField()
    slot = _slot()
    created = _counter()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team_id", "day", "tag_id", "slot"], name="tagdailyrollup_key")
        ]

    def __str__(self) -> str:
        return f"{self.day} team {self.team_id} tag {self.tag_id}"


class RollupState(models.Model):
    """The roll-up tables that hold every fact: a row per table (`rollups.TABLES`), written when
    `rebuild_report_rollups` ends, or by the migration of a database that had no facts yet (the live handlers
    keep such a table whole from then on). The dashboards read a table only once its row is here, so after an
    upgrade that adds a table they show the facts' numbers (slower, never wrong) until the rebuild has run."""

    table = models.CharField(max_length=16, unique=True)
    built_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.table} built {self.built_at:%Y-%m-%d %H:%M}"


class ReplyRollup(models.Model):
    """Agent replies per UTC day, team (when written), agent and channel."""

    day = models.DateField()
    team_id = models.IntegerField()
    agent_id = models.IntegerField()
    channel = models.CharField(max_length=16)
    slot = _slot()
    replies = _counter()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "day", "team_id", "agent_id", "slot"], name="replyrollup_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} agent {self.agent_id}: {self.replies}"


class DigestSubscription(models.Model):
    """How often a manager (or admin) gets the digest email; managers without a row get it weekly."""

    class Frequency(models.TextChoices):
        DAILY = "daily", _("Daily")
        WEEKLY = "weekly", _("Weekly")
        NEVER = "never", _("Never")

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    frequency = models.CharField(
        _("digest"), max_length=8, choices=Frequency.choices, default=Frequency.WEEKLY
    )

    def __str__(self) -> str:
        return f"{self.user_id}: {self.frequency}"
