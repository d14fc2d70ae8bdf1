"""IMAP polling (imaplib, TLS): fetch what is new since the last poll, store it raw, mark it on the server,
ingest it. IDLE, where the server offers it, wakes `awn mail poll --watch` as soon as mail arrives.

Where the poll stopped is kept per mailbox as (UIDVALIDITY, last UID): only messages with a higher UID are
fetched, whatever a person did to their flags in a mail client. Order for losslessness: store the raw message
(committed) → advance the last UID → move or flag it on the server → ingest. A crash between two steps at
worst fetches a message again, which the Message-ID dedupe turns into a no-op.
"""

from __future__ import annotations

import imaplib
import logging
import re
import ssl
from collections.abc import Iterator
from contextlib import contextmanager, suppress

from django.conf import settings
from django.db import close_old_connections

from awn.connectors.email.ingest import ingest_raw_email, refusal_reason, store_raw_email
from awn.connectors.email.models import Mailbox, RawEmail
from awn.core import clock

log = logging.getLogger(__name__)
IMPORTED_KEYWORD = "$AwnImported"
BATCH = 200


class ImapError(Exception):
    """A problem with the mailbox's server or settings; shown to admins as the mailbox's last error."""


@contextmanager
def imap_connection(mailbox: Mailbox, *, timeout: float = 60) -> Iterator[imaplib.IMAP4]:
    context = ssl.create_default_context()
    try:
        if mailbox.imap_security == Mailbox.Security.SSL:
            conn: imaplib.IMAP4 = imaplib.IMAP4_SSL(
                mailbox.imap_host, mailbox.imap_port, ssl_context=context, timeout=timeout
            )
        else:
            conn = imaplib.IMAP4(mailbox.imap_host, mailbox.imap_port, timeout=timeout)
            if mailbox.imap_security == Mailbox.Security.STARTTLS:
                conn.starttls(ssl_context=context)
        conn.login(mailbox.imap_username, mailbox.imap_password)
    except (OSError, imaplib.IMAP4.error, ssl.SSLError) as exc:
        raise ImapError(f"cannot sign in to {mailbox.imap_host}:{mailbox.imap_port}: {exc}") from exc
    try:
        yield conn
    finally:
        with suppress(OSError, imaplib.IMAP4.error):
            conn.logout()


def _capabilities(conn: imaplib.IMAP4) -> set[str]:
    typ, data = conn.capability()
    if typ != "OK" or not data:
        return set()
    return {item.upper() for item in data[0].decode().split()}


def _select(conn: imaplib.IMAP4, folder: str) -> int:
    typ, data = conn.select(_quote(folder))
    if typ != "OK":
        raise ImapError(f"cannot open the folder {folder!r}: {data!r}")
    validity = conn.untagged_responses.get("UIDVALIDITY", [b"0"])[-1]
    return int(validity if isinstance(validity, bytes) else b"0")


def _quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _new_uids(conn: imaplib.IMAP4, after: int) -> list[int]:
    typ, data = conn.uid("SEARCH", None, f"UID {after + 1}:*")  # type: ignore[arg-type]
    if typ != "OK":
        raise ImapError(f"search failed: {data!r}")
    uids = sorted(int(uid) for uid in (data[0] or b"").split())
    return [uid for uid in uids if uid > after]  # "n:*" always matches the last message, even below n


_SIZE = re.compile(rb"RFC822\.SIZE (\d+)")


def _fetch(conn: imaplib.IMAP4, uid: int, what: str) -> bytes | None:
    typ, data = conn.uid("FETCH", str(uid), what)
    if typ != "OK":
        raise ImapError(f"fetching UID {uid} failed: {data!r}")
    for item in data:
        if isinstance(item, tuple) and len(item) == 2:
            return item[1]
    return None


def _size(conn: imaplib.IMAP4, uid: int) -> int:
    typ, data = conn.uid("FETCH", str(uid), "(RFC822.SIZE)")
    for item in data or []:
        raw = item[0] if isinstance(item, tuple) else item
        match = _SIZE.search(raw or b"")
        if match:
            return int(match.group(1))
    return 0


def _mark_imported(conn: imaplib.IMAP4, mailbox: Mailbox, uid: int, capabilities: set[str]) -> None:
    if mailbox.imap_archive_folder:
        target = _quote(mailbox.imap_archive_folder)
        if "MOVE" in capabilities:
            typ, data = conn.uid("MOVE", str(uid), target)
        else:
            typ, data = conn.uid("COPY", str(uid), target)
            if typ == "OK":
                conn.uid("STORE", str(uid), "+FLAGS.SILENT", r"(\Deleted)")
                if "UIDPLUS" in capabilities:
                    conn.uid("EXPUNGE", str(uid))
        if typ != "OK":
            raise ImapError(f"cannot move UID {uid} to {mailbox.imap_archive_folder!r}: {data!r}")
        return
    flags = [r"\Seen"]
    permanent = b" ".join(
        v for v in conn.untagged_responses.get("PERMANENTFLAGS", []) if isinstance(v, bytes)
    )
    if b"\\*" in permanent:
        flags.append(IMPORTED_KEYWORD)
    conn.uid("STORE", str(uid), "+FLAGS.SILENT", "(" + " ".join(flags) + ")")


