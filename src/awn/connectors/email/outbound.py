"""Outbound email: agents' public replies and acknowledgements, through the outbox (DESIGN.md §3).

A public reply by staff queues, in its own transaction, a MessageEmail (our Message-ID, threading headers,
recipients, delivery state "queued") and an outbox item keyed by the message. The outbox worker builds the
mail (HTML and text, attachments, signature, portal link, From "Agent via Mailbox") and sends it; the state
becomes sent, or failed with the reason, which the desk shows on the message. Bounces that come back later
turn a sent message into a failed one and add a "delivery" event to the ticket.
"""

from __future__ import annotations

import logging
import secrets
import smtplib
from datetime import timedelta
from email.utils import formataddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from awn.accounts.models import User
from awn.connectors.email.models import AutomaticReply, Mailbox, MessageEmail, email_domain
from awn.connectors.email.parsing import DeliveryReport
from awn.core import clock
from awn.core.events import DomainEvent, subscribe_in_transaction
from awn.outbox import registry
from awn.outbox.models import OutboxItem
from awn.outbox.registry import PermanentFailure
from awn.outbox.services import deliveries_suppressed, enqueue
from awn.tickets.models import Channel, Message, Ticket, TicketEvent
from awn.tickets.services import Actor
from awn.tickets.services.recording import record_event

log = logging.getLogger(__name__)
REPLY = "email.reply"
ACKNOWLEDGEMENT = "email.acknowledgement"
Delivery = MessageEmail.Delivery


def register() -> None:
    registry.register(REPLY, deliver_reply, on_sent=reply_sent, on_failed=reply_failed)
    registry.register(ACKNOWLEDGEMENT, deliver_acknowledgement)
    subscribe_in_transaction("ticket.message_added", queue_reply_email)


# --- choosing the mailbox and the headers ---------------------------------------------------------------


def new_message_id(prefix: str) -> str:
    return f"<awn.{prefix}.{secrets.token_hex(8)}@{email_domain()}>"


def mailbox_for_ticket(ticket: Ticket) -> Mailbox | None:
    """The mailbox the conversation came in through; else the team's; else the first active one."""
    first_inbound = (
        MessageEmail.objects.filter(
            message__ticket=ticket, direction=MessageEmail.Direction.INBOUND, mailbox__isnull=False
        )
        .select_related("mailbox")
        .order_by("id")
        .first()
    )
    if first_inbound is not None and first_inbound.mailbox is not None:
        return first_inbound.mailbox
    if ticket.team_id:
        mailbox = Mailbox.objects.filter(team_id=ticket.team_id, active=True).order_by("id").first()
        if mailbox is not None:
            return mailbox
    return Mailbox.objects.filter(active=True).order_by("id").first()


def thread_headers(ticket: Ticket, *, before: Message | None = None) -> tuple[str, list[str]]:
    """(In-Reply-To, References) for a new mail on the ticket: the latest known Message-ID, and the chain."""
    rows = MessageEmail.objects.filter(message__ticket=ticket)
    if before is not None:
        rows = rows.exclude(message=before)
    ids = list(rows.order_by("message__created_at", "id").values_list("message_id_header", flat=True))
    if not ids:
        return "", []
    # The first and the latest twenty are enough for every client to thread; headers stay short.
    chain = ids if len(ids) <= 21 else [ids[0], *ids[-20:]]
    return ids[-1], chain


def _recipients(message: Message, mailbox: Mailbox | None) -> tuple[list[str], list[str]]:
    ticket = message.ticket
    ours = {a.lower() for a in Mailbox.objects.values_list("address", flat=True)}
    requester = ticket.requester

    def wanted(person: User) -> bool:
        address = person.email.lower()
        # ".invalid" (RFC 2606) never receives mail, e.g. an anonymous chat visitor's placeholder address.
        return (
            person.is_active
            and person.pk != message.author_id
            and address not in ours
            and not address.endswith(".invalid")
        )

    to = [requester.email] if wanted(requester) else []
    cc = [
        person.email
        for person in ticket.followers.order_by("id")
        if wanted(person) and person.pk != requester.pk
    ]
    if not to and cc:
        to, cc = cc[:1], cc[1:]
    return to, cc


# --- queueing a reply, in the transaction that added it ------------------------------------------------


def queue_reply_email(event: DomainEvent) -> None:
    """A staff member's public message is mailed to the requester, with the followers copied."""
    data = event.data
    if data.get("internal") or not data.get("from_staff") or not data.get("message_id"):
        return
    if deliveries_suppressed():
        return
    message = Message.objects.select_related("ticket", "ticket__requester", "author").get(
        pk=data["message_id"]
    )
    if message.channel == Channel.EMAIL and message.source_id:
        return  # an agent's own email into the thread: their mail client already sent it
    mailbox = mailbox_for_ticket(message.ticket)
    to, cc = _recipients(message, mailbox)
    if not to:
        return
    in_reply_to, references = thread_headers(message.ticket, before=message)
    MessageEmail.objects.create(
        message=message,
        mailbox=mailbox,
        direction=MessageEmail.Direction.OUTBOUND,
        message_id_header=new_message_id(f"{message.ticket_id}.{message.pk}"),
        in_reply_to=in_reply_to,
        references=" ".join(references),
        to=to,
        cc=cc,
        delivery=Delivery.QUEUED,
    )
    enqueue(kind=REPLY, payload={"message": message.pk}, key=f"{REPLY}:{message.pk}")


