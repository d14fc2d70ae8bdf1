"""Creating tickets and adding messages: the inbound pipeline every channel calls (DESIGN.md §3)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from awn.accounts.models import Role, User
from awn.accounts.selectors import find_user_by_email
from awn.core import clock
from awn.core.errors import AttachmentTooLarge, NotPermitted, ValidationFailed
from awn.core.prepared import generic_plans, insert_object
from awn.core.sanitize import html_to_text, sanitize_html, text_to_html
from awn.core.text import normalize_text
from awn.search.indexing import index_message
from awn.tickets.inbound import InboundMessage, IncomingFile
from awn.tickets.models import Attachment, Channel, Message, Priority, Status, Ticket, TicketEvent
from awn.tickets.services.actors import Actor
from awn.tickets.services.changes import add_followers, change_status, set_tags
from awn.tickets.services.recording import announce, new_event, record_events, touch
from awn.tickets.states import check_transition

MAX_SUBJECT = 255


def _clean_bodies(body: str, html: str) -> tuple[str, str]:
    """Both forms of a message body: sanitized HTML and plain text, whichever one was given."""
    if html:
        safe = sanitize_html(html)
        text = body.strip() if body else html_to_text(safe)
    else:
        text = (body or "").strip()
        safe = text_to_html(text)
    if not text and not safe:
        raise ValidationFailed(_("The message is empty."), field="body")
    return text, safe


def check_attachments(files: Sequence[IncomingFile]) -> None:
    """Refuse oversized or too many files before anything is written."""
    if len(files) > settings.AWN_MAX_ATTACHMENTS:
        raise ValidationFailed(
            _("At most %(count)d attachments per message.") % {"count": settings.AWN_MAX_ATTACHMENTS},
            field="attachments",
        )
    limit = settings.AWN_MAX_ATTACHMENT_BYTES
    for item in files:
        if len(item.content) > limit:
            raise AttachmentTooLarge(
                _("“%(name)s” is %(size)s MB; the limit is %(limit)s MB.")
                % {
                    "name": item.filename,
                    "size": round(len(item.content) / 1048576, 1),
                    "limit": round(limit / 1048576, 1),
                },
                field="attachments",
            )


def _store_attachments(message: Message, files: Sequence[IncomingFile]) -> None:
    for item in files:
        digest = hashlib.sha256(item.content).hexdigest()
        attachment = Attachment(
            message=message,
            filename=(item.filename or "attachment").replace("/", "_").replace("\\", "_")[:255],
            content_type=(item.content_type or "application/octet-stream")[:127],
            size=len(item.content),
            sha256=digest,
        )
        attachment.file.save(digest, ContentFile(item.content), save=False)
        attachment.save()


def _add_message(
    *,
    ticket: Ticket,
    author: User | None,
    by: Actor,
    body: str,
    html: str,
    channel: str,
    internal: bool = False,
    attachments: Sequence[IncomingFile] = (),
    source_id: str | None = None,
) -> Message:
    text, safe = _clean_bodies(body, html)
    check_attachments(attachments)
    from_customer = not internal and author is not None and not author.is_staff_member
    # A customer's message carries its language, and the ticket follows a customer who switched language:
    # detected here and written with the message, not in a transaction of its own after the commit.
    language = _language_of(text or normalize_text(safe)) if from_customer else ""
    now = clock.now()
    message = Message.objects.create(
        ticket=ticket,
        author=author,
        internal=internal,
        channel=channel,
        body=text,
        html=safe,
        source_id=source_id or None,
        language=language,
        created_at=now,
    )
    _store_attachments(message, attachments)
    kind = TicketEvent.Kind.NOTE if internal else TicketEvent.Kind.MESSAGE
    events = [new_event(ticket=ticket, by=by, kind=kind, message=message, new={"internal": internal})]
    fields = ["message_count"]
    if language and ticket.language != language:
        events.append(_language_event(ticket=ticket, message=message, old=ticket.language, new=language))
        ticket.language = language
        fields.append("language")
    record_events(events)
    index_message(message)
    ticket.message_count += 1
    if not internal and author is not None:
        if author.is_staff_member:
            ticket.last_agent_message_at = now
            fields.append("last_agent_message_at")
            if ticket.first_response_at is None:
                ticket.first_response_at = now
                fields.append("first_response_at")
        else:
            ticket.last_customer_message_at = now
            fields.append("last_customer_message_at")
    touch(ticket, *fields)
    announce(
        "ticket.message_added",
        ticket,
        message_id=message.pk,
        internal=internal,
        from_staff=bool(author and author.is_staff_member),
        from_customer=from_customer,
    )
    return message


def get_or_create_customer(*, email: str, name: str = "", phone: str = "", looked_up: bool = False) -> User:
    """The person behind an address, created as a customer on first contact. `looked_up`: the caller has
    just looked the address up and found nobody, so it is not looked up again."""
    email = (email or "").strip().lower()
    if not email or "@" not in email:
        raise ValidationFailed(_("A valid email address is required."), field="email")
    user = None if looked_up else find_user_by_email(email)
    if user is not None:
        return user
    try:
        with transaction.atomic():
            return User.objects.create_user(
                email=email, name=name.strip()[:200], phone=phone[:40], role=Role.CUSTOMER
            )
    except IntegrityError:  # created concurrently by another request
        return User.objects.get(email=email)


@transaction.atomic
def create_ticket(
    *,
    requester: User,
    subject: str,
    by: Actor,
    body: str = "",
    html: str = "",
    channel: str = Channel.WEB,
    priority: int = Priority.NORMAL,
    tags: Iterable[str] = (),
    team=None,
    assignee: User | None = None,
    attachments: Sequence[IncomingFile] = (),
    cc: Iterable[User] = (),
    source_id: str | None = None,
) -> Ticket:
    """Open a ticket with its first message from the requester."""
    ticket, _message = _open_ticket(
        requester=requester,
        subject=subject,
        by=by,
        body=body,
        html=html,
        channel=channel,
        priority=priority,
        tags=tags,
        team=team,
        assignee=assignee,
        attachments=attachments,
        cc=cc,
        source_id=source_id,
    )
    return ticket


def _open_ticket(
    *,
    requester: User,
    subject: str,
    by: Actor,
    body: str,
    html: str,
    channel: str,
    priority: int,
    tags: Iterable[str],
    team,
    assignee: User | None,
    attachments: Sequence[IncomingFile],
    cc: Iterable[User],
    source_id: str | None,
    opening: Opening | None = None,
) -> tuple[Ticket, Message]:
    """create_ticket's work, inside the caller's transaction; returns the ticket and its first message.

    The ticket row is written once with what its first message sets (count, last message times), and the
    two events in one INSERT: a new ticket is the busiest write there is (API, email, forms, chat). The
    message's cleaned bodies and language come from `opening` when the caller worked them out before the
    transaction began."""
    subject = " ".join((subject or "").split())[:MAX_SUBJECT]
    if not subject:
        raise ValidationFailed(_("A subject is required."), field="subject")
    if channel not in Channel.values:
        raise ValidationFailed(_("Unknown channel."), field="channel")
    if priority not in Priority.values:
        raise ValidationFailed(_("Unknown priority."), field="priority")
    if not requester.is_active:
        raise NotPermitted(_("This account is disabled."))
    from_staff = requester.is_staff_member
    if opening is None or opening.from_staff != from_staff:
        opening = Opening.of(body, html, from_staff=from_staff)
    text, safe, language = opening.text, opening.html, opening.language
    check_attachments(attachments)
    now = clock.now()
    ticket = Ticket(
        subject=subject,
        channel=channel,
        priority=priority,
        requester=requester,
        organization_id=requester.organization_id,
        team=team,
        assignee=assignee,
        status=Status.OPEN if assignee else Status.NEW,
        language=language,
        created_at=now,
        updated_at=now,
        # Already counts the message written below, so the search index knows there is no subject-only
        # document of this ticket to replace.
        message_count=1,
    )
    if User.organization.is_cached(requester):
        ticket.organization = requester.organization
    if from_staff:
        ticket.last_agent_message_at = ticket.first_response_at = now
    else:
        ticket.last_customer_message_at = now
    insert_object(ticket)
    created = new_event(
        ticket=ticket,
        by=by,
        kind=TicketEvent.Kind.CREATED,
        new={"subject": subject, "channel": channel, "priority": priority},
    )
    message = Message(
        ticket=ticket,
        author=requester,
        internal=False,
        channel=channel,
        body=text,
        html=safe,
        source_id=source_id or None,
        language=language,
        created_at=now,
    )
    insert_object(message)
    _store_attachments(message, attachments)
    events = [
        created,
        new_event(
            ticket=ticket, by=by, kind=TicketEvent.Kind.MESSAGE, message=message, new={"internal": False}
        ),
    ]
    if language:
        events.append(_language_event(ticket=ticket, message=message, old="", new=language))
    record_events(events)
    index_message(message, new_ticket=True)
    announce(
        "ticket.message_added",
        ticket,
        message_id=message.pk,
        internal=False,
        from_staff=from_staff,
        from_customer=not from_staff,
        opening=True,
        channel=channel,
        files=len(attachments),
    )
    if tags:
        set_tags(ticket=ticket, tags=list(tags), by=by)
    followers = [user for user in cc if user.pk != requester.pk]
    if followers:
        add_followers(ticket=ticket, users=followers, by=by)
    announce(
        "ticket.created",
        ticket,
        channel=channel,
        requester_id=requester.pk,
        requester_email=requester.email,
        from_staff=from_staff,
    )
    return ticket, message


def _language_of(text: str) -> str:
    """The language of a customer's message (automation's detector), stored with the message in the
    transaction that writes it."""
    from awn.automation.language import detect_language

    return detect_language(text)


def _language_event(*, ticket: Ticket, message: Message, old: str, new: str) -> TicketEvent:
    """The history's record of the language detected in a customer's message (the ticket's is now `new`)."""
    return new_event(
        ticket=ticket,
        by=Actor.system("language detection"),
        kind=TicketEvent.Kind.LANGUAGE,
        old=old or None,
        new=new,
        message=message,
    )


def _may_write_to(user: User, ticket: Ticket) -> bool:
    if ticket.requester_id == user.pk and user.is_active and user.role == Role.CUSTOMER:
        return True  # a customer always sees their own tickets (visible_to): the usual reply, no query
    return Ticket.objects.visible_to(user).filter(pk=ticket.pk).exists()


def receive_message(
    inbound: InboundMessage, *, by: Actor | None = None, source_id_checked: bool = False
) -> Message:
    """Take one message from any channel: dedupe, find or create the ticket, store, record.

    Idempotent: a message whose `source_id` was already stored returns the stored message. A caller that
    looked the `source_id` up itself in its current transaction and found nothing says so with
    `source_id_checked` (the email channel, which dedupes a whole batch at once): no second lookup.

    A message that opens a ticket has its sender looked up, its bodies cleaned and its language detected
    before the transaction begins: on SQLite every writer waits while one holds the write lock, so the
    lock is held for the writing only (docs/performance.md, item 9).
    """
    sender, opening = _before_opening(inbound)
    outermost = not transaction.get_connection().in_atomic_block
    with transaction.atomic():
        if outermost and opening is not None:
            generic_plans()  # a new ticket's statements: inserts and lookups by key (core/prepared.py)
        return _receive(inbound, by=by, source_id_checked=source_id_checked, sender=sender, opening=opening)


@dataclass(frozen=True)
class Opening:
    """A first message's bodies and language, worked out once (before its transaction, if the caller can)."""

    text: str
    html: str
    language: str
    from_staff: bool

    @classmethod
    def of(cls, body: str, html: str, *, from_staff: bool) -> Opening:
        text, safe = _clean_bodies(body, html)
        language = "" if from_staff else _language_of(text or normalize_text(safe))
        return cls(text=text, html=safe, language=language, from_staff=from_staff)


def _before_opening(inbound: InboundMessage) -> tuple[User | None, Opening | None]:
    """The sender and the message, read and prepared outside the transaction for a message that opens a
    ticket (no thread hint). Whatever cannot be worked out here (a body the cleaning refuses) is left to the
    transaction, which raises the same errors in their usual order; an unknown sender is created there."""
    if inbound.ticket_id is not None:
        return None, None
    sender = find_user_by_email(inbound.sender_email)
    try:
        opening = Opening.of(
            inbound.body, inbound.html, from_staff=sender is not None and sender.is_staff_member
        )
    except ValidationFailed:
        return sender, None
    return sender, opening


def _receive(
    inbound: InboundMessage,
    *,
    by: Actor | None,
    source_id_checked: bool,
    sender: User | None,
    opening: Opening | None,
) -> Message:
    if inbound.source_id and not source_id_checked:
        existing = Message.objects.filter(source_id=inbound.source_id).first()
        if existing is not None:
            return existing
    if sender is None:
        sender = get_or_create_customer(
            email=inbound.sender_email,
            name=inbound.sender_name,
            phone=inbound.sender_phone,
            looked_up=opening is not None,  # before the transaction, by _before_opening: nobody has it
        )
    actor = by or Actor.of(sender)
    ticket = None
    if inbound.ticket_id:
        ticket = Ticket.objects.select_for_update().filter(pk=inbound.ticket_id).first()
        if ticket is not None and not _may_write_to(sender, ticket):
            ticket = None  # a stranger quoting a ticket number starts their own ticket
        while ticket is not None and ticket.merged_into_id:
            ticket = Ticket.objects.select_for_update().get(pk=ticket.merged_into_id)
    cc_users = [get_or_create_customer(email=address) for address in inbound.cc if address]
    if ticket is None or ticket.status == Status.CLOSED:
        subject = inbound.subject or (ticket.subject if ticket else "") or _("(no subject)")
        _ticket, message = _open_ticket(
            requester=sender,
            subject=subject,
            by=actor,
            body=inbound.body,
            html=inbound.html,
            channel=inbound.channel,
            priority=inbound.priority or Priority.NORMAL,
            tags=inbound.tags,
            team=_team(inbound.team_id),
            assignee=None,
            attachments=inbound.attachments,
            cc=cc_users,
            source_id=inbound.source_id,
            opening=opening,
        )
        return message
    if sender.is_staff_member:
        return reply_to_ticket(
            ticket=ticket,
            by=Actor.of(sender),
            body=inbound.body,
            html=inbound.html,
            attachments=inbound.attachments,
            channel=inbound.channel,
            source_id=inbound.source_id,
        )
    message = add_customer_message(
        ticket=ticket,
        author=sender,
        body=inbound.body,
        html=inbound.html,
        attachments=inbound.attachments,
        channel=inbound.channel,
        source_id=inbound.source_id,
    )
    if cc_users:
        add_followers(ticket=ticket, users=[u for u in cc_users if u.pk != ticket.requester_id], by=actor)
    return message


def _team(team_id: int | None):
    if not team_id:
        return None
    from awn.accounts.models import Team

    return Team.objects.filter(pk=team_id).first()


@transaction.atomic
def add_customer_message(
    *,
    ticket: Ticket,
    author: User,
    body: str = "",
    html: str = "",
    attachments: Sequence[IncomingFile] = (),
    channel: str | None = None,
    source_id: str | None = None,
) -> Message:
    """A reply from the customer side: reopens a solved ticket, wakes a pending one."""
    if ticket.status == Status.CLOSED:
        raise NotPermitted(_("This ticket is closed; please open a new request."))
    by = Actor.of(author)
    message = _add_message(
        ticket=ticket,
        author=author,
        by=by,
        body=body,
        html=html,
        channel=channel or Channel.WEB,
        attachments=attachments,
        source_id=source_id,
    )
    if ticket.status in (Status.PENDING, Status.SOLVED):
        change_status(ticket=ticket, status=Status.OPEN, by=by)
    return message


@transaction.atomic
def reply_to_ticket(
    *,
    ticket: Ticket,
    by: Actor,
    body: str = "",
    html: str = "",
    attachments: Sequence[IncomingFile] = (),
    status: str | None = None,
    channel: str | None = None,
    source_id: str | None = None,
) -> Message:
    """A public reply from an agent; optionally sets the status in the same step (reply and solve)."""
    if not by.is_staff:
        raise NotPermitted(_("Only agents can reply as the helpdesk."))
    if ticket.status == Status.CLOSED:
        raise NotPermitted(_("This ticket is closed."))
    if status:
        check_transition(ticket.status if ticket.status != Status.NEW else Status.OPEN, status)
    message = _add_message(
        ticket=ticket,
        author=by.user,
        by=by,
        body=body,
        html=html,
        channel=channel or ticket.channel,
        attachments=attachments,
        source_id=source_id,
    )
    target = status or (Status.OPEN if ticket.status == Status.NEW else None)
    if target:
        change_status(ticket=ticket, status=target, by=by)
    return message


@transaction.atomic
def add_internal_note(
    *,
    ticket: Ticket,
    by: Actor,
    body: str = "",
    html: str = "",
    attachments: Sequence[IncomingFile] = (),
    source_id: str | None = None,
) -> Message:
    """A note only staff see."""
    if not by.is_staff:
        raise NotPermitted(_("Only agents can add internal notes."))
    return _add_message(
        ticket=ticket,
        author=by.user,
        by=by,
        body=body,
        html=html,
        channel=ticket.channel,
        internal=True,
        attachments=attachments,
        source_id=source_id,
    )


@transaction.atomic
def log_phone_call(
    *,
    by: Actor,
    requester: User,
    summary: str,
    subject: str = "",
    ticket: Ticket | None = None,
    priority: int = Priority.NORMAL,
) -> Ticket:
    """Record a phone call: a new ticket on the phone channel, or a call added to an existing ticket."""
    if not by.is_staff:
        raise NotPermitted(_("Only agents can log calls."))
    if ticket is None:
        return create_ticket(
            requester=requester,
            subject=subject or _("Phone call"),
            by=by,
            body=summary,
            channel=Channel.PHONE,
            priority=priority,
        )
    if ticket.requester_id != requester.pk:
        raise ValidationFailed(_("The caller is not this ticket's requester."), field="requester")
    _add_message(ticket=ticket, author=requester, by=by, body=summary, html="", channel=Channel.PHONE)
    if ticket.status in (Status.PENDING, Status.SOLVED):
        change_status(ticket=ticket, status=Status.OPEN, by=by)
    return ticket
