"""The calendar form: one line of hours per weekday, one holiday per line."""

from __future__ import annotations

import zoneinfo
from datetime import date
from functools import lru_cache

from django import forms
from django.utils.translation import gettext_lazy as _

from awn.calendars.business_hours import WEEKDAYS
from awn.desk.forms.tickets import DeskForm

DAY_LABELS = {
    "mon": _("Monday"),
    "tue": _("Tuesday"),
    "wed": _("Wednesday"),
    "thu": _("Thursday"),
    "fri": _("Friday"),
    "sat": _("Saturday"),
    "sun": _("Sunday"),
}


@lru_cache(maxsize=1)
def _timezones() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(zoneinfo.available_timezones())]


class CalendarForm(DeskForm):
    name = forms.CharField(label=_("Name"), max_length=120)
    timezone = forms.ChoiceField(label=_("Timezone"), initial="UTC")
    is_default = forms.BooleanField(
        label=_("Default calendar"),
        required=False,
        help_text=_("Used by conditions and replies that name no calendar."),
    )
    holidays = forms.CharField(
        label=_("Holidays"),
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 5, "dir": "auto"}),
        help_text=_("One per line: 2025-12-25 Christmas"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["timezone"].choices = _timezones()  # type: ignore[attr-defined]
        for day in WEEKDAYS:
            self.fields[f"hours_{day}"] = forms.CharField(
                label=DAY_LABELS[day],
                required=False,
                max_length=200,
                widget=forms.TextInput(attrs={"dir": "ltr", "placeholder": "09:00-17:00"}),
            )

    def day_fields(self):
        return [self[f"hours_{day}"] for day in WEEKDAYS]

    def clean_holidays(self) -> list[tuple[date, str]]:
        found = []
        for number, line in enumerate((self.cleaned_data.get("holidays") or "").splitlines(), start=1):
            line = line.strip()
            if not line:
                continue
            day, _sep, name = line.partition(" ")
            try:
                found.append((date.fromisoformat(day), name.strip()))
            except ValueError as exc:
                raise forms.ValidationError(
                    _("Line %(n)s does not start with a date like 2025-12-25."), params={"n": number}
                ) from exc
        return found

    def hours(self) -> dict[str, list[list[str]]]:
        result = {}
        for day in WEEKDAYS:
            text = self.cleaned_data.get(f"hours_{day}") or ""
            spans = [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]
            result[day] = [
                [piece.strip() for piece in span.replace("–", "-").split("-", 1)] for span in spans
            ]
        return result
