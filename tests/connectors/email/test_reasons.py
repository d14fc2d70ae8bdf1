"""Why a stored email was refused, quarantined, ignored or ingested with notes is kept as codes and shown in
the reader's language; the English text stays beside them for the command line, the logs and the webhook."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from awn.connectors.email.ingest import receive_raw_email
from awn.connectors.email.models import RawEmail
from awn.connectors.email.reasons import MESSAGES, Reason, marked_automatic
from tests.connectors.email.mails import make_mail

pytestmark = pytest.mark.django_db

NO_SENDER = b"To: support@acme.example\r\nSubject: who\r\n\r\nhello"


def ingest(raw, mailbox):
    return receive_raw_email(raw=raw, source=RawEmail.Source.HTTP, mailbox=mailbox)


@pytest.mark.parametrize(
    ("language", "words"),
    [("ar", "لا يوجد عنوان للمرسل (From)"), ("fa", "نشانی فرستنده (From) وجود ندارد")],
)
def test_the_quarantine_gives_the_reason_in_the_admins_language(client, admin_user, mailbox, language, words):
    row = ingest(NO_SENDER, mailbox)
    admin_user.language = language
    admin_user.save()
    client.force_login(admin_user)

    pages = [
        client.get(reverse("email:quarantine")).content.decode(),
        client.get(reverse("email:raw_email", args=[row.pk])).content.decode(),
    ]

    for page in pages:
        assert words in page
        assert "no sender address" not in page


def test_the_codes_and_the_english_text_are_stored_together(mailbox):
    row = ingest(NO_SENDER, mailbox)

    row.refresh_from_db()
    assert row.status == RawEmail.Status.QUARANTINED
    assert row.reasons == [{"code": "no_sender", "params": {}}]
    assert row.reason == "no sender address (From)"


def test_every_note_of_an_ingested_message_is_kept_in_order_and_translated(mailbox):
    mailbox.send_acknowledgement = True
    mailbox.save()

    row = ingest(make_mail(headers={"Auto-Submitted": "auto-replied"}), mailbox)

    row.refresh_from_db()
    assert row.status == RawEmail.Status.INGESTED
    assert [item["code"] for item in row.reasons] == ["automatic_header_value", "no_ack_automatic"]
    assert row.reason == "automatic: Auto-Submitted: auto-replied; no acknowledgement: automatic message"
    with translation.override("fa"):
        assert row.reason_shown == "خودکار: Auto-Submitted: auto-replied; بدون اعلام دریافت: پیام خودکار"


def test_a_refused_message_keeps_its_sizes_as_data(mailbox, settings):
    settings.AWN_EMAIL_MAX_MESSAGE_BYTES = 1048576

    row = ingest(make_mail(text="x" * 2_000_000), mailbox)

    assert row.status == RawEmail.Status.REFUSED
    assert row.reasons == [{"code": "too_large", "params": {"size": 2.0, "limit": 1.0}}]
    with translation.override("ar"):
        assert "2.0 ميغابايت" in row.reason_shown and "1.0 ميغابايت" in row.reason_shown
    assert "AWN_EMAIL_MAX_MESSAGE_MB" in row.reason


def test_rows_stored_before_the_codes_show_their_text(mailbox):
    older = RawEmail.objects.create(
        source="http", sha256="", status="quarantined", reason="broken: as it was"
    )
    newer = RawEmail.objects.create(
        source="http",
        sha256="",
        status="quarantined",
        reason="from a later version",
        reasons=[{"code": "a_code_of_a_later_version", "params": {}}],
    )

    with translation.override("ar"):
        assert older.reason_shown == "broken: as it was"
        assert newer.reason_shown == "from a later version"


def test_an_unknown_code_is_refused_when_writing():
    with pytest.raises(ValueError, match="unknown email reason"):
        Reason("no_such_reason")


@pytest.mark.parametrize("language", ["ar", "fa"])
@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_every_reason_is_translated_and_keeps_its_data(code, language):
    english = str(MESSAGES[code])
    names = re.findall(r"%\((\w+)\)", english)
    params = {name: (7 if name == "count" else f"<{name}-value>") for name in names}
    why = Reason(code, params)

    with translation.override(language):
        words = why.text()

    assert words != why.english()
    for name in names:
        assert str(params[name]) in words


def test_automatic_mail_is_told_by_its_codes_and_by_the_text_of_older_rows():
    automatic = [{"code": "automatic_header_value", "params": {"header": "Precedence", "value": "bulk"}}]
    threaded = [{"code": "threaded_headers", "params": {}}]

    assert marked_automatic(automatic, "")
    assert not marked_automatic(threaded, "")
    assert marked_automatic([], "threaded by headers; auto-submitted: Auto-Submitted: auto-generated")
    assert marked_automatic([], "bulk: List-Id header")
    assert not marked_automatic(
        [], "threaded by headers; quoted history cut (the original stays on the raw email)"
    )
