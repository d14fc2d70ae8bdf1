"""What an email becomes: charsets and encoded words, HTML and text, attachments, inline images, forwarded
messages, quoted history cut (original kept), and bad mail quarantined or refused with the reason."""

import base64

import pytest
from django.urls import reverse

from awn.connectors.email.ingest import receive_raw_email, retry_quarantined
from awn.connectors.email.models import RawEmail
from tests.connectors.email.mails import make_mail

pytestmark = pytest.mark.django_db


def ingest(raw, mailbox):
    return receive_raw_email(raw=raw, source=RawEmail.Source.HTTP, mailbox=mailbox)


def raw_mail(headers: str, body: bytes) -> bytes:
    return headers.replace("\n", "\r\n").encode("ascii") + b"\r\n" + body


# --- charsets ---------------------------------------------------------------------------------------


def test_an_arabic_message_in_utf8_with_an_encoded_subject_and_name(mailbox):
    raw = make_mail(
        sender="سارة <sara@example.com>", subject="الطابعة لا تعمل", text="مرحباً، الطابعة متوقفة."
    )

    row = ingest(raw, mailbox)

    assert b"=?utf-8?" in raw  # the subject travelled as an RFC 2047 encoded word
    ticket = row.message.ticket
    assert ticket.subject == "الطابعة لا تعمل"
    assert ticket.requester.name == "سارة"
    assert "الطابعة متوقفة" in row.message.body


def test_a_persian_message_keeps_its_letters_and_half_spaces(mailbox):
    text = "سلام، می\u200cخواهم رمز عبورم را تغییر دهم."

    row = ingest(make_mail(subject="تغییر رمز عبور", text=text), mailbox)

    assert row.message.ticket.subject == "تغییر رمز عبور"
    assert "می\u200cخواهم" in row.message.body


def test_a_japanese_message_in_iso_2022_jp(mailbox):
    subject = "=?ISO-2022-JP?B?" + base64.b64encode("プリンターの故障".encode("iso-2022-jp")).decode() + "?="
    raw = raw_mail(
        f"From: Taro <taro@example.jp>\nTo: support@acme.example\nSubject: {subject}\n"
        "Message-ID: <jp1@example.jp>\nMIME-Version: 1.0\nContent-Type: text/plain; charset=ISO-2022-JP\n"
        "Content-Transfer-Encoding: 7bit\n",
        "プリンターが動きません。".encode("iso-2022-jp"),
    )

    row = ingest(raw, mailbox)

    assert row.message.ticket.subject == "プリンターの故障"
    assert "プリンターが動きません" in row.message.body


def test_an_arabic_message_in_windows_1256_8bit(mailbox):
    raw = raw_mail(
        "From: =?windows-1256?B?"
        + base64.b64encode("أحمد".encode("windows-1256")).decode()
        + "?= <ahmad@example.com>\n"
        "To: support@acme.example\nSubject: =?windows-1256?Q?=C7=E1=DD=C7=CA=E6=D1=C9?=\n"
        "Message-ID: <w1256@example.com>\nMIME-Version: 1.0\nContent-Type: text/plain; charset=windows-1256\n"
        "Content-Transfer-Encoding: 8bit\n",
        "الفاتورة خاطئة".encode("windows-1256"),
    )

    row = ingest(raw, mailbox)

    assert row.message.ticket.subject == "الفاتورة"
    assert row.message.ticket.requester.name == "أحمد"
    assert "الفاتورة خاطئة" in row.message.body


def test_an_undeclared_charset_falls_back_without_losing_the_message(mailbox):
    raw = raw_mail(
        "From: x@example.com\nTo: support@acme.example\nSubject: hi\nMessage-ID: <nocs@x>\n"
        "MIME-Version: 1.0\nContent-Type: text/plain; charset=x-made-up\n"
        "Content-Transfer-Encoding: 8bit\n",
        "café".encode(),
    )

    row = ingest(raw, mailbox)

    assert row.status == RawEmail.Status.INGESTED
    assert "café" in row.message.body


# --- structure --------------------------------------------------------------------------------------


def test_html_and_text_alternatives_keep_both_and_sanitize_the_html(mailbox):
    row = ingest(
        make_mail(text="Plain version", html="<p onclick='x()'>Rich <b>version</b></p><script>x()</script>"),
        mailbox,
    )

    message = row.message
    assert message.body == "Plain version"
    assert "<b>version</b>" in message.html
    assert "script" not in message.html and "onclick" not in message.html


def test_an_html_only_message_gets_a_text_version(mailbox):
    row = ingest(make_mail(text=None, html="<p>Only <i>HTML</i></p>"), mailbox)

    assert row.message.body == "Only HTML"


def test_attachments_are_stored_with_their_names_and_types(mailbox):
    row = ingest(
        make_mail(
            attachments=[
                ("رسید.pdf", b"%PDF-1.4 fake", "application/pdf"),
                ("log.txt", b"line 1\n", "text/plain"),
            ]
        ),
        mailbox,
    )

    files = {a.filename: a for a in row.message.attachments.all()}
    assert set(files) == {"رسید.pdf", "log.txt"}
    assert files["رسید.pdf"].content_type == "application/pdf"
    assert files["log.txt"].file.read() == b"line 1\n"


