"""Live updates: domain events (after commit) turned into channel-layer messages for desks and widgets.

- "ticket.created" / "ticket.updated" / "ticket.message_added": a small "ticket" notice to every desk group
  that may see the ticket (before and after a team or assignee change, so a list can drop it) — for a chat
  message only to the chat's agent and the lists it can change (groups.groups_for_chat_message) — and a
  "ticket changed" notice with the message itself to the people on the ticket's page (not for a new ticket:
  nobody has its page open yet); a public message on a chat ticket also goes to the visitor's widget.
- "chat.session_changed", "chat.queue_changed", "chat.read", "chat.agent_changed" (connectors/chat): the
  widget learns its state, queue position and read receipts; desks refresh their chat lists.

Every message carries an id: a desk connection in several of the groups drops the copies.
"""

from __future__ import annotations

import json
from typing import Any

from django.db.models import Exists, OuterRef

from awn.connectors.chat.models import ChatSession
from awn.connectors.chat.services import changes as chat_changes
from awn.connectors.chat.services.assignment import queue_positions
from awn.connectors.chat.wire import message_for_desk, message_for_visitor, session_for_visitor
from awn.core.events import DomainEvent, subscribe
from awn.core.prepared import PreparedRead
from awn.realtime.broadcast import anyone_listening, new_event_id, send_to_groups
from awn.realtime.groups import (
    groups_for_chat_message,
    groups_for_ticket,
    ticket_group,
    user_group,
    visitor_group,
)
from awn.realtime.written import recall
from awn.tickets.models import Attachment, Channel, Message, Ticket, TicketEvent

DESK = "desk.event"
VISITOR = "visitor.event"


def _previous(ticket_id: int, kind: str) -> Any:
    """The value before the latest change of `kind` (for a team or assignee change)."""
    event = TicketEvent.objects.filter(ticket_id=ticket_id, kind=kind).order_by("-created_at", "-id").first()
    return event.old if event is not None else None


SCOPE_FIELDS = ("kind", "ticket", "team", "assignee", "old_team", "old_assignee", "changed")


def _desk(event: dict[str, Any]) -> dict[str, Any]:
    """A desk notice: the few fields each connection decides on, and the frame itself serialized once (a
    team's notice goes to every agent of the team; the layer copies each message for each of them)."""
    frame = {key: value for key, value in event.items() if key != "kind"}
    frame["type"] = event["kind"]
    return {
        "type": DESK,
        "id": new_event_id(),
        "scope": {key: event.get(key) for key in SCOPE_FIELDS},
        "frame": json.dumps(frame, ensure_ascii=False, separators=(",", ":")),
    }


def _message_with_ticket(message_id: int) -> Message | None:
    """The message, its author, its ticket and the ticket's chat in one query; attachments only if any."""
    message = (
        Message.objects.select_related("author", "ticket", "ticket__chat_session")
        .annotate(has_files=Exists(Attachment.objects.filter(message=OuterRef("pk"))))
        .filter(pk=message_id)
        .first()
    )
    if message is not None and not message.has_files:
        # Fill the prefetch cache with "none", so the payloads ask no further query.
        message._prefetched_objects_cache = {"attachments": Attachment.objects.none()}
    return message


def _told_by_ticket_created(event: DomainEvent) -> bool:
    """A new ticket's opening message, without files and not a chat's: the "ticket.created" published right
    after it sends the same lists the same notice (each refreshes once for both), and nobody has the page of
    a ticket this new open. With files the page gets them; a chat's opening still goes to its visitor."""
    data = event.data
    return bool(data.get("opening")) and not data.get("files") and data.get("channel") != Channel.CHAT


# The ticket a notice describes, read after the handlers before this one (routing, rules) may have changed it;
# the SQL built once per process (awn.core.prepared): it is read for every ticket event while desks listen.
_TICKET = PreparedRead(lambda pk: Ticket.objects.filter(pk=pk)[:1], pk=-1)


