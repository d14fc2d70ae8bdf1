"""The visitor's side of a chat: start it, write in it, leave a message when nobody is there, a transcript.

Every message goes through the ticket services: the first one creates a ticket on the chat channel for the
visitor (the customer they are, or a placeholder until they say who they are), later ones are customer
messages on that ticket, so threading, sanitizing, history, SLA and reports behave as for every channel.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from awn.accounts.models import Role, User
from awn.accounts.selectors import find_user_by_email
from awn.connectors.chat import limits
from awn.connectors.chat.identity import PLACEHOLDER_DOMAIN, is_placeholder_email
from awn.connectors.chat.models import ChatSession, ChatVisitor
from awn.connectors.chat.services.assignment import dispatch_queue
from awn.connectors.chat.services.changes import announce_queue, announce_session
from awn.core import clock
from awn.core.errors import NotPermitted, ValidationFailed
from awn.realtime.written import handed_to_broadcast
from awn.tickets.inbound import IncomingFile
from awn.tickets.models import Channel, Message, Status
from awn.tickets.services import Actor, add_customer_message, add_followers, create_ticket
from awn.tickets.services.messages import get_or_create_customer

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
SUBJECT_CHARS = 80


def clean_text(text: str) -> str:
    """A visitor's message as plain text: control characters out, within the size limit."""
    if not isinstance(text, str):
        raise ValidationFailed(_("The message is empty."), field="text")
    text = _CONTROL.sub("", text).strip()
    if not text:
        raise ValidationFailed(_("The message is empty."), field="text")
    if len(text) > settings.AWN_CHAT_MAX_MESSAGE_CHARS:
        raise ValidationFailed(
            _("The message is too long (at most %(count)d characters).")
            % {"count": settings.AWN_CHAT_MAX_MESSAGE_CHARS},
            field="text",
            code="too_long",
        )
    return text


def clean_email(email: str) -> str:
    email = (email or "").strip().lower() if isinstance(email, str) else ""
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationFailed(_("Enter a valid email address."), field="email") from None
    if is_placeholder_email(email):
        raise ValidationFailed(_("Enter a valid email address."), field="email")
    return email


def clean_name(name: str) -> str:
    return " ".join(_CONTROL.sub("", name if isinstance(name, str) else "").split())[:200]


def live_session(visitor: ChatVisitor, *, lock: bool = False) -> ChatSession | None:
    qs = ChatSession.objects.filter(visitor=visitor, state__in=ChatSession.LIVE_STATES)
    if lock:
        qs = qs.select_for_update(of=("self",))
    # The agent too: the visitor's acknowledgement names the agent of an active chat.
    return qs.select_related("ticket", "agent").order_by("-created_at", "-id").first()


def latest_session(visitor: ChatVisitor) -> ChatSession | None:
    return (
        ChatSession.objects.filter(visitor=visitor)
        .select_related("ticket", "agent")
        .order_by("-created_at", "-id")
        .first()
    )


def requester_for(visitor: ChatVisitor) -> User:
    """The customer behind the visitor; a placeholder customer until they give an address."""
    if visitor.user_id is not None and visitor.user is not None and visitor.user.is_active:
        return visitor.user
    if visitor.email:
        user = get_or_create_customer(email=visitor.email, name=visitor.name)
    else:
        address = f"visitor-{visitor.pk}-{secrets.token_hex(4)}@{PLACEHOLDER_DOMAIN}"
        name = visitor.name or _("Visitor %(number)s") % {"number": visitor.pk}
        user = User.objects.create_user(email=address, name=name, role=Role.CUSTOMER)
    visitor.user = user
    visitor.save(update_fields=["user"])
    return user


def _subject(text: str) -> str:
    first_line = text.strip().splitlines()[0] if text.strip() else ""
    subject = " ".join(first_line.split())
    if len(subject) > SUBJECT_CHARS:
        subject = subject[: SUBJECT_CHARS - 1].rstrip() + "…"
    return subject or _("Chat")


def _start(
    visitor: ChatVisitor, text: str, attachments: Sequence[IncomingFile]
) -> tuple[ChatSession, Message]:
    widget = visitor.widget
    requester = requester_for(visitor)
    ticket = create_ticket(
        requester=requester,
        subject=_subject(text),
        by=Actor.of(requester),
        body=text,
        channel=Channel.CHAT,
        team=widget.team,
        attachments=attachments,
    )
    now = clock.now()
    session = ChatSession.objects.create(
        widget=widget,
        visitor=visitor,
        ticket=ticket,
        team_id=widget.team_id,
        state=ChatSession.State.QUEUED,
        created_at=now,
        queued_at=now,
    )
    announce_session(session, change="started")
    announce_queue(session.team_id)
    dispatch_queue(team_id=session.team_id)
    message = ticket.messages.order_by("id")[0]
    return session, message


