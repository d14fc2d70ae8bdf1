"""Business-hours maths checked against a minute-by-minute brute force (hypothesis) and by worked examples.

The brute force reads the wall clock through zoneinfo for every minute, independently of the module's own
handling of offsets, so a wrong transition, a half-hour offset or a midnight DST change shows up as a
mismatch.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from awn.calendars.business_hours import (
    CalendarError,
    Schedule,
    add_business_seconds,
    business_seconds_between,
    is_open_at,
    next_close,
    next_open,
    parse_clock,
)

ZONES = ["Europe/Berlin", "America/New_York", "Asia/Tehran", "Asia/Kolkata", "Australia/Lord_Howe", "UTC"]
# Starts near transitions: Berlin and New York in spring and autumn, Tehran's midnight changes (2021, before
# Iran abolished DST in 2022), Lord Howe's half-hour shift, and ordinary weeks.
ANCHORS = [
    datetime(2024, 3, 29, tzinfo=UTC),
    datetime(2024, 10, 25, tzinfo=UTC),
    datetime(2024, 3, 8, tzinfo=UTC),
    datetime(2024, 11, 1, tzinfo=UTC),
    datetime(2021, 3, 19, tzinfo=UTC),
    datetime(2021, 9, 19, tzinfo=UTC),
    datetime(2024, 4, 5, tzinfo=UTC),
    datetime(2024, 10, 4, tzinfo=UTC),
    datetime(2023, 6, 14, tzinfo=UTC),
    datetime(2023, 12, 29, tzinfo=UTC),
]
SPAN_MINUTES = 6 * 24 * 60


def brute_open(schedule: Schedule, minute_start: datetime) -> bool:
    local = minute_start.astimezone(ZoneInfo(schedule.timezone))
    if local.date() in schedule.holidays:
        return False
    clock = local.hour * 60 + local.minute
    return any(begin <= clock < end for begin, end in schedule.week[local.weekday()])


def brute_minutes(schedule: Schedule, start: datetime, minutes: int) -> list[bool]:
    return [brute_open(schedule, start + timedelta(minutes=i)) for i in range(minutes)]


@st.composite
def intervals(draw):
    """A day's hours: nothing, one stretch, or a split day; often on DST-sensitive hours (00:00–04:00)."""
    count = draw(st.integers(min_value=0, max_value=3))
    points = sorted(
        draw(
            st.lists(
                st.one_of(
                    st.integers(0, 1440), st.sampled_from([0, 60, 120, 150, 180, 210, 240, 540, 1020, 1440])
                ),
                min_size=count * 2,
                max_size=count * 2,
                unique=True,
            )
        )
    )
    return [(points[i], points[i + 1]) for i in range(0, len(points), 2)]


@st.composite
def schedules(draw):
    zone = draw(st.sampled_from(ZONES))
    week = {day: draw(intervals()) for day in range(7)}
    if not any(week.values()):
        week[draw(st.integers(0, 6))] = [(540, 1020)]
    anchor = draw(st.sampled_from(ANCHORS))
    holidays = draw(st.lists(st.integers(-2, 8), max_size=3))
    schedule = Schedule.build(zone, week, [anchor.date() + timedelta(days=d) for d in holidays])
    start = anchor + timedelta(minutes=draw(st.integers(0, 3 * 24 * 60)))
    return schedule, start


