"""The dashboard read from the roll-ups (awn.reports.rollups) instead of the facts of every ticket.

- Totals, rates, means and the histograms of response times: the daily roll-ups of the whole UTC days inside
  the period, plus the facts of the hours at either end that a UTC day does not cover (at most a day's
  tickets). Counts, sums, rates and means are exact; the medians and 90th percentiles are read from the
  summed histograms (within one bucket of the exact value: less than 19% off, docs/reports.md).
- Local days and hours (volume, backlog, heatmaps): the hourly roll-ups, exact in any timezone whose offset
  is a whole number of hours through the period. For other zones (Tehran, India…) these come from the
  facts, as before.
- A tag filter, an agent's own dashboard and an agent filter read the facts throughout
  (`overview_from_rollups` returns None): an agent's tickets are few and have their own indexes.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from typing import Any

from django.db.models import CharField, Count, Q, Sum
from django.db.models.functions import Cast

from awn.reports import rollups, selectors
from awn.reports.models import (
    AgentRollup,
    HourlyRollup,
    ReplyFact,
    ReplyRollup,
    TagDailyRollup,
    TagRollup,
    TicketFacts,
    TicketRollup,
)
from awn.reports.rollups import (
    ALL_TEAMS,
    ANY_CHANNEL,
    BUSINESS,
    CALENDAR,
    FACT_COLUMNS,
    TICKET_MEASURES,
    created_contributions,
    histogram_percentile,
    solved_contributions,
)
from awn.reports.selectors import (
    Distribution,
    Overview,
    ReportFilters,
    Scope,
    Summary,
    _dimension_q,
    _ratio,
    _raw_rows,
    _scope_q,
    offset_stretches,
)
from awn.tickets.models import UNSOLVED_STATUSES

# Periods with fewer tickets (created plus solved) than this are read from the facts: exact percentiles, and
# about as fast (the one-read overview reads 100,000 rows in well under a second).
EXACT_UP_TO = 20_000
DASHBOARD_TABLES = frozenset({"ticket", "agent", "hourly", "reply"})  # "tag" only for the volume by tag


def _midnight(moment: datetime) -> datetime:
    moment = moment.astimezone(UTC)
    return datetime.combine(moment.date(), time.min, tzinfo=UTC)


def whole_utc_days(filters: ReportFilters) -> tuple[datetime, datetime]:
    """[first, stop): the UTC midnights around the whole UTC days inside the period (first >= stop: none)."""
    start, end = filters.start_at, filters.end_at
    first = _midnight(start)
    if first < start:
        first += timedelta(days=1)
    return first, _midnight(end)


def _edges(filters: ReportFilters, first: datetime, stop: datetime) -> list[tuple[datetime, datetime]]:
    """The parts of the period the whole UTC days leave out."""
    start, end = filters.start_at, filters.end_at
    if first >= stop:
        return [(start, end)]
    return [(a, b) for a, b in ((start, first), (stop, end)) if a < b]


def _distribution(timed: int, seconds: int, histogram: list[int]) -> Distribution:
    if not timed:
        return Distribution()
    return Distribution(
        count=timed,
        mean=seconds / timed,
        median=histogram_percentile(histogram, 0.5),
        p90=histogram_percentile(histogram, 0.9),
    )


def overview_from_rollups(
    scope: Scope, filters: ReportFilters, *, by: str = "channel", exact_up_to: int | None = None
) -> Overview | None:
    """Every number of the dashboard from the roll-ups; None when the facts should be read instead: a tag
    filter, an agent's own numbers or an agent filter (their tickets are few, and read through the agent
    indexes), or fewer than `exact_up_to` tickets in the period."""
    if filters.tag_id or filters.agent_id or scope.agent_id is not None:
        return None
    if not rollups.built_tables() >= DASHBOARD_TABLES:  # an upgrade added them: not rebuilt yet
        return None
    if exact_up_to is None:
        exact_up_to = EXACT_UP_TO
    first, stop = whole_utc_days(filters)
    dims = _scope_q(scope) & _dimension_q(filters)
    # The rows of each channel and tier only when a filter picks some; else each team's "any" rows.
    specific = bool(filters.channel or filters.tier)
    daily = dims & (~Q(channel=ANY_CHANNEL) if specific else Q(channel=ANY_CHANNEL))
    totals = {kind: dict.fromkeys(TICKET_MEASURES, 0) for kind in (TicketRollup.CREATED, TicketRollup.SOLVED)}
    agent_histograms: dict[int, list[int]] = {}
    solved_by: dict[int, int] = defaultdict(int)

    def add_histogram(agent: int, counts) -> None:
        histogram = agent_histograms.setdefault(agent, [0] * len(CALENDAR))
        for i, count in enumerate(counts):
            histogram[i] += count or 0

    if first < stop:
        days = Q(day__gte=first.date(), day__lt=stop.date())
        names = [f"m_{m}" for m in TICKET_MEASURES]
        qs = (
            TicketRollup.objects.filter(daily, days)
            .values_list("kind")
            .annotate(**{n: Sum(m) for n, m in zip(names, TICKET_MEASURES, strict=True)})
            .order_by()
        )
        for kind, *sums in _raw_rows(qs):
            for measure, value in zip(TICKET_MEASURES, sums, strict=True):
                totals[kind][measure] += int(value or 0)  # PostgreSQL sums bigints as numeric
        if totals[TicketRollup.CREATED]["tickets"] + totals[TicketRollup.SOLVED]["tickets"] < exact_up_to:
            return None
        per_agent = (
            AgentRollup.objects.filter(daily, days).exclude(agent_id=0).values_list("agent_id").order_by()
        )
        # Only the buckets some first response of the period fell in: the others are empty for every agent.
        created = totals[TicketRollup.CREATED]
        used = [i for i, column in enumerate(CALENDAR) if created[column]]
        if used:
            bucket_sums = {CALENDAR[i]: Sum(CALENDAR[i]) for i in used}
            for agent, *counts in _raw_rows(
                per_agent.filter(kind=TicketRollup.CREATED).annotate(**bucket_sums)
            ):
                histogram = [0] * len(CALENDAR)
                for i, count in zip(used, counts, strict=True):
                    histogram[i] = int(count or 0)
                add_histogram(agent, histogram)
        for agent, n in _raw_rows(per_agent.filter(kind=TicketRollup.SOLVED).annotate(n=Sum("tickets"))):
            solved_by[agent] += int(n or 0)
    elif exact_up_to > 0:
        return None
    for a, b in _edges(filters, first, stop):
        for column, contribute in (
            ("created_at", created_contributions),
            ("solved_at", solved_contributions),
        ):
            rows = TicketFacts.objects.filter(dims, **{f"{column}__gte": a, f"{column}__lt": b})
            for facts in rows.values(*FACT_COLUMNS):
                found: dict = {}
                contribute(facts, found)
                for (table, key), measures in found.items():
                    if table == "ticket" and key[3] != ANY_CHANNEL:
                        into = totals[key[0]]
                        for measure, value in measures.items():
                            into[measure] += value
                    elif table == "agent" and key[3] and key[4] != ANY_CHANNEL:
                        if key[0] == TicketRollup.SOLVED:
                            solved_by[key[3]] += 1
                        elif len(measures) > 1:  # answered: the bucket of its first response
                            add_histogram(key[3], [measures.get(c, 0) for c in CALENDAR])
    created, solved = totals[TicketRollup.CREATED], totals[TicketRollup.SOLVED]

    result = Summary(created=created["tickets"], solved=solved["tickets"])
    result.first_response = _distribution(
        created["timed"], created["seconds"], [created[c] for c in CALENDAR]
    )
    result.first_response_business = _distribution(
        created["business_timed"], created["business_seconds"], [created[c] for c in BUSINESS]
    )
    result.resolution = _distribution(solved["timed"], solved["seconds"], [solved[c] for c in CALENDAR])
    result.resolution_business = _distribution(
        solved["business_timed"], solved["business_seconds"], [solved[c] for c in BUSINESS]
    )
    result.sla_first_response = _ratio(created["sla_met"], created["sla_counted"])
    result.sla_resolution = _ratio(solved["sla_met"], solved["sla_counted"])
    result.sla_counted = created["sla_counted"] + solved["sla_counted"]
    result.fcr = _ratio(solved["fcr"], result.solved)
    result.one_touch = _ratio(solved["one_touch"], result.solved)
    result.reopened = _ratio(solved["reopened"], result.solved)

    base = TicketFacts.objects.filter(dims)
    result.open_now = base.filter(status__in=UNSOLVED_STATUSES).count()
    level = _unsolved_before(daily, dims, filters.start_at)
    good, total = selectors.csat_counts(scope, filters).get(None, (0, 0))
    result.csat, result.csat_count = _ratio(good, total), total
    if scope.agent_id is None:
        result.nps, result.nps_count = selectors.nps(scope, filters)

    days, series, created_per_day, solved_per_day, heat_counts, heat_means = _local_time(
        scope, filters, by=by
    )
    backlog = []
    for arrived, left in zip(created_per_day, solved_per_day, strict=True):
        level += arrived - left
        backlog.append(level)

    medians = {
        agent: histogram_percentile(histogram, 0.5)
        for agent, histogram in agent_histograms.items()
        if any(histogram)
    }
    agents = selectors.agent_rows(
        scope, filters, solved=dict(solved_by), medians=medians, replies=_replies(scope, filters, first, stop)
    )
    return Overview(
        summary=result,
        days=days,
        series=series,
        backlog=backlog,
        heat_counts=heat_counts,
        heat_means=heat_means,
        agents=agents,
    )


def _unsolved_before(daily: Q, dims: Q, moment: datetime) -> int:
    """Tickets created before `moment` minus those last solved before it (the backlog when the period starts):
    the daily rows of the UTC days before, and the facts of the hours of `moment`'s own day."""
    midnight = _midnight(moment)
    level = 0
    rows = (
        TicketRollup.objects.filter(daily, day__lt=midnight.date())
        .values_list("kind")
        .annotate(n=Sum("tickets"))
        .order_by()
    )
    for kind, n in rows:
        level += int(n or 0) * (1 if kind == TicketRollup.CREATED else -1)
    if midnight < moment:
        facts = TicketFacts.objects.filter(dims)
        level += facts.filter(created_at__gte=midnight, created_at__lt=moment).count()
        level -= facts.filter(solved_at__gte=midnight, solved_at__lt=moment).count()
    return level


