"""What the widget and the desk receive about a chat: small JSON payloads built from the models.

Message HTML was sanitized by the ticket service when it was stored; the widget still inserts it only after
parsing it into an inert template, and every other field is set as text.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from awn.connectors.chat.models import ChatSession, ChatVisitor
from awn.tickets.models import Message

HISTORY_LIMIT = 100


def _iso(value) -> str:
    return value.isoformat() if value else ""


def message_for_visitor(message: Message) -> dict[str, Any]:
    author = message.author
    staff = author is not None and author.is_staff_member
    return {
        "id": message.pk,
        "from": "agent" if staff else ("visitor" if author is not None else "system"),
        "name": author.first_name if staff and author is not None else "",
        "html": message.html,
        "at": _iso(message.created_at),
        "files": [{"name": a.filename, "size": a.size} for a in message.attachments.all()],
    }


def message_for_desk(message: Message) -> dict[str, Any]:
    data = message_for_visitor(message)
    author = message.author
    data["name"] = author.display_name if author is not None else _("System")
    data["internal"] = message.internal
    return data


def session_for_visitor(session: ChatSession | None, *, position: int | None = None) -> dict[str, Any] | None:
    if session is None:
        return None
    agent = session.agent
    return {
        "id": session.pk,
        "state": session.state,
        "ticket": session.ticket_id,
        "agent": {"name": agent.first_name} if agent is not None and session.state == "active" else None,
        "position": position,
        "agent_read": session.agent_read_id,
    }


def visitor_profile(visitor: ChatVisitor) -> dict[str, Any]:
    return {"name": visitor.name, "email": visitor.email, "verified": visitor.verified}


def history(session: ChatSession | None) -> list[dict[str, Any]]:
    if session is None or session.ticket_id is None:
        return []
    rows = (
        Message.objects.filter(ticket_id=session.ticket_id, internal=False)
        .select_related("author")
        .prefetch_related("attachments")
        .order_by("-created_at", "-id")[:HISTORY_LIMIT]
    )
    return [message_for_visitor(m) for m in reversed(list(rows))]
