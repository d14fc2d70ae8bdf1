"""Report reads: SQL aggregates over the fact tables, within the viewer's scope and filters.

Scope (who sees which numbers): an admin sees everything; a manager the facts of their teams; an agent their
own (tickets assigned to them, replies they wrote, ratings of them). Every report here starts from
`facts_for`/`replies_for`, which apply the scope, so the dashboard, the CSV files, the API and the digest
cannot disagree.

Days and hours are the viewer's: on PostgreSQL the database converts (AT TIME ZONE); SQLite has no time zones,
so the period is cut into stretches of constant UTC offset (a year has at most a few) and each stretch is
grouped with its offset as a date modifier: exact, and no per-row Python.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.apps import apps
from django.core.exceptions import EmptyResultSet, PermissionDenied
from django.db import connection
from django.db.models import (
    Aggregate,
    Avg,
    CharField,
    Count,
    F,
    FloatField,
    Func,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay, TruncDate

from awn.accounts.models import Role, Team, User
from awn.reports.models import ReplyFact, TicketFacts
from awn.tickets.models import UNSOLVED_STATUSES, Ticket

PERCENTILES = (0.5, 0.9)
CHANNELS = ("web", "email", "chat", "api", "phone")


# --- filters and scope --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportFilters:
    """A period of local dates (both included) in `timezone`, and optional dimensions."""

    start: date
    end: date
    timezone: str = "UTC"
    team_id: int | None = None
    agent_id: int | None = None
    channel: str | None = None
    tier: int | None = None
    tag_id: int | None = None

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def start_at(self) -> datetime:
        return datetime.combine(self.start, time.min, tzinfo=self.zone).astimezone(UTC)

    @property
    def end_at(self) -> datetime:
        """The instant after the period (exclusive)."""
        return datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=self.zone).astimezone(UTC)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def dates(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range(self.days)]


@dataclass(frozen=True)
class Scope:
    """What one viewer may see, as a filter on facts: everything, some teams, or one agent."""

    everything: bool = False
    team_ids: tuple[int, ...] = ()
    agent_id: int | None = None

    @property
    def level(self) -> str:
        return "all" if self.everything else "agent" if self.agent_id else "teams"


def scope_for(user) -> Scope:
    """The scope of a viewer; customers (and anonymous visitors) have none."""
    if user is None or not user.is_authenticated or not user.is_active:
        raise PermissionDenied
    if user.role == Role.ADMIN:
        return Scope(everything=True)
    if user.role == Role.MANAGER:
        return Scope(team_ids=tuple(Team.objects.filter(members=user).values_list("pk", flat=True)))
    if user.role == Role.AGENT:
        return Scope(agent_id=user.pk)
    raise PermissionDenied


def _scope_q(scope: Scope, prefix: str = "", *, agent_field: str = "agent_id") -> Q:
    if scope.everything:
        return Q()
    if scope.agent_id is not None:
        return Q(**{prefix + agent_field: scope.agent_id})
    return Q(**{prefix + "team_id__in": scope.team_ids})


def _dimension_q(filters: ReportFilters, prefix: str = "", *, facts_prefix: str | None = None) -> Q:
    """The dimension filters; tier and tag go through the ticket facts (`facts_prefix`) when the rows are not
    facts themselves."""
    q = Q()
    if filters.team_id:
        q &= Q(**{prefix + "team_id": filters.team_id})
    if filters.agent_id:
        q &= Q(**{prefix + "agent_id": filters.agent_id})
    if filters.channel:
        q &= Q(**{prefix + "channel": filters.channel})
    fp = prefix if facts_prefix is None else facts_prefix
    if filters.tier:
        q &= Q(**{fp + "tier": filters.tier})
    if filters.tag_id:
        tagged = Ticket.tags.through.objects.filter(tag_id=filters.tag_id).values("ticket_id")
        q &= Q(**{(fp + "ticket_id" if fp else "ticket_id") + "__in": tagged})
    return q


def facts_for(scope: Scope, filters: ReportFilters, *, by: str = "created_at") -> QuerySet[TicketFacts]:
    """Ticket facts within scope and filters whose `by` instant (created_at or solved_at) is in the period."""
    return TicketFacts.objects.filter(
        _scope_q(scope),
        _dimension_q(filters),
        **{f"{by}__gte": filters.start_at, f"{by}__lt": filters.end_at},
    )


def replies_for(scope: Scope, filters: ReportFilters) -> QuerySet[ReplyFact]:
    """Agent replies within scope and filters written in the period (tier and tag through the ticket)."""
    return ReplyFact.objects.filter(
        _scope_q(scope),
        _dimension_q(filters, facts_prefix="ticket__report_facts__"),
        created_at__gte=filters.start_at,
        created_at__lt=filters.end_at,
    )


# --- local time grouping ------------------------------------------------------------------------------------


def offset_stretches(zone: ZoneInfo, start: datetime, end: datetime) -> list[tuple[datetime, datetime, int]]:
    """[start, end) cut where the zone's UTC offset changes: (from, to, offset in minutes)."""

    def offset(moment: datetime) -> int:
        delta = moment.astimezone(zone).utcoffset()
        return int(delta.total_seconds() // 60) if delta is not None else 0

    stretches = []
    cursor, current = start, offset(start)
    probe = start
    step = timedelta(hours=6)
    while probe < end:
        nxt = min(probe + step, end)
        if (
            offset(nxt) != current
            and nxt < end
            or (nxt == end and offset(end - timedelta(seconds=1)) != current)
        ):
            low, high = probe, nxt if nxt < end else end - timedelta(seconds=1)
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                if offset(middle) == current:
                    low = middle
                else:
                    high = middle
            stretches.append((cursor, high, current))
            cursor, current = high, offset(high)
        probe = nxt
    stretches.append((cursor, end, current))
    return [s for s in stretches if s[0] < s[1]]


class _SqliteLocal(Func):
    """strftime(fmt, column, '+N minutes'): a local date or hour at a fixed offset (SQLite only)."""

    output_field = CharField()

    def __init__(self, expression, fmt: str, minutes: int) -> None:
        super().__init__(expression)
        if fmt not in ("%Y-%m-%d", "%w", "%H"):
            raise ValueError(fmt)
        self.fmt, self.minutes = fmt, int(minutes)

    def as_sql(self, compiler, connection, **extra):  # type: ignore[override]
        sql, params = compiler.compile(self.source_expressions[0])
        # The format and the offset as parameters: a literal "%" in the SQL would have to be escaped.
        return f"strftime(%s, {sql}, %s)", [self.fmt, *params, f"{self.minutes:+d} minutes"]


def grouped_by_local_time(
    queryset: QuerySet,
    column: str,
    filters: ReportFilters,
    parts: Sequence[str],
    *,
    group: Sequence[str] = (),
    sums: dict[str, Any] | None = None,
    counts: dict[str, Q] | None = None,
) -> dict[tuple, dict[str, float]]:
    """Counts (and sums) of `queryset` grouped by local `parts` of `column` ("day", or "dow" and "hour") and
    `group` fields: {(part values…, group values…): {"count": n, sum name: total}}."""
    sums = sums or {}
    counts = counts or {}
    result: dict[tuple, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    names = [f"local_{p}" for p in parts]

    def collect(qs: QuerySet, annotations: dict[str, Any], convert) -> None:
        rows = (
            qs.annotate(**annotations)
            .values(*names, *group)
            .annotate(
                n=Count("pk"),
                **{k: Sum(v) for k, v in sums.items()},
                **{k: Count("pk", filter=q) for k, q in counts.items()},
            )
            .order_by()
        )
        for row in rows:
            key = tuple(convert(p, row[f"local_{p}"]) for p in parts) + tuple(row[g] for g in group)
            bucket = result[key]
            bucket["count"] += row["n"]
            for k in [*sums, *counts]:
                bucket[k] += row[k] or 0

    if connection.vendor == "postgresql":
        zone = filters.zone
        make = {
            "day": lambda: TruncDate(column, tzinfo=zone),
            "dow": lambda: ExtractIsoWeekDay(column, tzinfo=zone),
            "hour": lambda: ExtractHour(column, tzinfo=zone),
        }

        def convert_pg(part: str, value):
            return value - 1 if part == "dow" else value

        collect(queryset, {f"local_{p}": make[p]() for p in parts}, convert_pg)
    else:
        fmt = {"day": "%Y-%m-%d", "dow": "%w", "hour": "%H"}

        def convert_sqlite(part: str, value):
            if part == "day":
                return date.fromisoformat(value)
            if part == "dow":
                return (int(value) + 6) % 7  # %w counts from Sunday; we count from Monday
            return int(value)

        for begin, stop, minutes in offset_stretches(filters.zone, filters.start_at, filters.end_at):
            qs = queryset.filter(**{f"{column}__gte": begin, f"{column}__lt": stop})
            collect(
                qs, {f"local_{p}": _SqliteLocal(F(column), fmt[p], minutes) for p in parts}, convert_sqlite
            )
    return result


# --- percentiles --------------------------------------------------------------------------------------------


class _PercentileCont(Aggregate):
    function = "PERCENTILE_CONT"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, fraction: float, **extra) -> None:
        super().__init__(expression, fraction=float(fraction), **extra)


def continuous_percentile(ordered: Sequence[float], fraction: float) -> float | None:
    """PostgreSQL's percentile_cont over already sorted values: linear between the neighbouring ranks."""
    if not ordered:
        return None
    position = (len(ordered) - 1) * fraction
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return float(ordered[low] + (position - low) * (ordered[high] - ordered[low]))


def percentiles(
    queryset: QuerySet, column: str, fractions: Sequence[float] = PERCENTILES, *, group: str | None = None
) -> dict[Any, list[float | None]]:
    """Continuous percentiles (linear between neighbouring ranks, as percentile_cont) of `column` over
    `queryset`, per value of `group` (or under the key None)."""
    qs = queryset.filter(**{f"{column}__isnull": False}).order_by()
    if connection.vendor == "postgresql":
        annotations = {f"p{i}": _PercentileCont(column, f) for i, f in enumerate(fractions)}
        if group:
            rows = qs.values(group).annotate(**annotations)
            return {row[group]: [row[f"p{i}"] for i in range(len(fractions))] for row in rows}
        row = qs.aggregate(**annotations)
        values = [row[f"p{i}"] for i in range(len(fractions))]
        return {None: values} if values[0] is not None else {}
    # SQLite has no percentile function, and ranking with window functions (or GROUP BY buckets) sorts in a
    # temporary B-tree, which measured slower than reading the one integer column and sorting in Python.
    rows = _raw_rows(qs.values_list(group, column) if group else qs.values_list(column))
    by_group: dict[Any, list[float]] = defaultdict(list)
    if group:
        for key, value in rows:
            by_group[key].append(value)
    else:
        by_group[None] = [value for (value,) in rows]
    result = {}
    for key, values in by_group.items():
        if values:
            values.sort()
            result[key] = [continuous_percentile(values, f) for f in fractions]
    return result


def _raw_rows(queryset: QuerySet) -> list[tuple]:
    """The rows of a values_list() queryset of plain numbers, without the ORM's per-row conversions (a large
    share of the time when a report reads 100,000 values)."""
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:  # a filter that can match nothing (a manager of no team)
        return []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# --- the reports --------------------------------------------------------------------------------------------


@dataclass
class Distribution:
    count: int = 0
    mean: float | None = None
    median: float | None = None
    p90: float | None = None


def distributions(queryset: QuerySet, columns: Sequence[str]) -> list[Distribution]:
    """Count, mean, median and p90 of each column over `queryset`, in one query."""
    qs = queryset.order_by()
    if connection.vendor == "postgresql":
        annotations: dict[str, Any] = {}
        for i, column in enumerate(columns):
            annotations[f"n{i}"] = Count(column)
            annotations[f"mean{i}"] = Avg(column)
            annotations[f"median{i}"] = _PercentileCont(column, 0.5)
            annotations[f"p90_{i}"] = _PercentileCont(column, 0.9)
        row = qs.aggregate(**annotations)
        return [
            Distribution(
                count=row[f"n{i}"], mean=row[f"mean{i}"], median=row[f"median{i}"], p90=row[f"p90_{i}"]
            )
            if row[f"n{i}"]
            else Distribution()
            for i in range(len(columns))
        ]
    rows = _raw_rows(qs.values_list(*columns))
    result = []
    for column_values in zip(*rows, strict=True) if rows else [() for _ in columns]:
        values = sorted(v for v in column_values if v is not None)
        if not values:
            result.append(Distribution())
            continue
        result.append(
            Distribution(
                count=len(values),
                mean=sum(values) / len(values),
                median=continuous_percentile(values, 0.5),
                p90=continuous_percentile(values, 0.9),
            )
        )
    return result


def _ratio(part: int | None, whole: int | None) -> float | None:
    return (part or 0) / whole if whole else None


@dataclass
class Summary:
    created: int = 0
    solved: int = 0
    open_now: int = 0
    first_response: Distribution = field(default_factory=Distribution)
    first_response_business: Distribution = field(default_factory=Distribution)
    resolution: Distribution = field(default_factory=Distribution)
    resolution_business: Distribution = field(default_factory=Distribution)
    fcr: float | None = None
    one_touch: float | None = None
    reopened: float | None = None
    sla_first_response: float | None = None
    sla_resolution: float | None = None
    sla_counted: int = 0
    csat: float | None = None
    csat_count: int = 0
    nps: float | None = None
    nps_count: int = 0


def summary(scope: Scope, filters: ReportFilters) -> Summary:
    """The headline numbers: volume, backlog, response and resolution times, FCR, SLA, CSAT, NPS."""
    created = facts_for(scope, filters)
    solved = facts_for(scope, filters, by="solved_at")
    result = Summary()
    counts = created.aggregate(
        n=Count("pk"),
        fr_met=Count("pk", filter=Q(sla_first_response_met=True)),
        fr_all=Count("pk", filter=Q(sla_first_response_met__isnull=False)),
    )
    result.created = counts["n"]
    result.sla_first_response = _ratio(counts["fr_met"], counts["fr_all"])
    solved_counts = solved.aggregate(
        n=Count("pk"),
        fcr=Count("pk", filter=Q(first_contact_resolution=True)),
        one_touch=Count("pk", filter=Q(one_touch=True)),
        reopened=Count("pk", filter=Q(reopens__gt=0)),
        res_met=Count("pk", filter=Q(sla_resolution_met=True)),
        res_all=Count("pk", filter=Q(sla_resolution_met__isnull=False)),
    )
    result.solved = solved_counts["n"]
    result.fcr = _ratio(solved_counts["fcr"], result.solved)
    result.one_touch = _ratio(solved_counts["one_touch"], result.solved)
    result.reopened = _ratio(solved_counts["reopened"], result.solved)
    result.sla_resolution = _ratio(solved_counts["res_met"], solved_counts["res_all"])
    result.sla_counted = counts["fr_all"] + solved_counts["res_all"]
    result.open_now = TicketFacts.objects.filter(
        _scope_q(scope), _dimension_q(filters), status__in=UNSOLVED_STATUSES
    ).count()
    result.first_response, result.first_response_business = distributions(
        created, ["first_response_seconds", "first_response_business_seconds"]
    )
    result.resolution, result.resolution_business = distributions(
        solved, ["resolution_seconds", "resolution_business_seconds"]
    )
    good, total = csat_counts(scope, filters).get(None, (0, 0))
    result.csat, result.csat_count = _ratio(good, total), total
    if scope.agent_id is None:
        result.nps, result.nps_count = nps(scope, filters)
    return result


def _survey_model(name: str):
    """The surveys app's models (built alongside); None while they do not exist."""
    try:
        return apps.get_model("surveys", name)
    except LookupError:
        return None


def csat_counts(
    scope: Scope, filters: ReportFilters, *, by_agent: bool = False
) -> dict[Any, tuple[int, int]]:
    """(good ratings, all ratings) in the period, overall (key None) or per rated agent."""
    model = _survey_model("SatisfactionRating")
    if model is None:
        return {}
    qs = model.objects.filter(
        _scope_q(scope), created_at__gte=filters.start_at, created_at__lt=filters.end_at
    )
    if filters.team_id:
        qs = qs.filter(team_id=filters.team_id)
    if filters.agent_id:
        qs = qs.filter(agent_id=filters.agent_id)
    if filters.channel or filters.tier or filters.tag_id:
        qs = qs.filter(
            ticket_id__in=facts_for(Scope(everything=True), _undated(filters), by="created_at").values(
                "ticket_id"
            )
        )
    if by_agent:
        rows = qs.values("agent_id").annotate(good=Count("pk", filter=Q(rating=3)), n=Count("pk")).order_by()
        return {row["agent_id"]: (row["good"], row["n"]) for row in rows}
    row = qs.aggregate(good=Count("pk", filter=Q(rating=3)), n=Count("pk"))
    return {None: (row["good"], row["n"])}


def _undated(filters: ReportFilters) -> ReportFilters:
    """The same dimensions over all time (to pick tickets by channel, tier or tag, whenever created)."""
    return ReportFilters(
        start=date(1970, 1, 2),
        end=date(9998, 12, 30),
        channel=filters.channel,
        tier=filters.tier,
        tag_id=filters.tag_id,
    )


def nps(scope: Scope, filters: ReportFilters) -> tuple[float | None, int]:
    """Net promoter score (−100…100) over the answers received in the period, and how many there were."""
    model = _survey_model("NpsResponse")
    if model is None:
        return None, 0
    qs = model.objects.filter(
        answered_at__gte=filters.start_at, answered_at__lt=filters.end_at, score__isnull=False
    )
    if not scope.everything:
        qs = qs.filter(ticket__team_id__in=scope.team_ids)
    if filters.team_id:
        qs = qs.filter(ticket__team_id=filters.team_id)
    row = qs.aggregate(
        n=Count("pk"),
        promoters=Count("pk", filter=Q(score__gte=9)),
        detractors=Count("pk", filter=Q(score__lte=6)),
    )
    if not row["n"]:
        return None, 0
    return 100.0 * (row["promoters"] - row["detractors"]) / row["n"], row["n"]


def volume(
    scope: Scope, filters: ReportFilters, *, by: str = "channel"
) -> tuple[list[date], dict[Any, list[int]]]:
    """Tickets created per local day, one series per channel, team or tag."""
    days = filters.dates()
    index = {d: i for i, d in enumerate(days)}
    series: dict[Any, list[int]] = {}
    if by == "tag":
        tagged = Ticket.tags.through.objects.filter(
            ticket_id__in=facts_for(scope, filters).values("ticket_id")
        )
        grouped = grouped_by_local_time(
            tagged,
            "ticket__report_facts__created_at",
            filters,
            ["day"],
            group=["tag_id"],
        )
    else:
        field_name = {"channel": "channel", "team": "team_id"}[by]
        grouped = grouped_by_local_time(
            facts_for(scope, filters), "created_at", filters, ["day"], group=[field_name]
        )
    for (day, key), bucket in grouped.items():
        if day in index:
            series.setdefault(key, [0] * len(days))[index[day]] += int(bucket["count"])
    return days, series


def backlog(
    scope: Scope, filters: ReportFilters, *, created_per_day: Sequence[int] | None = None
) -> tuple[list[date], list[int]]:
    """Unsolved tickets at the end of each local day: created by then and not (last) solved by then.

    `created_per_day` (from `volume`, when the caller has it) saves grouping the same rows twice.
    """
    base = TicketFacts.objects.filter(_scope_q(scope), _dimension_q(filters))
    start = filters.start_at
    # Two counts over index ranges rather than one pass over every earlier ticket.
    level = base.filter(created_at__lt=start).count() - base.filter(solved_at__lt=start).count()
    days = filters.dates()
    if created_per_day is None:
        created = grouped_by_local_time(base, "created_at", filters, ["day"])
        created_per_day = [int(created.get((day,), {}).get("count", 0)) for day in days]
    solved = grouped_by_local_time(base.filter(solved_at__isnull=False), "solved_at", filters, ["day"])
    levels = []
    for day, arrived in zip(days, created_per_day, strict=True):
        level += arrived - int(solved.get((day,), {}).get("count", 0))
        levels.append(level)
    return days, levels


def heatmaps(scope: Scope, filters: ReportFilters) -> tuple[list[list[int]], list[list[float | None]]]:
    """Day of week (Monday first) × hour, local: tickets created, and their mean first response (seconds)."""
    grouped = grouped_by_local_time(
        facts_for(scope, filters),
        "created_at",
        filters,
        ["dow", "hour"],
        sums={"frt": "first_response_seconds"},
        counts={"answered": Q(first_response_seconds__isnull=False)},
    )
    counts = [[0] * 24 for _ in range(7)]
    means: list[list[float | None]] = [[None] * 24 for _ in range(7)]
    for (dow, hour), bucket in grouped.items():
        counts[dow][hour] = int(bucket["count"])
        n = bucket["answered"]
        if n:
            means[dow][hour] = bucket["frt"] / n
    return counts, means


@dataclass
class AgentRow:
    agent_id: int
    name: str
    solved: int = 0
    replies: int = 0
    solved_per_day: float = 0.0
    median_first_response: float | None = None
    csat: float | None = None
    csat_count: int = 0


@dataclass
class Overview:
    """Every number of the dashboard (awn.reports.overview)."""

    summary: Summary
    days: list[date]
    series: dict[Any, list[int]]
    backlog: list[int]
    heat_counts: list[list[int]]
    heat_means: list[list[float | None]]
    agents: list[AgentRow]


def agents(scope: Scope, filters: ReportFilters) -> list[AgentRow]:
    """Per agent in scope: solved, replies, solved per day, median first response, CSAT."""
    solved = dict(
        facts_for(scope, filters, by="solved_at")
        .exclude(solved_by_id=None)
        .values_list("solved_by_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    medians = percentiles(
        facts_for(scope, filters).exclude(agent_id=None), "first_response_seconds", (0.5,), group="agent_id"
    )
    return agent_rows(scope, filters, solved=solved, medians={k: v[0] for k, v in medians.items()})


def agent_rows(
    scope: Scope,
    filters: ReportFilters,
    *,
    solved: dict[int, int],
    medians: dict[int, float | None],
    replies: dict[int, int] | None = None,
) -> list[AgentRow]:
    """The per-agent table from the solved counts and median first responses, adding replies (unless given)
    and CSAT."""
    if replies is None:
        replies = dict(replies_for(scope, filters).values_list("agent_id").annotate(n=Count("pk")).order_by())
    csat = csat_counts(scope, filters, by_agent=True)
    ids = {i for i in [*solved, *replies, *medians, *csat] if i is not None}
    if scope.agent_id is not None:
        ids = {scope.agent_id} & ids or {scope.agent_id}
    names = dict(User.objects.filter(pk__in=ids).values_list("pk", "name"))
    rows = []
    for agent_id in ids:
        good, total = csat.get(agent_id, (0, 0))
        rows.append(
            AgentRow(
                agent_id=agent_id,
                name=names.get(agent_id) or f"#{agent_id}",
                solved=solved.get(agent_id, 0),
                replies=replies.get(agent_id, 0),
                solved_per_day=solved.get(agent_id, 0) / filters.days,
                median_first_response=medians.get(agent_id),
                csat=_ratio(good, total),
                csat_count=total,
            )
        )
    rows.sort(key=lambda r: r.name.lower())
    return rows


def teams_in(scope: Scope) -> list[Team]:
    qs = Team.objects.order_by("tier", "name")
    return list(qs if scope.everything or scope.agent_id else qs.filter(pk__in=scope.team_ids))


def agents_in(scope: Scope) -> list[User]:
    qs = User.objects.filter(role__in=(Role.ADMIN, Role.MANAGER, Role.AGENT), is_active=True).order_by("name")
    if scope.agent_id is not None:
        return list(qs.filter(pk=scope.agent_id))
    if not scope.everything:
        qs = qs.filter(teams__in=scope.team_ids).distinct()
    return list(qs)
