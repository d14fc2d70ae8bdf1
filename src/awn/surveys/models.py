"""Survey answers (CSAT ratings, NPS responses) and the settings that decide when customers are asked.

The reports app reads `SatisfactionRating` and `NpsResponse` directly; their fields and indexes are an agreed
interface (issue 8), so change them only together with awn.reports.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from awn.core import clock


class Rating(models.IntegerChoices):
    BAD = 1, _("Bad")
    OKAY = 2, _("Okay")
    GOOD = 3, _("Good")


class SatisfactionRating(models.Model):
    """A customer's CSAT rating of a public reply (`message`) or of the solved ticket (`message` null)."""

    ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("ticket"),
        on_delete=models.CASCADE,
        related_name="satisfaction_ratings",
    )
    message = models.ForeignKey(
        "tickets.Message",
        verbose_name=_("reply"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="satisfaction_ratings",
    )
    # The agent who wrote the rated reply (or solved the ticket) and the ticket's team at rating time: kept
    # here so reports stay right after the ticket is reassigned.
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="satisfaction_ratings_received",
    )
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="satisfaction_ratings",
    )
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="satisfaction_ratings_given",
    )
    rating = models.PositiveSmallIntegerField(_("rating"), choices=Rating.choices)
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("rated"), default=clock.now, db_index=True)
    updated_at = models.DateTimeField(_("changed"), default=clock.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("satisfaction rating")
        indexes = [
            models.Index(fields=["agent", "created_at"], name="csat_agent_created"),
            models.Index(fields=["team", "created_at"], name="csat_team_created"),
            models.Index(fields=["ticket", "created_at"], name="csat_ticket_created"),
            models.Index(fields=["customer", "created_at"], name="csat_customer_created"),
        ]
        constraints = [
            # One rating per (ticket, reply) per customer; NULL never equals NULL in a unique index, so the
            # rating of the solved ticket (message is null) has its own partial constraint.
            models.UniqueConstraint(
                fields=["ticket", "message", "customer"],
                condition=Q(message__isnull=False),
                name="csat_one_per_reply",
            ),
            models.UniqueConstraint(
                fields=["ticket", "customer"], condition=Q(message__isnull=True), name="csat_one_per_ticket"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_rating_display()} on #{self.ticket_id}"


class NpsResponse(models.Model):
    """One NPS survey sent to a customer, and their answer once they give it (`score` is null until then)."""

    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="nps_responses",
    )
    ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("ticket"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="nps_responses",
    )
    score = models.PositiveSmallIntegerField(
        _("score"), null=True, blank=True, validators=[MaxValueValidator(10)]
    )
    comment = models.TextField(_("comment"), blank=True)
    sent_at = models.DateTimeField(_("sent"), default=clock.now)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        ordering = ["-sent_at", "-id"]
        verbose_name = _("NPS response")
        indexes = [
            models.Index(fields=["customer", "sent_at"], name="nps_customer_sent"),
            models.Index(fields=["answered_at"], name="nps_answered"),
        ]
        constraints = [
            # A ticket triggers at most one survey: a sweep re-run after a crash finds the row and moves on.
            models.UniqueConstraint(
                fields=["ticket"], condition=Q(ticket__isnull=False), name="nps_one_per_ticket"
            ),
            models.CheckConstraint(condition=Q(score__isnull=True) | Q(score__lte=10), name="nps_score_0_10"),
        ]

    def __str__(self) -> str:
        return f"NPS {self.score if self.score is not None else '-'} from {self.customer_id}"


class SurveySettings(models.Model):
    """When customers are asked: one global row (`team` null) and optional per-team rows overriding it."""

    team = models.OneToOneField(
        "accounts.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="survey_settings",
    )
    csat_on_replies = models.BooleanField(_("ask for a rating under every public reply"), default=True)
    csat_on_solve = models.BooleanField(_("ask for a rating when a ticket is solved"), default=True)
    nps_enabled = models.BooleanField(_("send NPS surveys"), default=False)
    nps_delay_days = models.PositiveSmallIntegerField(
        _("days after solving before the NPS survey"), default=7, validators=[MaxValueValidator(365)]
    )
    nps_period_days = models.PositiveSmallIntegerField(
        _("ask each customer at most once in this many days"),
        default=90,
        validators=[MaxValueValidator(3650)],
    )
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("survey settings")
        verbose_name_plural = _("survey settings")
        constraints = [
            # NULLs are distinct in a unique index, so "one global row" needs the team id coalesced.
            models.UniqueConstraint(Coalesce("team", Value(0)), name="survey_one_global"),
        ]

    def __str__(self) -> str:
        return f"survey settings for {self.team or 'all teams'}"
