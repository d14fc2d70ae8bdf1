"""Writes to people, teams and organizations, shared by the desk's admin area, the API and the CLI.

Every function is keyword-only and takes the acting user as `by` (None: the system itself, e.g. `awn demo`).
Refusals are `DomainError`s, so each caller turns them into a form error, a 4xx page or a JSON error.
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from awn.accounts.models import Organization, Role, Team, Tier, User
from awn.accounts.permissions import can_administer
from awn.core.errors import NotPermitted, ValidationFailed

KEEP: Any = object()  # "leave this field as it is" in the update_* services
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$")


def _require_admin(by: User | None) -> None:
    if by is not None and not can_administer(by):
        raise NotPermitted(_("Only administrators can change people, teams and organizations."))


def _clean_email(email: str) -> str:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ValidationFailed(_("Enter a valid email address."), field="email") from exc
    return email


def _check_email_free(email: str, *, exclude: User | None = None) -> None:
    from awn.accounts.selectors import find_user_by_email

    owner = find_user_by_email(email)
    if owner is not None and (exclude is None or owner.pk != exclude.pk):
        raise ValidationFailed(
            _("%(email)s is already used by another person.") % {"email": email}, field="email"
        )


def _check_role(role: str) -> None:
    if role not in Role.values:
        raise ValidationFailed(_("Unknown role."), field="role")


def _check_language(language: str) -> None:
    if language and language not in {code for code, _name in settings.LANGUAGES}:
        raise ValidationFailed(_("Unknown language."), field="language")


def _check_timezone(name: str) -> None:
    if name not in zoneinfo.available_timezones():
        raise ValidationFailed(_("Unknown timezone “%(tz)s”.") % {"tz": name[:64]}, field="timezone")


def _check_password(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationFailed(" ".join(exc.messages), field="password") from exc


def _is_last_active_admin(user: User) -> bool:
    if user.role != Role.ADMIN or not user.is_active:
        return False
    return not User.objects.filter(role=Role.ADMIN, is_active=True).exclude(pk=user.pk).exists()


@transaction.atomic
def create_user(
    *,
    by: User | None,
    email: str,
    name: str = "",
    role: str = Role.CUSTOMER,
    phone: str = "",
    language: str = "",
    timezone: str = "UTC",
    organization: Organization | None = None,
    plan: str = "",
    is_active: bool = True,
    password: str | None = None,
) -> User:
    """Add a person, staff member or customer; without a password they cannot sign in with one yet."""
    _require_admin(by)
    email = _clean_email(email)
    _check_email_free(email)
    _check_role(role)
    _check_language(language)
    timezone = timezone or "UTC"
    _check_timezone(timezone)
    user = User(
        email=email,
        name=" ".join(name.split())[:200],
        role=role,
        phone=phone.strip()[:40],
        language=language,
        timezone=timezone,
        organization=organization,
        plan=plan.strip()[:64],
        is_active=is_active,
        is_superuser=role == Role.ADMIN,
    )
    if password:
        _check_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:  # the same address registered concurrently
        raise ValidationFailed(
            _("%(email)s is already used by another person.") % {"email": email}, field="email"
        ) from exc
    return user


@transaction.atomic
def update_user(
    *,
    by: User | None,
    user: User,
    email: str = KEEP,
    name: str = KEEP,
    role: str = KEEP,
    phone: str = KEEP,
    language: str = KEEP,
    timezone: str = KEEP,
    organization: Organization | None = KEEP,
    plan: str = KEEP,
    is_active: bool = KEEP,
    password: str | None = None,
) -> User:
    """Change a person's profile, role or status; an empty password keeps the current one."""
    _require_admin(by)
    user = User.objects.select_for_update().get(pk=user.pk)
    changed: list[str] = []

    def put(field: str, value: Any) -> None:
        if value is not KEEP and getattr(user, field) != value:
            setattr(user, field, value)
            changed.append(field)

    if email is not KEEP:
        email = _clean_email(email)
        if email != user.email:
            _check_email_free(email, exclude=user)
        put("email", email)
    if role is not KEEP:
        _check_role(role)
    if language is not KEEP:
        _check_language(language)
    if timezone is not KEEP:
        timezone = timezone or "UTC"
        _check_timezone(timezone)
    demoted = role is not KEEP and role != Role.ADMIN
    disabled = is_active is not KEEP and not is_active
    if (demoted or disabled) and _is_last_active_admin(user):
        raise ValidationFailed(
            _("This is the last active administrator; appoint another one first."),
            field="role" if demoted else "is_active",
        )
    put("name", name if name is KEEP else " ".join(name.split())[:200])
    put("role", role)
    if role is not KEEP:
        put("is_superuser", role == Role.ADMIN)
    put("phone", phone if phone is KEEP else phone.strip()[:40])
    put("language", language)
    put("timezone", timezone)
    if organization is not KEEP and user.organization_id != (organization.pk if organization else None):
        user.organization = organization
        changed.append("organization")
    put("plan", plan if plan is KEEP else plan.strip()[:64])
    put("is_active", is_active)
    if password:
        _check_password(password, user)
        user.set_password(password)
        changed.append("password")
    if changed:
        try:
            with transaction.atomic():
                user.save(update_fields=changed)
        except IntegrityError as exc:
            raise ValidationFailed(
                _("%(email)s is already used by another person.") % {"email": user.email}, field="email"
            ) from exc
    return user