@transaction.atomic
def post_visitor_message(
    *, visitor: ChatVisitor, text: str = "", attachments: Sequence[IncomingFile] = (), ip: str = ""
) -> tuple[ChatSession, Message]:
    """A message typed (or a file sent) in the widget: starts a chat, or continues the live one."""
    limits.check_visitor_message(visitor_id=visitor.pk, ip=ip)
    if attachments and not (text or "").strip():
        text = ", ".join(item.filename for item in attachments)[:200]
    text = clean_text(text)
    session = live_session(visitor, lock=True)
    if session is None or session.ticket is None or session.ticket.status == Status.CLOSED:
        if session is not None:
            _close(session, ended_by="system")
        return _start(visitor, text, attachments)
    author = requester_for(visitor)
    with handed_to_broadcast() as keep:
        message = add_customer_message(
            ticket=session.ticket, author=author, body=text, attachments=attachments, channel=Channel.CHAT
        )
        if not attachments:
            keep(message, session)
    return session, message


@transaction.atomic
def leave_offline_message(
    *, visitor: ChatVisitor, email: str, text: str, name: str = "", ip: str = ""
) -> ChatSession:
    """Nobody is available: the message becomes a ticket on the chat channel that is answered by email."""
    limits.check_visitor_message(visitor_id=visitor.pk, ip=ip)
    text = clean_text(text)
    if visitor.verified:
        email = visitor.email
    else:
        email = clean_email(email)
        set_visitor_contact(visitor=visitor, name=name, email=email)
    requester = requester_for(visitor)
    ticket = create_ticket(
        requester=requester,
        subject=_subject(text),
        by=Actor.of(requester),
        body=text,
        channel=Channel.CHAT,
        team=visitor.widget.team,
    )
    now = clock.now()
    session = ChatSession.objects.create(
        widget=visitor.widget,
        visitor=visitor,
        ticket=ticket,
        team_id=visitor.widget.team_id,
        state=ChatSession.State.OFFLINE,
        created_at=now,
        queued_at=now,
        ended_at=now,
        ended_by="visitor",
    )
    announce_session(session, change="offline")
    return session


@transaction.atomic
def set_visitor_contact(*, visitor: ChatVisitor, email: str, name: str = "") -> ChatVisitor:
    """The visitor says who they are (pre-chat form, or to continue by email).

    A typed address is not verified: it names the customer the conversation continues with by email, but it
    never shows the visitor anything of that customer's other tickets. A placeholder customer made for this
    visitor takes the address when nobody has it yet; otherwise the address's owner follows the live chat.
    """
    if visitor.verified:
        raise NotPermitted(_("You are signed in; your address comes from the website."))
    email = clean_email(email)
    name = clean_name(name)
    visitor.email, visitor.name = email, name or visitor.name
    visitor.save(update_fields=["email", "name"])
    current = visitor.user
    if current is None or not is_placeholder_email(current.email):
        if current is None or current.email != email:
            visitor.user = get_or_create_customer(email=email, name=visitor.name)
            visitor.save(update_fields=["user"])
        return visitor
    owner = find_user_by_email(email)
    if owner is None:
        # The placeholder was made by this channel for this visitor: it simply becomes the real customer.
        User.objects.filter(pk=current.pk).update(email=email, name=visitor.name or current.name)
        current.refresh_from_db()
        return visitor
    session = live_session(visitor)
    if session is not None and session.ticket is not None:
        add_followers(ticket=session.ticket, users=[owner], by=Actor.system("chat"))
    visitor.user = owner
    visitor.save(update_fields=["user"])
    return visitor


def _close(session: ChatSession, *, ended_by: str) -> None:
    was_queued = session.state == ChatSession.State.QUEUED
    session.state = ChatSession.State.ENDED
    session.ended_at = clock.now()
    session.ended_by = ended_by
    session.save(update_fields=["state", "ended_at", "ended_by"])
    announce_session(session, change="ended", ended_by=ended_by)
    if was_queued:
        announce_queue(session.team_id)


@transaction.atomic
def end_visitor_chat(*, visitor: ChatVisitor) -> ChatSession | None:
    """The visitor closes the conversation; an agent's slot frees up for the next chat in the queue."""
    session = live_session(visitor, lock=True)
    if session is None:
        return None
    _close(session, ended_by="visitor")
    dispatch_queue(team_id=session.team_id)
    return session


@transaction.atomic
def request_transcript(*, visitor: ChatVisitor, email: str = "", ip: str = "") -> ChatSession:
    """Mail the latest conversation to the visitor (through the outbox, with retries)."""
    from awn.connectors.chat.transcript import queue_transcript

    limits.check_transcript(visitor_id=visitor.pk, ip=ip)
    session = latest_session(visitor)
    if session is None or session.ticket is None:
        raise ValidationFailed(_("There is no conversation to send yet."), field="email")
    if visitor.verified or (visitor.email and not email):
        address = visitor.email
    else:
        address = clean_email(email)
        set_visitor_contact(visitor=visitor, email=address)
    queue_transcript(session=session, email=address, language=visitor.language)
    return session
