"""The one ingestion service every inbound path uses (IMAP, SMTP/LMTP, HTTP, import): raw first, then parse,
filter, thread, and one call of the ticket service (DESIGN.md §3).

`store_raw_email` commits the bytes before anything reads them; `ingest_raw_email` turns one stored message
into a ticket message in a single transaction, so a worker killed half-way leaves it "received" for the next
one, and the Message-ID dedupe makes a second delivery of the same mail a no-op.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from html import escape

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import DatabaseError, DataError, IntegrityError, OperationalError, connection, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from awn.connectors.email import quoting, reasons
from awn.connectors.email.filters import FilterContext, Verdict, run_filters
from awn.connectors.email.models import Mailbox, MessageEmail, RawEmail, email_domain
from awn.connectors.email.parsing import MalformedEmail, ParsedEmail, header_text, parse_email, parse_headers
from awn.connectors.email.reasons import Reason, reason
from awn.connectors.email.threads import find_ticket, plain_address
from awn.core import clock
from awn.core.errors import DomainError
from awn.reports import rollups
from awn.tickets.inbound import InboundMessage, IncomingFile
from awn.tickets.models import Channel, Message, Ticket
from awn.tickets.services import receive_message

log = logging.getLogger(__name__)
Status = RawEmail.Status
HEADER_KEEP_BYTES = 64 * 1024  # what a refused (oversized) message keeps: its header block, for the admin


def our_addresses() -> set[str]:
    return {address.lower() for address in Mailbox.objects.values_list("address", flat=True)}


@dataclass(frozen=True)
class RawMeta:
    message_id: str = ""
    sender: str = ""
    subject: str = ""


def _peek(raw: bytes) -> RawMeta:
    """Message-ID, From and Subject from the header block, for the raw row; never fails."""
    try:
        headers = parse_headers(raw[:HEADER_KEEP_BYTES])
        ids = re.findall(r"<[^<>\s]+>", header_text(headers, "Message-ID"))
        return RawMeta(
            message_id=ids[0][:255] if ids else "",
            sender=header_text(headers, "From")[:254],
            subject=header_text(headers, "Subject")[:255],
        )
    except Exception:  # the raw row must be written whatever the bytes are
        return RawMeta()


def _header_block(raw: bytes) -> bytes:
    end = raw.find(b"\r\n\r\n")
    if end < 0:
        end = raw.find(b"\n\n")
    return raw[: end if 0 <= end < HEADER_KEEP_BYTES else HEADER_KEEP_BYTES]


def store_raw_email(
    *,
    raw: bytes,
    source: str,
    mailbox: Mailbox | None = None,
    envelope_from: str = "",
    envelope_to: tuple[str, ...] | list[str] = (),
) -> RawEmail:
    """Keep the message as it arrived (committed on return). Oversized ones keep only their headers and are
    marked refused with the reason."""
    meta = _peek(raw)
    digest = hashlib.sha256(raw).hexdigest()
    row = RawEmail(
        mailbox=mailbox,
        source=source,
        size=len(raw),
        sha256=digest,
        message_id_header=meta.message_id,
        sender=meta.sender,
        subject=meta.subject,
        envelope_from=(envelope_from or "")[:254],
        envelope_to="\n".join(envelope_to),
        received_at=clock.now(),
    )
    limit = settings.AWN_EMAIL_MAX_MESSAGE_BYTES
    content = raw
    if len(raw) > limit:
        content = _header_block(raw)
        row.status = Status.REFUSED
        reasons.record(row, [reason("too_large", size=_megabytes(len(raw)), limit=_megabytes(limit))])
        row.processed_at = row.received_at
    with transaction.atomic():
        row.file.save("raw.eml", ContentFile(content), save=False)
        row.save()
    return row


def refusal_reason(size: int, *, code: str = "too_large_short") -> Reason | None:
    """Why a message of `size` bytes is refused before it is read (None: it is not)."""
    return too_large(size, code=code) if size > settings.AWN_EMAIL_MAX_MESSAGE_BYTES else None


def too_large(size: int, *, code: str = "too_large_short") -> Reason:
    return reason(code, size=_megabytes(size), limit=_megabytes(settings.AWN_EMAIL_MAX_MESSAGE_BYTES))


def _megabytes(size: int) -> float:
    return round(size / 1048576, 1)


BATCH_SIZE = 20  # stored messages ingested per transaction by the workers (`awn mail ingest --batch`)
RETRIES = 5  # batches in a row rolled back by the database (deadlocks between workers) before giving up
ROW_FIELDS = [
    "status",
    "reason",
    "reasons",
    "message",
    "processed_at",
    "attempts",
    "message_id_header",
    "subject",
    "sender",
]


def ingest_raw_email(raw_id: int) -> RawEmail:
    """Turn one stored message into a ticket message (or a bounce, a duplicate, a quarantined message).

    Idempotent: a raw email that is no longer "received" is returned untouched."""
    rows = _ingest_batch(Q(pk=raw_id))
    return rows[0] if rows else RawEmail.objects.select_related("mailbox").get(pk=raw_id)


def ingest_raw_emails(raw_ids: list[int]) -> list[RawEmail]:
    """Several stored messages in one transaction (a listener's worker drains its queue this way); those no
    longer "received" are left untouched and not returned."""
    return _ingest_batch(Q(pk__in=raw_ids)) if raw_ids else []


def ingest_next_batch(*, size: int = BATCH_SIZE, received_before=None) -> list[RawEmail]:
    """Claim up to `size` stored messages still waiting, oldest first, and ingest them in one transaction.

    Each message has its own savepoint: one that fails goes to the quarantine with its reason and the others
    land. A worker killed mid-batch commits none of them: they stay "received" and the next run takes them.
    On PostgreSQL, rows another worker holds are skipped (SKIP LOCKED), so workers can run side by side."""
    where = Q(status=Status.RECEIVED)
    if received_before is not None:
        where &= Q(received_at__lte=received_before)
    return _ingest_batch(where, limit=size, skip_locked=True)


class _Deferred(Exception):
    """Try this message again in a later batch: it is a reply whose parent is stored but still being
    ingested by another worker (so that it threads instead of opening a ticket of its own), or its ticket is
    held by another worker's batch (so that the two batches never wait on each other)."""


class _Batch:
    """What the messages of one ingestion transaction share, read once per transaction (a mailbox added or
    changed is seen by the next batch): our addresses, and which of their Message-IDs are already stored."""

    def __init__(self, rows: list[RawEmail]):
        self.our_addresses = our_addresses()
        self.row_ids = {row.pk for row in rows}
        keys = {_dedupe_key(row.message_id_header, row) for row in rows}
        self.checked = set(keys)
        self.stored = dict(Message.objects.filter(source_id__in=keys).values_list("source_id", "pk"))

    def stored_message(self, source_id: str) -> int | None:
        """The id of the message already stored under this Message-ID (before or earlier in this batch)."""
        if source_id not in self.checked:
            self.checked.add(source_id)
            found = Message.objects.filter(source_id=source_id).values_list("pk", flat=True).first()
            if found is not None:
                self.stored[source_id] = found
        return self.stored.get(source_id)

    def remember(self, source_id: str, message_id: int) -> None:
        self.checked.add(source_id)
        self.stored[source_id] = message_id


def _dedupe_key(message_id: str, row: RawEmail) -> str:
    """The Message-ID, or for a message without one a key from its SHA-256."""
    return message_id or f"<raw.{row.sha256[:40]}@awn.invalid>"


def _ingest_batch(where: Q, *, limit: int | None = None, skip_locked: bool = False) -> list[RawEmail]:
    with transaction.atomic():
        waiting = (
            RawEmail.objects.select_for_update(of=("self",), skip_locked=skip_locked)
            .select_related("mailbox")
            .filter(where)
            .order_by("received_at", "id")
        )
        rows = list(waiting[:limit] if limit else waiting)
        if not rows:
            return []
        batch = _Batch(rows)
        # The report roll-ups of the whole batch are written once, at its end, in one order (see
        # rollups.collecting): the busiest rows are the same few per day for every message.
        with rollups.collecting():
            for row in rows:
                _ingest_row(row, batch)
        _save_rows([row for row in rows if row.status != Status.RECEIVED])
    return rows


def _save_rows(rows: list[RawEmail]) -> None:
    """The outcome of each message of a batch, as one statement run for every row (executemany).

    bulk_update's CASE expressions cost more to build than the rest of a message's email work."""
    if not rows:
        return
    meta = RawEmail._meta
    fields = [meta.get_field(name) for name in ROW_FIELDS]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    # Names from the model, values as parameters.
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s"  # noqa: S608
    params = [
        [field.get_db_prep_save(getattr(row, field.attname), connection) for field in fields] + [row.pk]
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _ingest_row(row: RawEmail, batch: _Batch) -> None:
    """One message of a batch, in its own savepoint; whatever fails ends in the quarantine with the reason."""
    row.attempts += 1
    try:
        # A message rolled back to its savepoint adds nothing to the batch's roll-ups either.
        with rollups.tentative(), transaction.atomic():
            source_id = _ingest(row, batch)
    except _Deferred:
        row.attempts -= 1
        return
    except IntegrityError as exc:
        # The same Message-ID arrived through another mailbox and won the race: a duplicate.
        existing = (
            Message.objects.filter(source_id=row.message_id_header).values_list("pk", flat=True).first()
            if row.message_id_header
            else None
        )
        if existing is not None:
            row.status, row.message_id = Status.DUPLICATE, existing
            reasons.record(row, [])
        else:
            _quarantine(row, reason("database_refused", error=str(exc)[:500]))
    except DataError as exc:  # a value the database cannot take: this message's fault, not the batch's
        _quarantine(row, reason("database_refused", error=str(exc)[:500]))
    except DatabaseError:
        raise  # locked or lost database: the batch stays "received" for the next try
    except MalformedEmail as exc:
        _quarantine(row, exc.reason)
    except DomainError as exc:
        _quarantine(row, reason("refused", error=exc.message[:500]))
    except Exception as exc:  # a parser or threading bug must not lose the message
        log.exception("ingesting raw email %s failed", row.pk)
        _quarantine(row, reason("unexpected", error=f"{type(exc).__name__}: {exc}"[:500]))
    else:
        if source_id and row.message_id:
            batch.remember(source_id, row.message_id)
    row.processed_at = clock.now()


def _quarantine(row: RawEmail, why: Reason) -> None:
    row.status = Status.QUARANTINED
    reasons.record(row, [why])


def _ingest(row: RawEmail, batch: _Batch) -> str:
    """Parse, filter, thread and store one message; returns its dedupe key once it is (or was) stored."""
    parsed = parse_email(row.read_bytes())
    row.message_id_header = parsed.message_id or row.message_id_header
    row.subject = parsed.subject[:255]
    row.sender = parsed.from_address[:254]
    ours = batch.our_addresses
    verdict = run_filters(
        parsed, FilterContext(our_addresses=ours, our_message_id_suffix=f"@{email_domain()}>")
    )
    if verdict.ignore:
        row.status = Status.IGNORED
        reasons.record(row, [verdict.ignore])
        return ""
    if verdict.bounce is not None:
        from awn.connectors.email.outbound import record_bounce

        message = record_bounce(verdict.bounce)
        if message is None:
            row.status = Status.IGNORED
            reasons.record(
                row, [reason("bounce_unknown", message_id=verdict.bounce.original_message_id or "?")]
            )
        else:
            row.status, row.message = Status.INGESTED, message
            reasons.record(row, [reason("bounce", report=verdict.bounce.reason)])
        return ""
    if not parsed.from_address:
        raise MalformedEmail("no_sender")
    source_id = _dedupe_key(parsed.message_id, row)
    existing = batch.stored_message(source_id)
    if existing is not None:
        row.status, row.message_id = Status.DUPLICATE, existing
        reasons.record(row, [reason("duplicate", id=existing)])
        return source_id
    envelope = [line for line in row.envelope_to.split("\n") if line]
    recipients = [*envelope, *parsed.delivered_to, *(a for _n, a in parsed.to), *(a for _n, a in parsed.cc)]
    ticket_id, how = find_ticket(parsed, recipients=recipients, our_addresses=ours)
    if ticket_id is None and parsed.thread_ids and connection.features.has_select_for_update_skip_locked:
        if _parent_in_flight(parsed.thread_ids, batch):
            raise _Deferred
        # Not in flight now: a parent another worker committed after the first look above (which could not
        # see it yet) and before this check is found by a second look.
        ticket_id, how = find_ticket(parsed, recipients=recipients, our_addresses=ours)
    if ticket_id is not None and len(batch.row_ids) > 1:
        _claim_ticket(ticket_id)
    body, html, notes = _content(parsed, is_reply=bool(ticket_id or parsed.thread_ids))
    files, refused = _attachments(parsed)
    notes.extend(refused)
    if refused:
        # The message's own text says what was refused, in the language of the site (it is content).
        lines = [note.text() for note in refused]
        body = body + "\n\n" + "\n".join(f"[{line}]" for line in lines)
        html = (html + "".join(f"<p>[{escape(line)}]</p>" for line in lines)) if html else ""
    mailbox = row.mailbox
    sender_address = parsed.from_address
    cc = tuple(
        sorted(
            {
                address
                for address in (a for _n, a in [*parsed.to, *parsed.cc])
                if plain_address(address) not in ours and address != sender_address
            }
        )
    )
    inbound = InboundMessage(
        channel=Channel.EMAIL,
        sender_email=sender_address,
        sender_name=parsed.from_name,
        subject=parsed.subject,
        body=body,
        html=html,
        ticket_id=ticket_id,
        source_id=source_id,
        cc=cc,
        attachments=tuple(files),
        team_id=mailbox.team_id if mailbox else None,
    )
    # The message is new: its Message-ID was looked up above, in this transaction (the ticket service need not
    # look again). Should another worker have stored it in between, the message's INSERT fails on the unique
    # Message-ID, and the row becomes a duplicate.
    message = receive_message(inbound, source_id_checked=True)
    MessageEmail.objects.create(
        message=message,
        mailbox=mailbox,
        raw=row,
        direction=MessageEmail.Direction.INBOUND,
        message_id_header=source_id,
        in_reply_to=parsed.in_reply_to[0][:255] if parsed.in_reply_to else "",
        references=" ".join(parsed.references)[:5000],
        to=[a for _n, a in parsed.to],
        cc=[a for _n, a in parsed.cc],
        delivery=MessageEmail.Delivery.RECEIVED,
    )
    row.status, row.message = Status.INGESTED, message
    threaded = [reason(THREADED[how])] if how else []
    reasons.record(row, [*threaded, *verdict.reasons, *notes])
    _maybe_acknowledge(row, parsed, message, verdict)
    return source_id


THREADED = {
    "headers": "threaded_headers",
    "subject": "threaded_subject",
    "plus-address": "threaded_plus_address",
}


def _claim_ticket(ticket_id: int) -> None:
    """Take the ticket's row lock now, without waiting (PostgreSQL), or defer the message.

    The ticket service locks a ticket before adding to it, and a batch keeps the locks of every ticket it
    wrote to until it commits. Two workers' batches replying to the same two tickets in opposite orders
    each waited for the other's lock, until PostgreSQL broke the deadlock by rolling one batch back whole
    (2–3 times per 10,000 messages, each a batch ingested twice). A message whose ticket (or the ticket it
    was merged into) another batch holds now waits for a later batch instead. A batch of one message holds
    no other ticket, so it waits as before."""
    if not connection.features.has_select_for_update_nowait:
        return
    seen: set[int] = set()
    next_id: int | None = ticket_id
    while next_id is not None and next_id not in seen:
        seen.add(next_id)
        try:
            with transaction.atomic():
                next_id = (
                    Ticket.objects.select_for_update(nowait=True)
                    .filter(pk=next_id)
                    .values_list("merged_into_id", flat=True)
                    .first()
                )
        except OperationalError as exc:
            if getattr(exc.__cause__, "sqlstate", None) != LOCK_NOT_AVAILABLE:
                raise
            raise _Deferred from exc


LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL's SQLSTATE for a NOWAIT lock another transaction holds


def _parent_in_flight(thread_ids: list[str], batch: _Batch) -> bool:
    """Whether a message this one answers is being ingested right now by another worker (its row is locked):
    only then is a reply that threads nowhere worth waiting for. A parent stored but not taken by anyone
    (it arrived after its reply) is not waited for. SQLite has one writer at a time: nothing is ever in flight
    elsewhere."""
    if not connection.features.has_select_for_update_skip_locked:
        return False
    waiting = set(
        RawEmail.objects.filter(message_id_header__in=thread_ids, status=Status.RECEIVED)
        .exclude(pk__in=batch.row_ids)
        .values_list("pk", flat=True)
    )
    if not waiting:
        return False
    free = (
        RawEmail.objects.select_for_update(skip_locked=True)
        .filter(pk__in=waiting)
        .values_list("pk", flat=True)
    )
    return bool(waiting - set(free))


def _content(parsed: ParsedEmail, *, is_reply: bool) -> tuple[str, str, list[Reason]]:
    notes: list[Reason] = []
    text, html = parsed.text or "", parsed.html or ""
    if is_reply:
        text, cut_text = quoting.strip_text(text)
        html, cut_html = quoting.strip_html(html)
        if cut_text or cut_html:
            notes.append(reason("quoted_cut"))
    if html:
        html = _inline_images(html, parsed)
    for forwarded in parsed.forwarded:
        header = _("Forwarded message from %(sender)s: %(subject)s") % {
            "sender": forwarded.from_address or "?",
            "subject": forwarded.subject or "—",
        }
        text = f"{text}\n\n---------- {header} ----------\n{forwarded.text or ''}".strip()
        if html:
            html += f"<hr><p>{escape(header)}</p>" + (
                forwarded.html or f"<pre>{escape(forwarded.text)}</pre>"
            )
    if not text.strip() and not html.strip():
        text = _("(no text; see the attachments)") if parsed.attachments else _("(empty message)")
    return text, html, notes


_CID_IMG = re.compile(r"<img\b[^>]*\bsrc=[\"']?cid:([^\"'\s>]+)[^>]*>", re.IGNORECASE)


def _inline_images(html: str, parsed: ParsedEmail) -> str:
    """An inline image (cid:) is stored as an attachment; in the body it becomes a labelled placeholder."""
    names = {a.content_id: a.filename for a in parsed.attachments if a.content_id}

    def placeholder(match: re.Match) -> str:
        name = names.get(match.group(1), match.group(1))
        return f"<span>[{escape(_('image: %(name)s') % {'name': name})}]</span>"

    return _CID_IMG.sub(placeholder, html)


def _attachments(parsed: ParsedEmail) -> tuple[list[IncomingFile], list[Reason]]:
    files: list[IncomingFile] = []
    refused: list[Reason] = []
    limit = settings.AWN_MAX_ATTACHMENT_BYTES
    for item in parsed.attachments:
        if len(item.content) > limit:
            refused.append(
                reason(
                    "attachment_too_large",
                    name=item.filename,
                    size=_megabytes(len(item.content)),
                    limit=_megabytes(limit),
                )
            )
            continue
        if len(files) >= settings.AWN_MAX_ATTACHMENTS:
            refused.append(
                reason("attachment_too_many", name=item.filename, count=settings.AWN_MAX_ATTACHMENTS)
            )
            continue
        files.append(
            IncomingFile(filename=item.filename, content=item.content, content_type=item.content_type)
        )
    return files, refused


def _maybe_acknowledge(row: RawEmail, parsed: ParsedEmail, message: Message, verdict: Verdict) -> None:
    mailbox = row.mailbox
    if mailbox is None or not mailbox.send_acknowledgement:
        return
    ticket = message.ticket
    first = ticket.messages.order_by("created_at", "id").values_list("pk", flat=True).first()
    if first != message.pk or message.is_from_staff:
        return  # only a new request from a customer is acknowledged
    if verdict.automatic:
        reasons.add(row, reason("no_ack_automatic"))
        return
    from awn.connectors.email.outbound import queue_acknowledgement

    if not queue_acknowledgement(mailbox=mailbox, ticket=ticket, message=message, to=parsed.from_address):
        reasons.add(row, reason("no_ack_rate_limit"))


def ingest_pending(*, limit: int = 500, older_than: float = 0, batch_size: int = BATCH_SIZE) -> int:
    """Ingest stored messages still waiting (after a crash, or queued by a listener), in batches of
    `batch_size` per transaction; returns how many were ingested (any outcome but "received")."""
    from datetime import timedelta

    cutoff = clock.now() - timedelta(seconds=older_than)
    total = failures = 0
    while total < limit:
        try:
            rows = ingest_next_batch(size=min(batch_size, limit - total), received_before=cutoff)
        except OperationalError as exc:
            # Two workers' batches waiting on each other's tickets (a deadlock the database broke by rolling
            # one back), or a database gone away: the batch is still "received"; try again, a few times.
            failures += 1
            if failures > RETRIES:
                raise
            log.warning("an ingestion batch was rolled back (%s); trying again", str(exc).splitlines()[0])
            continue
        failures = 0
        done = sum(1 for row in rows if row.status != Status.RECEIVED)
        total += done
        if not done:  # nothing waiting, or only replies whose parents another worker is ingesting
            break
    return total


def receive_raw_email(
    *,
    raw: bytes,
    source: str,
    mailbox: Mailbox | None = None,
    envelope_from: str = "",
    envelope_to: tuple[str, ...] | list[str] = (),
) -> RawEmail:
    """Store, then ingest at once (the HTTP endpoint, imports, tests). Listeners that must answer fast store
    and leave ingestion to a worker."""
    row = store_raw_email(
        raw=raw, source=source, mailbox=mailbox, envelope_from=envelope_from, envelope_to=envelope_to
    )
    if row.status != Status.RECEIVED:
        return row
    return ingest_raw_email(row.pk)


def retry_quarantined(row: RawEmail) -> RawEmail:
    """An admin's "try again" on a quarantined message: back to received, then ingested afresh."""
    RawEmail.objects.filter(pk=row.pk, status=Status.QUARANTINED).update(
        status=Status.RECEIVED, reason="", reasons=[]
    )
    return ingest_raw_email(row.pk)


def delete_raw_email(row: RawEmail) -> None:
    """Delete a stored message and its file (admins, from the quarantine)."""
    name = row.file.name if row.file else ""
    storage = row.file.storage if row.file else None
    row.delete()
    if name and storage is not None:
        transaction.on_commit(lambda: storage.delete(name))


def header_summary(raw: bytes) -> str:
    """The header block as text, for the quarantine screen."""
    return _header_block(raw).decode("utf-8", "replace")
