"""/api/v1/organizations: staff see all; a customer sees only their own organization."""

from __future__ import annotations

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Status

from awn.accounts import services as accounts
from awn.accounts.models import Organization
from awn.accounts.permissions import is_staff
from awn.api.auth import request_user
from awn.api.schemas import (
    ERRORS,
    Input,
    OrganizationOut,
    OrganizationPage,
    PageQuery,
    organization_out,
)

router = Router(tags=["organizations"])


class OrganizationCreateIn(Input):
    name: str = Field(..., min_length=1, max_length=200)
    domains: list[str] = Field(default_factory=list, max_length=100)
    shared_tickets: bool = False


def _visible_organizations(user):
    if is_staff(user):
        return Organization.objects.all()
    return (
        Organization.objects.filter(pk=user.organization_id)
        if user.organization_id
        else Organization.objects.none()
    )


@router.get(
    "", response={200: OrganizationPage, **ERRORS}, url_name="organizations", summary="List organizations"
)
def list_organizations(request: HttpRequest, page: Query[PageQuery]):
    rows = list(
        _visible_organizations(request_user(request)).order_by("name", "id")[
            page.offset : page.offset + page.limit + 1
        ]
    )
    next_offset = page.offset + page.limit if len(rows) > page.limit else None
    return {"items": [organization_out(o) for o in rows[: page.limit]], "next_offset": next_offset}


@router.post("", response={201: OrganizationOut, **ERRORS}, summary="Add an organization (admins only)")
def create_organization(request: HttpRequest, payload: OrganizationCreateIn):
    organization = accounts.create_organization(
        by=request_user(request),
        name=payload.name,
        domains=payload.domains,
        shared_tickets=payload.shared_tickets,
    )
    return Status(201, organization_out(organization))


@router.get(
    "/{organization_id}",
    response={200: OrganizationOut, **ERRORS},
    url_name="organization",
    summary="Read an organization",
)
def read_organization(request: HttpRequest, organization_id: int):
    organization = _visible_organizations(request_user(request)).filter(pk=organization_id).first()
    if organization is None:
        raise Http404("No such organization")
    return organization_out(organization)
