"""The "mailbox" fact automation rules test: the mailbox a ticket's mail came in through."""

from __future__ import annotations

from awn.connectors.email.models import MessageEmail
from awn.tickets.models import Ticket


def ticket_mailbox(ticket: Ticket) -> int | None:
    """The id of the mailbox the ticket's first inbound mail arrived at (None: no mail came in on it)."""
    if ticket.pk is None:
        return None
    return (
        MessageEmail.objects.filter(
            message__ticket_id=ticket.pk, direction=MessageEmail.Direction.INBOUND, mailbox__isnull=False
        )
        .order_by("message__created_at", "message_id")
        .values_list("mailbox_id", flat=True)
        .first()
    )


def register() -> None:
    from awn.automation.conditions import register_source

    register_source("mailbox", ticket_mailbox)