# --- building and sending ------------------------------------------------------------------------------


def connection_for(mailbox: Mailbox | None):
    """The mailbox's own SMTP server when it has one, else the installation's (AWN_SMTP_*)."""
    if mailbox is None or not mailbox.smtp_host:
        return get_connection(fail_silently=False)
    return get_connection(
        "django.core.mail.backends.smtp.EmailBackend",
        fail_silently=False,
        host=mailbox.smtp_host,
        port=mailbox.smtp_port,
        username=mailbox.smtp_username or None,
        password=mailbox.smtp_password or None,
        use_tls=mailbox.smtp_security == Mailbox.Security.STARTTLS,
        use_ssl=mailbox.smtp_security == Mailbox.Security.SSL,
        timeout=settings.EMAIL_TIMEOUT,
    )


def _from_header(mailbox: Mailbox | None, author: User | None) -> tuple[str, str]:
    """(From, envelope sender)."""
    if mailbox is None:
        return settings.DEFAULT_FROM_EMAIL, settings.DEFAULT_FROM_EMAIL
    name = mailbox.name
    if author is not None:
        name = _("%(agent)s via %(mailbox)s") % {"agent": author.display_name, "mailbox": mailbox.name}
    return formataddr((name, mailbox.address)), mailbox.address


def _language(ticket: Ticket) -> str:
    return ticket.requester.language or ticket.language or settings.LANGUAGE_CODE


def _subject(ticket: Ticket) -> str:
    return _("[#%(number)s] %(subject)s") % {"number": ticket.number, "subject": ticket.subject}


def portal_url(ticket: Ticket) -> str:
    return settings.AWN_BASE_URL + reverse("portal:ticket", args=[ticket.number])


def build_reply(record: MessageEmail) -> EmailMultiAlternatives:
    message = record.message
    ticket = message.ticket
    mailbox = record.mailbox
    language = _language(ticket)
    attachments = list(message.attachments.all())
    with translation.override(language):
        context = {
            "ticket": ticket,
            "message": message,
            "mailbox": mailbox,
            "url": portal_url(ticket),
            "attachments": attachments,
            "helpdesk_name": settings.AWN_HELPDESK_NAME,
            "signature": mailbox.signature if mailbox else "",
        }
        subject = _subject(ticket)
        text = render_to_string("email/reply.txt", context)
        html = render_to_string("email/reply.html", context)
        sender, envelope = _from_header(mailbox, message.author)
    headers = {
        "Message-ID": record.message_id_header,
        "X-Awn-Ticket": str(ticket.number),
        "Content-Language": language,
        "Reply-To": mailbox.address if mailbox else sender,
        "X-Awn-Loop": email_domain(),
    }
    if record.in_reply_to:
        headers["In-Reply-To"] = record.in_reply_to
    if record.references:
        headers["References"] = record.references
    mail = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=sender,
        to=list(record.to),
        cc=list(record.cc),
        headers=headers,
        connection=connection_for(mailbox),
    )
    mail.attach_alternative(html, "text/html")
    for attachment in attachments:
        with attachment.file.open("rb") as handle:
            mail.attach(attachment.filename, handle.read(), attachment.content_type)
    mail.extra_headers["Sender"] = envelope
    return mail


def _send(mail: EmailMultiAlternatives) -> None:
    """Send; a refusal retrying cannot change (5xx) is a PermanentFailure, anything else is retried."""
    try:
        mail.send(fail_silently=False)
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _msg in exc.recipients.values()]
        detail = "; ".join(
            f"{address}: {code} {msg.decode(errors='replace') if isinstance(msg, bytes) else msg}"
            for address, (code, msg) in exc.recipients.items()
        )
        if codes and all(code >= 500 for code in codes):
            raise PermanentFailure(detail) from exc
        raise
    except smtplib.SMTPAuthenticationError:
        raise  # a configuration problem: retried with backoff while an admin fixes the password
    except smtplib.SMTPResponseException as exc:
        if exc.smtp_code >= 500:
            error = (
                exc.smtp_error.decode(errors="replace")
                if isinstance(exc.smtp_error, bytes)
                else exc.smtp_error
            )
            raise PermanentFailure(f"{exc.smtp_code} {error}") from exc
        raise


def deliver_reply(item: OutboxItem) -> None:
    record = (
        MessageEmail.objects.select_related(
            "message", "message__ticket", "message__ticket__requester", "message__author", "mailbox"
        )
        .filter(message__pk=item.payload.get("message"))
        .first()
    )
    if record is None:
        raise PermanentFailure("the message was deleted before it could be sent")
    try:
        _send(build_reply(record))
    except PermanentFailure:
        raise
    except Exception as exc:
        # The error in the mail server's (or the network's) own words; the desk says "will retry" in the
        # reader's language (email/_delivery.html).
        MessageEmail.objects.filter(pk=record.pk).update(reason=str(exc)[:2000])
        raise


