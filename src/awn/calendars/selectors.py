"""Reads of business calendars: schedules cached per process until a calendar changes."""

from __future__ import annotations

from django.core.cache import cache

from awn.calendars.business_hours import Schedule
from awn.calendars.models import BusinessCalendar
from awn.calendars.services import VERSION_KEY

_cached: dict[str, object] = {"version": None, "schedules": {}, "default": None}


def _refresh() -> dict[int, Schedule]:
    version = cache.get(VERSION_KEY, "")
    if _cached["version"] != version:
        calendars = list(BusinessCalendar.objects.prefetch_related("holidays"))
        _cached["schedules"] = {c.pk: c.schedule() for c in calendars}
        _cached["default"] = next((c.pk for c in calendars if c.is_default), None)
        _cached["version"] = version
    return _cached["schedules"]  # type: ignore[return-value]


def schedule_for(calendar_id: int | None) -> Schedule | None:
    """The schedule of a calendar by id, or of the default calendar when `calendar_id` is None."""
    schedules = _refresh()
    if calendar_id is None:
        calendar_id = _cached["default"]  # type: ignore[assignment]
    return schedules.get(calendar_id) if calendar_id is not None else None


def forget_schedules() -> None:
    """Drop the process cache (tests that write calendars without the services)."""
    _cached["version"] = None
