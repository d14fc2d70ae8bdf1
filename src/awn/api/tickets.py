"""/api/v1/tickets: list with the desk's views, filters and sorts; create, read, update, merge."""

from __future__ import annotations

from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Header, Query, Router, Status

from awn.accounts.models import Team, User
from awn.api.attachments import decode_attachments
from awn.api.auth import request_user
from awn.api.schemas import (
    ERRORS,
    PRIORITY_VALUES,
    MergeIn,
    TicketCreateIn,
    TicketListQuery,
    TicketOut,
    TicketPage,
    TicketUpdateIn,
    ticket_out,
)
from awn.core.errors import NotPermitted, ValidationFailed
from awn.core.events import DomainEvent, reactions
from awn.tickets.inbound import InboundMessage
from awn.tickets.models import Channel, Message, Tag, Ticket
from awn.tickets.models import Status as TicketStatus
from awn.tickets.selectors import TicketFilters, get_ticket_for, ticket_queue
from awn.tickets.services import Actor, change_status, merge_tickets, receive_message, update_ticket

router = Router(tags=["tickets"])

IDEMPOTENCY_HELP = (
    "Any unique string (up to 200 characters) naming this request; a retry with the same key returns what "
    "the first request created (200) and creates nothing."
)


def idempotency_source_id(user: User, key: str | None) -> str | None:
    """The dedupe key stored on the message: one namespace per token owner, so keys cannot collide."""
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > 200:
        raise ValidationFailed(_("Idempotency-Key must be 1 to 200 characters."), field="Idempotency-Key")
    return f"api:{user.pk}:{key}"


def _loaded(ticket_id: int) -> Ticket:
    return (
        Ticket.objects.select_related("requester", "assignee", "team", "organization")
        .prefetch_related("tags")
        .get(pk=ticket_id)
    )


def _created(message: Message, reacted: list[DomainEvent], *, tags: bool) -> Ticket:
    """The ticket just opened, as the service left it, unless something changed it after the commit (an
    automation rule, routing: they publish events) or it was an earlier ticket (a replayed key): then read."""
    if not Message.ticket.is_cached(message) or any(e.ticket_id == message.ticket_id for e in reacted):
        return _loaded(message.ticket_id)
    ticket = message.ticket
    if not tags:
        no_tags = Tag.objects.none()
        no_tags._result_cache, no_tags._prefetch_done = [], True  # evaluated, as a prefetch leaves it
        ticket._prefetched_objects_cache = {"tags": no_tags}
    return ticket


def _ticket_of_key(source_id: str | None) -> Ticket | None:
    if not source_id:
        return None
    ticket_id = Message.objects.filter(source_id=source_id).values_list("ticket_id", flat=True).first()
    return _loaded(ticket_id) if ticket_id else None


def resolve_team(team_id: int | None) -> Team | None:
    if team_id is None:
        return None
    team = Team.objects.filter(pk=team_id).first()
    if team is None:
        raise ValidationFailed(_("There is no team with id %(id)s.") % {"id": team_id}, field="team")
    return team


def resolve_assignee(user_id: int | None) -> User | None:
    if user_id is None:
        return None
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise ValidationFailed(_("There is no user with id %(id)s.") % {"id": user_id}, field="assignee")
    return user


@router.get("", response={200: TicketPage, **ERRORS}, url_name="tickets", summary="List tickets")
def list_tickets(request: HttpRequest, filters: Query[TicketListQuery]):
    """The desk's views (`mine`, `unassigned`, `teams`, `all`, `recent`), filters and sorts, one page at a
    time; follow `next_cursor` for the next page. Only tickets the token's owner may see are listed."""
    user = request_user(request)
    params = request.GET  # without NUL characters (awn.core.nul)
    page = ticket_queue(
        user=user,
        view=filters.view,
        filters=TicketFilters.from_params(params),
        sort=filters.sort,
        cursor=filters.cursor,
        limit=filters.limit,
    )
    return {"items": [ticket_out(t, request) for t in page.tickets], "next_cursor": page.next_cursor}


