"""Raw RFC 5322 bytes → a ParsedEmail: headers decoded (RFC 2047, any charset), the text and HTML bodies,
attachments and inline images, forwarded messages, and a delivery-status report when it is a bounce.

Python's email package with `policy.default` does the MIME work; this module decides what is body, what is
attachment, and when a message is too broken to trust (MalformedEmail → quarantine with the reason).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from email import policy
from email.errors import (
    MessageDefect,
    MultipartInvariantViolationDefect,
    StartBoundaryNotFoundDefect,
)
from email.header import decode_header, make_header
from email.message import EmailMessage, Message
from email.parser import BytesHeaderParser, BytesParser
from email.policy import EmailPolicy
from email.utils import getaddresses, parseaddr
from functools import lru_cache
from typing import cast

from awn.connectors.email.reasons import Reason

# Defects after which the MIME tree itself cannot be trusted: parts would be merged, cut or lost.
FATAL_DEFECTS = (StartBoundaryNotFoundDefect, MultipartInvariantViolationDefect)
MESSAGE_ID = re.compile(r"<[^<>\s]+>")
# Charsets mail clients declare that Python knows under another name, or that lie about their content.
CHARSET_ALIASES = {
    "windows-874": "cp874",
    "x-mac-arabic": "mac_arabic",
    "ks_c_5601-1987": "cp949",
    "unknown-8bit": "utf-8",
    "x-unknown": "utf-8",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "iso-8859-8-i": "iso-8859-8",
    "x-user-defined": "windows-1252",
}


@lru_cache(maxsize=2048)
def _header_object(name: str, value: str):
    return policy.default.header_fetch_parse(name, value)


class _ReadPolicy(EmailPolicy):
    """policy.default, except that a header value is turned into its header object once.

    policy.default parses a header anew on every access, and the MIME parser and get_body ask for each
    part's Content-Type and Content-Disposition a dozen times: that was a third of the time of parsing a
    message. Header objects are immutable (str subclasses), so equal values can share one."""

    def header_fetch_parse(self, name, value):
        if hasattr(value, "name"):
            return value
        return _header_object(name, value)


READ_POLICY = _ReadPolicy()


class MalformedEmail(Exception):
    """The message cannot be read reliably; the reason is shown to admins in the quarantine, in their
    language (awn.connectors.email.reasons); str() is its English text."""

    def __init__(self, code: str, **params: object):
        self.reason = Reason(code, params)
        super().__init__(self.reason.english())


@dataclass
class ParsedAttachment:
    filename: str
    content: bytes
    content_type: str
    content_id: str = ""  # for inline images referenced as cid: from the HTML
    inline: bool = False


@dataclass
class DeliveryReport:
    """What a bounce (RFC 3464 delivery-status notification, or a non-standard one) says."""

    original_message_id: str = ""
    recipients: list[str] = field(default_factory=list)
    status: str = ""  # e.g. 5.1.1
    diagnostic: str = ""
    action: str = "failed"

    @property
    def reason(self) -> str:
        parts = [p for p in (self.status, self.diagnostic) if p]
        return " ".join(parts) or "delivery failed"


@dataclass
class ParsedEmail:
    message: Message
    message_id: str = ""
    subject: str = ""
    from_name: str = ""
    from_address: str = ""
    to: list[tuple[str, str]] = field(default_factory=list)
    cc: list[tuple[str, str]] = field(default_factory=list)
    delivered_to: list[str] = field(default_factory=list)
    in_reply_to: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    text: str = ""
    html: str = ""
    attachments: list[ParsedAttachment] = field(default_factory=list)
    forwarded: list[ParsedEmail] = field(default_factory=list)
    report: DeliveryReport | None = None
    defects: list[str] = field(default_factory=list)

    def header(self, name: str) -> str:
        return header_text(self.message, name)

    @property
    def thread_ids(self) -> list[str]:
        """Message-IDs this one answers, nearest first."""
        seen: list[str] = []
        for mid in [*self.in_reply_to, *reversed(self.references)]:
            if mid not in seen:
                seen.append(mid)
        return seen


def _unsurrogate(value: str) -> str:
    """Undo surrogateescape from 8-bit header bytes (raw UTF-8 in headers, as SMTPUTF8 mail sends)."""
    if not value.isascii() and any("\udc80" <= ch <= "\udcff" for ch in value):
        raw = value.encode("utf-8", "surrogateescape")
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            return raw.decode("windows-1252", "replace")
    return value


def _raw_headers(message: Message) -> dict[str, list[str]]:
    """Header values as they arrived, by lower-case name; built once per message part.

    Reading headers through policy.default builds a header object per access (most of the parse time of a
    message); filters and threading only need the text, so they read the raw values and decode here."""
    cached = message.__dict__.get("_awn_raw_headers")
    if cached is None:
        cached = {}
        for key, value in message.raw_items():
            cached.setdefault(key.lower(), []).append(value if isinstance(value, str) else str(value))
        message.__dict__["_awn_raw_headers"] = cached
    return cached


def decode_words(value: str) -> str:
    """RFC 2047 encoded words decoded, header folding undone, 8-bit bytes read as UTF-8."""
    value = _unsurrogate(value)
    if "=?" in value:
        with suppress(Exception):  # keep the undecoded text rather than lose the header
            value = str(make_header(decode_header(value)))
    return " ".join(value.split())


def header_text(message: Message, name: str) -> str:
    """A header as text, RFC 2047 decoded; tolerant of headers the strict parser chokes on."""
    values = _raw_headers(message).get(name.lower())
    return decode_words(values[0]) if values else ""


def _addresses(message: Message, *names: str) -> list[tuple[str, str]]:
    raw = [value for name in names for value in _raw_headers(message).get(name.lower(), [])]
    found = []
    # Split the raw values first: a decoded display name may contain commas ("Doe, Jane").
    for display, address in getaddresses([_unsurrogate(" ".join(v.split())) for v in raw]):
        address = address.strip().strip("<>").lower()
        if "@" in address and " " not in address:
            found.append((decode_words(display).strip(), address))
    return found


def _message_ids(value: str) -> list[str]:
    return MESSAGE_ID.findall(value or "")


def _charset(part: Message) -> str:
    charset = (part.get_content_charset() or "").lower()
    return CHARSET_ALIASES.get(charset, charset)


def part_text(part: Message) -> str:
    """The decoded text of a text/* part in whatever charset it declares (or the likeliest one), with
    line ends as "\n"."""
    return _decoded(part).replace("\r\n", "\n").replace("\r", "\n")


def _decoded(part: Message) -> str:
    payload = part.get_payload(decode=True) or b""
    if not isinstance(payload, bytes):
        return str(payload)
    candidates = [c for c in (_charset(part), "utf-8", "windows-1256", "windows-1252") if c]
    for charset in candidates:
        try:
            return payload.decode(charset)
        except (LookupError, UnicodeDecodeError):
            continue
    return payload.decode("utf-8", "replace")


def _filename(part: Message) -> str:
    name = part.get_filename()
    if name:
        name = _unsurrogate(str(name))
        if "=?" in name:
            with suppress(Exception):  # an odd name is better than none
                name = str(make_header(decode_header(name)))
        return name.replace("/", "_").replace("\\", "_").strip()[:200] or "attachment"
    return ""


_EXTENSIONS = {
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/gif": ".gif",
    "text/plain": ".txt",
    "text/html": ".html",
    "application/pdf": ".pdf",
    "message/rfc822": ".eml",
    "text/calendar": ".ics",
}


def _default_name(part: Message, index: int) -> str:
    return f"attachment-{index}{_EXTENSIONS.get(part.get_content_type(), '.bin')}"


def parse_headers(raw: bytes) -> Message:
    """Only the header block: cheap, for what the raw row records before ingestion."""
    return BytesHeaderParser(policy=policy.compat32).parsebytes(raw)


def _error(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:500]


def parse_email(raw: bytes) -> ParsedEmail:
    """Parse a whole message; raises MalformedEmail when it cannot be read without losing parts."""
    if not raw or not raw.strip():
        raise MalformedEmail("empty")
    try:
        message = BytesParser(policy=READ_POLICY).parsebytes(raw)
    except Exception as exc:
        raise MalformedEmail("parser_failed", error=_error(exc)) from exc
    if not list(message.keys()):
        raise MalformedEmail("no_headers")
    return _parse_message(message, depth=0)


def _all_defects(message: Message) -> list[MessageDefect]:
    found = list(getattr(message, "defects", []))
    if message.is_multipart():
        for part in message.iter_parts() if isinstance(message, EmailMessage) else message.get_payload():
            if isinstance(part, Message):
                found.extend(_all_defects(part))
    return found


def _parse_message(message: Message, *, depth: int) -> ParsedEmail:
    defects = _all_defects(message)
    fatal = [d for d in defects if isinstance(d, FATAL_DEFECTS)]
    if fatal:
        raise MalformedEmail("broken_mime", defects="; ".join(type(d).__name__ for d in fatal))
    parsed = ParsedEmail(message=message, defects=[type(d).__name__ for d in defects])
    ids = _message_ids(header_text(message, "Message-ID"))
    parsed.message_id = ids[0][:255] if ids else ""
    parsed.subject = header_text(message, "Subject")[:255]
    senders = _addresses(message, "From") or _addresses(message, "Sender")
    if senders:
        parsed.from_name, parsed.from_address = senders[0]
    else:
        name, address = parseaddr(header_text(message, "From"))
        if "@" in address:
            parsed.from_name, parsed.from_address = name, address.lower()
    parsed.to = _addresses(message, "To")
    parsed.cc = _addresses(message, "Cc")
    parsed.delivered_to = [a for _n, a in _addresses(message, "Delivered-To", "X-Original-To", "Envelope-To")]
    parsed.in_reply_to = _message_ids(header_text(message, "In-Reply-To"))
    parsed.references = _message_ids(header_text(message, "References"))
    _collect_parts(parsed, cast(EmailMessage, message), depth=depth)  # parsed with policy.default
    if message.get_content_type() == "multipart/report":
        parsed.report = _delivery_report(cast(EmailMessage, message))
    return parsed


def _collect_parts(parsed: ParsedEmail, message: EmailMessage, *, depth: int) -> None:
    text_part = html_part = None
    try:
        text_part = message.get_body(preferencelist=("plain",))
        html_part = message.get_body(preferencelist=("html",))
    except Exception as exc:
        raise MalformedEmail("no_body", error=_error(exc)) from exc
    if text_part is not None:
        parsed.text = part_text(text_part)
    if html_part is not None:
        parsed.html = part_text(html_part)
    bodies = {id(text_part), id(html_part)}
    index = 0
    for part in _leaves(message):
        if id(part) in bodies:
            continue
        ctype = part.get_content_type()
        if part is message and not message.is_multipart() and ctype.startswith("text/"):
            continue  # a single-part text message that get_body did not take (e.g. text/enriched): body
        if ctype in ("message/delivery-status", "text/rfc822-headers"):
            continue
        index += 1
        content = part.get_payload(decode=True) or b""
        cid = (header_text(part, "Content-ID") or "").strip("<> ")
        disposition = part.get_content_disposition()
        parsed.attachments.append(
            ParsedAttachment(
                filename=_filename(part) or _default_name(part, index),
                content=content if isinstance(content, bytes) else str(content).encode(),
                content_type=ctype,
                content_id=cid,
                inline=bool(cid) and disposition != "attachment",
            )
        )
    if (
        not parsed.text
        and not parsed.html
        and not message.is_multipart()
        and message.get_content_maintype() == "text"
    ):
        parsed.text = part_text(message)
    for part in _attached_messages(message):
        inner = part.get_payload()
        inner = inner[0] if isinstance(inner, list) and inner else inner
        if not isinstance(inner, Message):
            continue
        if depth < 3:
            with suppress(MalformedEmail):  # a broken copy stays attached as .eml below
                parsed.forwarded.append(_parse_message(inner, depth=depth + 1))
        raw = inner.as_bytes(policy=policy.default.clone(linesep="\r\n"))
        name = _filename(part) or ((header_text(inner, "Subject") or "forwarded message")[:80] + ".eml")
        parsed.attachments.append(
            ParsedAttachment(filename=name.replace("/", "_"), content=raw, content_type="message/rfc822")
        )


def _leaves(message: Message) -> Iterator[Message]:
    """The leaf parts of a message, not descending into attached messages (they are parsed on their own)."""
    if message.is_multipart():
        for part in message.get_payload():
            if isinstance(part, Message) and part.get_content_maintype() != "message":
                yield from _leaves(part)
    elif message.get_content_maintype() != "message":
        yield message


def _attached_messages(message: Message) -> Iterator[Message]:
    """The message/rfc822 parts of this message (not those inside them)."""
    if message.is_multipart():
        for part in message.get_payload():
            if not isinstance(part, Message):
                continue
            if part.get_content_type() == "message/rfc822":
                yield part
            elif part.is_multipart():
                yield from _attached_messages(part)


def _delivery_report(message: EmailMessage) -> DeliveryReport | None:
    report = None
    for part in message.walk():
        ctype = part.get_content_type()
        if ctype == "message/delivery-status":
            report = report or DeliveryReport()
            blocks = part.get_payload()
            for block in blocks if isinstance(blocks, list) else []:
                if not isinstance(block, Message):
                    continue
                action = (block.get("Action") or "").strip().lower()
                recipient = str(block.get("Final-Recipient") or block.get("Original-Recipient") or "")
                if action:
                    report.action = action
                if recipient:
                    report.recipients.append(recipient.split(";")[-1].strip().lower())
                if block.get("Status"):
                    report.status = str(block.get("Status")).strip()
                if block.get("Diagnostic-Code"):
                    report.diagnostic = " ".join(str(block.get("Diagnostic-Code")).split())[:500]
        elif (
            ctype in ("message/rfc822", "text/rfc822-headers")
            and report is not None
            and not report.original_message_id
        ):
            report.original_message_id = _original_id(part)
    if report is not None and not report.original_message_id:
        report.original_message_id = _original_id(message)
    return report


def _original_id(part: Message) -> str:
    """The Message-ID of the message a bounce is about, from its returned copy or headers."""
    if part.get_content_type() == "message/rfc822":
        inner = part.get_payload()
        inner = inner[0] if isinstance(inner, list) and inner else inner
        if isinstance(inner, Message):
            ids = _message_ids(header_text(inner, "Message-ID"))
            if ids:
                return ids[0]
    if part.get_content_type() == "text/rfc822-headers":
        match = re.search(r"^Message-ID:\s*(<[^<>\s]+>)", part_text(part), re.IGNORECASE | re.MULTILINE)
        if match:
            return match.group(1)
    return ""


def message_ids_in_text(text: str) -> list[str]:
    """Message-IDs quoted in a non-standard bounce's text ("Message-ID: <…>")."""
    return re.findall(r"Message-ID:\s*(<[^<>\s]+>)", text or "", re.IGNORECASE)
