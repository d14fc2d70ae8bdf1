"""/api/v1/reports/{report}: every report of the dashboard as a table, with its filters and the caller's scope
(admins everything, managers their teams, agents their own numbers; customers none)."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from awn.api.auth import request_user
from awn.api.schemas import ERRORS, RowId
from awn.core import clock
from awn.core.errors import ValidationFailed
from awn.reports.exports import TABLES
from awn.reports.forms import ReportFilterForm
from awn.reports.selectors import scope_for

router = Router(tags=["reports"])

ReportName = Literal["summary", "volume", "backlog", "agents", "heatmap"]


class ReportQuery(Schema):
    start: date | None = Field(None, description="First local day (default: 29 days before `end`)")
    end: date | None = Field(None, description="Last local day, included (default: today)")
    timezone: str | None = Field(None, description="IANA timezone of the days (default: the caller's)")
    team: RowId | None = None
    agent: RowId | None = None
    channel: str | None = None
    tier: int | None = Field(None, ge=1, le=3)
    tag: RowId | None = None
    by: Literal["channel", "team", "tag"] = Field("channel", description="Series of the volume report")


class ReportOut(Schema):
    report: str
    start: date
    end: date
    timezone: str
    scope: str = Field(description="all, teams or agent: whose numbers these are")
    columns: list[str]
    rows: list[list[Any]]


@router.get("/{report}", response={200: ReportOut, **ERRORS}, url_name="report", summary="Read a report")
def read_report(request: HttpRequest, report: ReportName, query: Query[ReportQuery]):
    user = request_user(request)
    scope = scope_for(user)
    zone_name = query.timezone or user.timezone or "UTC"
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationFailed(_("Unknown timezone."), field="timezone") from exc
    params = {k: v for k, v in query.dict().items() if v is not None and k != "timezone"}
    form = ReportFilterForm(
        {k: str(v) for k, v in params.items()},
        scope=scope,
        today=clock.now().astimezone(zone).date(),
        timezone=zone_name,
    )
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        raise ValidationFailed(str(errors[0]), field=None if field == "__all__" else field)
    filters = form.filters()
    columns, rows = TABLES[report](scope, filters, by=form.cleaned_data["by"])
    return {
        "report": report,
        "start": filters.start,
        "end": filters.end,
        "timezone": zone_name,
        "scope": scope.level,
        "columns": columns,
        "rows": rows,
    }
