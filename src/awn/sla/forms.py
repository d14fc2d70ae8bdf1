"""The policy form: it parses the admin's input; services.save_policy decides what is allowed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from awn.accounts.models import Organization, Team, Tier
from awn.sla.clocks import TARGETS
from awn.sla.models import SLAPolicy, Target
from awn.tickets.models import Channel, Priority

RECIPIENT_CHOICES = [("assignee", _("The assignee")), ("team", _("The team")), ("managers", _("Managers"))]
PAUSE_CHOICES = [("pending", _("Pending")), ("on_hold", _("On hold"))]


def _words(text: str) -> list[str]:
    return [word for word in text.replace(",", " ").split() if word]


class PolicyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    priorities = forms.TypedMultipleChoiceField(
        label=_("Priorities"),
        choices=Priority.choices,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    channels = forms.MultipleChoiceField(
        label=_("Channels"), choices=Channel.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    tiers = forms.TypedMultipleChoiceField(
        label=_("Tiers"),
        choices=Tier.choices,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    teams = forms.TypedMultipleChoiceField(
        label=_("Teams"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    organizations = forms.TypedMultipleChoiceField(label=_("Organizations"), coerce=int, required=False)
    plans = forms.CharField(
        label=_("Plans"),
        required=False,
        max_length=500,
        help_text=_("The requester's plan, e.g. gold premium."),
    )
    tags = forms.CharField(label=_("Tags"), required=False, max_length=500, help_text=_("Any of these tags."))

    calendar = forms.TypedChoiceField(
        label=_("Business calendar"), coerce=int, required=False, empty_value=None
    )
    pause_statuses = forms.MultipleChoiceField(
        label=_("Clocks that pause stop while the ticket is"),
        choices=PAUSE_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    warning_minutes = forms.IntegerField(
        label=_("Warn this many minutes before a breach"), min_value=0, max_value=7 * 24 * 60, initial=30
    )
    notify_on_warning = forms.MultipleChoiceField(
        label=_("On a warning, notify"),
        choices=RECIPIENT_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    notify_on_breach = forms.MultipleChoiceField(
        label=_("On a breach, notify"),
        choices=RECIPIENT_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    email_notifications = forms.BooleanField(
        label=_("Email the notifications too"), required=False, initial=True
    )
    webhook = forms.TypedChoiceField(label=_("Webhook"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args: Any, **kwargs: Any):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        from awn.automation.models import Webhook
        from awn.calendars.models import BusinessCalendar

        self.fields["teams"].choices = list(Team.objects.values_list("pk", "name"))  # type: ignore[attr-defined]
        self.fields["organizations"].choices = list(  # type: ignore[attr-defined]
            Organization.objects.values_list("pk", "name")
        )
        self.fields["calendar"].choices = [  # type: ignore[attr-defined]
            ("", _("The default calendar")),
            *BusinessCalendar.objects.values_list("pk", "name"),
        ]
        self.fields["webhook"].choices = [  # type: ignore[attr-defined]
            ("", _("None")),
            *Webhook.objects.values_list("pk", "name"),
        ]
        for name in TARGETS:
            label = Target(name).label
            self.fields[f"{name}_minutes"] = forms.IntegerField(
                label=label, required=False, min_value=1, max_value=366 * 24 * 60
            )
            self.fields[f"{name}_business"] = forms.BooleanField(
                label=_("Business hours"), required=False, initial=True
            )
            self.fields[f"{name}_pauses"] = forms.BooleanField(
                label=_("Pauses"), required=False, initial=name != "first_response"
            )

    @classmethod
    def initial_for(cls, policy: SLAPolicy | None) -> dict[str, Any]:
        if policy is None:
            return {
                "is_active": True,
                "warning_minutes": 30,
                "pause_statuses": ["pending", "on_hold"],
                "notify_on_warning": ["assignee"],
                "notify_on_breach": ["assignee", "team", "managers"],
                "email_notifications": True,
                **{f"{name}_business": True for name in TARGETS},
                **{f"{name}_pauses": name != "first_response" for name in TARGETS},
            }
        conditions = policy.conditions or {}
        initial: dict[str, Any] = {
            "name": policy.name,
            "description": policy.description,
            "is_active": policy.is_active,
            "priorities": conditions.get("priorities", []),
            "channels": conditions.get("channels", []),
            "tiers": conditions.get("tiers", []),
            "teams": conditions.get("teams", []),
            "organizations": conditions.get("organizations", []),
            "plans": " ".join(conditions.get("plans", [])),
            "tags": " ".join(conditions.get("tags", [])),
            "calendar": policy.calendar_id,
            "pause_statuses": policy.pause_statuses,
            "warning_minutes": policy.warning_minutes,
            "notify_on_warning": policy.notify_on_warning,
            "notify_on_breach": policy.notify_on_breach,
            "email_notifications": policy.email_notifications,
            "webhook": policy.webhook_id,
        }
        for name in TARGETS:
            spec = (policy.targets or {}).get(name)
            initial[f"{name}_minutes"] = spec["minutes"] if spec else None
            initial[f"{name}_business"] = spec["business_hours"] if spec else True
            initial[f"{name}_pauses"] = spec["pauses"] if spec else name != "first_response"
        return initial

    def condition_fields(self) -> list[Any]:
        return [
            self[name]
            for name in ("priorities", "channels", "tiers", "teams", "organizations", "plans", "tags")
        ]

    def target_rows(self) -> list[tuple[Any, Any, Any]]:
        return [(self[f"{n}_minutes"], self[f"{n}_business"], self[f"{n}_pauses"]) for n in TARGETS]

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        targets = {
            name: {
                "minutes": data[f"{name}_minutes"],
                "business_hours": data[f"{name}_business"],
                "pauses": data[f"{name}_pauses"],
            }
            for name in TARGETS
            if data.get(f"{name}_minutes")
        }
        conditions = {
            "priorities": data["priorities"],
            "channels": data["channels"],
            "tiers": data["tiers"],
            "teams": data["teams"],
            "organizations": data["organizations"],
            "plans": _words(data["plans"]),
            "tags": _words(data["tags"]),
        }
        return {
            "name": data["name"],
            "description": data["description"],
            "is_active": data["is_active"],
            "targets": targets,
            "conditions": conditions,
            "calendar_id": data["calendar"],
            "pause_statuses": data["pause_statuses"],
            "warning_minutes": data["warning_minutes"],
            "notify_on_warning": data["notify_on_warning"],
            "notify_on_breach": data["notify_on_breach"],
            "email_notifications": data["email_notifications"],
            "webhook_id": data["webhook"],
        }
