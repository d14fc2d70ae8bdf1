"""/api/v1/teams: staff only (customers do not see how the helpdesk is organized)."""

from __future__ import annotations

from typing import Literal

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Status

from awn.accounts import services as accounts
from awn.accounts.models import Team, Tier, User
from awn.accounts.permissions import is_staff
from awn.api.auth import request_user
from awn.api.schemas import ERRORS, Input, PageQuery, RowId, TeamOut, TeamPage, team_out
from awn.core.errors import ValidationFailed

router = Router(tags=["teams"])


class TeamCreateIn(Input):
    name: str = Field(..., min_length=1, max_length=120)
    tier: int = Field(int(Tier.L1), ge=1, le=3)
    visibility: Literal["team", "all"] = "team"
    members: list[RowId] = Field(default_factory=list, max_length=500)


def _teams_for(user) -> QuerySet[Team]:
    if not is_staff(user):
        raise PermissionDenied(_("Only staff can see teams."))
    return Team.objects.prefetch_related(Prefetch("members", queryset=User.objects.order_by("name", "id")))


@router.get("", response={200: TeamPage, **ERRORS}, url_name="teams", summary="List teams (staff only)")
def list_teams(request: HttpRequest, page: Query[PageQuery]):
    teams = _teams_for(request_user(request))
    rows = list(teams.order_by("tier", "name", "id")[page.offset : page.offset + page.limit + 1])
    next_offset = page.offset + page.limit if len(rows) > page.limit else None
    return {"items": [team_out(t) for t in rows[: page.limit]], "next_offset": next_offset}


@router.post("", response={201: TeamOut, **ERRORS}, summary="Add a team (admins only)")
def create_team(request: HttpRequest, payload: TeamCreateIn):
    wanted = set(payload.members)
    members = list(User.objects.filter(pk__in=wanted))
    missing = wanted - {m.pk for m in members}
    if missing:
        raise ValidationFailed(_("There is no user with id %(id)s.") % {"id": min(missing)}, field="members")
    team = accounts.create_team(
        by=request_user(request),
        name=payload.name,
        tier=payload.tier,
        visibility=payload.visibility,
        members=members,
    )
    return Status(201, team_out(team))


@router.get("/{team_id}", response={200: TeamOut, **ERRORS}, url_name="team", summary="Read a team")
def read_team(request: HttpRequest, team_id: int):
    team = _teams_for(request_user(request)).filter(pk=team_id).first()
    if team is None:
        raise Http404("No such team")
    return team_out(team)
