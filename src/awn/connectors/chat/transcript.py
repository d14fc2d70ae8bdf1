"""The transcript of a chat, mailed to the visitor on request through the outbox (DESIGN.md §3)."""

from __future__ import annotations

import secrets
from email.utils import formataddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from awn.connectors.chat.models import ChatSession
from awn.outbox import registry
from awn.outbox.models import OutboxItem
from awn.outbox.registry import PermanentFailure
from awn.outbox.services import enqueue

TRANSCRIPT = "chat.transcript"


def register() -> None:
    registry.register(TRANSCRIPT, deliver_transcript)


def queue_transcript(*, session: ChatSession, email: str, language: str = "") -> OutboxItem | None:
    """Queue the mail in the caller's transaction; each request is its own delivery."""
    key = f"{TRANSCRIPT}:{session.pk}:{secrets.token_hex(8)}"
    return enqueue(
        kind=TRANSCRIPT, payload={"session": session.pk, "email": email, "language": language}, key=key
    )


def build_transcript(session: ChatSession, *, email: str, language: str) -> EmailMultiAlternatives:
    from awn.connectors.email.outbound import connection_for, mailbox_for_ticket

    ticket = session.ticket
    assert ticket is not None
    messages = list(
        ticket.messages.filter(internal=False).select_related("author").order_by("created_at", "id")
    )
    mailbox = mailbox_for_ticket(ticket)
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    with translation.override(language):
        context = {
            "session": session,
            "ticket": ticket,
            "messages": messages,
            "helpdesk_name": settings.AWN_HELPDESK_NAME,
            "title": session.widget.title or _("Chat"),
        }
        # "[#1234]" lets a reply to this mail thread into the same ticket (the email channel's subject token).
        subject = _("[#%(number)s] Your chat with %(helpdesk)s") % {
            "helpdesk": settings.AWN_HELPDESK_NAME,
            "number": ticket.number,
        }
        text = render_to_string("chat/transcript.txt", context)
        html = render_to_string("chat/transcript.html", context)
    sender = formataddr((mailbox.name, mailbox.address)) if mailbox else settings.DEFAULT_FROM_EMAIL
    mail = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=sender,
        to=[email],
        headers={
            "X-Awn-Ticket": str(ticket.number),
            "Content-Language": language,
            "Auto-Submitted": "auto-generated",
        },
        connection=connection_for(mailbox),
    )
    mail.attach_alternative(html, "text/html")
    return mail


def deliver_transcript(item: OutboxItem) -> None:
    session = (
        ChatSession.objects.select_related("ticket", "widget").filter(pk=item.payload.get("session")).first()
    )
    if session is None or session.ticket is None:
        raise PermanentFailure("the chat no longer exists")
    build_transcript(session, email=item.payload["email"], language=item.payload.get("language", "")).send(
        fail_silently=False
    )
