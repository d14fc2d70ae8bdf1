"""Business-hours arithmetic: pure functions over a `Schedule` (no database, no Django).

Semantics, chosen so that a minute-by-minute brute force can check every answer: an instant is *open* when
its wall-clock time in the schedule's timezone falls inside one of that weekday's intervals and its local
date is not a holiday. Consequences across daylight-saving changes follow from that one rule:

- spring forward: wall-clock times that do not exist are never open (09:00–17:00 on a day whose 02:00–03:00
  is skipped still has 8 hours; an interval 02:00–04:00 has 1 hour that day);
- fall back: wall-clock times that happen twice are open twice (an interval 01:00–03:00 lasts 3 hours).

Internally everything is integer microseconds since the Unix epoch, so sums and additions are exact. The
timezone's offset is constant between transitions; transitions are found once per (zone, year) by sampling
every few hours and bisecting to the second, and cached. Within a stretch of constant offset, local time is
UTC plus that offset, so each local interval maps to one UTC interval: that is the whole trick.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

SECOND = 1_000_000  # microseconds
MINUTE = 60 * SECOND
DAY = 24 * 60 * MINUTE
MINUTES_PER_DAY = 24 * 60
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_DATE = date(1970, 1, 1)
_SAMPLE_STEP = 6 * 3600  # seconds between offset samples; no zone changes offset twice within 6 hours
_MIN_YEAR, _MAX_YEAR = 1971, 9998

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class CalendarError(ValueError):
    """A schedule that cannot be built (unknown timezone, bad interval) or that never opens."""


@dataclass(frozen=True)
class Schedule:
    """Weekly opening hours in a timezone, minus holidays.

    `week[d]` holds the open intervals of weekday `d` (0 = Monday) as sorted, disjoint (start, end) minute
    pairs, 0 <= start < end <= 1440. `holidays` are local dates closed all day.
    """

    timezone: str
    week: tuple[tuple[tuple[int, int], ...], ...]
    holidays: frozenset[date] = frozenset()

    @classmethod
    def build(
        cls,
        timezone: str,
        week: Mapping[int, Iterable[tuple[int, int]]] | Iterable[Iterable[tuple[int, int]]],
        holidays: Iterable[date] = (),
    ) -> Schedule:
        """Validate and normalize: overlapping or touching intervals of one day are merged."""
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise CalendarError(f"unknown timezone {timezone!r}") from exc
        days = dict(week) if isinstance(week, Mapping) else dict(enumerate(week))
        normalized = []
        for weekday in range(7):
            spans = sorted((int(start), int(end)) for start, end in days.get(weekday, ()))
            merged: list[tuple[int, int]] = []
            for start, end in spans:
                if not 0 <= start < end <= MINUTES_PER_DAY:
                    raise CalendarError(f"interval {start}-{end} is not within one day")
                if merged and start <= merged[-1][1]:
                    merged[-1] = (merged[-1][0], max(merged[-1][1], end))
                else:
                    merged.append((start, end))
            normalized.append(tuple(merged))
        return cls(timezone=timezone, week=tuple(normalized), holidays=frozenset(holidays))

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def weekly_minutes(self) -> int:
        return sum(end - start for day in self.week for start, end in day)


# --- time conversions -------------------------------------------------------------------------------------


def _to_us(moment: datetime) -> int:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("business-hours maths needs timezone-aware datetimes")
    return (moment - _EPOCH) // timedelta(microseconds=1)


def _from_us(us: int) -> datetime:
    return _EPOCH + timedelta(microseconds=us)


def _offset_us(zone: ZoneInfo, seconds: int) -> int:
    """UTC offset of `zone` at the instant `seconds` after the epoch, in microseconds."""
    offset = datetime.fromtimestamp(seconds, zone).utcoffset()
    assert offset is not None
    return offset // timedelta(microseconds=1)


@lru_cache(maxsize=512)
def _transitions(zone_key: str, year: int) -> tuple[tuple[int, int], ...]:
    """(instant in µs, offset in µs from then on) for each offset change of the zone within `year` (UTC)."""
    zone = ZoneInfo(zone_key)
    begin = int((datetime(year, 1, 1, tzinfo=UTC) - _EPOCH).total_seconds())
    end = int((datetime(year + 1, 1, 1, tzinfo=UTC) - _EPOCH).total_seconds())
    found: list[tuple[int, int]] = []
    previous = begin - _SAMPLE_STEP
    previous_offset = _offset_us(zone, previous)
    sample = begin
    while previous < end:
        sample = min(previous + _SAMPLE_STEP, end)
        offset = _offset_us(zone, sample)
        if offset != previous_offset:
            low, high = previous, sample  # offset(low) is the old one, offset(high) the new one
            while high - low > 1:
                middle = (low + high) // 2
                if _offset_us(zone, middle) == previous_offset:
                    low = middle
                else:
                    high = middle
            if begin <= high < end:
                found.append((high * SECOND, offset))
            previous_offset = offset
        previous = sample
    return tuple(found)


def _year_of(us: int) -> int:
    return _from_us(us).year


def _stretches(zone_key: str, start: int) -> Iterator[tuple[int, int, int]]:
    """Consecutive (from, to, offset) stretches of constant UTC offset covering [start, ∞).

    Stretches also end at each new year (UTC), so a zone without transitions yields lazily, year by year.
    """
    zone = ZoneInfo(zone_key)
    low = start
    year = _year_of(start)
    while year <= _MAX_YEAR:
        offset = _offset_us(zone, low // SECOND)
        for instant, new_offset in _transitions(zone_key, year):
            if instant > low:
                yield low, instant, offset
                low, offset = instant, new_offset
        year_end = _to_us(datetime(year + 1, 1, 1, tzinfo=UTC))
        if year_end > low:
            yield low, year_end, offset
            low = year_end
        year += 1


# --- open intervals ---------------------------------------------------------------------------------------


def _open_intervals(schedule: Schedule, start: int) -> Iterator[tuple[int, int]]:
    """The open intervals [a, b) in UTC µs with b > start, in order, `a` clipped to `start`.

    Adjacent intervals are not merged (a 24/7 schedule would otherwise never yield); callers add lengths.
    Raises CalendarError when the schedule stays closed for longer than its holidays can explain.
    """
    if schedule.weekly_minutes == 0:
        raise CalendarError("the calendar has no opening hours")
    holidays = {(day - _EPOCH_DATE).days for day in schedule.holidays}
    week = schedule.week
    closed_days = 0
    patience = len(holidays) + 15
    for low, high, offset in _stretches(schedule.timezone, start):
        low = max(low, start)
        day = (low + offset) // DAY
        while True:
            day_start = day * DAY - offset  # the UTC instant at which this local day would begin
            if day_start >= high:
                break
            opened = False
            if day not in holidays:
                for begin, end in week[(day + 3) % 7]:  # 1970-01-01 was a Thursday
                    a = max(day_start + begin * MINUTE, low)
                    b = min(day_start + end * MINUTE, high)
                    if a < b:
                        opened = True
                        yield a, b
            closed_days = 0 if opened else closed_days + 1
            if closed_days > patience:
                raise CalendarError("the calendar never opens")
            day += 1


# --- the public functions ---------------------------------------------------------------------------------


def is_open_at(schedule: Schedule, moment: datetime) -> bool:
    """Is `moment` within business hours?"""
    us = _to_us(moment)
    local = us + _offset_us(schedule.zone, us // SECOND)
    day = local // DAY
    if (_EPOCH_DATE + timedelta(days=day)) in schedule.holidays:
        return False
    within = local - day * DAY
    return any(begin * MINUTE <= within < end * MINUTE for begin, end in schedule.week[(day + 3) % 7])


def next_open(schedule: Schedule, moment: datetime) -> datetime:
    """`moment` itself when open, otherwise the instant business hours next begin (in UTC)."""
    start = _to_us(moment)
    for a, _b in _open_intervals(schedule, start):
        return _from_us(a)
    raise CalendarError("the calendar never opens")  # pragma: no cover - _open_intervals raises first


def next_close(schedule: Schedule, moment: datetime, *, horizon_days: int = 400) -> datetime | None:
    """The instant the current (or next) stretch of business hours ends; None if it lasts past the horizon."""
    start = _to_us(moment)
    limit = start + horizon_days * DAY
    end = None
    for a, b in _open_intervals(schedule, start):
        if end is not None and a != end:
            break
        end = b
        if end > limit:
            return None
    assert end is not None
    return _from_us(end)


def business_seconds_between(schedule: Schedule, start: datetime, end: datetime) -> float:
    """Business seconds in [start, end); negative when `end` is before `start`."""
    low, high = _to_us(start), _to_us(end)
    if high < low:
        return -business_seconds_between(schedule, end, start)
    if high == low:
        return 0
    total = 0
    for a, b in _open_intervals(schedule, low):
        if a >= high:
            break
        total += min(b, high) - a
    return total / SECOND if total % SECOND else total // SECOND


def add_business_seconds(schedule: Schedule, start: datetime, seconds: float) -> datetime:
    """The earliest instant at which `seconds` of business time have passed since `start` (UTC)."""
    if seconds < 0:
        raise ValueError("seconds must not be negative")
    remaining = round(seconds * SECOND)
    low = _to_us(start)
    if remaining == 0:
        return _from_us(low)
    for a, b in _open_intervals(schedule, low):
        if remaining <= b - a:
            return _from_us(a + remaining)
        remaining -= b - a
    raise CalendarError("the calendar never opens")  # pragma: no cover


# --- parsing helpers shared by the model and forms ---------------------------------------------------------


def parse_clock(text: str) -> int:
    """'09:30' → 570 minutes; '24:00' is the end of the day."""
    try:
        hours, minutes = text.strip().split(":")
        value = int(hours) * 60 + int(minutes)
    except (AttributeError, ValueError) as exc:
        raise CalendarError(f"{text!r} is not a time like 09:30") from exc
    if not (0 <= int(minutes) < 60 and 0 <= value <= MINUTES_PER_DAY):
        raise CalendarError(f"{text!r} is not a time like 09:30")
    return value


def format_clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
