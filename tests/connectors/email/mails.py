"""Building test messages: real MIME made with Python's email package, as mail clients send them."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from django.utils import timezone


def make_mail(
    *,
    sender: str = "Cora Customer <customer@example.com>",
    to: str = "support@acme.example",
    subject: str = "My printer is on fire",
    text: str | None = "Please help, it is smoking.",
    html: str | None = None,
    cc: str | None = None,
    message_id: str | None = None,
    in_reply_to: str | None = None,
    references: str | None = None,
    headers: dict[str, str] | None = None,
    attachments: list[tuple[str, bytes, str]] = (),
    charset: str = "utf-8",
) -> bytes:
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = to
    if cc:
        mail["Cc"] = cc
    mail["Subject"] = subject
    mail["Date"] = format_datetime(timezone.now())
    mail["Message-ID"] = message_id or make_msgid(domain="mail.example.com")
    if in_reply_to:
        mail["In-Reply-To"] = in_reply_to
    if references:
        mail["References"] = references
    for name, value in (headers or {}).items():
        mail[name] = value
    if text is not None:
        mail.set_content(text, charset=charset)
    if html is not None:
        if text is None:
            mail.set_content(html, subtype="html", charset=charset)
        else:
            mail.add_alternative(html, subtype="html", charset=charset)
    for filename, content, ctype in attachments:
        maintype, subtype = ctype.split("/", 1)
        mail.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
    return mail.as_bytes(policy=mail.policy.clone(linesep="\r\n"))  # as mail travels: CRLF
