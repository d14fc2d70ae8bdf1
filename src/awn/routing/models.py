"""Routing settings as data: one profile per agent, one routing row per team."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from awn.core import clock


class Availability(models.TextChoices):
    ONLINE = "online", _("Online")
    AWAY = "away", _("Away")
    OFFLINE = "offline", _("Offline")


class AgentProfile(models.Model):
    """What automatic assignment needs to know about an agent."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="routing_profile"
    )
    availability = models.CharField(
        _("availability"), max_length=8, choices=Availability.choices, default=Availability.OFFLINE
    )
    # Open tickets (new, open, pending, on hold) automatic assignment may give this agent at most.
    capacity = models.PositiveIntegerField(_("capacity"), default=20)
    skills = models.JSONField(_("skills"), default=list, blank=True)  # tag names
    languages = models.JSONField(_("languages"), default=list, blank=True)  # language codes
    last_assigned_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("agent routing profile")
        indexes = [models.Index(fields=["availability"], name="agentprofile_availability")]

    def __str__(self) -> str:
        return f"{self.user} ({self.availability})"


class Assignment(models.TextChoices):
    MANUAL = "manual", _("Manual")
    ROUND_ROBIN = "round_robin", _("Round-robin")
    LEAST_OPEN = "least_open", _("Least open tickets")
    SKILL = "skill", _("By skill (agent skills ↔ ticket tags)")
    LANGUAGE = "language", _("By language")


class QueueOrder(models.TextChoices):
    OLDEST = "oldest", _("Oldest first")
    NEWEST = "newest", _("Newest first")
    PRIORITY = "priority", _("Priority first")


class TeamRouting(models.Model):
    team = models.OneToOneField("accounts.Team", on_delete=models.CASCADE, related_name="routing")
    assignment = models.CharField(
        _("assignment"), max_length=16, choices=Assignment.choices, default=Assignment.MANUAL
    )
    queue_order = models.CharField(
        _("queue order"), max_length=16, choices=QueueOrder.choices, default=QueueOrder.OLDEST
    )
    # Round-robin resumes after the agent who got the previous ticket.
    last_assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Where an escalation from this team goes; empty: the first team of the next tier.
    escalation_team = models.ForeignKey(
        "accounts.Team",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("escalates to"),
    )
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("team routing")

    def __str__(self) -> str:
        return f"{self.team}: {self.assignment}, {self.queue_order}"
