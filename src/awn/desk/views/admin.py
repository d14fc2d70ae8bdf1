"""The admin area: people, teams and organizations. Admins change them; managers view their own teams."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from awn.accounts import services
from awn.accounts.models import Organization, Role, Team, User
from awn.accounts.permissions import can_administer, can_manage_team
from awn.core.errors import DomainError
from awn.desk.forms.admin import OrganizationForm, TeamAdminForm, UserForm
from awn.desk.views.access import admin_required, staff_required
from awn.privacy.services import erase_customer, is_erased
from awn.tickets.services import Actor

PAGE_SIZE = 50


def _apply_error(form, exc: DomainError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def _may_see_admin(user) -> bool:
    return can_administer(user) or user.role == Role.MANAGER


@staff_required
def admin_home(request):
    if can_administer(request.user):
        return redirect("desk:admin_users")
    if request.user.role == Role.MANAGER:
        return redirect("desk:admin_teams")
    raise PermissionDenied


# --- People ----------------------------------------------------------------------------------------


@admin_required
def users_list(request):
    query = (request.GET.get("q") or "").strip()[:200]
    role = request.GET.get("role") or ""
    people = User.objects.select_related("organization").order_by("name", "email")
    if query:
        people = people.filter(Q(email__icontains=query) | Q(name__icontains=query))
    if role in Role.values:
        people = people.filter(role=role)
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "desk/admin/users.html",
        {"page": page, "query": query, "role": role, "roles": Role.choices, "section": "users"},
    )


def _user_fields(form: UserForm) -> dict:
    data = form.cleaned_data
    return {
        key: data[key]
        for key in (
            "email",
            "name",
            "role",
            "phone",
            "language",
            "timezone",
            "organization",
            "plan",
            "is_active",
        )
    }


@admin_required
def user_new(request):
    form = UserForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                person = services.create_user(
                    by=request.user, password=form.cleaned_data["password"] or None, **_user_fields(form)
                )
            except DomainError as exc:
                _apply_error(form, exc)
                status = exc.status
            else:
                messages.success(request, _("%(name)s was added.") % {"name": person.display_name})
                return redirect("desk:admin_users")
    return render(request, "desk/admin/user_form.html", {"form": form, "section": "users"}, status=status)


@admin_required
def user_edit(request, pk: int):
    person = get_object_or_404(User, pk=pk)
    initial = {
        field: getattr(person, field)
        for field in ("email", "name", "role", "phone", "language", "timezone", "plan", "is_active")
    }
    initial["organization"] = person.organization_id
    form = UserForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                services.update_user(
                    by=request.user,
                    user=person,
                    password=form.cleaned_data["password"] or None,
                    **_user_fields(form),
                )
            except DomainError as exc:
                _apply_error(form, exc)
                status = exc.status
            else:
                messages.success(
                    request, _("Changes to %(name)s were saved.") % {"name": person.display_name}
                )
                return redirect("desk:admin_users")
    return render(
        request,
        "desk/admin/user_form.html",
        {
            "form": form,
            "person": person,
            "erasable": person.role == Role.CUSTOMER and not is_erased(person),
            "section": "users",
        },
        status=status,
    )


@admin_required
@require_POST
def user_erase(request, pk: int):
    """Erase a customer's personal data: the first POST asks for confirmation, the confirmed one erases."""
    person = get_object_or_404(User, pk=pk)
    if request.POST.get("confirm") != "1":
        context = {"person": person, "tickets": person.requested_tickets.count(), "section": "users"}
        return render(request, "desk/admin/user_erase_confirm.html", context)
    try:
        erase_customer(customer=person, by=Actor.of(request.user))
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("desk:admin_user", pk=person.pk)
    messages.success(request, _("The customer's personal data was erased."))
    return redirect("desk:admin_user", pk=person.pk)


# --- Teams -----------------------------------------------------------------------------------------


