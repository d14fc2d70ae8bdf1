"""Every report as a table (header, rows): what the CSV export writes and the API's tabular answers mirror."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _

from awn.accounts.models import Team
from awn.reports import selectors
from awn.reports.selectors import ReportFilters, Scope
from awn.tickets.models import Channel, Tag

WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def _num(value: float | None, places: int = 1) -> Any:
    return "" if value is None else round(value, places)


def summary_table(scope: Scope, filters: ReportFilters, **_options) -> tuple[list[str], list[list[Any]]]:
    s = selectors.summary(scope, filters)
    rows: list[list[Any]] = [
        ["tickets_created", s.created],
        ["tickets_solved", s.solved],
        ["unsolved_now", s.open_now],
    ]
    for name, dist in (
        ("first_response_seconds", s.first_response),
        ("first_response_business_seconds", s.first_response_business),
        ("resolution_seconds", s.resolution),
        ("resolution_business_seconds", s.resolution_business),
    ):
        rows += [
            [f"{name}_count", dist.count],
            [f"{name}_mean", _num(dist.mean)],
            [f"{name}_median", _num(dist.median)],
            [f"{name}_p90", _num(dist.p90)],
        ]
    rows += [
        ["first_contact_resolution_rate", _num(s.fcr, 4)],
        ["one_touch_rate", _num(s.one_touch, 4)],
        ["reopened_rate", _num(s.reopened, 4)],
        ["sla_first_response_attainment", _num(s.sla_first_response, 4)],
        ["sla_resolution_attainment", _num(s.sla_resolution, 4)],
        ["csat", _num(s.csat, 4)],
        ["csat_ratings", s.csat_count],
        ["nps", _num(s.nps, 1)],
        ["nps_answers", s.nps_count],
    ]
    return ["metric", "value"], rows


def series_names(by: str, keys) -> dict[Any, str]:
    if by == "channel":
        labels = dict(Channel.choices)
        return {k: str(labels.get(k, k)) for k in keys}
    model = Team if by == "team" else Tag
    names = dict(model.objects.filter(pk__in=[k for k in keys if k is not None]).values_list("pk", "name"))
    return {k: names.get(k, _("No team") if by == "team" else str(k)) for k in keys}


def volume_table(scope: Scope, filters: ReportFilters, *, by: str = "channel", **_options):
    days, series = selectors.volume(scope, filters, by=by)
    names = series_names(by, series.keys())
    keys = sorted(series, key=lambda k: names[k])
    header = ["date", *[names[k] for k in keys]]
    return header, [[day.isoformat(), *[series[k][i] for k in keys]] for i, day in enumerate(days)]


def backlog_table(scope: Scope, filters: ReportFilters, **_options):
    days, levels = selectors.backlog(scope, filters)
    return ["date", "unsolved_at_end_of_day"], [[d.isoformat(), n] for d, n in zip(days, levels, strict=True)]


def agents_table(scope: Scope, filters: ReportFilters, **_options):
    header = [
        "agent_id",
        "agent",
        "solved",
        "replies",
        "solved_per_day",
        "median_first_response_seconds",
        "csat",
        "csat_ratings",
    ]
    rows = [
        [
            r.agent_id,
            r.name,
            r.solved,
            r.replies,
            _num(r.solved_per_day, 2),
            _num(r.median_first_response),
            _num(r.csat, 4),
            r.csat_count,
        ]
        for r in selectors.agents(scope, filters)
    ]
    return header, rows


def heatmap_table(scope: Scope, filters: ReportFilters, **_options):
    counts, means = selectors.heatmaps(scope, filters)
    rows = [[WEEKDAYS[d], h, counts[d][h], _num(means[d][h])] for d in range(7) for h in range(24)]
    return ["weekday", "hour", "tickets_created", "mean_first_response_seconds"], rows


TABLES: dict[str, Callable[..., tuple[list[str], list[list[Any]]]]] = {
    "summary": summary_table,
    "volume": volume_table,
    "backlog": backlog_table,
    "agents": agents_table,
    "heatmap": heatmap_table,
}
