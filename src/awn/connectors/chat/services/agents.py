"""The agent's side of a chat: availability and capacity, accept, answer, transfer, end, read receipts."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext as _

from awn.accounts.models import Team, User
from awn.connectors.chat import presence
from awn.connectors.chat.identity import is_placeholder_email
from awn.connectors.chat.models import AgentChatStatus, ChatSession
from awn.connectors.chat.services.assignment import dispatch_queue
from awn.connectors.chat.services.changes import (
    announce_agent,
    announce_queue,
    announce_read,
    announce_session,
)
from awn.connectors.chat.services.conversations import _close
from awn.core import clock
from awn.core.errors import NotPermitted, ValidationFailed
from awn.outbox.services import suppress_deliveries
from awn.realtime.written import handed_to_broadcast
from awn.routing.models import AgentProfile, Availability
from awn.tickets.inbound import IncomingFile
from awn.tickets.models import Channel, Message, Status, Ticket
from awn.tickets.services import Actor, assign_ticket, change_team, reply_to_ticket

MAX_CAPACITY = 20


def _require_agent(by: Actor) -> User:
    if by.user is None or not by.user.is_staff_member:
        raise NotPermitted(_("Only agents can answer chats."))
    return by.user


def _require_visible(user: User, session: ChatSession) -> None:
    if session.ticket is not None and session.ticket.assignee_id == user.pk and user.is_staff_member:
        return  # staff always see the tickets assigned to them (Ticket.objects.visible_to)
    if session.ticket_id is None or not Ticket.objects.visible_to(user).filter(pk=session.ticket_id).exists():
        raise NotPermitted(_("This chat is not in your view."))


def _locked(session: ChatSession) -> ChatSession:
    """The chat read again under lock (with its ticket and the ticket's requester); a chat
    deleted meanwhile is not in anyone's view."""
    locked = (
        ChatSession.objects.select_for_update(of=("self",))
        .select_related("ticket__requester")
        .filter(pk=session.pk)
        .first()
    )
    if locked is None:
        raise NotPermitted(_("This chat is not in your view."))
    return locked


def status_of(user: User) -> AgentChatStatus:
    status, _created = AgentChatStatus.objects.get_or_create(user=user)
    return status


@transaction.atomic
def set_availability(*, user: User, availability: str, capacity: int | None = None) -> AgentChatStatus:
    """An agent goes online, away or offline (for tickets and chats alike), and says how many chats they take
    at once; going online offers them the chats waiting in their teams' queues."""
    from awn.routing.services import set_availability as set_routing_availability

    if not user.is_staff_member:
        raise NotPermitted(_("Only agents have a chat availability."))
    if availability not in Availability.values:
        raise ValidationFailed(_("Unknown availability."), field="availability")
    status = status_of(user)
    if capacity is not None:
        if isinstance(capacity, bool) or not isinstance(capacity, int) or not 0 <= capacity <= MAX_CAPACITY:
            raise ValidationFailed(
                _("Capacity must be between 0 and %(max)d chats.") % {"max": MAX_CAPACITY}, field="capacity"
            )
        status.capacity = capacity
        status.updated_at = clock.now()
        status.save(update_fields=["capacity", "updated_at"])
    set_routing_availability(user=user, availability=availability, by=user)
    announce_agent(user.pk, availability)
    if availability == Availability.ONLINE:
        for team_id in [*user.teams.values_list("id", flat=True), None]:
            dispatch_queue(team_id=team_id)
    return status


def availability_of(user: User) -> str:
    profile = AgentProfile.objects.filter(user=user).values_list("availability", flat=True).first()
    return profile or Availability.OFFLINE


@transaction.atomic
def accept_chat(*, session: ChatSession, by: Actor) -> ChatSession:
    """The agent takes the chat: it was offered to them, or it waits in a queue they can see."""
    agent = _require_agent(by)
    session = _locked(session)
    _require_visible(agent, session)
    if session.state == ChatSession.State.ACTIVE and session.agent_id == agent.pk:
        return session
    if session.state not in (ChatSession.State.QUEUED, ChatSession.State.ASSIGNED):
        raise NotPermitted(_("This chat is not waiting for an agent any more."))
    if session.state == ChatSession.State.ASSIGNED and session.agent_id not in (None, agent.pk):
        raise NotPermitted(_("Another agent has this chat."))
    was_queued = session.state == ChatSession.State.QUEUED
    session.agent = agent
    session.state = ChatSession.State.ACTIVE
    session.accepted_at = clock.now()
    session.save(update_fields=["agent", "state", "accepted_at"])
    status = status_of(agent)
    status.last_assigned_at = session.accepted_at
    status.save(update_fields=["last_assigned_at"])
    if session.ticket is not None and session.ticket.assignee_id != agent.pk:
        assign_ticket(ticket=session.ticket, assignee=agent, by=by)
    announce_session(session, change="accepted")
    if was_queued:
        announce_queue(session.team_id)
    return session


def _visitor_is_reachable_live(session: ChatSession) -> bool:
    return presence.visitor_is_live(session.visitor_id)


@transaction.atomic
def send_agent_message(
    *, session: ChatSession, by: Actor, text: str, attachments: Sequence[IncomingFile] = ()
) -> Message:
    """The agent answers in the chat. While the visitor's widget is connected the answer is delivered live
    only; once they have gone it continues by email (when they gave an address)."""
    from awn.connectors.chat.services.conversations import clean_text

    agent = _require_agent(by)
    text = clean_text(text)
    session = _locked(session)
    _require_visible(agent, session)
    if session.ticket is None:
        raise ValidationFailed(_("This chat has no conversation yet."), field="text")
    if session.state in (ChatSession.State.QUEUED, ChatSession.State.ASSIGNED):
        accept_chat(session=session, by=by)
        session.refresh_from_db()
    requester = session.ticket.requester
    live_only = _visitor_is_reachable_live(session) or is_placeholder_email(requester.email)
    with handed_to_broadcast() as keep:
        if live_only:
            with suppress_deliveries():
                message = reply_to_ticket(
                    ticket=session.ticket, by=by, body=text, attachments=attachments, channel=Channel.CHAT
                )
        else:
            message = reply_to_ticket(
                ticket=session.ticket, by=by, body=text, attachments=attachments, channel=Channel.CHAT
            )
        if message.pk > session.agent_read_id:
            session.agent_read_id = message.pk
            session.save(update_fields=["agent_read_id"])
        if not attachments:
            keep(message, session)
    return message


@transaction.atomic
def transfer_chat(
    *, session: ChatSession, by: Actor, to_agent: User | None = None, to_team: Team | None = None
) -> ChatSession:
    """Hand the chat to another agent (who accepts it) or to a team's queue."""
    agent = _require_agent(by)
    if (to_agent is None) == (to_team is None):
        raise ValidationFailed(_("Choose an agent or a team."), field="to")
    session = _locked(session)
    _require_visible(agent, session)
    if not session.is_live:
        raise NotPermitted(_("This chat has ended."))
    ticket = session.ticket
    if to_agent is not None:
        if not to_agent.is_staff_member:
            raise ValidationFailed(_("Chats can only go to active agents."), field="to")
        if ticket is not None and not Ticket.objects.visible_to(to_agent).filter(pk=ticket.pk).exists():
            raise ValidationFailed(
                _("This agent cannot see the chat's team; transfer to the team instead."), field="to"
            )
        session.agent = to_agent
        session.state = ChatSession.State.ASSIGNED
        session.save(update_fields=["agent", "state"])
        if ticket is not None:
            assign_ticket(ticket=ticket, assignee=to_agent, by=by)
        announce_session(session, change="transferred")
        return session
    assert to_team is not None
    old_team = session.team_id
    session.team = to_team
    session.agent = None
    session.state = ChatSession.State.QUEUED
    session.queued_at = clock.now()
    session.save(update_fields=["team", "agent", "state", "queued_at"])
    if ticket is not None:
        if ticket.status != Status.CLOSED:
            assign_ticket(ticket=ticket, assignee=None, by=by)
        change_team(ticket=ticket, team=to_team, by=by)
    announce_session(session, change="transferred")
    announce_queue(to_team.pk)
    if old_team != to_team.pk:
        dispatch_queue(team_id=old_team)
    dispatch_queue(team_id=to_team.pk)
    return session


@transaction.atomic
def end_chat(*, session: ChatSession, by: Actor) -> ChatSession:
    """The agent ends the chat; the ticket stays as it is (solve it, or keep answering by email)."""
    agent = _require_agent(by)
    session = _locked(session)
    _require_visible(agent, session)
    if not session.is_live:
        return session
    _close(session, ended_by="agent")
    dispatch_queue(team_id=session.team_id)
    return session


@transaction.atomic
def mark_read(*, session: ChatSession, side: str, upto: int, by: Actor | None = None) -> ChatSession:
    """A read receipt: the visitor or the agent (`side`) has seen the messages up to `upto`."""
    if side not in ("visitor", "agent"):
        raise ValidationFailed(_("Unknown side."), field="side")
    if not isinstance(upto, int) or upto <= 0:
        raise ValidationFailed(_("Unknown message."), field="upto")
    if side == "agent":
        agent = _require_agent(by or Actor())
        _require_visible(agent, session)
    field = "visitor_read_id" if side == "visitor" else "agent_read_id"
    if session.ticket_id is None or upto <= getattr(session, field):
        return session
    newest = (
        Message.objects.filter(ticket_id=session.ticket_id, internal=False, pk__lte=upto)
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
    )
    if newest is None or newest <= getattr(session, field):
        return session
    updated = ChatSession.objects.filter(pk=session.pk, **{f"{field}__lt": newest}).update(**{field: newest})
    setattr(session, field, newest)
    if updated:
        announce_read(session, side=side, upto=newest)
    return session
