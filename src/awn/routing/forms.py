"""Forms of the routing screens; routing.services validates and writes."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from awn.accounts.models import Team
from awn.desk.forms.tickets import DeskForm
from awn.routing.models import Assignment, Availability, QueueOrder


class AvailabilityForm(DeskForm):
    availability = forms.ChoiceField(label=_("Availability"), choices=Availability.choices)


class TeamRoutingForm(DeskForm):
    assignment = forms.ChoiceField(label=_("Assignment"), choices=Assignment.choices)
    queue_order = forms.ChoiceField(label=_("Queue order"), choices=QueueOrder.choices)
    escalation_team = forms.ModelChoiceField(
        label=_("Escalates to"),
        required=False,
        queryset=Team.objects.all(),
        empty_label=_("The first team of the next tier"),
    )


class AgentProfileForm(DeskForm):
    availability = forms.ChoiceField(label=_("Availability"), choices=Availability.choices)
    capacity = forms.IntegerField(
        label=_("Capacity"),
        min_value=0,
        max_value=1000,
        help_text=_("Open tickets automatic assignment may give this agent at most."),
    )
    skills = forms.CharField(
        label=_("Skills"),
        required=False,
        max_length=1000,
        help_text=_("Tags this agent handles best, separated by spaces."),
    )
    languages = forms.CharField(
        label=_("Languages"), required=False, max_length=200, help_text=_("Language codes, e.g. en ar fa.")
    )


class TierMoveForm(DeskForm):
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"})
    )
