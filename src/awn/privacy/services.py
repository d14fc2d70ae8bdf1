"""Erasing a customer's personal data (GDPR Article 17): one service that walks every store Awn keeps.

It lives in its own module because it touches nearly every app (tickets, search, email, chat, surveys,
knowledge, outbox, automation); putting it in `accounts` would make the people app depend on all of them.
Tickets, their events and every report fact stay: the ticket keeps its status, team, times and counts, so
the team's metrics do not change; only the words that identify the person are replaced or removed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from awn.accounts.models import ApiToken, CustomerEmail, Role, User
from awn.accounts.permissions import can_administer
from awn.automation.models import Notification
from awn.connectors.chat.models import ChatSession, ChatVisitor, PageView
from awn.connectors.email.models import AutomaticReply, MessageEmail, RawEmail
from awn.core import clock
from awn.core.errors import NotPermitted, ValidationFailed
from awn.knowledge.deflection import email_hash
from awn.knowledge.models import Feedback, SuggestionSession
from awn.outbox.models import OutboxItem
from awn.search.indexing import reindex_ticket
from awn.surveys.models import NpsResponse, SatisfactionRating
from awn.tickets.models import Attachment, Message, Ticket, TicketEvent
from awn.tickets.services import Actor
from awn.tickets.services.recording import new_event, record_events

# Stored data, not interface text: what replaces personal words, the same whatever the viewer's language.
ERASED = "[erased]"
ERASED_DOMAIN = "erased.invalid"  # RFC 2606: can never be delivered to


def erased_email(user: User) -> str:
    return f"erased-{user.pk}@{ERASED_DOMAIN}"


def is_erased(user: User) -> bool:
    return user.email == erased_email(user)


@transaction.atomic
def erase_customer(*, customer: User, by: Actor) -> User:
    """Anonymize one customer everywhere Awn keeps their personal data; tickets and metrics stay."""
    if by.user is None or not can_administer(by.user):
        raise NotPermitted(_("Only administrators can erase a customer's personal data."))
    customer = User.objects.select_for_update().get(pk=customer.pk)
    if customer.role != Role.CUSTOMER:
        raise ValidationFailed(_("Only customers can be erased; staff accounts cannot."), field="role")

    addresses = _addresses_of(customer)
    ticket_ids = list(Ticket.objects.filter(requester=customer).values_list("pk", flat=True))
    message_ids = set(
        Message.objects.filter(Q(ticket_id__in=ticket_ids) | Q(author=customer)).values_list("pk", flat=True)
    )
    already = is_erased(customer)
    files: list[tuple[str, str]] = []  # (storage kind, name) to delete once the transaction commits

    files += _erase_messages(message_ids)
    copied_ids = _remove_from_recipients(addresses)
    files += _erase_raw_emails(addresses, message_ids, copied_ids)
    _erase_tickets(ticket_ids, addresses, by=by, record=not already)
    # Their messages on other people's tickets (as a follower or CC): those tickets' documents hold the body.
    other_ids = set(Message.objects.filter(pk__in=message_ids).values_list("ticket_id", flat=True))
    for ticket in Ticket.objects.filter(pk__in=set(ticket_ids) | other_ids):
        reindex_ticket(ticket)
    _cancel_deliveries(customer, addresses, ticket_ids, message_ids)
    _erase_chat(customer, addresses)
    SatisfactionRating.objects.filter(customer=customer).exclude(comment="").update(comment="")
    NpsResponse.objects.filter(customer=customer).exclude(comment="").update(comment="")
    Feedback.objects.filter(user=customer).exclude(comment="").update(comment="")
    hashes = [h for h in (email_hash(a) for a in addresses) if h]
    # Suggestion sessions are the knowledge base's deflection facts: unlinked from the person, not deleted.
    SuggestionSession.objects.filter(Q(user=customer) | Q(email_hash__in=hashes)).update(
        user=None, email_hash=""
    )
    Notification.objects.filter(ticket_id__in=ticket_ids).exclude(text=ERASED).update(text=ERASED)
    AutomaticReply.objects.filter(address__in=addresses).delete()
    _erase_account(customer)

    transaction.on_commit(lambda: _delete_files(files))
    return customer


def _addresses_of(customer: User) -> list[str]:
    addresses = {
        customer.email.lower(),
        *(e.lower() for e in customer.extra_emails.values_list("email", flat=True)),
    }
    addresses.discard(erased_email(customer))
    return sorted(addresses)


def _erase_messages(message_ids: set[int]) -> list[tuple[str, str]]:
    Message.objects.filter(pk__in=message_ids).exclude(body=ERASED, html="").update(body=ERASED, html="")
    attachments = Attachment.objects.filter(message_id__in=message_ids)
    names = [("attachment", name) for name in attachments.values_list("file", flat=True) if name]
    attachments.delete()
    return names


def _remove_from_recipients(addresses: list[str]) -> set[int]:
    """Take their addresses out of every message's To and Cc; returns the messages they were copied on."""
    if not addresses:
        return set()
    wanted = set(addresses)
    candidates = Q()
    for address in addresses:
        candidates |= Q(to__icontains=address) | Q(cc__icontains=address)
    copied: set[int] = set()
    for record in MessageEmail.objects.filter(candidates):
        to = [a for a in record.to if str(a).lower() not in wanted]
        cc = [a for a in record.cc if str(a).lower() not in wanted]
        if (to, cc) != (record.to, record.cc):
            MessageEmail.objects.filter(pk=record.pk).update(to=to, cc=cc)
            copied.add(record.message_id)
    return copied


