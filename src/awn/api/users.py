"""/api/v1/users and /api/v1/me: people. Staff list and read everyone; a customer reads only themselves."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Status

from awn.accounts import services as accounts
from awn.accounts.models import Organization, Team, User
from awn.accounts.permissions import can_administer, is_staff
from awn.api.auth import request_user
from awn.api.schemas import (
    ERRORS,
    Input,
    MeOut,
    RoleName,
    RowId,
    UserListQuery,
    UserOut,
    UserPage,
    user_out,
)
from awn.core.errors import ValidationFailed
from awn.privacy.services import erase_customer
from awn.tickets.services import Actor

router = Router(tags=["users"])
me_router = Router(tags=["users"])


class UserCreateIn(Input):
    email: str = Field(..., max_length=254)
    name: str = Field("", max_length=200)
    role: RoleName = "customer"
    phone: str = Field("", max_length=40)
    language: str = Field("", max_length=8)
    timezone: str = Field("UTC", max_length=64)
    organization: RowId | None = None
    plan: str = Field("", max_length=64)


def resolve_organization(organization_id: int | None) -> Organization | None:
    if organization_id is None:
        return None
    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is None:
        raise ValidationFailed(
            _("There is no organization with id %(id)s.") % {"id": organization_id}, field="organization"
        )
    return organization


@router.get("", response={200: UserPage, **ERRORS}, url_name="users", summary="List people (staff only)")
def list_users(request: HttpRequest, query: Query[UserListQuery]):
    user = request_user(request)
    if not is_staff(user):
        raise PermissionDenied(_("Only staff can list people."))
    people = User.objects.select_related("organization").order_by("id")
    if query.role:
        people = people.filter(role=query.role)
    if query.organization is not None:
        people = people.filter(organization_id=query.organization)
    if query.q and query.q.strip():
        term = query.q.strip()
        people = people.filter(Q(email__icontains=term) | Q(name__icontains=term))
    rows = list(people[query.offset : query.offset + query.limit + 1])
    next_offset = query.offset + query.limit if len(rows) > query.limit else None
    return {"items": [user_out(u) for u in rows[: query.limit]], "next_offset": next_offset}


@router.post("", response={201: UserOut, **ERRORS}, summary="Add a person (admins only)")
def create_user(request: HttpRequest, payload: UserCreateIn):
    created = accounts.create_user(
        by=request_user(request),
        email=payload.email,
        name=payload.name,
        role=payload.role,
        phone=payload.phone,
        language=payload.language,
        timezone=payload.timezone,
        organization=resolve_organization(payload.organization),
        plan=payload.plan,
    )
    return Status(201, user_out(created))


@router.get("/{user_id}", response={200: UserOut, **ERRORS}, url_name="user", summary="Read a person")
def read_user(request: HttpRequest, user_id: int):
    """Staff read anyone; a customer only themselves (anyone else is 404)."""
    user = request_user(request)
    if not is_staff(user) and user_id != user.pk:
        raise Http404("No such user")
    person = User.objects.select_related("organization").filter(pk=user_id).first()
    if person is None:
        raise Http404("No such user")
    return user_out(person)


@router.post(
    "/{user_id}/erase",
    response={200: UserOut, **ERRORS},
    url_name="user_erase",
    summary="Erase a customer's personal data (admins only)",
)
def erase_user(request: HttpRequest, user_id: int):
    """GDPR Art. 17: anonymize a customer everywhere; their tickets and the reports stay. Erasing twice is
    harmless; staff accounts are refused (422)."""
    user = request_user(request)
    if not can_administer(user):
        raise PermissionDenied(_("Only administrators can erase a customer's personal data."))
    person = User.objects.filter(pk=user_id).first()
    if person is None:
        raise Http404("No such user")
    return user_out(erase_customer(customer=person, by=Actor.of(user)))


@me_router.get("", response={200: MeOut, **ERRORS}, url_name="me", summary="The token's owner")
def read_me(request: HttpRequest):
    user = request_user(request)
    teams = Team.objects.filter(members=user).order_by("name")
    return {**user_out(user), "teams": [{"id": t.pk, "name": t.name} for t in teams]}
