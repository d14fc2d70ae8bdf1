"""The "widget" fact automation rules test: the chat widget a ticket's conversation started in."""

from __future__ import annotations

from awn.connectors.chat.models import ChatSession
from awn.tickets.models import Channel, Ticket


def ticket_widget(ticket: Ticket) -> int | None:
    """The id of the widget of the ticket's chat (None: the ticket is not a chat)."""
    if ticket.channel != Channel.CHAT:
        return None
    return ChatSession.objects.filter(ticket_id=ticket.pk).values_list("widget_id", flat=True).first()


def register() -> None:
    from awn.automation.conditions import register_source

    register_source("widget", ticket_widget)
