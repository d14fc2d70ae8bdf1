"""Routing writes: availability and profiles, team settings, automatic assignment and "next ticket"."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from awn.accounts.models import STAFF_ROLES, Role, Team, User
from awn.accounts.permissions import can_administer, can_manage_team, is_staff
from awn.core import clock
from awn.core.errors import NotPermitted, ValidationFailed
from awn.core.shared import ProcessCopy
from awn.routing.models import AgentProfile, Assignment, Availability, QueueOrder, TeamRouting
from awn.tickets import services as tickets
from awn.tickets.models import UNSOLVED_STATUSES, Status, Ticket
from awn.tickets.services import Actor
from awn.tickets.services.changes import normalize_tag

QUEUE_ORDERING: dict[str, tuple[str, ...]] = {
    QueueOrder.OLDEST: ("created_at", "id"),
    QueueOrder.NEWEST: ("-created_at", "-id"),
    QueueOrder.PRIORITY: ("-priority", "created_at", "id"),
}
ASSIGNABLE_STATUSES = (Status.NEW, Status.OPEN)


def profile_for(user: User) -> AgentProfile:
    profile = AgentProfile.objects.filter(user=user).first()
    if profile is None:
        profile, _created = AgentProfile.objects.get_or_create(user=user)
    return profile


def routing_for(team: Team) -> TeamRouting:
    routing = TeamRouting.objects.filter(team=team).first()
    if routing is None:
        routing, _created = TeamRouting.objects.get_or_create(team=team)
    return routing


# --- settings -----------------------------------------------------------------------------------------------


@transaction.atomic
def set_availability(*, user: User, availability: str, by: User) -> AgentProfile:
    """An agent goes online, away or offline (themselves, or an admin/manager for them)."""
    if not is_staff(user):
        raise ValidationFailed(_("Only agents have an availability."), field="availability")
    if by.pk != user.pk and not (can_administer(by) or (is_staff(by) and by.role == Role.MANAGER)):
        raise NotPermitted(_("You cannot change another agent's availability."))
    if availability not in Availability.values:
        raise ValidationFailed(_("Unknown availability."), field="availability")
    profile = profile_for(user)
    profile.availability = availability
    profile.updated_at = clock.now()
    profile.save(update_fields=["availability", "updated_at"])
    return profile


def _clean_list(values: Iterable[str], *, tags: bool) -> list[str]:
    cleaned = set()
    for value in values:
        value = (value or "").strip()
        if not value:
            continue
        if tags:
            cleaned.add(normalize_tag(value))
        else:
            if len(value) > 8 or not value.replace("-", "").isalpha():
                raise ValidationFailed(
                    _("“%(code)s” is not a language code.") % {"code": value[:16]}, field="languages"
                )
            cleaned.add(value.lower())
    return sorted(cleaned)


@transaction.atomic
def update_agent_profile(
    *,
    by: User,
    user: User,
    capacity: int,
    skills: Iterable[str],
    languages: Iterable[str],
    availability: str | None = None,
) -> AgentProfile:
    """Set an agent's capacity, skills (tag names) and languages (admins and managers)."""
    if not (can_administer(by) or (is_staff(by) and by.role == Role.MANAGER)):
        raise NotPermitted(_("Only admins and managers change routing profiles."))
    if not is_staff(user):
        raise ValidationFailed(_("Only agents have a routing profile."), field="user")
    if not isinstance(capacity, int) or not 0 <= capacity <= 1000:
        raise ValidationFailed(_("Capacity must be between 0 and 1000."), field="capacity")
    profile = profile_for(user)
    profile.capacity = capacity
    profile.skills = _clean_list(skills, tags=True)
    profile.languages = _clean_list(languages, tags=False)
    if availability is not None:
        if availability not in Availability.values:
            raise ValidationFailed(_("Unknown availability."), field="availability")
        profile.availability = availability
    profile.updated_at = clock.now()
    profile.save()
    return profile


@transaction.atomic
def update_team_routing(
    *, by: User, team: Team, assignment: str, queue_order: str, escalation_team: Team | None = None
) -> TeamRouting:
    """Choose how a team's tickets are assigned and in which order its queue is worked."""
    if not can_manage_team(by, team):
        raise NotPermitted(_("You cannot change this team's routing."))
    if assignment not in Assignment.values:
        raise ValidationFailed(_("Unknown assignment strategy."), field="assignment")
    if queue_order not in QueueOrder.values:
        raise ValidationFailed(_("Unknown queue order."), field="queue_order")
    if escalation_team is not None and (escalation_team.pk == team.pk or escalation_team.tier <= team.tier):
        raise ValidationFailed(_("Escalations go to a team of a higher tier."), field="escalation_team")
    routing = routing_for(team)
    routing.assignment, routing.queue_order = assignment, queue_order
    routing.escalation_team = escalation_team
    routing.updated_at = clock.now()
    routing.save()
    routing_changed()
    transaction.on_commit(routing_changed)
    return routing


def _automatic_teams() -> frozenset[int]:
    return frozenset(
        TeamRouting.objects.exclude(assignment=Assignment.MANUAL).values_list("team_id", flat=True)
    )


VERSION_KEY = "awn:routing:version"
_automatic = ProcessCopy(VERSION_KEY, _automatic_teams)