def _erase_raw_emails(
    addresses: list[str], message_ids: set[int], copied_ids: set[int]
) -> list[tuple[str, str]]:
    """Their mail as it arrived: the file goes, the row and its status stay for the record."""
    theirs = Q(message_id__in=message_ids)
    for address in addresses:
        theirs |= Q(sender__iexact=address) | Q(envelope_from__iexact=address)
    names = [("raw", name) for name in RawEmail.objects.filter(theirs).values_list("file", flat=True) if name]
    RawEmail.objects.filter(theirs).update(
        file="",
        sender="",
        subject="",
        envelope_from="",
        envelope_to="",
        message_id_header="",
        reason="",
        reasons=[],
    )
    # Someone else's mail that copied them: their address is in its headers, so its raw file goes too.
    copied = RawEmail.objects.filter(message_id__in=copied_ids).exclude(file="")
    names += [("raw", name) for name in copied.values_list("file", flat=True)]
    copied.update(file="")
    return names


def _erase_tickets(ticket_ids: list[int], addresses: list[str], *, by: Actor, record: bool) -> None:
    Ticket.objects.filter(pk__in=ticket_ids).exclude(subject=ERASED).update(subject=ERASED)
    wanted = set(addresses)
    kinds = (TicketEvent.Kind.CREATED, TicketEvent.Kind.SUBJECT, TicketEvent.Kind.DELIVERY)
    events = TicketEvent.objects.filter(Q(ticket_id__in=ticket_ids, kind__in=kinds))
    for address in addresses:
        events |= TicketEvent.objects.filter(kind=TicketEvent.Kind.DELIVERY, new__icontains=address)
    for event in events:
        old, new = _scrubbed(event, wanted)
        if (old, new) != (event.old, event.new):
            TicketEvent.objects.filter(pk=event.pk).update(old=old, new=new)
    if record and ticket_ids:
        tickets = Ticket.objects.filter(pk__in=ticket_ids).only("pk")
        record_events([new_event(ticket=t, by=by, kind=TicketEvent.Kind.ERASED) for t in tickets])


def _scrubbed(event: TicketEvent, addresses: set[str]) -> tuple[object, object]:
    old, new = event.old, event.new
    if event.kind == TicketEvent.Kind.SUBJECT:
        return (ERASED if old else old), (ERASED if new else new)
    if event.kind == TicketEvent.Kind.CREATED and isinstance(new, dict) and "subject" in new:
        return old, {**new, "subject": ERASED}
    if event.kind == TicketEvent.Kind.DELIVERY and isinstance(new, dict):
        recipients = [r if str(r).lower() not in addresses else ERASED for r in new.get("recipients") or []]
        return old, {**new, "recipients": recipients, "reason": ERASED if new.get("reason") else ""}
    return old, new