def _replies(scope: Scope, filters: ReportFilters, first: datetime, stop: datetime) -> dict[int, int] | None:
    """Replies per agent: the daily roll-ups plus the reply facts at the edges (None: the tier filter goes
    through each reply's ticket, so the caller counts the reply facts)."""
    if filters.tier:
        return None
    dims = _scope_q(scope) & _dimension_q(filters)
    replies: dict[int, int] = defaultdict(int)
    if first < stop:
        rows = (
            ReplyRollup.objects.filter(
                dims, ~Q(channel=ANY_CHANNEL) if filters.channel else Q(channel=ANY_CHANNEL)
            )
            .filter(day__gte=first.date(), day__lt=stop.date())
            .values_list("agent_id")
            .annotate(n=Sum("replies"))
            .order_by()
        )
        for agent, n in rows:
            replies[agent] += int(n)
    edges = Q()
    for a, b in _edges(filters, first, stop):
        edges |= Q(created_at__gte=a, created_at__lt=b)
    for agent, n in (
        ReplyFact.objects.filter(dims, edges).values_list("agent_id").annotate(n=Count("pk")).order_by()
    ):
        replies[agent or 0] += n
    return {agent: n for agent, n in replies.items() if agent and n}


def _whole_hour_offsets(filters: ReportFilters) -> bool:
    return all(
        minutes % 60 == 0
        for _a, _b, minutes in offset_stretches(filters.zone, filters.start_at, filters.end_at)
    )