def test_an_inline_image_is_kept_as_an_attachment_and_labelled_in_the_body(mailbox):
    from email.message import EmailMessage

    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = "c@example.com", "support@acme.example", "Screenshot"
    mail["Message-ID"] = "<inline@example.com>"
    mail.set_content("see the screenshot")
    mail.add_alternative('<p>See:</p><img src="cid:shot1" alt="screen">', subtype="html")
    mail.get_payload()[1].add_related(
        b"\x89PNG fake", maintype="image", subtype="png", cid="<shot1>", filename="screen.png"
    )

    row = ingest(bytes(mail), mailbox)

    assert [a.filename for a in row.message.attachments.all()] == ["screen.png"]
    assert "cid:" not in row.message.html
    assert "image: screen.png" in row.message.html


def test_a_forwarded_message_keeps_its_text_and_travels_as_an_eml(mailbox):
    inner = make_mail(sender="vendor@supplier.example", subject="Invoice 42", text="Please pay invoice 42.")
    from email import message_from_bytes, policy
    from email.message import EmailMessage

    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = "c@example.com", "support@acme.example", "Fwd: Invoice 42"
    mail["Message-ID"] = "<fwd@example.com>"
    mail.set_content("Is this real?")
    mail.add_attachment(message_from_bytes(inner, policy=policy.default))

    row = ingest(bytes(mail), mailbox)

    message = row.message
    assert "Is this real?" in message.body
    assert "Please pay invoice 42." in message.body
    assert "vendor@supplier.example" in message.body
    assert [a.content_type for a in message.attachments.all()] == ["message/rfc822"]


def test_quoted_history_and_signature_are_cut_from_a_reply_and_the_original_stays_viewable(
    mailbox, client, agent
):
    first = ingest(make_mail(message_id="<q1@example.com>"), mailbox)
    text = (
        "Thanks, that fixed it.\n\n-- \nCora\nAcme Corp\n\n"
        "On Tue, 5 Mar 2024 at 10:00, Support <support@acme.example> wrote:\n> Unplug it.\n"
    )
    html = (
        '<div>Thanks, that fixed it.</div><div class="gmail_quote"><div>On Tue … wrote:</div>'
        "<blockquote>Unplug it.</blockquote></div>"
    )

    row = ingest(make_mail(text=text, html=html, in_reply_to="<q1@example.com>"), mailbox)

    message = row.message
    assert message.ticket_id == first.message.ticket_id
    assert message.body == "Thanks, that fixed it."
    assert "Unplug" not in message.html
    client.force_login(agent)
    page = client.get(reverse("email:message_original", args=[message.pk]))
    assert page.status_code == 200
    assert "Unplug it." in page.content.decode()


def test_a_reply_in_arabic_loses_its_quoted_history(mailbox):
    first = ingest(make_mail(message_id="<ar1@example.com>"), mailbox)
    text = "شكراً، تم الحل.\n\nفي 5 مارس 2024، كتب فريق الدعم <support@acme.example>:\n> افصل الطابعة"

    row = ingest(make_mail(text=text, in_reply_to="<ar1@example.com>"), mailbox)

    assert row.message.ticket_id == first.message.ticket_id
    assert row.message.body == "شكراً، تم الحل."


def test_outlook_style_history_is_cut(mailbox):
    first = ingest(make_mail(message_id="<ol1@example.com>"), mailbox)
    text = (
        "Works now.\n\n________________________________\nFrom: Support <support@acme.example>\n"
        "Sent: Tuesday, March 5, 2024 10:00\nTo: Cora\nSubject: RE: printer\n\nUnplug it."
    )

    row = ingest(make_mail(text=text, in_reply_to="<ol1@example.com>"), mailbox)

    assert row.message.ticket_id == first.message.ticket_id
    assert row.message.body == "Works now."


@pytest.mark.parametrize(
    ("html", "kept", "cut"),
    [
        (  # webmail: the quote in plain <div>s, no container
            "<div>Thanks, that fixed it.</div><div><br></div>"
            "<div>On Tue, 5 Mar 2024 at 10:00, Support &lt;support@acme.example&gt; wrote:</div>"
            "<div>&gt; Unplug it.</div>",
            "Thanks, that fixed it.",
            "Unplug",
        ),
        (  # Outlook's header block in <p>s, with bold labels and <br>s
            "<p>Works now.</p><p><b>From:</b> Support &lt;support@acme.example&gt;<br>"
            "<b>Sent:</b> Tuesday, March 5, 2024 10:00<br><b>Subject:</b> RE: printer</p><p>Unplug it.</p>",
            "Works now.",
            "Unplug",
        ),
        (  # Apple Mail: the "wrote:" line before the container goes with it
            "<div>Fine now.</div><div><br><div>On 5 Mar 2024, at 10:00, Support wrote:</div>"
            '<blockquote type="cite"><div>Unplug it.</div></blockquote></div>',
            "Fine now.",
            "wrote:",
        ),
        (  # Arabic, the verb before the name
            '<div dir="rtl">شكراً، تم الحل.</div><div dir="rtl">في 5 مارس 2024، كتب فريق الدعم '
            "&lt;support@acme.example&gt;:</div><div>&gt; افصل الطابعة</div>",
            "شكراً، تم الحل.",
            "افصل",
        ),
    ],
)
def test_quoted_history_in_plain_html_is_cut(mailbox, html, kept, cut):
    first = ingest(make_mail(message_id="<h1@example.com>"), mailbox)

    row = ingest(make_mail(text=None, html=html, in_reply_to="<h1@example.com>"), mailbox)

    message = row.message
    assert message.ticket_id == first.message.ticket_id
    assert kept in message.html and cut not in message.html
    assert kept in message.body and cut not in message.body
    assert "quoted_cut" in [item["code"] for item in row.reasons]