def routing_changed() -> None:
    _automatic.changed()


def automatic_teams() -> frozenset[int]:
    """Teams whose tickets are assigned automatically; kept per process until a team's routing changes, so
    installations (or teams) that assign by hand pay nothing per ticket event."""
    return _automatic.get()


# --- choosing an agent --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    user: User
    profile: AgentProfile
    load: int  # open tickets assigned now

    @property
    def has_room(self) -> bool:
        return self.load < self.profile.capacity


def candidates_for(team: Team) -> list[Candidate]:
    """The team's online agents with their current load, in a stable order (by id); two queries."""
    members = list(
        team.members.filter(
            is_active=True, role__in=STAFF_ROLES, routing_profile__availability=Availability.ONLINE
        )
        .select_related("routing_profile")
        .order_by("id")
    )
    loads = dict(
        Ticket.objects.filter(assignee__in=[m.pk for m in members], status__in=UNSOLVED_STATUSES)
        .values("assignee")
        .annotate(n=Count("id"))
        .values_list("assignee", "n")
    )
    return [Candidate(user=m, profile=m.routing_profile, load=loads.get(m.pk, 0)) for m in members]


def _after_pointer(candidates: Sequence[Candidate], pointer: int | None) -> list[Candidate]:
    """Candidates in round-robin order: the ones after the previous assignee first, then from the start."""
    if pointer is None:
        return list(candidates)
    later = [c for c in candidates if c.user.pk > pointer]
    earlier = [c for c in candidates if c.user.pk <= pointer]
    return later + earlier


def choose_agent(
    *,
    strategy: str,
    candidates: Sequence[Candidate],
    pointer: int | None,
    tags: Iterable[str] = (),
    language: str = "",
) -> User | None:
    """The agent a strategy picks among `candidates` (pure: no queries); None when nobody has room."""
    pool = [c for c in _after_pointer(candidates, pointer) if c.has_room]
    if not pool or strategy == Assignment.MANUAL:
        return None
    if strategy == Assignment.ROUND_ROBIN:
        return pool[0].user
    if strategy == Assignment.SKILL:
        wanted = set(tags)
        pool = [c for c in pool if wanted & set(c.profile.skills)] or pool
    elif strategy == Assignment.LANGUAGE and language:
        short = language.split("-")[0]
        pool = [c for c in pool if language in c.profile.languages or short in c.profile.languages] or pool
    # least open (also the tie-break of skill and language): fewest open tickets, then round-robin order
    return min(enumerate(pool), key=lambda item: (item[1].load, item[0]))[1].user


@transaction.atomic
def auto_assign(*, ticket: Ticket, by: Actor | None = None) -> User | None:
    """Assign an unassigned new/open ticket by its team's strategy, to an online agent with room."""
    if not automatic_teams():
        return None
    ticket = Ticket.objects.select_for_update(of=("self",)).select_related("team").get(pk=ticket.pk)
    if ticket.assignee_id or not ticket.team_id or ticket.status not in ASSIGNABLE_STATUSES:
        return None
    routing = TeamRouting.objects.select_for_update().filter(team_id=ticket.team_id).first()
    if routing is None or routing.assignment == Assignment.MANUAL:
        return None
    assert ticket.team is not None
    tags = ticket.tags.values_list("name", flat=True) if routing.assignment == Assignment.SKILL else ()
    agent = choose_agent(
        strategy=routing.assignment,
        candidates=candidates_for(ticket.team),
        pointer=routing.last_assignee_id,
        tags=tags,
        language=ticket.language,
    )
    if agent is None:
        return None
    tickets.assign_ticket(ticket=ticket, assignee=agent, by=by or Actor.system("routing"))
    now = clock.now()
    routing.last_assignee = agent
    routing.save(update_fields=["last_assignee"])
    AgentProfile.objects.filter(user=agent).update(last_assigned_at=now)
    return agent


# --- the "next ticket" button -------------------------------------------------------------------------------


@transaction.atomic
def take_next_ticket(*, agent: User) -> Ticket | None:
    """Hand `agent` the next unassigned ticket of their teams, each team's queue in its own order."""
    if not is_staff(agent):
        raise NotPermitted(_("Only agents take tickets."))
    waiting = Ticket.objects.visible_to(agent).filter(
        assignee__isnull=True, status__in=ASSIGNABLE_STATUSES, merged_into__isnull=True
    )
    teams = list(Team.objects.filter(members=agent).select_related("routing").order_by("tier", "name"))
    queues = [(waiting.filter(team=team), _queue_order(team)) for team in teams]
    queues.append((waiting.filter(team__isnull=True), QueueOrder.OLDEST))  # the shared triage pool last
    for queryset, order in queues:
        ticket = (
            queryset.order_by(*QUEUE_ORDERING[order])
            .select_for_update(skip_locked=True, of=("self",))
            .first()
        )
        if ticket is not None:
            tickets.assign_ticket(ticket=ticket, assignee=agent, by=Actor.of(agent))
            return ticket
    return None


def _queue_order(team: Team) -> str:
    try:
        return team.routing.queue_order
    except TeamRouting.DoesNotExist:
        return QueueOrder.OLDEST