def _local_time(scope: Scope, filters: ReportFilters, *, by: str):
    """Per local day: the volume series, created and solved; per weekday and hour: created and the mean first
    response. From the hourly roll-ups when they can say it exactly, else from the facts."""
    days = filters.dates()
    index = {d: i for i, d in enumerate(days)}
    if not _whole_hour_offsets(filters):
        return _local_time_from_facts(scope, filters, by=by, days=days, index=index)
    key_field = {"channel": "channel", "team": "team_id"}.get(by)
    dims = _scope_q(scope) & _dimension_q(filters)
    if scope.everything and not filters.team_id and not filters.tier and by != "team":
        dims &= Q(team_id=ALL_TEAMS)  # every team's tickets, per channel: a few rows per hour
    else:
        dims &= ~Q(team_id=ALL_TEAMS)
    hourly = HourlyRollup.objects.filter(dims, hour__gte=filters.start_at, hour__lt=filters.end_at)
    series: dict[Any, list[int]] = {}
    if key_field:  # per local day and key, grouped by the database (a few rows per day)
        grouped = selectors.grouped_by_local_time(
            hourly, "hour", filters, ["day"], group=[key_field], sums={"created": "created"}
        )
        for (day, key), bucket in grouped.items():
            position = index.get(day)
            if position is not None and bucket["created"]:
                if key_field == "team_id":
                    key = key or None  # 0 is "no team"
                series.setdefault(key, [0] * len(days))[position] += int(bucket["created"])
    qs = (
        hourly.values_list("hour")
        .annotate(c=Sum("created"), a=Sum("answered"), f=Sum("first_response_seconds"), s=Sum("solved"))
        .order_by()
    )
    created_per_day = [0] * len(days)
    solved_per_day = [0] * len(days)
    heat_counts = [[0] * 24 for _ in range(7)]
    heat_sums = [[0] * 24 for _ in range(7)]
    heat_answered = [[0] * 24 for _ in range(7)]
    zone = filters.zone
    for hour, c, a, f, s in _raw_rows(qs):
        moment = _utc(hour).astimezone(zone)
        day = moment.date()
        position = index.get(day)
        if position is None:
            continue
        weekday, local_hour = day.weekday(), moment.hour
        created_per_day[position] += c or 0
        heat_counts[weekday][local_hour] += c or 0
        heat_sums[weekday][local_hour] += int(f or 0)
        heat_answered[weekday][local_hour] += a or 0
        solved_per_day[position] += s or 0
    if by == "tag":
        series = _tags_per_day(scope, filters, days, index)
    heat_means: list[list[float | None]] = [
        [heat_sums[d][h] / heat_answered[d][h] if heat_answered[d][h] else None for h in range(24)]
        for d in range(7)
    ]
    return days, series, created_per_day, solved_per_day, heat_counts, heat_means