@pytest.mark.parametrize(
    "html",
    [
        "<div>Yesterday I wrote:</div><div>the printer smokes when it starts.</div>",  # new text, not a quote
        "<div>See below.</div><div>---------- Forwarded message ---------</div>"
        "<div>From: Vendor &lt;vendor@supplier.example&gt;</div><div>Date: Tue, 5 Mar 2024</div>"
        "<div>Please pay invoice 42.</div>",
    ],
)
def test_html_without_quoted_history_is_kept_whole(mailbox, html):
    ingest(make_mail(message_id="<h2@example.com>"), mailbox)

    row = ingest(make_mail(text=None, html=html, in_reply_to="<h2@example.com>"), mailbox)

    assert "quoted_cut" not in [item["code"] for item in row.reasons]
    assert "smokes" in row.message.html or "invoice 42" in row.message.html


def test_a_new_message_is_never_cut(mailbox):
    text = "Our log says:\n> error 42\n> error 43\nWhat does it mean?"

    row = ingest(make_mail(text=text), mailbox)

    assert row.message.body == text


def test_an_empty_message_with_an_attachment_is_still_ingested(mailbox):
    row = ingest(make_mail(text="", attachments=[("a.txt", b"x", "text/plain")]), mailbox)

    assert row.status == RawEmail.Status.INGESTED
    assert row.message.attachments.count() == 1


# --- bad mail ---------------------------------------------------------------------------------------


def test_malformed_mime_is_quarantined_with_the_reason_and_the_bytes_are_kept(mailbox):
    raw = raw_mail(
        "From: c@example.com\nTo: support@acme.example\nSubject: broken\nMessage-ID: <bad@x>\n"
        'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="nope"\n',
        b"no boundary here at all\r\n",
    )

    row = ingest(raw, mailbox)

    assert row.status == RawEmail.Status.QUARANTINED
    assert "StartBoundaryNotFoundDefect" in row.reason
    assert row.read_bytes() == raw
    assert row.message is None


def test_mail_without_a_sender_is_quarantined(mailbox):
    row = ingest(
        raw_mail("To: support@acme.example\nSubject: who am I\nMessage-ID: <anon@x>\n", b"hello"), mailbox
    )

    assert row.status == RawEmail.Status.QUARANTINED
    assert "no sender" in row.reason


def test_bytes_that_are_not_an_email_are_quarantined(mailbox):
    row = ingest(b"\x00\x01\x02 binary junk", mailbox)

    assert row.status == RawEmail.Status.QUARANTINED
    assert row.read_bytes() == b"\x00\x01\x02 binary junk"


def test_a_quarantined_message_can_be_retried_after_the_cause_is_fixed(mailbox):
    row = ingest(raw_mail("To: support@acme.example\nSubject: s\nMessage-ID: <fix@x>\n", b"hi"), mailbox)
    assert row.status == RawEmail.Status.QUARANTINED
    fixed = b"From: c@example.com\r\n" + row.read_bytes()
    with row.file.open("wb") as handle:  # an admin repaired the stored file
        handle.write(fixed)

    again = retry_quarantined(row)

    assert again.status == RawEmail.Status.INGESTED
    assert again.attempts == 2


def test_an_oversized_message_is_refused_with_the_reason_and_its_headers_kept(mailbox, settings):
    settings.AWN_EMAIL_MAX_MESSAGE_BYTES = 10_000
    raw = make_mail(attachments=[("big.bin", b"x" * 20_000, "application/octet-stream")])

    row = ingest(raw, mailbox)

    assert row.status == RawEmail.Status.REFUSED
    assert "limit" in row.reason
    assert row.size == len(raw)
    kept = row.read_bytes()
    assert b"Subject: My printer is on fire" in kept and len(kept) < 2000


def test_an_oversized_attachment_is_refused_and_the_message_says_so(mailbox, settings):
    settings.AWN_MAX_ATTACHMENT_BYTES = 1000

    row = ingest(
        make_mail(
            attachments=[("huge.zip", b"z" * 5000, "application/zip"), ("small.txt", b"ok", "text/plain")]
        ),
        mailbox,
    )

    assert row.status == RawEmail.Status.INGESTED
    assert [a.filename for a in row.message.attachments.all()] == ["small.txt"]
    assert "huge.zip" in row.message.body and "refused" in row.message.body
    assert "huge.zip" in row.reason
