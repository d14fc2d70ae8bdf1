"""Forms of the admin area; accounts.services validates and writes."""

from __future__ import annotations

import zoneinfo
from functools import lru_cache
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from awn.accounts.models import Organization, Role, Team, Tier
from awn.accounts.selectors import staff_users
from awn.desk.forms.tickets import DeskForm, set_choices


@lru_cache(maxsize=1)
def _timezones() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(zoneinfo.available_timezones())]


def language_choices() -> list[tuple[str, Any]]:
    return [("", _("Browser default")), *settings.LANGUAGES]


class UserForm(DeskForm):
    email = forms.EmailField(label=_("Email"), max_length=254)
    name = forms.CharField(label=_("Name"), required=False, max_length=200)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.CUSTOMER)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=40)
    language = forms.ChoiceField(label=_("Language"), required=False)
    timezone = forms.ChoiceField(label=_("Timezone"), initial="UTC")
    organization = forms.ModelChoiceField(
        label=_("Organization"), required=False, queryset=Organization.objects.all()
    )
    plan = forms.CharField(label=_("Plan"), required=False, max_length=64)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    password = forms.CharField(
        label=_("Password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Leave empty to keep the current password (or to set none)."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        set_choices(self, "language", language_choices())
        set_choices(self, "timezone", _timezones())


class TeamAdminForm(DeskForm):
    name = forms.CharField(label=_("Name"), max_length=120)
    tier = forms.TypedChoiceField(label=_("Tier"), coerce=int, choices=Tier.choices, initial=Tier.L1)
    visibility = forms.ChoiceField(
        label=_("Visibility"), choices=Team.Visibility.choices, initial=Team.Visibility.TEAM
    )
    members = forms.ModelMultipleChoiceField(
        label=_("Members"), required=False, queryset=staff_users(), widget=forms.CheckboxSelectMultiple
    )


class OrganizationForm(DeskForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    domains = forms.CharField(
        label=_("Email domains"),
        required=False,
        max_length=2000,
        help_text=_("Separated by commas or spaces, e.g. example.com"),
    )
    shared_tickets = forms.BooleanField(
        label=_("Members see the organization's tickets"),
        required=False,
        help_text=_("When on, every member of the organization can read and reply to its tickets."),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=10_000
    )

    def domain_list(self) -> list[str]:
        return [part for part in (self.cleaned_data.get("domains") or "").replace(",", " ").split() if part]
