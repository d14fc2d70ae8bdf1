"""/api/v1/tickets/{id}/messages: the conversation of a ticket; replies, customer messages and notes."""

from __future__ import annotations

from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Header, Query, Router, Status, UploadedFile

from awn.api.attachments import decode_attachments, read_uploads
from awn.api.auth import request_user
from awn.api.schemas import (
    ERRORS,
    MessageCreateIn,
    MessageFormIn,
    MessageOut,
    MessagePage,
    PageQuery,
    message_out,
)
from awn.api.tickets import IDEMPOTENCY_HELP, idempotency_source_id
from awn.core.errors import DomainError, NotPermitted
from awn.tickets.inbound import IncomingFile
from awn.tickets.models import Channel, Message, Ticket
from awn.tickets.selectors import get_ticket_for, thread_for
from awn.tickets.services import (
    Actor,
    add_customer_message,
    add_internal_note,
    change_status,
    reply_to_ticket,
)

router = Router(tags=["messages"])


class IdempotencyKeyReused(DomainError):
    code = "idempotency_key_reused"
    status = 409


def _replayed(source_id: str | None, ticket: Ticket) -> Message | None:
    if not source_id:
        return None
    message = (
        Message.objects.select_related("author")
        .prefetch_related("attachments")
        .filter(source_id=source_id)
        .first()
    )
    if message is None:
        return None
    if message.ticket_id not in (ticket.pk, ticket.merged_into_id):
        # (A merge moves messages: a retry on the merged-away ticket still finds its message.)
        raise IdempotencyKeyReused(_("This Idempotency-Key was already used for another request."))
    return message


@router.get("/{ticket_id}/messages", response={200: MessagePage, **ERRORS}, summary="List messages")
def list_messages(request: HttpRequest, ticket_id: int, page: Query[PageQuery]):
    """The conversation, oldest first. Customers never see internal notes."""
    user = request_user(request)
    ticket = get_ticket_for(user=user, number=ticket_id)
    rows = list(thread_for(user=user, ticket=ticket)[page.offset : page.offset + page.limit + 1])
    next_offset = page.offset + page.limit if len(rows) > page.limit else None
    return {"items": [message_out(m, request) for m in rows[: page.limit]], "next_offset": next_offset}


@router.post(
    "/{ticket_id}/messages", response={201: MessageOut, 200: MessageOut, **ERRORS}, summary="Add a message"
)
def create_message(
    request: HttpRequest,
    ticket_id: int,
    payload: MessageCreateIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key", description=IDEMPOTENCY_HELP),
):
    """Staff: a public reply (optionally setting the status) or, with `internal: true`, a note.
    Customers: a message from the customer side (reopens a solved ticket); notes are refused (403).
    Attachments travel as base64; for several large files use `/messages/upload` (multipart)."""
    return _add_message(
        request, ticket_id, payload, idempotency_key, lambda: decode_attachments(payload.attachments)
    )


@router.post(
    "/{ticket_id}/messages/upload",
    response={201: MessageOut, 200: MessageOut, **ERRORS},
    summary="Add a message with files (multipart)",
)
def create_message_with_files(
    request: HttpRequest,
    ticket_id: int,
    form: Form[MessageFormIn],
    attachments: File[list[UploadedFile]] = None,  # type: ignore[assignment]
    idempotency_key: str | None = Header(None, alias="Idempotency-Key", description=IDEMPOTENCY_HELP),
):
    """The same as adding a message, sent as `multipart/form-data`: fields `body`, `html`, `internal`,
    `status`, and any number of files named `attachments` (each within the attachment size limit)."""
    return _add_message(request, ticket_id, form, idempotency_key, lambda: read_uploads(attachments or []))


def _add_message(
    request: HttpRequest,
    ticket_id: int,
    payload: MessageCreateIn | MessageFormIn,
    idempotency_key: str | None,
    read_files: Callable[[], list[IncomingFile]],
):
    user = request_user(request)
    ticket = get_ticket_for(user=user, number=ticket_id)
    source_id = idempotency_source_id(user, idempotency_key)
    replayed = _replayed(source_id, ticket)
    if replayed is not None:
        return Status(200, message_out(replayed, request))
    if not user.is_staff_member and (payload.internal or payload.status):
        raise NotPermitted(_("Customers cannot add internal notes or set the status with a message."))
    files = read_files()
    by = Actor.of(user)
    try:
        with transaction.atomic():
            if not user.is_staff_member:
                message = add_customer_message(
                    ticket=ticket,
                    author=user,
                    body=payload.body,
                    html=payload.html,
                    attachments=files,
                    channel=Channel.API,
                    source_id=source_id,
                )
            elif payload.internal:
                message = add_internal_note(
                    ticket=ticket,
                    by=by,
                    body=payload.body,
                    html=payload.html,
                    attachments=files,
                    source_id=source_id,
                )
                if payload.status:
                    change_status(ticket=ticket, status=payload.status, by=by)
            else:
                message = reply_to_ticket(
                    ticket=ticket,
                    by=by,
                    body=payload.body,
                    html=payload.html,
                    attachments=files,
                    status=payload.status,
                    source_id=source_id,
                )
    except IntegrityError:
        replayed = _replayed(source_id, ticket)
        if replayed is None:
            raise
        return Status(200, message_out(replayed, request))
    message = Message.objects.select_related("author").prefetch_related("attachments").get(pk=message.pk)
    return Status(201, message_out(message, request))