@router.post("", response={201: TicketOut, 200: TicketOut, **ERRORS}, summary="Create a ticket")
def create_ticket(
    request: HttpRequest,
    response: HttpResponse,
    payload: TicketCreateIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key", description=IDEMPOTENCY_HELP),
):
    """Open a ticket with its first message on the `api` channel. Staff name the requester (created as a
    customer if the address is new); a customer's ticket is always their own."""
    user = request_user(request)
    source_id = idempotency_source_id(user, idempotency_key)
    replayed = _ticket_of_key(source_id)
    if replayed is not None:
        return Status(200, ticket_out(replayed, request))

    if user.is_staff_member:
        if payload.requester is None:
            raise ValidationFailed(_("A requester is required."), field="requester")
        email, name = payload.requester.email, payload.requester.name
    else:
        refused = [f for f in ("priority", "team", "tags") if f in payload.model_fields_set]
        if refused:
            raise NotPermitted(_("Customers cannot set the priority, team or tags of a ticket."))
        email, name = user.email, user.name
    team = resolve_team(payload.team)
    files = decode_attachments(payload.message.attachments)
    inbound = InboundMessage(
        channel=Channel.API,
        sender_email=email,
        sender_name=name,
        subject=payload.subject,
        body=payload.message.body,
        html=payload.message.html,
        source_id=source_id,
        attachments=tuple(files),
        priority=PRIORITY_VALUES[payload.priority] if payload.priority else None,
        tags=tuple(payload.tags),
        team_id=team.pk if team else None,
    )
    try:
        with reactions() as reacted:
            message = receive_message(inbound, by=Actor.of(user))
    except IntegrityError:
        # The same key raced us from another connection and won; answer as for a retry.
        replayed = _ticket_of_key(source_id)
        if replayed is None:
            raise
        return Status(200, ticket_out(replayed, request))
    body = ticket_out(_created(message, reacted, tags=bool(inbound.tags)), request)
    response["Location"] = body["url"]
    return Status(201, body)


@router.get("/{ticket_id}", response={200: TicketOut, **ERRORS}, url_name="ticket", summary="Read a ticket")
def read_ticket(request: HttpRequest, ticket_id: int):
    ticket = get_ticket_for(user=request_user(request), number=ticket_id)
    return ticket_out(ticket, request)


@router.patch("/{ticket_id}", response={200: TicketOut, **ERRORS}, summary="Change a ticket")
def change_ticket(request: HttpRequest, ticket_id: int, payload: TicketUpdateIn):
    """Change status, priority, assignee, team, tags and subject together: every change is applied, or none.
    Customers may only mark their ticket solved or reopen it (`{"status": "solved" | "open"}`)."""
    user = request_user(request)
    ticket = get_ticket_for(user=user, number=ticket_id)
    given = payload.model_fields_set
    for name in ("status", "priority", "subject", "tags"):
        if name in given and getattr(payload, name) is None:
            raise ValidationFailed(_("%(name)s cannot be null.") % {"name": name}, field=name)

    if not user.is_staff_member:
        if given - {"status"} or payload.status not in (TicketStatus.SOLVED, TicketStatus.OPEN):
            raise NotPermitted(_("Customers can only mark their tickets solved or reopen them."))
        change_status(ticket=ticket, status=payload.status, by=Actor.of(user))
        return ticket_out(_loaded(ticket.pk), request)

    changes: dict = {}
    if payload.status is not None:
        changes["status"] = payload.status
    if payload.priority is not None:
        changes["priority"] = PRIORITY_VALUES[payload.priority]
    if payload.subject is not None:
        changes["subject"] = payload.subject
    if payload.tags is not None:
        changes["tags"] = payload.tags
    # Only these two may be null ("nobody", "no team"), so only for them does "sent" differ from "not None".
    if "assignee" in given:
        changes["assignee"] = resolve_assignee(payload.assignee)
    if "team" in given:
        changes["team"] = resolve_team(payload.team)
    update_ticket(ticket=ticket, by=Actor.of(user), **changes)
    return ticket_out(_loaded(ticket.pk), request)


@router.post("/{ticket_id}/merge", response={200: TicketOut, **ERRORS}, summary="Merge into another ticket")
def merge_ticket(request: HttpRequest, ticket_id: int, payload: MergeIn):
    """Move this ticket's conversation into `into` and close this one; returns the ticket merged into."""
    user = request_user(request)
    source = get_ticket_for(user=user, number=ticket_id)
    target = Ticket.objects.visible_to(user).filter(pk=payload.into).first()
    if target is None:
        raise ValidationFailed(
            _("There is no ticket %(number)s that you can see.") % {"number": payload.into}, field="into"
        )
    merged = merge_tickets(source=source, target=target, by=Actor.of(user))
    return ticket_out(_loaded(merged.pk), request)
