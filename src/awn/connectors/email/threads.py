"""Which ticket an inbound email continues: our Message-IDs first, then [#1234] in the subject, then a
plus-address (support+t1234@…). The ticket service still checks the sender may write to that ticket."""

from __future__ import annotations

import re
from collections.abc import Iterable

from awn.connectors.email.models import MessageEmail
from awn.connectors.email.parsing import ParsedEmail
from awn.tickets.models import Ticket

SUBJECT_TOKEN = re.compile(r"\[#(\d{1,12})\]")
PLUS_TOKEN = re.compile(r"^(?P<local>[^+@]+)\+t(?P<number>\d{1,12})@(?P<domain>.+)$", re.IGNORECASE)


def ticket_from_headers(email: ParsedEmail) -> int | None:
    ids = email.thread_ids
    if not ids:
        return None
    known = dict(
        MessageEmail.objects.filter(message_id_header__in=ids).values_list(
            "message_id_header", "message__ticket_id"
        )
    )
    for mid in ids:  # nearest first: In-Reply-To, then References from the newest
        if mid in known:
            return known[mid]
    return None


def ticket_from_subject(subject: str) -> int | None:
    for match in SUBJECT_TOKEN.finditer(subject or ""):
        number = int(match.group(1))
        if Ticket.objects.filter(pk=number).exists():
            return number
    return None


def ticket_from_plus_address(recipients: Iterable[str], our_addresses: set[str]) -> int | None:
    for address in recipients:
        match = PLUS_TOKEN.match(address or "")
        if not match:
            continue
        base = f"{match.group('local')}@{match.group('domain')}".lower()
        if base in our_addresses and Ticket.objects.filter(pk=int(match.group("number"))).exists():
            return int(match.group("number"))
    return None


def plain_address(address: str) -> str:
    """support+t12@x → support@x (how a plus-address names its mailbox)."""
    match = PLUS_TOKEN.match(address or "")
    if match:
        return f"{match.group('local')}@{match.group('domain')}".lower()
    local, _, domain = (address or "").lower().partition("@")
    return f"{local.split('+', 1)[0]}@{domain}" if domain else local


def find_ticket(
    email: ParsedEmail, *, recipients: Iterable[str], our_addresses: set[str]
) -> tuple[int | None, str]:
    """(ticket id, how it was found) or (None, "") for a new conversation."""
    ticket_id = ticket_from_headers(email)
    if ticket_id:
        return ticket_id, "headers"
    ticket_id = ticket_from_subject(email.subject)
    if ticket_id:
        return ticket_id, "subject"
    ticket_id = ticket_from_plus_address(recipients, our_addresses)
    if ticket_id:
        return ticket_id, "plus-address"
    return None, ""