def _utc(value: datetime | str) -> datetime:
    """A roll-up row's hour as read without the ORM's conversions (SQLite gives text, naive UTC)."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _tags_per_day(scope: Scope, filters: ReportFilters, days: list[date], index) -> dict[Any, list[int]]:
    """Tickets created per local day and tag: the tag rows (every team's row when the scope is everything
    and no team is picked), or the facts when a channel or tier filter is set (the tag rows have neither).
    The daily tag rows of the whole UTC days of the period and the hourly ones of the other hours once the
    daily table is built; else the hourly rows of every hour (a year: ~250,000 rows at 1M tickets)."""
    built = rollups.built_tables()
    if filters.channel or filters.tier or "tag" not in built:
        return selectors.volume(scope, filters, by="tag")[1]
    dims = _scope_q(scope) & _dimension_q(filters)
    dims &= Q(team_id=ALL_TEAMS) if scope.everything and not filters.team_id else ~Q(team_id=ALL_TEAMS)
    first, stop = whole_utc_days(filters)
    if "tag_day" in built and first < stop:
        return _tags_per_day_from_days(dims, filters, first, stop, days, index)
    rows = TagRollup.objects.filter(dims, hour__gte=filters.start_at, hour__lt=filters.end_at)
    grouped = selectors.grouped_by_local_time(
        rows, "hour", filters, ["day"], group=["tag_id"], sums={"created": "created"}
    )
    series: dict[Any, list[int]] = {}
    for (day, tag), bucket in grouped.items():
        position = index.get(day)
        if position is not None and bucket["created"]:
            series.setdefault(tag, [0] * len(days))[position] += int(bucket["created"])
    return series


def _local_days_of_utc_days(
    filters: ReportFilters, first: datetime, stop: datetime
) -> tuple[dict[date, date], list[datetime]]:
    """Where the daily rows of the whole UTC days [first, stop) count: each UTC day in the local day that
    holds most of it. And the hours to read hourly: those of each of these UTC days that belong to another
    local day (as many as the zone's offset moves the day boundary, or 24 minus that; local midnights are
    found in the zone, so daylight-saving days are right too), and the hours at either end of the period
    that no whole UTC day covers (`_edges`). Whole hours: for zones whose offset is whole hours."""
    days = filters.dates()
    midnights = [datetime.combine(day, time.min, tzinfo=filters.zone).astimezone(UTC) for day in days]
    majority: dict[date, date] = {}
    ranges = list(_edges(filters, first, stop))
    day = first
    while day < stop:
        end = day + timedelta(days=1)
        points = [day, *midnights[bisect_right(midnights, day) : bisect_left(midnights, end)], end]
        pieces = list(pairwise(points))
        main = max(pieces, key=lambda piece: piece[1] - piece[0])
        majority[day.date()] = days[bisect_right(midnights, main[0]) - 1]
        ranges += [piece for piece in pieces if piece != main]
        day = end
    hours = []
    for a, b in sorted(ranges):
        while a < b:
            hours.append(a)
            a += timedelta(hours=1)
    return majority, hours


def _tags_per_day_from_days(
    dims: Q, filters: ReportFilters, first: datetime, stop: datetime, days: list[date], index
) -> dict[Any, list[int]]:
    """Per local day and tag: the daily tag rows of the whole UTC days, each counted in its UTC day's main
    local day, then the hourly rows of that day's other hours moved from there to their own local day, and
    the hourly rows of the hours at the ends of the period. Exact in any whole-hour timezone; a year in
    Riyadh reads ~13,500 daily and ~26,000 hourly rows at 1M tickets instead of ~250,000 hourly ones."""
    majority, hours = _local_days_of_utc_days(filters, first, stop)
    counts: dict[tuple[int, int], int] = defaultdict(int)  # (tag, position of the local day): tickets
    daily = (
        TagDailyRollup.objects.filter(dims, day__gte=first.date(), day__lt=stop.date())
        .values_list("day", "tag_id")
        .annotate(n=Sum("created"))
        .order_by()
    )
    counted_in: dict[Any, int] = {}  # the raw day: the position of its main local day
    for day, tag, n in _raw_rows(daily):
        if day not in counted_in:
            counted_in[day] = index[majority[day if isinstance(day, date) else date.fromisoformat(day)]]
        counts[tag, counted_in[day]] += int(n or 0)
    # The hours by value (a year in Riyadh: ~1,100; at most 12 a day and a day at the ends), so the database
    # seeks each one in the (team, hour, tag) index; ranges of them OR'd cost the ORM more than the reading.
    # The hour as text: parsed once per hour here, not once per row by the driver (on PostgreSQL Django's
    # timestamp loader is Python: ~100 ms for a year's ~26,000 rows).
    hourly = (
        TagRollup.objects.filter(dims, hour__in=hours)
        .annotate(at=Cast("hour", CharField()))
        .values_list("at", "tag_id", "created")
        .order_by()
    )
    zone = filters.zone
    # The raw hour: (the position of its local day, that of its UTC day's main local day, counted there).
    moves: dict[Any, tuple[int | None, int | None]] = {}
    for hour, tag, n in _raw_rows(hourly) if hours else ():
        if hour not in moves:
            moment = _utc(hour)
            main = majority.get(moment.date())  # a whole UTC day's: its daily row counted it there
            moves[hour] = (index.get(moment.astimezone(zone).date()), None if main is None else index[main])
        to, away = moves[hour]
        if to is not None:
            counts[tag, to] += n
        if away is not None:
            counts[tag, away] -= n
    series: dict[Any, list[int]] = {}
    for (tag, position), n in counts.items():
        if n:
            series.setdefault(tag, [0] * len(days))[position] = n
    return series


def _local_time_from_facts(scope: Scope, filters: ReportFilters, *, by: str, days: list[date], index):
    days, series = selectors.volume(scope, filters, by=by)
    if by == "tag":
        created = selectors.grouped_by_local_time(
            selectors.facts_for(scope, filters), "created_at", filters, ["day"]
        )
        created_per_day = [int(created.get((day,), {}).get("count", 0)) for day in days]
    else:
        created_per_day = [sum(values[i] for values in series.values()) for i in range(len(days))]
    solved = selectors.grouped_by_local_time(
        selectors.facts_for(scope, filters, by="solved_at"), "solved_at", filters, ["day"]
    )
    solved_per_day = [int(solved.get((day,), {}).get("count", 0)) for day in days]
    heat_counts, heat_means = selectors.heatmaps(scope, filters)
    return days, series, created_per_day, solved_per_day, heat_counts, heat_means
