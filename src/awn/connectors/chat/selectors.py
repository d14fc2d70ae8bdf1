"""Reads for the desk's chat screens; every chat list starts from the tickets the agent may see."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404

from awn.accounts.models import User
from awn.connectors.chat.models import AgentChatStatus, ChatSession, ChatVisitor, PageView
from awn.tickets.models import Message, Ticket

PAGES_SHOWN = 20


def _visible_sessions(user: User):
    return ChatSession.objects.filter(ticket__in=Ticket.objects.visible_to(user)).select_related(
        "ticket", "visitor", "agent", "team", "widget"
    )


@dataclass
class ChatLists:
    incoming: list[ChatSession]  # waiting in a queue the agent may see, or offered to them
    mine: list[ChatSession]  # in progress with the agent
    others: list[ChatSession]  # in progress or offered to colleagues

    @property
    def waiting_for_me(self) -> int:
        return len(self.incoming)


def chat_lists(user: User) -> ChatLists:
    live = list(
        _visible_sessions(user).filter(state__in=ChatSession.LIVE_STATES).order_by("queued_at", "id")[:200]
    )
    incoming = [
        s
        for s in live
        if s.state == ChatSession.State.QUEUED
        or (s.state == ChatSession.State.ASSIGNED and s.agent_id == user.pk)
    ]
    mine = [s for s in live if s.state == ChatSession.State.ACTIVE and s.agent_id == user.pk]
    others = [s for s in live if s not in incoming and s not in mine]
    return ChatLists(incoming=incoming, mine=mine, others=others)


def get_session_for(*, user: User, pk: int) -> ChatSession:
    session = _visible_sessions(user).filter(pk=pk).first()
    if session is None:
        raise Http404
    return session


def session_of_ticket(*, user: User, ticket: Ticket) -> ChatSession | None:
    return _visible_sessions(user).filter(ticket=ticket).first()


def pages_seen(visitor: ChatVisitor, *, limit: int = PAGES_SHOWN) -> list[PageView]:
    return list(PageView.objects.filter(visitor=visitor).order_by("-viewed_at", "-id")[:limit])


def conversation(session: ChatSession) -> list[Message]:
    if session.ticket_id is None:
        return []
    return list(
        Message.objects.filter(ticket_id=session.ticket_id)
        .select_related("author")
        .prefetch_related("attachments")
        .order_by("created_at", "id")
    )


def status_for(user: User) -> AgentChatStatus:
    status = AgentChatStatus.objects.filter(user=user).first()
    return status if status is not None else AgentChatStatus(user=user)
