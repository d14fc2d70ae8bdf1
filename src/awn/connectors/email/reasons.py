"""Why a stored email ended as it did, in the language of whoever reads it.

A raw email's outcome (refused, quarantined, ignored, or ingested with notes) is kept as a list of reasons,
each a code and its parameters (`RawEmail.reasons`), and put into words when it is shown: the quarantine in
Arabic for an admin who reads Arabic, in Persian for one who reads Persian. `RawEmail.reason` keeps the same
reasons in English for the command line, the logs and the inbound webhook's JSON answer; rows stored before
the codes existed have only that text, and are shown as it is.

Parameters are data (sizes, addresses, header values, a parser's or a database's own words) and stay as they
came. A code this version does not know (written by a newer one) is shown as its English text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils import translation
from django.utils.translation import gettext_noop as _  # message ids: translated when shown (core.words.say)

from awn.core.words import say

if TYPE_CHECKING:
    from awn.connectors.email.models import RawEmail

MAX_TEXT = 2000  # characters of RawEmail.reason

MESSAGES = {
    # refused before parsing: only the headers are kept
    "too_large": _(
        "The message is %(size)s MB; the limit is %(limit)s MB (AWN_EMAIL_MAX_MESSAGE_MB). "
        "Only its headers were kept."
    ),
    "too_large_short": _("message too large: %(size)s MB, the limit is %(limit)s MB"),
    "too_large_limit": _("message too large: the limit is %(limit)s MB"),
    "too_large_imap": _(
        "message too large: %(size)s MB, the limit is %(limit)s MB (left on the IMAP server)"
    ),
    # quarantined: the message cannot be read, or the database or the ticket service refused it
    "empty": _("empty message"),
    "parser_failed": _("the MIME parser failed: %(error)s"),
    "no_headers": _("no headers: this is not an email message"),
    "broken_mime": _("broken MIME structure: %(defects)s"),
    "no_body": _("cannot find the message body: %(error)s"),
    "no_sender": _("no sender address (From)"),
    "database_refused": _("database refused the message: %(error)s"),
    "refused": _("refused: %(error)s"),
    "unexpected": _("unexpected error: %(error)s"),
    # ignored, or a duplicate
    "duplicate": _("already received as message %(id)s"),
    "loop_address": _("loop: sent from our own address %(address)s"),
    "loop_header": _("loop: the message carries our own X-Awn-Loop header"),
    "loop_message": _("loop: our own message %(message_id)s came back"),
    "delivery_report": _("delivery report: %(action)s"),
    "bounce": _("bounce: %(report)s"),
    "bounce_unknown": _("bounce about a message we did not send (%(message_id)s)"),
    # ingested, with notes: why nothing automatic answers it, how it was threaded, what was cut or refused
    "automatic_report": _("automatic: a delivery report"),
    "automatic_bounce": _("automatic: a bounce"),
    "automatic_header": _("automatic: %(header)s header"),
    "automatic_header_value": _("automatic: %(header)s: %(value)s"),
    "automatic_subject": _("automatic: auto-reply subject"),
    "automatic_sender": _("automatic: no-reply sender"),
    "threaded_headers": _("threaded by headers"),
    "threaded_subject": _("threaded by subject"),
    "threaded_plus_address": _("threaded by plus-address"),
    "quoted_cut": _("quoted history cut (the original stays on the raw email)"),
    "attachment_too_large": _("Attachment “%(name)s” (%(size)s MB) was refused: the limit is %(limit)s MB."),
    "attachment_too_many": _("Attachment “%(name)s” was refused: at most %(count)d attachments per message."),
    "no_ack_automatic": _("no acknowledgement: automatic message"),
    "no_ack_rate_limit": _("no acknowledgement: rate limit for this sender"),
}


# The notes that mark a message as sent by a program (RFC 3834 headers, bulk mail, no-reply senders, bounces).
AUTOMATIC = frozenset(code for code in MESSAGES if code.startswith("automatic_"))
# How rows stored before the codes said so: the filter's name before the first colon of a note.
_OLD_AUTOMATIC = ("bounce", "auto-submitted", "auto-reply", "bulk", "no-reply sender")


def marked_automatic(items: list[dict[str, Any]] | None, text: str) -> bool:
    """Whether a raw email's reasons (its codes, or the text of an older row) say a program sent it."""
    if items:
        return any(isinstance(item, dict) and item.get("code") in AUTOMATIC for item in items)
    return any(part.split(": ", 1)[0] in _OLD_AUTOMATIC for part in text.split("; "))


@dataclass(frozen=True)
class Reason:
    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.code not in MESSAGES:
            raise ValueError(f"unknown email reason code {self.code!r}")

    def text(self) -> str:
        """In the active language."""
        return say(MESSAGES[self.code], self.params)

    def english(self) -> str:
        with translation.override("en"):
            return self.text()

    def as_json(self) -> dict[str, Any]:
        return {"code": self.code, "params": self.params}


def reason(code: str, **params: Any) -> Reason:
    return Reason(code, params)


def record(row: RawEmail, reasons: list[Reason]) -> None:
    """Set the row's reasons (replacing any), and their English text."""
    row.reasons = [r.as_json() for r in reasons]
    row.reason = english(reasons)


def add(row: RawEmail, extra: Reason) -> None:
    """One more reason after those the row has."""
    row.reasons = [*(row.reasons or []), extra.as_json()]
    row.reason = "; ".join(part for part in (row.reason, extra.english()) if part)[:MAX_TEXT]


def english(reasons: list[Reason]) -> str:
    return "; ".join(r.english() for r in reasons)[:MAX_TEXT]


def shown(row: RawEmail) -> str:
    """The row's reasons in the active language; its stored text when it has no codes (older rows)."""
    items = row.reasons or []
    if not items or any(not isinstance(item, dict) or item.get("code") not in MESSAGES for item in items):
        return row.reason
    return "; ".join(say(MESSAGES[item["code"]], item.get("params") or {}) for item in items)
