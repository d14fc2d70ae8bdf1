"""Routing chats: round-robin among available agents of the widget's team within their capacity, else a queue.

An agent is available when they are online (the routing app's availability, the same switch as for tickets),
active staff, with a chat capacity above zero and, for a team's widget, members of that team. Among the
available agents with a free slot, the one whose last chat came longest ago gets the next one (round-robin
that survives restarts and any number of processes: the order is in the database). Chats nobody can take wait
in their team's queue, oldest first; visitors see their position.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Count, Q

from awn.accounts.models import STAFF_ROLES, User
from awn.connectors.chat.models import AgentChatStatus, ChatSession
from awn.connectors.chat.services.changes import announce_queue, announce_session
from awn.core import clock
from awn.routing.models import AgentProfile, Availability
from awn.tickets.services import Actor, assign_ticket

ROUTING = Actor.system("chat routing")


def busy_counts(agent_ids: list[int]) -> dict[int, int]:
    """Chats each agent holds now (offered or in progress)."""
    rows = (
        ChatSession.objects.filter(agent_id__in=agent_ids, state__in=ChatSession.BUSY_STATES)
        .values("agent_id")
        .annotate(n=Count("id"))
    )
    return {row["agent_id"]: row["n"] for row in rows}


@dataclass
class Candidate:
    user_id: int
    capacity: int
    last_assigned_at: datetime | None


def online_agents(team_id: int | None) -> list[Candidate]:
    """Online agents who take chats, in round-robin order (the longest since their last chat first)."""
    profiles = AgentProfile.objects.filter(
        availability=Availability.ONLINE, user__is_active=True, user__role__in=list(STAFF_ROLES)
    )
    if team_id is not None:
        profiles = profiles.filter(user__teams=team_id)
    user_ids = list(profiles.values_list("user_id", flat=True))
    statuses = {
        row["user_id"]: row
        for row in AgentChatStatus.objects.filter(user_id__in=user_ids).values(
            "user_id", "capacity", "last_assigned_at"
        )
    }
    candidates = []
    for user_id in user_ids:
        row = statuses.get(user_id)
        capacity = row["capacity"] if row else AgentChatStatus.DEFAULT_CAPACITY
        if capacity > 0:
            candidates.append(Candidate(user_id, capacity, row["last_assigned_at"] if row else None))
    candidates.sort(
        key=lambda c: (c.last_assigned_at is not None, c.last_assigned_at or clock.now(), c.user_id)
    )
    return candidates


def agents_available(team_id: int | None) -> bool:
    """Is anyone online for this team's chats (whether or not they have a free slot)?"""
    return bool(online_agents(team_id))


def _free_agents(team_id: int | None) -> list[Candidate]:
    candidates = online_agents(team_id)
    counts = busy_counts([c.user_id for c in candidates])
    return [c for c in candidates if counts.get(c.user_id, 0) < c.capacity]


@transaction.atomic
def offer_to(session: ChatSession, candidate: Candidate) -> ChatSession:
    """Give a waiting chat to an agent (they accept it in the desk); the ticket is assigned to them."""
    now = clock.now()
    agent = User.objects.get(pk=candidate.user_id)
    session.agent = agent
    session.state = ChatSession.State.ASSIGNED
    session.save(update_fields=["agent", "state"])
    AgentChatStatus.objects.update_or_create(user=agent, defaults={"last_assigned_at": now})
    candidate.last_assigned_at = now
    if session.ticket is not None and session.ticket.assignee_id != agent.pk:
        assign_ticket(ticket=session.ticket, assignee=agent, by=ROUTING)
    announce_session(session, change="offered")
    return session


@transaction.atomic
def dispatch_queue(*, team_id: int | None) -> list[ChatSession]:
    """Offer the team's waiting chats, oldest first, to free agents in round-robin order."""
    waiting = list(
        ChatSession.objects.select_for_update(of=("self",))
        .select_related("ticket")
        .filter(state=ChatSession.State.QUEUED, team_id=team_id)
        .order_by("queued_at", "id")[:200]
    )
    if not waiting:
        return []
    free = _free_agents(team_id)
    if not free:
        return []
    counts = busy_counts([s.user_id for s in free])
    offered = []
    for session in waiting:
        # The least recently served agent with a free slot; the list stays in round-robin order.
        chosen = next((s for s in free if counts.get(s.user_id, 0) < s.capacity), None)
        if chosen is None:
            break
        offer_to(session, chosen)
        counts[chosen.user_id] = counts.get(chosen.user_id, 0) + 1
        free.remove(chosen)
        free.append(chosen)
        offered.append(session)
    if offered:
        announce_queue(team_id)
    return offered


def queue_positions(team_id: int | None) -> list[tuple[int, int, int]]:
    """(session id, visitor id, position from 1) of every chat waiting in the team's queue."""
    rows = (
        ChatSession.objects.filter(state=ChatSession.State.QUEUED, team_id=team_id)
        .order_by("queued_at", "id")
        .values_list("id", "visitor_id")
    )
    return [(session_id, visitor_id, index) for index, (session_id, visitor_id) in enumerate(rows, start=1)]


def queue_position(session: ChatSession) -> int | None:
    if session.state != ChatSession.State.QUEUED:
        return None
    ahead = ChatSession.objects.filter(state=ChatSession.State.QUEUED, team_id=session.team_id).filter(
        Q(queued_at__lt=session.queued_at) | Q(queued_at=session.queued_at, id__lt=session.pk)
    )
    return ahead.count() + 1