@staff_required
def teams_list(request):
    if not _may_see_admin(request.user):
        raise PermissionDenied
    teams = Team.objects.annotate(member_count=Count("members")).order_by("tier", "name")
    if not can_administer(request.user):
        teams = teams.filter(members=request.user)
    return render(
        request,
        "desk/admin/teams.html",
        {"teams": teams, "can_edit": can_administer(request.user), "section": "teams"},
    )


@admin_required
def team_new(request):
    form = TeamAdminForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                team = services.create_team(
                    by=request.user,
                    name=data["name"],
                    tier=data["tier"],
                    visibility=data["visibility"],
                    members=data["members"],
                )
            except DomainError as exc:
                _apply_error(form, exc)
                status = exc.status
            else:
                messages.success(request, _("The team %(name)s was added.") % {"name": team.name})
                return redirect("desk:admin_teams")
    return render(request, "desk/admin/team_form.html", {"form": form, "section": "teams"}, status=status)


@staff_required
def team_edit(request, pk: int):
    """Admins edit a team; its managers see it read-only; everyone else gets 404."""
    team = get_object_or_404(Team, pk=pk)
    if not can_manage_team(request.user, team):
        raise Http404("No such team")
    editable = can_administer(request.user)
    if request.method == "POST" and not editable:
        raise PermissionDenied
    initial = {
        "name": team.name,
        "tier": team.tier,
        "visibility": team.visibility,
        "members": list(team.members.values_list("pk", flat=True)),
    }
    form = TeamAdminForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.update_team(
                    by=request.user,
                    team=team,
                    name=data["name"],
                    tier=data["tier"],
                    visibility=data["visibility"],
                    members=data["members"],
                )
            except DomainError as exc:
                _apply_error(form, exc)
                status = exc.status
            else:
                messages.success(request, _("Changes to %(name)s were saved.") % {"name": data["name"]})
                return redirect("desk:admin_teams")
    context = {
        "form": form,
        "team": team,
        "editable": editable,
        "section": "teams",
        "members": team.members.order_by("name", "email"),
    }
    return render(request, "desk/admin/team_form.html", context, status=status)


# --- Organizations ---------------------------------------------------------------------------------


@admin_required
def organizations_list(request):
    query = (request.GET.get("q") or "").strip()[:200]
    organizations = Organization.objects.annotate(member_count=Count("members")).order_by("name")
    if query:
        organizations = organizations.filter(name__icontains=query)
    page = Paginator(organizations, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "desk/admin/organizations.html", {"page": page, "query": query, "section": "organizations"}
    )


@admin_required
def organization_new(request):
    form = OrganizationForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                organization = services.create_organization(
                    by=request.user,
                    name=data["name"],
                    domains=form.domain_list(),
                    shared_tickets=data["shared_tickets"],
                    notes=data["notes"],
                )
            except DomainError as exc:
                _apply_error(form, exc)
                status = exc.status
            else:
                messages.success(request, _("%(name)s was added.") % {"name": organization.name})
                return redirect("desk:admin_organizations")
    return render(
        request,
        "desk/admin/organization_form.html",
        {"form": form, "section": "organizations"},
        status=status,
    )


@admin_required
def organization_edit(request, pk: int):
    organization = get_object_or_404(Organization, pk=pk)
    initial = {
        "name": organization.name,
        "domains": ", ".join(organization.domains or []),
        "shared_tickets": organization.shared_tickets,
        "notes": organization.notes,
    }
    form = OrganizationForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.update_organization(
                    by=request.user,
                    organization=organization,
                    name=data["name"],
                    domains=form.domain_list(),
                    shared_tickets=data["shared_tickets"],
                    notes=data["notes"],
                )
            except DomainError as exc:
                _apply_error(form, exc)
                status = exc.status
            else:
                messages.success(request, _("Changes to %(name)s were saved.") % {"name": data["name"]})
                return redirect("desk:admin_organizations")
    return render(
        request,
        "desk/admin/organization_form.html",
        {"form": form, "organization": organization, "section": "organizations"},
        status=status,
    )