def on_ticket_event(event: DomainEvent) -> None:
    if event.ticket_id is None or not anyone_listening() or _told_by_ticket_created(event):
        return
    message = session = None
    if event.name == "ticket.message_added" and event.data.get("message_id"):
        written = recall(event.data["message_id"])
        if written is not None:
            message, session = written
            message._prefetched_objects_cache = {"attachments": Attachment.objects.none()}  # type: ignore[attr-defined]
        else:
            message = _message_with_ticket(event.data["message_id"])
            if message is not None:
                session = getattr(message.ticket, "chat_session", None)
    ticket = message.ticket if message is not None else _TICKET.first(pk=event.ticket_id)
    if ticket is None:
        return
    changed = list(event.data.get("changed") or [])
    old_team = _previous(ticket.pk, TicketEvent.Kind.TEAM) if "team" in changed else None
    old_assignee = _previous(ticket.pk, TicketEvent.Kind.ASSIGNEE) if "assignee" in changed else None
    notice = {
        "kind": "ticket",
        "name": event.name,
        "ticket": ticket.pk,
        "team": ticket.team_id,
        "assignee": ticket.assignee_id,
        "status": ticket.status,
        "channel": ticket.channel,
        "changed": changed,
        "old_team": old_team,
        "old_assignee": old_assignee,
        "internal": bool(event.data.get("internal")),
        "from_staff": bool(event.data.get("from_staff")),
    }
    if message is not None and message.channel == Channel.CHAT and not changed:
        # A chat message: not the whole team's lists (one notice per agent of the team, twice per exchange).
        groups = groups_for_chat_message(
            ticket_id=ticket.pk, team_id=ticket.team_id, assignee_id=ticket.assignee_id
        )
    else:
        groups = groups_for_ticket(team_id=ticket.team_id, assignee_id=ticket.assignee_id)
    if "team" in changed or "assignee" in changed:
        groups |= groups_for_ticket(
            team_id=old_team if "team" in changed else ticket.team_id, assignee_id=old_assignee
        )
    list_message = _desk(notice)
    items: list[tuple[str, dict[str, Any]]] = [(group, list_message) for group in sorted(groups)]

    if event.name != "ticket.created":  # nobody has the page of a ticket this new open
        page_notice = {**notice, "kind": "ticket.page"}
        if message is not None:
            page_notice["message"] = message_for_desk(message)
        items.append((ticket_group(ticket.pk), _desk(page_notice)))

    if (
        message is not None
        and session is not None
        and not message.internal
        and ticket.channel == Channel.CHAT
    ):
        items.append(
            (
                visitor_group(session.visitor_id),
                {
                    "type": VISITOR,
                    "event": {
                        "type": "message",
                        "session": session.pk,
                        "message": message_for_visitor(message),
                    },
                },
            )
        )
    send_to_groups(items)


def on_session_changed(event: DomainEvent) -> None:
    data = event.data
    session = ChatSession.objects.select_related("agent").filter(pk=data.get("session")).first()
    if session is None:
        return
    items: list[tuple[str, dict[str, Any]]] = [
        (
            visitor_group(session.visitor_id),
            {
                "type": VISITOR,
                "event": {
                    "type": "session",
                    "change": data.get("change", ""),
                    "session": session_for_visitor(session),
                },
            },
        )
    ]
    notice = _desk(
        {
            "kind": "chat",
            "session": session.pk,
            "ticket": session.ticket_id,
            "state": session.state,
            "change": data.get("change", ""),
            "team": session.team_id,
            "assignee": session.agent_id,
            "agent": session.agent_id,
        }
    )
    for group in sorted(groups_for_ticket(team_id=session.team_id, assignee_id=session.agent_id)):
        items.append((group, notice))
    if session.ticket_id is not None:
        items.append((ticket_group(session.ticket_id), notice))
    send_to_groups(items)


def on_queue_changed(event: DomainEvent) -> None:
    team_id = event.data.get("team")
    items: list[tuple[str, dict[str, Any]]] = []
    for session_id, visitor_id, position in queue_positions(team_id):
        items.append(
            (
                visitor_group(visitor_id),
                {
                    "type": VISITOR,
                    "event": {"type": "queue", "session": session_id, "position": position},
                },
            )
        )
    notice = _desk({"kind": "queue", "team": team_id, "assignee": None})
    for group in sorted(groups_for_ticket(team_id=team_id, assignee_id=None)):
        items.append((group, notice))
    send_to_groups(items)


def on_read(event: DomainEvent) -> None:
    data = event.data
    if data.get("side") == "agent":
        send_to_groups(
            [
                (
                    visitor_group(data["visitor"]),
                    {
                        "type": VISITOR,
                        "event": {"type": "read", "session": data["session"], "upto": data["upto"]},
                    },
                )
            ]
        )
    elif event.ticket_id is not None:
        send_to_groups(
            [
                (
                    ticket_group(event.ticket_id),
                    _desk(
                        {
                            "kind": "read",
                            "ticket": event.ticket_id,
                            "session": data["session"],
                            "side": "visitor",
                            "upto": data["upto"],
                            "team": None,
                            "assignee": None,
                        }
                    ),
                )
            ]
        )


def on_agent_changed(event: DomainEvent) -> None:
    send_to_groups(
        [
            (
                user_group(event.data["agent"]),
                _desk(
                    {
                        "kind": "availability",
                        "availability": event.data.get("availability"),
                        "team": None,
                        "assignee": None,
                    }
                ),
            )
        ]
    )


def register() -> None:
    for name in ("ticket.created", "ticket.updated", "ticket.message_added"):
        subscribe(name, on_ticket_event)
    subscribe(chat_changes.SESSION_CHANGED, on_session_changed)
    subscribe(chat_changes.QUEUE_CHANGED, on_queue_changed)
    subscribe(chat_changes.READ, on_read)
    subscribe(chat_changes.AGENT_CHANGED, on_agent_changed)
