"""Chat changes announced as domain events (after commit), for the real-time layer and anyone else."""

from __future__ import annotations

from awn.connectors.chat.models import ChatSession
from awn.core.events import DomainEvent, publish

SESSION_CHANGED = "chat.session_changed"
QUEUE_CHANGED = "chat.queue_changed"
READ = "chat.read"
AGENT_CHANGED = "chat.agent_changed"


def announce_session(session: ChatSession, **data) -> None:
    publish(
        DomainEvent(
            name=SESSION_CHANGED,
            ticket_id=session.ticket_id,
            data={
                "session": session.pk,
                "visitor": session.visitor_id,
                "state": session.state,
                "team": session.team_id,
                "agent": session.agent_id,
                **data,
            },
        )
    )


def announce_queue(team_id: int | None) -> None:
    publish(DomainEvent(name=QUEUE_CHANGED, data={"team": team_id}))


def announce_read(session: ChatSession, *, side: str, upto: int) -> None:
    publish(
        DomainEvent(
            name=READ,
            ticket_id=session.ticket_id,
            data={"session": session.pk, "visitor": session.visitor_id, "side": side, "upto": upto},
        )
    )


def announce_agent(user_id: int, availability: str) -> None:
    publish(DomainEvent(name=AGENT_CHANGED, data={"agent": user_id, "availability": availability}))