brute = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@brute
@given(schedules())
def test_is_open_at_agrees_with_the_wall_clock_minute_by_minute(case):
    schedule, start = case

    expected = brute_minutes(schedule, start, SPAN_MINUTES // 2)

    assert [is_open_at(schedule, start + timedelta(minutes=i)) for i in range(len(expected))] == expected


@brute
@given(schedules(), st.integers(0, SPAN_MINUTES))
def test_business_seconds_between_counts_the_open_minutes(case, minutes):
    schedule, start = case

    counted = sum(brute_minutes(schedule, start, minutes))

    assert business_seconds_between(schedule, start, start + timedelta(minutes=minutes)) == counted * 60


@brute
@given(schedules(), st.integers(1, 2000))
def test_add_business_seconds_ends_at_the_end_of_the_nth_open_minute(case, n):
    schedule, start = case
    open_minutes = brute_minutes(schedule, start, SPAN_MINUTES * 2)
    if sum(open_minutes) < n:
        return  # holidays and short hours left too few minutes within the brute force's reach

    index = [i for i, is_open in enumerate(open_minutes) if is_open][n - 1]

    assert add_business_seconds(schedule, start, n * 60) == start + timedelta(minutes=index + 1)


@brute
@given(schedules())
def test_next_open_is_the_first_open_minute(case):
    schedule, start = case
    open_minutes = brute_minutes(schedule, start, SPAN_MINUTES * 2)
    if True not in open_minutes:
        return

    first = open_minutes.index(True)

    assert next_open(schedule, start) == start + timedelta(minutes=first)


@settings(max_examples=200, deadline=None)
@given(schedules(), st.integers(0, 10**6), st.integers(0, 3 * 10**6))
def test_adding_then_measuring_gives_back_the_same_seconds(case, offset_us, seconds):
    schedule, start = case
    start += timedelta(microseconds=offset_us)

    due = add_business_seconds(schedule, start, seconds)

    assert business_seconds_between(schedule, start, due) == seconds
    assert due == start or is_open_at(schedule, due - timedelta(microseconds=1))


# --- worked examples --------------------------------------------------------------------------------------


def office(zone: str, days=range(5), hours=((540, 1020),), holidays=()) -> Schedule:
    return Schedule.build(zone, {day: list(hours) for day in days}, holidays)


def test_a_friday_evening_ticket_is_due_on_monday_morning():
    berlin = office("Europe/Berlin")
    friday_evening = datetime(2024, 3, 1, 18, 0, tzinfo=UTC)  # 19:00 in Berlin, closed

    due = add_business_seconds(berlin, friday_evening, 3600)

    assert due == datetime(2024, 3, 4, 9, 0, tzinfo=UTC)  # Monday 10:00 in Berlin


def test_the_spring_forward_weekend_does_not_shift_monday_hours():
    berlin = office("Europe/Berlin")
    friday = datetime(2024, 3, 29, 15, 0, tzinfo=UTC)  # 16:00 CET, one hour before closing

    due = add_business_seconds(berlin, friday, 8 * 3600)

    assert due == datetime(2024, 4, 1, 14, 0, tzinfo=UTC)  # Monday 16:00 CEST


def test_a_friday_saturday_weekend_is_closed_in_tehran():
    tehran = office("Asia/Tehran", days=(5, 6, 0, 1, 2), hours=((480, 960),))
    thursday_noon = datetime(2024, 5, 2, 12, 0, tzinfo=ZoneInfo("Asia/Tehran"))

    assert not is_open_at(tehran, thursday_noon)
    assert next_open(tehran, thursday_noon) == datetime(2024, 5, 4, 8, 0, tzinfo=ZoneInfo("Asia/Tehran"))


def test_tehran_counts_its_half_hour_offset():
    tehran = office("Asia/Tehran", days=range(7), hours=((480, 960),))
    start = datetime(2024, 5, 4, 4, 30, tzinfo=UTC)  # 08:00 in Tehran (+03:30)

    assert business_seconds_between(tehran, start, start + timedelta(hours=10)) == 8 * 3600


def test_a_holiday_is_closed_all_day():
    berlin = office("Europe/Berlin", holidays=[date(2024, 12, 25)])
    christmas_noon = datetime(2024, 12, 25, 11, 0, tzinfo=UTC)

    assert not is_open_at(berlin, christmas_noon)
    assert next_open(berlin, christmas_noon) == datetime(2024, 12, 26, 8, 0, tzinfo=UTC)


def test_a_doubled_hour_in_autumn_is_counted_twice():
    night_shift = office("Europe/Berlin", days=range(7), hours=((60, 180),))
    day = datetime(2024, 10, 26, 22, 0, tzinfo=UTC)  # the night of 27 October: 03:00 CEST becomes 02:00 CET

    assert business_seconds_between(night_shift, day, day + timedelta(hours=6)) == 3 * 3600


def test_an_always_open_calendar_adds_calendar_time():
    always = office("UTC", days=range(7), hours=((0, 1440),))
    start = datetime(2024, 1, 1, 12, 0, tzinfo=UTC)

    assert add_business_seconds(always, start, 10 * 86400) == start + timedelta(days=10)
    assert next_close(always, start) is None


def test_next_close_is_the_end_of_the_current_stretch():
    berlin = office("Europe/Berlin")

    assert next_close(berlin, datetime(2024, 1, 8, 12, 0, tzinfo=UTC)) == datetime(
        2024, 1, 8, 16, 0, tzinfo=UTC
    )


def test_the_end_of_the_day_counts_as_the_due_time_not_the_next_morning():
    berlin = office("Europe/Berlin")
    monday_9 = datetime(2024, 1, 8, 8, 0, tzinfo=UTC)

    assert add_business_seconds(berlin, monday_9, 8 * 3600) == datetime(2024, 1, 8, 16, 0, tzinfo=UTC)


def test_measuring_backwards_is_negative():
    berlin = office("Europe/Berlin")
    a, b = datetime(2024, 1, 8, 8, 0, tzinfo=UTC), datetime(2024, 1, 8, 10, 0, tzinfo=UTC)

    assert business_seconds_between(berlin, b, a) == -7200


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError):
        is_open_at(office("UTC"), datetime(2024, 1, 1, 12, 0))


def test_a_calendar_without_hours_is_refused_when_used():
    with pytest.raises(CalendarError):
        next_open(Schedule.build("UTC", {}), datetime(2024, 1, 1, tzinfo=UTC))


def test_next_open_skips_a_long_run_of_holidays():
    forty_days = [date(2024, 1, 1) + timedelta(days=d) for d in range(40)]
    mondays = Schedule.build("UTC", {0: [(540, 600)]}, forty_days)

    assert next_open(mondays, datetime(2023, 12, 31, tzinfo=UTC)) == datetime(2024, 2, 12, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize("bad", ["Mars/Olympus", ""])
def test_an_unknown_timezone_is_refused(bad):
    with pytest.raises(CalendarError):
        Schedule.build(bad, {0: [(540, 1020)]})


@pytest.mark.parametrize("interval", [(600, 540), (0, 1441), (-1, 30)])
def test_an_interval_outside_one_day_is_refused(interval):
    with pytest.raises(CalendarError):
        Schedule.build("UTC", {0: [interval]})


@pytest.mark.parametrize(("text", "minutes"), [("09:30", 570), ("24:00", 1440), ("0:00", 0)])
def test_clock_times_are_parsed(text, minutes):
    assert parse_clock(text) == minutes


@pytest.mark.parametrize("text", ["9", "25:00", "12:60", "noon", "24:30"])
def test_bad_clock_times_are_refused(text):
    with pytest.raises(CalendarError):
        parse_clock(text)
