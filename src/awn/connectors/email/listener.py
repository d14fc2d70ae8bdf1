"""`awn mail serve`: an SMTP or LMTP listener (aiosmtpd) for a self-hosted MX or a Postfix relay.

Only our mailboxes' addresses (and their plus-addresses) are accepted as recipients, so the listener is no
relay. A message is stored (raw first, committed) before the server answers 250: once the sender has heard
250 the message cannot be lost; ingestion then runs on a worker thread of this process, and anything a crash
interrupts is picked up at the next start (and by the periodic sweep).
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections.abc import Callable

from aiosmtpd.controller import Controller
from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import SMTP, Envelope, Session
from django.conf import settings
from django.db import close_old_connections, connection

from awn.connectors.email.ingest import (
    BATCH_SIZE,
    ingest_pending,
    ingest_raw_emails,
    store_raw_email,
    too_large,
)
from awn.connectors.email.models import Mailbox, RawEmail
from awn.connectors.email.reasons import Reason, reason
from awn.connectors.email.threads import plain_address

log = logging.getLogger(__name__)


def _closing(function):
    """Run on an executor thread: the thread's database connection is closed afterwards, so a stopped
    listener leaves none behind."""

    def run(*args):
        try:
            return function(*args)
        finally:
            connection.close()

    return run


def _mailbox_for(address: str) -> Mailbox | None:
    close_old_connections()
    return Mailbox.objects.filter(address__iexact=plain_address(address), active=True).first()


def _store(envelope: Envelope, mailbox_id: int | None) -> RawEmail:
    close_old_connections()
    mailbox = Mailbox.objects.filter(pk=mailbox_id).first() if mailbox_id else None
    return store_raw_email(
        raw=envelope.original_content or b"",
        source=RawEmail.Source.SMTP,
        mailbox=mailbox,
        envelope_from=envelope.mail_from or "",
        envelope_to=list(envelope.rcpt_tos),
    )


def _record_refusal(mail_from: str, rcpt_tos: list[str], why: Reason) -> None:
    close_old_connections()
    mailbox = _mailbox_for(rcpt_tos[0]) if rcpt_tos else None
    RawEmail.objects.create(
        mailbox=mailbox,
        source=RawEmail.Source.SMTP,
        size=0,
        sha256="",
        envelope_from=(mail_from or "")[:254],
        envelope_to="\n".join(rcpt_tos),
        status=RawEmail.Status.REFUSED,
        reason=why.english(),
        reasons=[why.as_json()],
    )


class MailHandler:
    """aiosmtpd hooks: accept our recipients, store each message, queue it for ingestion."""

    def __init__(self, *, lmtp: bool = False, on_stored: Callable[[int], None] | None = None):
        self.lmtp = lmtp
        self.on_stored = on_stored

    async def handle_RCPT(self, server, session: Session, envelope: Envelope, address: str, rcpt_options):
        mailbox = await asyncio.get_running_loop().run_in_executor(None, _closing(_mailbox_for), address)
        if mailbox is None:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session: Session, envelope: Envelope):
        loop = asyncio.get_running_loop()
        size = len(envelope.original_content or b"")
        if size > settings.AWN_EMAIL_MAX_MESSAGE_BYTES:
            why = too_large(size)
            await loop.run_in_executor(
                None, _closing(_record_refusal), envelope.mail_from or "", list(envelope.rcpt_tos), why
            )
            return self._answer(envelope, f"552 5.3.4 {_too_large(size)}")
        mailbox = await loop.run_in_executor(None, _closing(_mailbox_for), envelope.rcpt_tos[0])
        try:
            row = await loop.run_in_executor(
                None, _closing(_store), envelope, mailbox.pk if mailbox else None
            )
        except Exception:
            log.exception("storing a message from %s failed", envelope.mail_from)
            return self._answer(envelope, "451 4.3.0 Could not store the message; try again later")
        if self.on_stored is not None and row.status == RawEmail.Status.RECEIVED:
            self.on_stored(row.pk)
        return self._answer(envelope, f"250 2.0.0 OK: queued as {row.pk}")

    def _answer(self, envelope: Envelope, status: str) -> str:
        # LMTP answers once per recipient (RFC 2033); one message stored serves them all.
        if self.lmtp and len(envelope.rcpt_tos) > 1:
            return "\r\n".join([status] * len(envelope.rcpt_tos))
        return status


def _too_large(size: int) -> str:
    limit = settings.AWN_EMAIL_MAX_MESSAGE_BYTES
    return f"Message too large: {round(size / 1048576, 1)} MB, the limit is {round(limit / 1048576, 1)} MB"


class _Recording:
    """Records aiosmtpd's own size refusals (it discards the data before any hook runs)."""

    async def push(self, status: str) -> None:
        if status.startswith("552 Error"):  # aiosmtpd's: SIZE= too large, or too much DATA
            envelope = self.envelope  # type: ignore[attr-defined]
            limit = round(settings.AWN_EMAIL_MAX_MESSAGE_BYTES / 1048576, 1)
            why = reason("too_large_limit", limit=limit)
            if envelope is not None:
                await asyncio.get_running_loop().run_in_executor(
                    None, _closing(_record_refusal), envelope.mail_from or "", list(envelope.rcpt_tos), why
                )
            status = f"552 5.3.4 Message too large: the limit is {limit} MB"
        await super().push(status)  # type: ignore[misc]


