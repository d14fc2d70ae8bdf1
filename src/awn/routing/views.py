"""Routing in the desk: the "next ticket" button, availability, tier views and moves, routing settings."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from awn.accounts.models import STAFF_ROLES, Role, Team, Tier, User
from awn.accounts.permissions import can_administer, can_manage_team
from awn.core.errors import DomainError
from awn.desk.views.access import staff_required
from awn.routing import services, tiers
from awn.routing.forms import AgentProfileForm, AvailabilityForm, TeamRoutingForm, TierMoveForm
from awn.routing.models import AgentProfile, TeamRouting
from awn.tickets.models import UNSOLVED_STATUSES, Ticket
from awn.tickets.selectors import get_ticket_for
from awn.tickets.services import Actor

PAGE_SIZE = 50


def _may_configure(user: User) -> bool:
    return can_administer(user) or (user.is_staff_member and user.role == Role.MANAGER)


@staff_required
@require_POST
def next_ticket(request):
    ticket = services.take_next_ticket(agent=request.user)
    if ticket is None:
        messages.info(request, _("No ticket is waiting in your teams' queues."))
        return redirect("desk:inbox")
    return redirect("desk:ticket", number=ticket.number)


@staff_required
@require_POST
def set_availability(request):
    form = AvailabilityForm(request.POST)
    if form.is_valid():
        services.set_availability(
            user=request.user, availability=form.cleaned_data["availability"], by=request.user
        )
    next_url = request.POST.get("next") or ""
    from django.utils.http import url_has_allowed_host_and_scheme

    if url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        return redirect(next_url)
    return redirect("desk:inbox")


@staff_required
def tier_queue(request, tier: int):
    """One tier's unsolved tickets the user may see, oldest first (views per tier)."""
    if tier not in Tier.values:
        raise Http404
    tickets = (
        Ticket.objects.visible_to(request.user)
        .filter(team__tier=tier, status__in=UNSOLVED_STATUSES)
        .select_related("team", "assignee", "requester")
        .order_by("created_at", "id")
    )
    counts = dict(
        Ticket.objects.visible_to(request.user)
        .filter(status__in=UNSOLVED_STATUSES, team__isnull=False)
        .values("team__tier")
        .annotate(n=Count("id"))
        .values_list("team__tier", "n")
    )
    return render(
        request,
        "routing/tier_queue.html",
        {
            "tier": tier,
            "tickets": tickets[:PAGE_SIZE],
            "tiers": [(value, label, counts.get(value, 0)) for value, label in Tier.choices],
        },
    )


def _move(request, number: int, step: int):
    ticket = get_ticket_for(user=request.user, number=number)
    form = TierMoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the ticket changes tier."))
        return redirect("desk:ticket", number=number)
    try:
        tiers.move_to_tier(
            ticket=ticket, step=step, reason=form.cleaned_data["reason"], by=Actor.of(request.user)
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("desk:ticket", number=number)
    messages.success(request, _("The ticket moved to tier L%(tier)s.") % {"tier": tiers.tier_of(ticket)})
    try:
        get_ticket_for(user=request.user, number=number)
    except Http404:
        return redirect("desk:inbox")  # the new team is outside the user's view
    return redirect("desk:ticket", number=number)


@staff_required
@require_POST
def escalate(request, number: int):
    return _move(request, number, 1)


@staff_required
@require_POST
def deescalate(request, number: int):
    return _move(request, number, -1)


@staff_required
def settings_overview(request):
    if not _may_configure(request.user):
        raise PermissionDenied
    teams = Team.objects.select_related("routing", "routing__escalation_team").annotate(n=Count("members"))
    agents = (
        User.objects.filter(role__in=STAFF_ROLES, is_active=True)
        .select_related("routing_profile")
        .order_by("name", "email")
    )
    return render(request, "routing/settings.html", {"teams": teams, "agents": agents, "section": "routing"})


@staff_required
def team_settings(request, pk: int):
    team = get_object_or_404(Team, pk=pk)
    if not can_manage_team(request.user, team):
        raise PermissionDenied
    routing = TeamRouting.objects.filter(team=team).first()
    initial = (
        {
            "assignment": routing.assignment,
            "queue_order": routing.queue_order,
            "escalation_team": routing.escalation_team_id,
        }
        if routing
        else {}
    )
    form = TeamRoutingForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                services.update_team_routing(by=request.user, team=team, **form.cleaned_data)
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
                status = exc.status
            else:
                messages.success(request, _("Routing of %(team)s saved.") % {"team": team.name})
                return redirect("routing:settings")
    return render(
        request, "routing/team_form.html", {"form": form, "team": team, "section": "routing"}, status=status
    )


@staff_required
def agent_settings(request, pk: int):
    if not _may_configure(request.user):
        raise PermissionDenied
    person = get_object_or_404(User, pk=pk, role__in=STAFF_ROLES)
    profile = AgentProfile.objects.filter(user=person).first() or AgentProfile(user=person)
    initial = {
        "availability": profile.availability,
        "capacity": profile.capacity,
        "skills": " ".join(profile.skills),
        "languages": " ".join(profile.languages),
    }
    form = AgentProfileForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.update_agent_profile(
                    by=request.user,
                    user=person,
                    capacity=data["capacity"],
                    skills=data["skills"].split(),
                    languages=data["languages"].split(),
                    availability=data["availability"],
                )
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
                status = exc.status
            else:
                messages.success(
                    request, _("Routing profile of %(name)s saved.") % {"name": person.display_name}
                )
                return redirect("routing:settings")
    return render(
        request,
        "routing/agent_form.html",
        {"form": form, "person": person, "section": "routing"},
        status=status,
    )