def _clean_name(name: str, *, field: str = "name") -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationFailed(_("A name is required."), field=field)
    return name


def _check_team_fields(*, name: str, tier: int, visibility: str, exclude: Team | None = None) -> None:
    taken = Team.objects.filter(name__iexact=name)
    if exclude is not None:
        taken = taken.exclude(pk=exclude.pk)
    if taken.exists():
        raise ValidationFailed(_("A team called “%(name)s” already exists.") % {"name": name}, field="name")
    if tier not in Tier.values:
        raise ValidationFailed(_("Unknown tier."), field="tier")
    if visibility not in Team.Visibility.values:
        raise ValidationFailed(_("Unknown visibility."), field="visibility")


def _staff_members(members: Iterable[User]) -> list[User]:
    people = list(members)
    for person in people:
        if not person.is_staff_member:
            raise ValidationFailed(
                _("%(name)s is not an active staff member and cannot join a team.") % {"name": person},
                field="members",
            )
    return people


@transaction.atomic
def create_team(
    *,
    by: User | None,
    name: str,
    tier: int = Tier.L1,
    visibility: str = Team.Visibility.TEAM,
    members: Iterable[User] = (),
) -> Team:
    """Add a team with its support tier, visibility rule and members."""
    _require_admin(by)
    name = _clean_name(name)[:120]
    _check_team_fields(name=name, tier=tier, visibility=visibility)
    people = _staff_members(members)
    team = Team.objects.create(name=name, tier=tier, visibility=visibility)
    if people:
        team.members.add(*people)
    return team


@transaction.atomic
def update_team(
    *,
    by: User | None,
    team: Team,
    name: str = KEEP,
    tier: int = KEEP,
    visibility: str = KEEP,
    members: Iterable[User] = KEEP,
) -> Team:
    """Rename a team, change its tier or visibility, or replace its members."""
    _require_admin(by)
    team = Team.objects.select_for_update().get(pk=team.pk)
    name = team.name if name is KEEP else _clean_name(name)[:120]
    tier = team.tier if tier is KEEP else tier
    visibility = team.visibility if visibility is KEEP else visibility
    _check_team_fields(name=name, tier=tier, visibility=visibility, exclude=team)
    people = None if members is KEEP else _staff_members(members)
    team.name, team.tier, team.visibility = name, tier, visibility
    team.save(update_fields=["name", "tier", "visibility"])
    if people is not None:
        team.members.set(people)
    return team


def _clean_domains(domains: Iterable[str]) -> list[str]:
    cleaned: list[str] = []
    for raw in domains:
        domain = (raw or "").strip().lower().lstrip("@")
        if not domain:
            continue
        if not _DOMAIN.match(domain):
            raise ValidationFailed(
                _("“%(domain)s” is not a valid domain.") % {"domain": domain[:100]}, field="domains"
            )
        if domain not in cleaned:
            cleaned.append(domain)
    return cleaned


def _check_organization_name(name: str, *, exclude: Organization | None = None) -> None:
    taken = Organization.objects.filter(name__iexact=name)
    if exclude is not None:
        taken = taken.exclude(pk=exclude.pk)
    if taken.exists():
        raise ValidationFailed(
            _("An organization called “%(name)s” already exists.") % {"name": name}, field="name"
        )


@transaction.atomic
def create_organization(
    *,
    by: User | None,
    name: str,
    domains: Iterable[str] = (),
    shared_tickets: bool = False,
    notes: str = "",
) -> Organization:
    """Add an organization of customers, with its email domains and ticket sharing rule."""
    _require_admin(by)
    name = _clean_name(name)[:200]
    _check_organization_name(name)
    return Organization.objects.create(
        name=name, domains=_clean_domains(domains), shared_tickets=shared_tickets, notes=notes.strip()
    )


@transaction.atomic
def update_organization(
    *,
    by: User | None,
    organization: Organization,
    name: str = KEEP,
    domains: Iterable[str] = KEEP,
    shared_tickets: bool = KEEP,
    notes: str = KEEP,
) -> Organization:
    """Rename an organization or change its domains, ticket sharing or notes."""
    _require_admin(by)
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    if name is not KEEP:
        name = _clean_name(name)[:200]
        _check_organization_name(name, exclude=organization)
        organization.name = name
    if domains is not KEEP:
        organization.domains = _clean_domains(domains)
    if shared_tickets is not KEEP:
        organization.shared_tickets = shared_tickets
    if notes is not KEEP:
        organization.notes = notes.strip()
    organization.save(update_fields=["name", "domains", "shared_tickets", "notes"])
    return organization