class RecordingSMTP(_Recording, SMTP):  # type: ignore[misc]
    pass


class RecordingLMTP(_Recording, LMTP):  # type: ignore[misc]
    pass


class MailController(Controller):
    """aiosmtpd's threaded controller, serving SMTP or LMTP with our handler and size limit."""

    def __init__(self, handler: MailHandler, *, hostname: str, port: int):
        self.lmtp = handler.lmtp
        super().__init__(handler, hostname=hostname, port=port, ready_timeout=10)

    def factory(self):
        server_class = RecordingLMTP if self.lmtp else RecordingSMTP
        return server_class(
            self.handler,
            data_size_limit=settings.AWN_EMAIL_MAX_MESSAGE_BYTES + 1024 * 1024,
            enable_SMTPUTF8=True,
            decode_data=False,
            hostname=None,
            ident="Awn",
        )


class IngestWorker:
    """Ingests stored messages on a thread of the listener's process, what is queued together in one
    transaction; first, whatever an earlier run stored but did not ingest."""

    SWEEP = -1

    def __init__(self) -> None:
        self.queue: queue.Queue[int | None] = queue.Queue()
        self.thread = threading.Thread(target=self._run, name="awn-mail-ingest", daemon=True)

    def start(self) -> None:
        self.thread.start()
        self.queue.put(self.SWEEP)

    def put(self, raw_id: int) -> None:
        self.queue.put(raw_id)

    def wait_idle(self) -> None:
        """Block until everything handed over so far is ingested (tests, orderly shutdown)."""
        self.queue.join()

    def stop(self) -> None:
        self.queue.put(None)
        self.thread.join(timeout=30)

    def _run(self) -> None:
        while True:
            items = [self.queue.get()]
            # What arrived meanwhile is ingested with it, in one transaction (up to BATCH_SIZE messages).
            while len(items) < BATCH_SIZE and items[-1] not in (None, self.SWEEP):
                try:
                    items.append(self.queue.get_nowait())
                except queue.Empty:
                    break
            ids = [item for item in items if item not in (None, self.SWEEP)]
            try:
                close_old_connections()
                if ids:
                    ingest_raw_emails(ids)
                if items[-1] == self.SWEEP:
                    ingest_pending(limit=100_000)
            except Exception:  # stays "received": the next start or the periodic sweep ingests it
                log.exception("ingesting raw emails %s failed", ids)
            finally:
                for _item in items:
                    self.queue.task_done()
            if items[-1] is None:
                connection.close()
                return


def start_listener(*, host: str, port: int, lmtp: bool = False) -> tuple[MailController, IngestWorker]:
    worker = IngestWorker()
    worker.start()
    controller = MailController(MailHandler(lmtp=lmtp, on_stored=worker.put), hostname=host, port=port)
    controller.start()
    return controller, worker
