"""Keeping the full-text index in step with tickets and messages.

The ticket services call these hooks inside their transactions, so the index commits or rolls back with the
change that caused it. `rebuild_index` recreates everything after a restore or a bulk import.
"""

from __future__ import annotations

from awn.search.backends import Document, get_backend
from awn.search.backends.base import Progress
from awn.search.models import SearchDocument
from awn.tickets.models import Message, Ticket


def index_message(message: Message, *, new_ticket: bool = False) -> None:
    """Index a new message together with its ticket's subject (`new_ticket`: the ticket was created in the
    current transaction)."""
    ticket = message.ticket
    if not ticket.message_count:
        # A ticket without messages was indexed by its subject alone; its first message now carries it.
        SearchDocument.objects.filter(ticket_id=ticket.pk, message__isnull=True).delete()
    get_backend().add_documents(
        [
            Document(
                ticket_id=ticket.pk,
                message_id=message.pk,
                internal=message.internal,
                subject=ticket.subject,
                body=message.body,
            )
        ],
        new_tickets=new_ticket,
    )


def reindex_ticket(ticket: Ticket) -> None:
    """Rewrite every document of `ticket` from what the database now holds (after a merge, a new subject)."""
    messages = list(
        Message.objects.filter(ticket_id=ticket.pk)
        .order_by("created_at", "id")
        .values_list("id", "internal", "body")
    )
    SearchDocument.objects.filter(ticket_id=ticket.pk).delete()
    # Messages that moved here (a merge) still have documents under their old ticket.
    SearchDocument.objects.filter(
        message_id__in=Message.objects.filter(ticket_id=ticket.pk).values("id")
    ).delete()
    documents = [
        Document(
            ticket_id=ticket.pk, message_id=message_id, internal=internal, subject=ticket.subject, body=body
        )
        for message_id, internal, body in messages
    ] or [Document(ticket_id=ticket.pk, message_id=None, internal=False, subject=ticket.subject, body="")]
    get_backend().add_documents(documents)


def index_ticket_subject(ticket: Ticket) -> None:
    """Re-index a ticket whose subject changed (every document of the ticket carries the subject)."""
    reindex_ticket(ticket)


def rebuild_index(*, batch_size: int = 5000, progress: Progress | None = None) -> int:
    """Recreate the whole index from the tickets and messages tables; returns the number of documents.

    Set-based: the document rows are written by one INSERT … SELECT, the text in batches of `batch_size`
    (normalized in Python, the only place `awn.core.text` runs). Searches see a partial index until it ends.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    return get_backend().rebuild(batch_size=batch_size, progress=progress)