def poll_mailbox(mailbox: Mailbox, *, ingest: bool = True) -> int:
    """Fetch new mail of one IMAP mailbox; returns how many messages were stored. Errors are recorded on the
    mailbox (its last error) and raised as ImapError."""
    stored = 0
    try:
        with imap_connection(mailbox) as conn:
            capabilities = _capabilities(conn)
            validity = _select(conn, mailbox.imap_folder or "INBOX")
            if mailbox.imap_uidvalidity != validity:
                # The server renumbered the folder: start over (dedupe keeps messages single).
                mailbox.imap_uidvalidity, mailbox.imap_last_uid = validity, 0
                mailbox.save(update_fields=["imap_uidvalidity", "imap_last_uid"])
            for uid in _new_uids(conn, mailbox.imap_last_uid)[:BATCH]:
                row = _store_one(conn, mailbox, uid)
                mailbox.imap_last_uid = uid
                mailbox.save(update_fields=["imap_last_uid"])
                _mark_imported(conn, mailbox, uid, capabilities)
                stored += 1
                if ingest and row.status == RawEmail.Status.RECEIVED:
                    ingest_raw_email(row.pk)
    except ImapError as exc:
        _record(mailbox, str(exc))
        raise
    except (OSError, imaplib.IMAP4.error, ssl.SSLError) as exc:
        _record(mailbox, f"{type(exc).__name__}: {exc}")
        raise ImapError(str(exc)) from exc
    _record(mailbox, "")
    return stored


def _store_one(conn: imaplib.IMAP4, mailbox: Mailbox, uid: int) -> RawEmail:
    size = _size(conn, uid)
    why = refusal_reason(size, code="too_large_imap")
    if why is not None:
        headers = _fetch(conn, uid, "(BODY.PEEK[HEADER])") or b""
        row = store_raw_email(raw=headers, source=RawEmail.Source.IMAP, mailbox=mailbox)
        RawEmail.objects.filter(pk=row.pk).update(
            status=RawEmail.Status.REFUSED, size=size, reason=why.english(), reasons=[why.as_json()]
        )
        row.refresh_from_db()
        return row
    raw = _fetch(conn, uid, "(BODY.PEEK[])")
    if raw is None:
        raise ImapError(f"the server returned no content for UID {uid}")
    return store_raw_email(raw=raw, source=RawEmail.Source.IMAP, mailbox=mailbox)


def _record(mailbox: Mailbox, error: str) -> None:
    mailbox.last_checked_at = clock.now()
    mailbox.last_error = error[:2000]
    mailbox.save(update_fields=["last_checked_at", "last_error"])


def poll_all(*, ingest: bool = True) -> dict[str, int | str]:
    """Poll every active IMAP mailbox once; one failing mailbox does not stop the others."""
    outcome: dict[str, int | str] = {}
    for mailbox in Mailbox.objects.filter(active=True, inbound=Mailbox.Inbound.IMAP).order_by("id"):
        try:
            outcome[mailbox.address] = poll_mailbox(mailbox, ingest=ingest)
        except ImapError as exc:
            log.warning("polling %s failed: %s", mailbox.address, exc)
            outcome[mailbox.address] = f"error: {exc}"
    return outcome


def wait_for_mail(mailbox: Mailbox, *, timeout: float) -> bool:
    """Block until the server says new mail arrived (IDLE, RFC 2177) or `timeout` passes; False when the
    server has no IDLE (the caller then polls on its interval)."""
    with imap_connection(mailbox, timeout=timeout + 30) as conn:
        if "IDLE" not in _capabilities(conn):
            return False
        _select(conn, mailbox.imap_folder or "INBOX")
        tag = conn._new_tag()  # imaplib (before 3.14) has no IDLE: speak it on the connection directly
        conn.send(tag + b" IDLE\r\n")
        if not conn.readline().startswith(b"+"):
            return False
        conn.sock.settimeout(timeout)
        arrived = False
        try:
            while True:
                line = conn.readline()
                if not line or b"EXISTS" in line or b"RECENT" in line:
                    arrived = bool(line)
                    break
        except TimeoutError:
            pass
        conn.sock.settimeout(timeout + 30)
        conn.send(b"DONE\r\n")
        while True:  # read up to our tagged completion
            line = conn.readline()
            if not line or line.startswith(tag):
                break
        close_old_connections()
        return arrived


def poll_interval() -> int:
    return max(settings.AWN_EMAIL_POLL_SECONDS, 5)
