"""Reads of business calendars: schedules kept per process until a calendar changes (awn.core.shared)."""

from __future__ import annotations

from dataclasses import dataclass

from awn.calendars.business_hours import Schedule
from awn.calendars.models import BusinessCalendar
from awn.core.shared import ProcessCopy

VERSION_KEY = "awn:calendars:version"


@dataclass(frozen=True)
class Schedules:
    by_id: dict[int, Schedule]
    default: int | None


def _load() -> Schedules:
    calendars = list(BusinessCalendar.objects.prefetch_related("holidays"))
    return Schedules(
        by_id={c.pk: c.schedule() for c in calendars},
        default=next((c.pk for c in calendars if c.is_default), None),
    )


_schedules = ProcessCopy(VERSION_KEY, _load)


def schedule_for(calendar_id: int | None) -> Schedule | None:
    """The schedule of a calendar by id, or of the default calendar when `calendar_id` is None."""
    schedules = _schedules.get()
    if calendar_id is None:
        calendar_id = schedules.default
    return schedules.by_id.get(calendar_id) if calendar_id is not None else None


def calendars_changed() -> None:
    """Every process reloads the schedules on its next use."""
    _schedules.changed()


def forget_schedules() -> None:
    """Drop the process's copy (tests that write calendars without the services)."""
    _schedules.forget()