def _cancel_deliveries(
    customer: User, addresses: list[str], ticket_ids: list[int], message_ids: set[int]
) -> None:
    """Nothing queued may mail them afterwards: acknowledgements, replies, surveys, chat transcripts."""
    tickets, messages = set(ticket_ids), set(message_ids)
    responses = set(NpsResponse.objects.filter(customer=customer).values_list("pk", flat=True))
    sessions = set(
        ChatSession.objects.filter(Q(visitor__user=customer) | Q(ticket_id__in=ticket_ids)).values_list(
            "pk", flat=True
        )
    )
    wanted = set(addresses)
    doomed: list[int] = []
    replies: list[int] = []
    pending = OutboxItem.objects.filter(status=OutboxItem.Status.QUEUED).only("pk", "kind", "payload")
    for item in pending.iterator():
        payload = _as_dict(item.payload)
        data = _as_dict(payload.get("data"))
        about = _as_dict(data.get("ticket"))
        if about.get("id") in tickets and about.get("subject") != ERASED:
            # A webhook about their ticket still goes out (integrations count on it), without the subject.
            rewritten = {**payload, "data": {**data, "ticket": {**about, "subject": ERASED}}}
            OutboxItem.objects.filter(pk=item.pk).update(payload=rewritten)
            continue
        if (
            payload.get("ticket") in tickets
            or payload.get("message") in messages
            or payload.get("response") in responses
            or payload.get("session") in sessions
            or str(payload.get("to") or "").lower() in wanted
            or str(payload.get("email") or "").lower() in wanted
        ):
            doomed.append(item.pk)
            if payload.get("message") in messages:
                replies.append(payload["message"])
    OutboxItem.objects.filter(pk__in=doomed, status=OutboxItem.Status.QUEUED).delete()
    # Failed, without a reason in words: the desk shows "Email failed" in the reader's language, and the
    # ticket's history says the customer's data was erased.
    MessageEmail.objects.filter(message_id__in=replies, delivery=MessageEmail.Delivery.QUEUED).update(
        delivery=MessageEmail.Delivery.FAILED, reason=""
    )


def _as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _erase_chat(customer: User, addresses: list[str]) -> None:
    visitors = ChatVisitor.objects.filter(Q(user=customer) | Q(email__in=addresses))
    visitor_ids = list(visitors.values_list("pk", flat=True))
    PageView.objects.filter(visitor_id__in=visitor_ids).delete()
    ChatVisitor.objects.filter(pk__in=visitor_ids).update(
        name="", email="", user_agent="", current_url="", current_title=""
    )


def _erase_account(customer: User) -> None:
    CustomerEmail.objects.filter(user=customer).delete()
    ApiToken.objects.filter(user=customer).delete()
    _end_sessions(customer)
    customer.name = ERASED
    customer.email = erased_email(customer)
    customer.phone = ""
    customer.plan = ""
    customer.attributes = {}
    customer.organization = None
    customer.is_active = False
    customer.last_login = None
    customer.set_unusable_password()
    customer.save(
        update_fields=[
            "name",
            "email",
            "phone",
            "plan",
            "attributes",
            "organization",
            "is_active",
            "password",
            "last_login",
        ]
    )


def _end_sessions(customer: User) -> None:
    """Signed out everywhere: every stored session of theirs is deleted (sessions live in the database)."""
    theirs = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=clock.now()).iterator()
        if str(session.get_decoded().get("_auth_user_id")) == str(customer.pk)
    ]
    Session.objects.filter(pk__in=theirs).delete()


def _delete_files(files: Iterable[tuple[str, str]]) -> None:
    """After the commit: a file still referenced by another row (same content stored once) stays."""
    for kind, name in files:
        if kind == "attachment":
            if Attachment.objects.filter(file=name).exists():
                continue
            storage = Attachment._meta.get_field("file").storage
        else:
            if RawEmail.objects.filter(file=name).exists():
                continue
            storage = RawEmail._meta.get_field("file").storage
        storage.delete(name)
