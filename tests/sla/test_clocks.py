"""SLA due times against a minute-by-minute brute force (hypothesis), with pauses, across daylight-saving
changes in Europe/Berlin and America/New_York, Asia/Tehran's half-hour offset, Friday–Saturday weekends and
holidays. The brute force reads the wall clock of every minute through zoneinfo (tests/calendars' reference),
so it shares nothing with the arithmetic it checks."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from awn.calendars.business_hours import Schedule
from awn.sla.clocks import CALENDAR_TIME, Counter, counted_between, due_at
from tests.calendars.test_business_hours import ANCHORS, brute_open, intervals

ZONES = ["Europe/Berlin", "America/New_York", "Asia/Tehran"]
MON_FRI = (0, 1, 2, 3, 4)
SUN_THU = (6, 0, 1, 2, 3)  # the Friday–Saturday weekend of Iran and much of the Arab world
REACH = 12 * 24 * 60  # minutes the brute force looks ahead


@st.composite
def weeks(draw):
    kind = draw(st.sampled_from(["mon-fri", "sun-thu", "any"]))
    if kind == "any":
        week = {day: draw(intervals()) for day in range(7)}
        if not any(week.values()):
            week[draw(st.integers(0, 6))] = [(540, 1020)]
        return week
    days = MON_FRI if kind == "mon-fri" else SUN_THU
    hours = draw(
        st.sampled_from([[(540, 1020)], [(480, 720), (780, 1020)], [(0, 180), (1320, 1440)], [(0, 1440)]])
    )
    return {day: hours for day in days}


@st.composite
def cases(draw):
    """A schedule, a start near a DST change (or an ordinary week), and pauses as minute offsets from it."""
    zone = draw(st.sampled_from(ZONES))
    anchor = draw(st.sampled_from(ANCHORS))
    holidays = [anchor.date() + timedelta(days=d) for d in draw(st.lists(st.integers(-1, 7), max_size=3))]
    schedule = Schedule.build(zone, draw(weeks()), holidays)
    start = anchor + timedelta(minutes=draw(st.integers(0, 3 * 24 * 60)))
    points = sorted(draw(st.lists(st.integers(-600, 5 * 24 * 60), max_size=6, unique=True)))
    gaps: list[tuple[datetime, datetime | None]] = [
        (start + timedelta(minutes=points[i]), start + timedelta(minutes=points[i + 1]))
        for i in range(0, len(points) - 1, 2)
    ]
    if draw(st.booleans()) and gaps:
        gaps[-1] = (gaps[-1][0], None)  # still paused
    return schedule, start, gaps


def brute_counted_minutes(schedule: Schedule | None, start: datetime, gaps, minutes: int) -> list[bool]:
    def paused(moment: datetime) -> bool:
        return any(begin <= moment and (end is None or moment < end) for begin, end in gaps)

    flags = []
    for i in range(minutes):
        moment = start + timedelta(minutes=i)
        flags.append((schedule is None or brute_open(schedule, moment)) and not paused(moment))
    return flags


def brute_due(schedule, start, gaps, target_minutes) -> datetime | None:
    counted = brute_counted_minutes(schedule, start, gaps, REACH)
    seen = 0
    for index, flag in enumerate(counted):
        seen += flag
        if seen == target_minutes:
            return start + timedelta(minutes=index + 1)
    return None


brute = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@brute
@given(cases(), st.integers(1, 3000))
def test_the_due_time_is_the_end_of_the_nth_counted_minute(case, target):
    schedule, start, gaps = case
    expected = brute_due(schedule, start, gaps, target)
    paused_for_good = bool(gaps) and gaps[-1][1] is None
    if expected is None and not paused_for_good:
        return  # holidays and short hours push it beyond the brute force's reach

    due = due_at(Counter(schedule), start, target * 60, gaps)

    assert due == expected


@brute
@given(cases(), st.integers(1, 5000))
def test_calendar_time_targets_skip_only_the_pauses(case, target):
    _schedule, start, gaps = case
    expected = brute_due(None, start, gaps, target)

    due = due_at(CALENDAR_TIME, start, target * 60, gaps)

    assert due == expected


@brute
@given(cases(), st.integers(0, 6 * 24 * 60))
def test_counted_time_between_two_instants_matches_the_brute_force(case, minutes):
    schedule, start, gaps = case

    counted = counted_between(Counter(schedule), start, start + timedelta(minutes=minutes), gaps)

    assert counted == 60 * sum(brute_counted_minutes(schedule, start, gaps, minutes))


@settings(max_examples=200, deadline=None)
@given(cases(), st.integers(1, 4 * 10**5))
def test_counting_up_to_the_due_time_gives_back_the_target(case, seconds):
    schedule, start, gaps = case
    gaps = [(begin, end) for begin, end in gaps if end is not None]  # a clock that will run again

    due = due_at(Counter(schedule), start, seconds, gaps)

    assert counted_between(Counter(schedule), start, due, gaps) == seconds


# --- worked examples (docs/sla.md) --------------------------------------------------------------------------


def office(zone: str, days=MON_FRI, hours=((540, 1020),), holidays=()) -> Counter:
    return Counter(Schedule.build(zone, {day: list(hours) for day in days}, holidays))


def test_a_four_hour_target_from_friday_afternoon_is_due_on_monday_in_berlin():
    berlin = office("Europe/Berlin")
    friday_3pm = datetime(2024, 3, 1, 14, 0, tzinfo=UTC)  # 15:00 CET

    assert due_at(berlin, friday_3pm, 4 * 3600) == datetime(2024, 3, 4, 10, 0, tzinfo=UTC)  # Mon 11:00


def test_a_pause_moves_the_due_time_by_the_business_time_it_covered():
    berlin = office("Europe/Berlin")
    monday_9 = datetime(2024, 1, 8, 8, 0, tzinfo=UTC)
    pending = [(datetime(2024, 1, 8, 10, 0, tzinfo=UTC), datetime(2024, 1, 8, 12, 30, tzinfo=UTC))]

    assert due_at(berlin, monday_9, 4 * 3600, pending) == datetime(2024, 1, 8, 14, 30, tzinfo=UTC)


def test_a_pause_over_the_night_costs_only_the_business_hours_it_covered():
    berlin = office("Europe/Berlin")
    monday_9 = datetime(2024, 1, 8, 8, 0, tzinfo=UTC)
    overnight = [(datetime(2024, 1, 8, 15, 0, tzinfo=UTC), datetime(2024, 1, 9, 9, 0, tzinfo=UTC))]

    # 7 h counted on Monday until the pause, 1 h lost to it on Monday, Tuesday from 10:00 (local) resumes.
    assert due_at(berlin, monday_9, 8 * 3600, overnight) == datetime(2024, 1, 9, 10, 0, tzinfo=UTC)


def test_a_clock_still_paused_with_time_left_has_no_due_time():
    berlin = office("Europe/Berlin")
    monday_9 = datetime(2024, 1, 8, 8, 0, tzinfo=UTC)

    assert due_at(berlin, monday_9, 3600, [(monday_9 + timedelta(minutes=30), None)]) is None


def test_a_clock_paused_after_its_due_time_keeps_that_due_time():
    berlin = office("Europe/Berlin")
    monday_9 = datetime(2024, 1, 8, 8, 0, tzinfo=UTC)

    due = due_at(berlin, monday_9, 3600, [(monday_9 + timedelta(hours=2), None)])

    assert due == monday_9 + timedelta(hours=1)


def test_tehran_works_sunday_to_thursday_and_keeps_its_half_hour_offset():
    tehran = office("Asia/Tehran", days=SUN_THU, hours=((480, 960),))
    thursday_3pm = datetime(2024, 5, 2, 11, 30, tzinfo=UTC)  # 15:00 in Tehran (+03:30)

    # One hour left on Thursday, then Friday and Saturday are the weekend: Sunday 09:00 Tehran.
    assert due_at(tehran, thursday_3pm, 2 * 3600) == datetime(2024, 5, 5, 5, 30, tzinfo=UTC)


def test_new_york_spring_forward_night_shift_loses_the_skipped_hour():
    night = office("America/New_York", days=range(7), hours=((0, 240),))
    saturday_night = datetime(2024, 3, 10, 5, 0, tzinfo=UTC)  # 00:00 EST, the night clocks jump 02:00→03:00

    # 00:00–04:00 local lasts three real hours that night: four hours of target end at 00:00+1h next night.
    assert due_at(night, saturday_night, 4 * 3600) == datetime(2024, 3, 11, 5, 0, tzinfo=UTC)


def test_a_holiday_on_the_due_day_pushes_the_due_time_to_the_next_working_day():
    berlin = office("Europe/Berlin", holidays=[date(2024, 12, 24), date(2024, 12, 25), date(2024, 12, 26)])
    monday_4pm = datetime(2024, 12, 23, 15, 0, tzinfo=UTC)  # 16:00 CET, one hour left that day

    assert due_at(berlin, monday_4pm, 2 * 3600) == datetime(2024, 12, 27, 9, 0, tzinfo=UTC)  # Fri 10:00
