"""The report filters: a period of local dates and the dimensions, limited to what the viewer may see."""

from __future__ import annotations

from datetime import date, timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

from awn.accounts.models import Tier, User
from awn.reports.selectors import ReportFilters, Scope, agents_in, teams_in
from awn.tickets.models import Channel, Tag

MAX_DAYS = 366
DEFAULT_DAYS = 30
SERIES = [("channel", _("Channel")), ("team", _("Team")), ("tag", _("Tag"))]


class ReportFilterForm(forms.Form):
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    team = forms.TypedChoiceField(label=_("Team"), required=False, coerce=int, empty_value=None)
    agent = forms.TypedChoiceField(label=_("Agent"), required=False, coerce=int, empty_value=None)
    channel = forms.ChoiceField(label=_("Channel"), required=False)
    tier = forms.TypedChoiceField(label=_("Tier"), required=False, coerce=int, empty_value=None)
    tag = forms.TypedChoiceField(label=_("Tag"), required=False, coerce=int, empty_value=None)
    by = forms.ChoiceField(label=_("Volume by"), required=False, choices=SERIES)

    def __init__(self, data, *, scope: Scope, today: date, timezone: str) -> None:
        super().__init__(data)
        self.scope, self.today, self.timezone = scope, today, timezone
        everyone = ("", _("All"))
        self.fields["team"].choices = [everyone, *((t.pk, t.name) for t in teams_in(scope))]
        self.fields["agent"].choices = [everyone, *((u.pk, u.display_name) for u in agents_in(scope))]
        self.fields["channel"].choices = [everyone, *Channel.choices]
        self.fields["tier"].choices = [everyone, *((t.value, t.label) for t in Tier)]
        self.fields["tag"].choices = [everyone, *Tag.objects.order_by("name").values_list("pk", "name")]

    def clean(self):
        data = super().clean()
        end = data.get("end") or self.today
        start = data.get("start") or end - timedelta(days=DEFAULT_DAYS - 1)
        if start > end:
            raise forms.ValidationError(_("The period must start on or before its last day."))
        if (end - start).days + 1 > MAX_DAYS:
            raise forms.ValidationError(
                _("A report covers at most %(days)s days; choose a shorter period.") % {"days": MAX_DAYS}
            )
        data["start"], data["end"] = start, end
        data["by"] = data.get("by") or "channel"
        return data

    def filters(self) -> ReportFilters:
        data = self.cleaned_data
        return ReportFilters(
            start=data["start"],
            end=data["end"],
            timezone=self.timezone,
            team_id=data.get("team"),
            agent_id=data.get("agent"),
            channel=data.get("channel") or None,
            tier=data.get("tier"),
            tag_id=data.get("tag"),
        )

    def query(self) -> str:
        """The filters as a query string, for the CSV links."""
        from urllib.parse import urlencode

        data = self.cleaned_data
        pairs = {"start": data["start"].isoformat(), "end": data["end"].isoformat(), "by": data["by"]}
        for name in ("team", "agent", "channel", "tier", "tag"):
            if data.get(name):
                pairs[name] = data[name]
        return urlencode(pairs)


def agent_names(ids) -> dict[int, str]:
    return {u.pk: u.display_name for u in User.objects.filter(pk__in=ids)}