def reply_sent(item: OutboxItem) -> None:
    MessageEmail.objects.filter(message__pk=item.payload.get("message")).update(
        delivery=Delivery.SENT, reason="", sent_at=item.sent_at or clock.now()
    )


def reply_failed(item: OutboxItem, reason: str) -> None:
    record = (
        MessageEmail.objects.select_related("message__ticket")
        .filter(message__pk=item.payload.get("message"))
        .first()
    )
    if record is None:
        return
    MessageEmail.objects.filter(pk=record.pk).update(delivery=Delivery.FAILED, reason=reason[:2000])
    record_event(
        ticket=record.message.ticket,
        by=Actor.system("email"),  # named in the reader's language by the desk
        kind=TicketEvent.Kind.DELIVERY,
        message=record.message,
        new={"state": "failed", "recipients": [*record.to, *record.cc], "reason": reason[:500]},
    )


# --- bounces ------------------------------------------------------------------------------------------


def record_bounce(report: DeliveryReport) -> Message | None:
    """A bounce about one of our mails: that message's delivery failed; the ticket's history says so."""
    if not report.original_message_id:
        return None
    record = (
        MessageEmail.objects.select_related("message__ticket")
        .filter(message_id_header=report.original_message_id, direction=MessageEmail.Direction.OUTBOUND)
        .first()
    )
    if record is None:
        return None
    reason = report.reason
    if report.recipients:
        reason = f"{', '.join(report.recipients)}: {reason}"
    MessageEmail.objects.filter(pk=record.pk).update(delivery=Delivery.FAILED, reason=reason[:2000])
    record_event(
        ticket=record.message.ticket,
        by=Actor.system("email"),  # named in the reader's language by the desk
        kind=TicketEvent.Kind.DELIVERY,
        message=record.message,
        new={
            "state": "bounced",
            "recipients": report.recipients or [*record.to, *record.cc],
            "reason": report.reason[:500],
        },
    )
    return record.message


# --- acknowledgements ------------------------------------------------------------------------------------


def may_send_automatic_reply(address: str) -> bool:
    """At most AWN_EMAIL_AUTOREPLY_LIMIT automatic mails per sender per window: two robots that answer
    each other stop after a few rounds, whatever headers they forget."""
    since = clock.now() - timedelta(seconds=settings.AWN_EMAIL_AUTOREPLY_WINDOW)
    sent = AutomaticReply.objects.filter(address=address.lower(), sent_at__gte=since).count()
    return sent < settings.AWN_EMAIL_AUTOREPLY_LIMIT


def queue_acknowledgement(*, mailbox: Mailbox, ticket: Ticket, message: Message, to: str) -> bool:
    """Queue the "we got your request" mail; False when the sender's automatic-reply budget is spent."""
    if not may_send_automatic_reply(to):
        return False
    AutomaticReply.objects.create(address=to.lower(), ticket_id=ticket.pk)
    original = (
        MessageEmail.objects.filter(message=message).values_list("message_id_header", flat=True).first() or ""
    )
    enqueue(
        kind=ACKNOWLEDGEMENT,
        key=f"{ACKNOWLEDGEMENT}:{message.pk}",
        payload={
            "ticket": ticket.pk,
            "mailbox": mailbox.pk,
            "to": to,
            "in_reply_to": original or message.source_id or "",
            "message_id": new_message_id(f"{ticket.pk}.ack"),
        },
    )
    return True


def deliver_acknowledgement(item: OutboxItem) -> None:
    payload = item.payload
    ticket = Ticket.objects.select_related("requester").filter(pk=payload.get("ticket")).first()
    mailbox = Mailbox.objects.filter(pk=payload.get("mailbox")).first()
    if ticket is None or mailbox is None:
        raise PermanentFailure("the ticket or the mailbox was deleted")
    language = _language(ticket)
    with translation.override(language):
        context = {
            "ticket": ticket,
            "mailbox": mailbox,
            "url": portal_url(ticket),
            "helpdesk_name": settings.AWN_HELPDESK_NAME,
        }
        subject = _subject(ticket)
        text = render_to_string("email/acknowledgement.txt", context)
    headers = {
        "Message-ID": payload["message_id"],
        "Auto-Submitted": "auto-replied",
        "X-Auto-Response-Suppress": "All",
        "X-Awn-Ticket": str(ticket.number),
        "Content-Language": language,
        "X-Awn-Loop": email_domain(),
    }
    if payload.get("in_reply_to"):
        headers["In-Reply-To"] = headers["References"] = payload["in_reply_to"]
    sender, _envelope = _from_header(mailbox, None)
    mail = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=sender,
        to=[payload["to"]],
        headers=headers,
        connection=connection_for(mailbox),
    )
    _send(mail)


def deliveries_for(message_ids: list[int]) -> dict[int, MessageEmail]:
    """The email side of these messages, in one query (the desk's thread)."""
    if not message_ids:
        return {}
    return {row.message_id: row for row in MessageEmail.objects.filter(message__pk__in=message_ids)}
