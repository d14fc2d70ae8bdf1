"""Business calendars as data; the arithmetic lives in business_hours.py (pure functions over a Schedule)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from awn.calendars.business_hours import WEEKDAYS, Schedule, parse_clock
from awn.core import clock


class BusinessCalendar(models.Model):
    """Opening hours used by the "business hours" rule condition, out-of-hours replies and SLA targets."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    timezone = models.CharField(_("timezone"), max_length=64, default="UTC")
    # {"mon": [["09:00", "17:00"]], "tue": [...], ...}; a day left out or empty is closed all day.
    hours = models.JSONField(_("weekly hours"), default=dict, blank=True)
    is_default = models.BooleanField(_("default calendar"), default=False)
    created_at = models.DateTimeField(default=clock.now)
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("business calendar")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=models.Q(is_default=True), name="one_default_calendar"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def schedule(self) -> Schedule:
        """The pure schedule of this calendar (holidays read once per instance)."""
        cached = getattr(self, "_schedule", None)
        if cached is None:
            week = {
                index: [(parse_clock(a), parse_clock(b)) for a, b in (self.hours or {}).get(day, [])]
                for index, day in enumerate(WEEKDAYS)
            }
            holidays = [h.date for h in self.holidays.all()]
            cached = self._schedule = Schedule.build(self.timezone, week, holidays)
        return cached


class Holiday(models.Model):
    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="holidays")
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=120, blank=True)

    class Meta:
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["calendar", "date"], name="one_holiday_per_date")]

    def __str__(self) -> str:
        return f"{self.date} {self.name}".strip()
