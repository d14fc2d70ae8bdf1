"""Writes to business calendars: admin only, validated by building the pure Schedule first."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from awn.accounts.models import User
from awn.accounts.permissions import can_administer
from awn.calendars.business_hours import WEEKDAYS, CalendarError, Schedule, format_clock, parse_clock
from awn.calendars.models import BusinessCalendar, Holiday
from awn.calendars.selectors import calendars_changed
from awn.core import clock
from awn.core.errors import NotPermitted, ValidationFailed


def normalize_hours(hours: Mapping[str, Iterable[Iterable[str]]]) -> dict[str, list[list[str]]]:
    """{"mon": [["9:00", "17:00"]]} → the stored form, with days and times checked and merged."""
    unknown = set(hours) - set(WEEKDAYS)
    if unknown:
        raise ValidationFailed(
            _("Unknown weekday: %(day)s.") % {"day": ", ".join(sorted(unknown))}, field="hours"
        )
    try:
        week = {
            index: [(parse_clock(a), parse_clock(b)) for a, b in hours.get(day, [])]
            for index, day in enumerate(WEEKDAYS)
        }
        schedule = Schedule.build("UTC", week)
    except (CalendarError, ValueError, TypeError) as exc:
        raise ValidationFailed(
            _("Opening hours must be pairs of times like 09:00–17:00."), field="hours"
        ) from exc
    return {
        day: [[format_clock(a), format_clock(b)] for a, b in schedule.week[index]]
        for index, day in enumerate(WEEKDAYS)
        if schedule.week[index]
    }


@transaction.atomic
def save_calendar(
    *,
    by: User,
    name: str,
    timezone: str,
    hours: Mapping[str, Iterable[Iterable[str]]],
    holidays: Iterable[tuple[date, str]] = (),
    is_default: bool = False,
    calendar: BusinessCalendar | None = None,
) -> BusinessCalendar:
    """Create or replace a calendar (its hours and its whole list of holidays)."""
    if not can_administer(by):
        raise NotPermitted(_("Only admins can change business calendars."))
    name = " ".join((name or "").split())[:120]
    if not name:
        raise ValidationFailed(_("A name is required."), field="name")
    try:
        Schedule.build(timezone, {})
    except CalendarError as exc:
        raise ValidationFailed(_("Unknown timezone."), field="timezone") from exc
    stored = normalize_hours(hours)
    clash = BusinessCalendar.objects.filter(name=name)
    if calendar is not None:
        clash = clash.exclude(pk=calendar.pk)
    if clash.exists():
        raise ValidationFailed(_("Another calendar already has this name."), field="name")
    if is_default:
        others = BusinessCalendar.objects.filter(is_default=True)
        if calendar is not None:
            others = others.exclude(pk=calendar.pk)
        others.update(is_default=False)
    calendar = calendar or BusinessCalendar()
    calendar.name, calendar.timezone, calendar.hours, calendar.is_default = name, timezone, stored, is_default
    calendar.updated_at = clock.now()
    calendar.save()
    calendar.holidays.all().delete()
    seen: set[date] = set()
    rows = []
    for day, label in holidays:
        if day not in seen:
            seen.add(day)
            rows.append(Holiday(calendar=calendar, date=day, name=(label or "")[:120]))
    Holiday.objects.bulk_create(rows)
    calendars_changed()
    transaction.on_commit(calendars_changed)  # again, for processes that read before the commit
    return calendar


@transaction.atomic
def delete_calendar(*, by: User, calendar: BusinessCalendar) -> None:
    if not can_administer(by):
        raise NotPermitted(_("Only admins can change business calendars."))
    calendar.delete()
    calendars_changed()
    transaction.on_commit(calendars_changed)  # again, for processes that read before the commit
