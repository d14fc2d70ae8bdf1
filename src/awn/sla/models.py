"""SLA policies as data, and one measurement row per target and clock cycle of a ticket (the facts reports
read: attainment per policy, team, agent and priority). The live due times are columns of the ticket."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from awn.core import clock


class Target(models.TextChoices):
    FIRST_RESPONSE = "first_response", _("First response")
    NEXT_RESPONSE = "next_response", _("Next response")
    PERIODIC_UPDATE = "periodic_update", _("Periodic update")
    RESOLUTION = "resolution", _("Resolution")


def default_pause_statuses() -> list[str]:
    return ["pending", "on_hold"]


def default_warning_recipients() -> list[str]:
    return ["assignee"]


def default_breach_recipients() -> list[str]:
    return ["assignee", "team", "managers"]


class SLAPolicy(models.Model):
    """The first active policy, in position order, whose conditions all hold applies to a ticket."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    # {"priorities": [3, 4], "organizations": [ids], "plans": ["gold"], "channels": ["email"],
    #  "tags": ["vip"], "teams": [ids], "tiers": [1, 2]}; a list left out or empty matches anything. Every
    # given list must match (one of its values), see policies.py.
    conditions = models.JSONField(_("conditions"), default=dict, blank=True)
    # {"first_response": {"minutes": 60, "business_hours": true, "pauses": false}, "resolution": {...}}
    targets = models.JSONField(_("targets"), default=dict, blank=True)
    calendar = models.ForeignKey(
        "calendars.BusinessCalendar",
        verbose_name=_("business calendar"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sla_policies",
    )
    pause_statuses = models.JSONField(_("pause while"), default=default_pause_statuses, blank=True)
    warning_minutes = models.PositiveIntegerField(_("warn minutes before a breach"), default=30)
    notify_on_warning = models.JSONField(
        _("notify on a warning"), default=default_warning_recipients, blank=True
    )
    notify_on_breach = models.JSONField(
        _("notify on a breach"), default=default_breach_recipients, blank=True
    )
    email_notifications = models.BooleanField(_("email the notifications too"), default=True)
    webhook = models.ForeignKey(
        "automation.Webhook",
        verbose_name=_("webhook"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=clock.now)
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")

    def __str__(self) -> str:
        return self.name


class SLAMeasurement(models.Model):
    """One target of one ticket for one clock cycle (next response and periodic update repeat).

    Written when a warning or a breach fires and when the clock stops; `breached` is the outcome reports
    count. team, assignee and priority are those of the ticket when the row was last written.
    """

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="sla_measurements")
    policy = models.ForeignKey(SLAPolicy, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    target = models.CharField(_("target"), max_length=24, choices=Target.choices)
    cycle = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField()
    due_at = models.DateTimeField(null=True, blank=True)
    warned_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    breached = models.BooleanField(default=False)
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    priority = models.PositiveSmallIntegerField(default=2)
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["started_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["ticket", "target", "cycle"], name="sla_one_measurement_per_cycle"
            ),
        ]
        indexes = [
            models.Index(fields=["completed_at", "target"], name="sla_measurement_completed"),
            models.Index(fields=["breached_at"], name="sla_measurement_breached"),
        ]

    def __str__(self) -> str:
        return f"{self.target} #{self.cycle} on #{self.ticket_id}"
