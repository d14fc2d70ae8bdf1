"""The whole dashboard from one read of each fact set.

The separate selectors (`summary`, `volume`, `backlog`, `heatmaps`, `agents`) each scan the tickets of the
period; on the dashboard that is about ten scans of the same rows. Here the tickets created in the period are
read once (local day and hour, the volume key, agent, first response times, SLA outcome) and the tickets
solved in the period once (local day, solver, resolution times, FCR, one-touch, reopened, SLA outcome); every
number of the page is then computed from those rows. The CSV files, the API and the digest use the separate
selectors; tests/reports/test_overview.py checks that both give the same numbers.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from django.db import connection
from django.db.models import F, QuerySet
from django.db.models.functions import ExtractHour, TruncDate

from awn.reports import selectors
from awn.reports.models import TicketFacts
from awn.reports.rollup_overview import overview_from_rollups
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
    _SqliteLocal,
    continuous_percentile,
    facts_for,
    offset_stretches,
)
from awn.tickets.models import UNSOLVED_STATUSES


def rows_with_local_time(
    queryset: QuerySet, column: str, filters: ReportFilters, fields: Sequence[str]
) -> Iterable[tuple]:
    """(local date, local hour, *fields) of each row, `column` read in the viewer's timezone."""
    if connection.vendor == "postgresql":
        zone = filters.zone
        qs = queryset.annotate(
            local_day=TruncDate(column, tzinfo=zone), local_hour=ExtractHour(column, tzinfo=zone)
        ).values_list("local_day", "local_hour", *fields)
        for row in _raw_rows(qs.order_by()):
            yield (row[0], int(row[1]), *row[2:])
        return
    days: dict[str, date] = {}
    for begin, stop, minutes in offset_stretches(filters.zone, filters.start_at, filters.end_at):
        qs = (
            queryset.filter(**{f"{column}__gte": begin, f"{column}__lt": stop})
            .annotate(
                local_day=_SqliteLocal(F(column), "%Y-%m-%d", minutes),
                local_hour=_SqliteLocal(F(column), "%H", minutes),
            )
            .values_list("local_day", "local_hour", *fields)
            .order_by()
        )
        for row in _raw_rows(qs):
            day = days.get(row[0])
            if day is None:
                day = days[row[0]] = date.fromisoformat(row[0])
            yield (day, int(row[1]), *row[2:])


def _distribution(values: list) -> Distribution:
    if not values:
        return Distribution()
    values.sort()
    return Distribution(
        count=len(values),
        mean=sum(values) / len(values),
        median=continuous_percentile(values, 0.5),
        p90=continuous_percentile(values, 0.9),
    )


def overview(scope: Scope, filters: ReportFilters, *, by: str = "channel") -> Overview:
    """Every number of the dashboard: from the roll-ups when the period holds many tickets (and no filter
    needs the facts), else from the facts themselves, exactly. On the facts, PostgreSQL aggregates in the
    database (percentile_cont, several workers) faster than this process can read the rows, so there the
    separate selectors are used."""
    data = overview_from_rollups(scope, filters, by=by)
    if data is not None:
        return data
    if connection.vendor == "postgresql":
        return _overview_from_selectors(scope, filters, by=by)
    return _overview_in_one_read(scope, filters, by=by)


def _overview_from_selectors(scope: Scope, filters: ReportFilters, *, by: str) -> Overview:
    days, series = selectors.volume(scope, filters, by=by)
    per_day = (
        [sum(values[i] for values in series.values()) for i in range(len(days))] if by != "tag" else None
    )
    heat_counts, heat_means = selectors.heatmaps(scope, filters)
    return Overview(
        summary=selectors.summary(scope, filters),
        days=days,
        series=series,
        backlog=selectors.backlog(scope, filters, created_per_day=per_day)[1],
        heat_counts=heat_counts,
        heat_means=heat_means,
        agents=selectors.agents(scope, filters),
    )


def _overview_in_one_read(scope: Scope, filters: ReportFilters, *, by: str) -> Overview:
    """The tickets created and those solved in the period, each read once (SQLite)."""
    days = filters.dates()
    index = {d: i for i, d in enumerate(days)}
    key_field = {"channel": "channel", "team": "team_id", "tag": "channel"}[by]
    result = Summary()

    # Tickets created in the period: one read.
    series: dict[Any, list[int]] = {}
    created_per_day = [0] * len(days)
    heat_counts = [[0] * 24 for _ in range(7)]
    heat_sums = [[0.0] * 24 for _ in range(7)]
    heat_answered = [[0] * 24 for _ in range(7)]
    first, first_business = [], []
    per_agent: dict[int, list] = defaultdict(list)
    sla_met = sla_all = 0
    rows = rows_with_local_time(
        facts_for(scope, filters),
        "created_at",
        filters,
        [
            key_field,
            "agent_id",
            "first_response_seconds",
            "first_response_business_seconds",
            "sla_first_response_met",
        ],
    )
    for day, hour, key, agent_id, seconds, business, met in rows:
        position = index.get(day)
        if position is None:
            continue
        result.created += 1
        created_per_day[position] += 1
        if by != "tag":
            series.setdefault(key, [0] * len(days))[position] += 1
        weekday = day.weekday()
        heat_counts[weekday][hour] += 1
        if seconds is not None:
            first.append(seconds)
            heat_sums[weekday][hour] += seconds
            heat_answered[weekday][hour] += 1
            if agent_id is not None:
                per_agent[agent_id].append(seconds)
        if business is not None:
            first_business.append(business)
        if met is not None:
            sla_all += 1
            sla_met += bool(met)
    result.first_response = _distribution(first)
    result.first_response_business = _distribution(first_business)
    result.sla_first_response = _ratio(sla_met, sla_all)

    # Tickets solved in the period: one read.
    solved_per_day = [0] * len(days)
    solved_by: Counter[int] = Counter()
    resolution, resolution_business = [], []
    fcr = one_touch = reopened = res_met = res_all = 0
    rows = rows_with_local_time(
        facts_for(scope, filters, by="solved_at"),
        "solved_at",
        filters,
        [
            "solved_by_id",
            "resolution_seconds",
            "resolution_business_seconds",
            "first_contact_resolution",
            "one_touch",
            "reopens",
            "sla_resolution_met",
        ],
    )
    for day, _hour, solver, seconds, business, is_fcr, is_one_touch, reopens, met in rows:
        position = index.get(day)
        if position is None:
            continue
        result.solved += 1
        solved_per_day[position] += 1
        if solver is not None:
            solved_by[solver] += 1
        if seconds is not None:
            resolution.append(seconds)
        if business is not None:
            resolution_business.append(business)
        fcr += bool(is_fcr)
        one_touch += bool(is_one_touch)
        reopened += reopens > 0
        if met is not None:
            res_all += 1
            res_met += bool(met)
    result.resolution = _distribution(resolution)
    result.resolution_business = _distribution(resolution_business)
    result.fcr = _ratio(fcr, result.solved)
    result.one_touch = _ratio(one_touch, result.solved)
    result.reopened = _ratio(reopened, result.solved)
    result.sla_resolution = _ratio(res_met, res_all)
    result.sla_counted = sla_all + res_all

    # Counts over index ranges: unsolved now, and the backlog's level when the period starts.
    base = TicketFacts.objects.filter(_scope_q(scope), _dimension_q(filters))
    result.open_now = base.filter(status__in=UNSOLVED_STATUSES).count()
    level = (
        base.filter(created_at__lt=filters.start_at).count()
        - base.filter(solved_at__lt=filters.start_at).count()
    )
    backlog = []
    for arrived, left in zip(created_per_day, solved_per_day, strict=True):
        level += arrived - left
        backlog.append(level)

    # Satisfaction: small tables of their own.
    good, total = selectors.csat_counts(scope, filters).get(None, (0, 0))
    result.csat, result.csat_count = _ratio(good, total), total
    if scope.agent_id is None:
        result.nps, result.nps_count = selectors.nps(scope, filters)

    if by == "tag":
        days, series = selectors.volume(scope, filters, by="tag")

    heat_means: list[list[float | None]] = [
        [heat_sums[d][h] / heat_answered[d][h] if heat_answered[d][h] else None for h in range(24)]
        for d in range(7)
    ]
    medians = {agent_id: continuous_percentile(sorted(values), 0.5) for agent_id, values in per_agent.items()}
    agents = selectors.agent_rows(scope, filters, solved=dict(solved_by), medians=medians)
    return Overview(
        summary=result,
        days=days,
        series=series,
        backlog=backlog,
        heat_counts=heat_counts,
        heat_means=heat_means,
        agents=agents,
    )
