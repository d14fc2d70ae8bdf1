"""The three ways in: the HTTP endpoint (per-mailbox secret), the SMTP/LMTP listener of `awn mail serve`
(aiosmtpd, spoken to with smtplib), and IMAP polling of a real dovecot server over TLS."""

import base64
import smtplib
import time

import pytest
from django.urls import reverse

from awn.connectors.email import imap
from awn.connectors.email.listener import start_listener
from awn.connectors.email.models import Mailbox, RawEmail
from awn.tickets.models import Message, Ticket
from tests.connectors.email.conftest import IMAP_PASSWORD, IMAP_USER
from tests.connectors.email.mails import make_mail
from tests.connectors.email.servers import free_port

# --- HTTP -------------------------------------------------------------------------------------------


@pytest.fixture
def secret(mailbox):
    secret = mailbox.new_webhook_secret()
    mailbox.save()
    return secret


def post(client, mailbox, raw, **headers):
    return client.post(
        reverse("email:inbound", args=[mailbox.pk]), data=raw, content_type="message/rfc822", **headers
    )


@pytest.mark.django_db
def test_a_provider_posts_a_raw_message_with_the_secret_and_it_becomes_a_ticket(client, mailbox, secret):
    response = post(client, mailbox, make_mail(), HTTP_AUTHORIZATION=f"Bearer {secret}")

    assert response.status_code == 202
    assert response.json()["status"] == "ingested"
    assert Ticket.objects.get().subject == "My printer is on fire"


@pytest.mark.django_db
def test_basic_auth_and_a_key_parameter_are_accepted_too(client, mailbox, secret):
    basic = base64.b64encode(f"awn:{secret}".encode()).decode()

    first = post(client, mailbox, make_mail(), HTTP_AUTHORIZATION=f"Basic {basic}")
    second = client.post(
        reverse("email:inbound", args=[mailbox.pk]) + f"?key={secret}",
        data={"email": make_mail(subject="Second").decode()},
    )

    assert first.status_code == 202 and second.status_code == 202
    assert Ticket.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize("authorization", ["", "Bearer wrong", "Basic !!!"])
def test_a_wrong_or_missing_secret_is_refused_and_nothing_is_stored(client, mailbox, secret, authorization):
    response = post(client, mailbox, make_mail(), HTTP_AUTHORIZATION=authorization)

    assert response.status_code == 401
    assert not RawEmail.objects.exists() and not Ticket.objects.exists()


@pytest.mark.django_db
def test_another_mailboxs_secret_does_not_open_this_one(client, mailbox, secret):
    other = Mailbox.objects.create(name="Other", address="other@acme.example", inbound="http")
    other_secret = other.new_webhook_secret()
    other.save()

    response = post(client, mailbox, make_mail(), HTTP_AUTHORIZATION=f"Bearer {other_secret}")

    assert response.status_code == 401


@pytest.mark.django_db
def test_an_oversized_post_is_refused_with_the_reason_recorded(client, mailbox, secret, settings):
    settings.AWN_EMAIL_MAX_MESSAGE_BYTES = 5000

    response = post(client, mailbox, make_mail(text="x" * 10_000), HTTP_AUTHORIZATION=f"Bearer {secret}")

    assert response.status_code == 413
    row = RawEmail.objects.get()
    assert row.status == RawEmail.Status.REFUSED and "limit" in row.reason
    assert not Ticket.objects.exists()


@pytest.mark.django_db
def test_only_post_is_accepted(client, mailbox, secret):
    response = client.get(reverse("email:inbound", args=[mailbox.pk]), HTTP_AUTHORIZATION=f"Bearer {secret}")

    assert response.status_code == 405


# --- SMTP / LMTP listener -----------------------------------------------------------------------------


class Listener:
    def __init__(self, controller, worker):
        self.controller, self.worker = controller, worker

    @property
    def port(self):
        return self.controller.port

    def settle(self):
        """Wait until the listener's ingestion thread has ingested everything it was handed."""
        self.worker.wait_idle()


@pytest.fixture
def listener(transactional_db, mailbox):
    def start(lmtp=False):
        running = Listener(*start_listener(host="127.0.0.1", port=free_port(), lmtp=lmtp))
        started.append(running)
        return running

    started = []
    yield start
    for running in started:
        running.controller.stop()
        running.worker.stop()


def test_the_smtp_listener_stores_and_ingests_mail_for_our_mailboxes(listener):
    controller = listener()

    with smtplib.SMTP("127.0.0.1", controller.port) as client:
        refused = client.sendmail("customer@example.com", ["support@acme.example"], make_mail())

    controller.settle()
    assert refused == {}
    row = RawEmail.objects.get()
    assert row.source == RawEmail.Source.SMTP and row.envelope_from == "customer@example.com"
    assert row.status == RawEmail.Status.INGESTED
    assert Message.objects.get().ticket.subject == "My printer is on fire"


def test_the_smtp_listener_is_no_open_relay(listener):
    controller = listener()

    with (
        smtplib.SMTP("127.0.0.1", controller.port) as client,
        pytest.raises(smtplib.SMTPRecipientsRefused) as err,
    ):
        client.sendmail("spammer@example.com", ["victim@elsewhere.example"], make_mail())

    assert err.value.recipients["victim@elsewhere.example"][0] == 550
    assert not RawEmail.objects.exists()


def test_the_smtp_listener_accepts_plus_addresses_of_our_mailboxes(listener):
    controller = listener()

    with smtplib.SMTP("127.0.0.1", controller.port) as client:
        client.sendmail("customer@example.com", ["support+t77@acme.example"], make_mail())

    controller.settle()
    assert RawEmail.objects.get().status == RawEmail.Status.INGESTED


def test_the_smtp_listener_refuses_an_oversized_message_and_records_why(listener, settings):
    settings.AWN_EMAIL_MAX_MESSAGE_BYTES = 5000
    controller = listener()

    with smtplib.SMTP("127.0.0.1", controller.port) as client, pytest.raises(smtplib.SMTPDataError) as err:
        client.sendmail(
            "customer@example.com",
            ["support@acme.example"],
            make_mail(attachments=[("big.bin", b"y" * 20_000, "application/octet-stream")]),
        )

    assert err.value.smtp_code == 552
    row = RawEmail.objects.get()
    assert row.status == RawEmail.Status.REFUSED and "too large" in row.reason
    assert row.envelope_to == "support@acme.example"


def lmtp_session(port: int, mail_from: str, recipients: list[str], raw: bytes) -> list[bytes]:
    """Speak LMTP (RFC 2033) like Postfix does and return the final replies, one per recipient
    (Python's smtplib.LMTP reads only one)."""
    import socket

    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        reader = sock.makefile("rb")

        def reply() -> bytes:
            line = reader.readline()
            while line[3:4] == b"-":
                line = reader.readline()
            return line

        reply()  # greeting
        for command in [
            b"LHLO test.example",
            f"MAIL FROM:<{mail_from}>".encode(),
            *[f"RCPT TO:<{r}>".encode() for r in recipients],
            b"DATA",
        ]:
            sock.sendall(command + b"\r\n")
            reply()
        body = raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n").replace(b"\r\n.", b"\r\n..")
        sock.sendall(body + b"\r\n.\r\n")
        answers = [reply() for _recipient in recipients]
        sock.sendall(b"QUIT\r\n")
        return answers


def test_the_lmtp_listener_answers_each_recipient(listener):
    from awn.connectors.email.models import Mailbox

    Mailbox.objects.create(name="Sales", address="sales@acme.example", inbound="smtp")
    running = listener(lmtp=True)

    answers = lmtp_session(
        running.port,
        "customer@example.com",
        ["support@acme.example", "sales@acme.example"],
        make_mail(to="support@acme.example, sales@acme.example"),
    )

    running.settle()
    assert [answer[:3] for answer in answers] == [b"250", b"250"]
    assert RawEmail.objects.get().status == RawEmail.Status.INGESTED
    assert Message.objects.count() == 1


def test_mail_stored_but_not_ingested_before_a_stop_is_ingested_at_the_next_start(listener, mailbox):
    from awn.connectors.email.ingest import store_raw_email

    store_raw_email(raw=make_mail(), source=RawEmail.Source.SMTP, mailbox=mailbox)  # the last run died here

    running = listener()

    running.settle()
    assert RawEmail.objects.get().status == RawEmail.Status.INGESTED


# --- IMAP (dovecot) -------------------------------------------------------------------------------------


@pytest.fixture
def imap_mailbox(db, team, dovecot):
    mailbox = Mailbox(
        name="Acme Support",
        address="support@acme.example",
        team=team,
        inbound="imap",
        imap_host="localhost",
        imap_port=dovecot.port,
        imap_security="ssl",
        imap_username=IMAP_USER,
        imap_folder="INBOX",
    )
    mailbox.imap_password = IMAP_PASSWORD
    mailbox.save()
    yield mailbox
    conn = dovecot.imap(IMAP_USER)  # empty the server's folders for the next test
    for folder in ("INBOX", "Imported"):
        typ, count = conn.select(folder)
        if typ == "OK" and int(count[0]) > 0:
            conn.store("1:*", "+FLAGS.SILENT", r"(\Deleted)")
            conn.expunge()
    conn.logout()


@pytest.mark.django_db
def test_the_imap_password_is_encrypted_at_rest(imap_mailbox):
    stored = Mailbox.objects.values_list("imap_password_encrypted", flat=True).get()

    assert IMAP_PASSWORD not in stored
    assert Mailbox.objects.get().imap_password == IMAP_PASSWORD


@pytest.mark.django_db
def test_polling_fetches_new_mail_over_tls_and_flags_it_imported(imap_mailbox, dovecot):
    dovecot.deliver(IMAP_USER, make_mail(subject="From IMAP 1"))
    dovecot.deliver(IMAP_USER, make_mail(subject="From IMAP 2"))

    stored = imap.poll_mailbox(imap_mailbox)

    assert stored == 2
    assert sorted(Ticket.objects.values_list("subject", flat=True)) == ["From IMAP 1", "From IMAP 2"]
    flags = [line for _uid, line in dovecot.folder(IMAP_USER)]
    assert all(b"\\Seen" in line and b"$AwnImported" in line for line in flags)
    imap_mailbox.refresh_from_db()
    assert imap_mailbox.last_error == "" and imap_mailbox.last_checked_at is not None


@pytest.mark.django_db
def test_polling_again_fetches_only_what_is_new_even_if_someone_unread_it(imap_mailbox, dovecot):
    dovecot.deliver(IMAP_USER, make_mail(subject="Old"))
    imap.poll_mailbox(imap_mailbox)
    conn = dovecot.imap(IMAP_USER)
    conn.select("INBOX")
    conn.store("1:*", "-FLAGS", r"(\Seen)")  # a person marked it unread in their mail client
    conn.logout()
    dovecot.deliver(IMAP_USER, make_mail(subject="New"))

    stored = imap.poll_mailbox(imap_mailbox)

    assert stored == 1
    assert sorted(Ticket.objects.values_list("subject", flat=True)) == ["New", "Old"]


@pytest.mark.django_db
def test_a_message_fetched_twice_after_a_reset_makes_one_message(imap_mailbox, dovecot):
    dovecot.deliver(IMAP_USER, make_mail(subject="Once"))
    imap.poll_mailbox(imap_mailbox)
    Mailbox.objects.filter(pk=imap_mailbox.pk).update(imap_last_uid=0)  # as if the poll crashed mid-way
    imap_mailbox.refresh_from_db()

    imap.poll_mailbox(imap_mailbox)

    assert Message.objects.count() == 1
    assert sorted(RawEmail.objects.values_list("status", flat=True)) == ["duplicate", "ingested"]


@pytest.mark.django_db
def test_imported_mail_can_be_moved_to_an_archive_folder(imap_mailbox, dovecot):
    conn = dovecot.imap(IMAP_USER)
    conn.create("Imported")
    conn.logout()
    imap_mailbox.imap_archive_folder = "Imported"
    imap_mailbox.save()
    dovecot.deliver(IMAP_USER, make_mail(subject="Move me"))

    imap.poll_mailbox(imap_mailbox)

    assert dovecot.folder(IMAP_USER, "INBOX") == []
    assert len(dovecot.folder(IMAP_USER, "Imported")) == 1
    assert Ticket.objects.get().subject == "Move me"


@pytest.mark.django_db
def test_charsets_survive_the_imap_round_trip(imap_mailbox, dovecot):
    dovecot.deliver(IMAP_USER, make_mail(subject="مشکل در پرداخت", text="پرداخت من انجام نشد."))
    dovecot.deliver(
        IMAP_USER, make_mail(subject="請求書について", text="請求書が届きません。", charset="iso-2022-jp")
    )

    imap.poll_mailbox(imap_mailbox)

    assert sorted(Ticket.objects.values_list("subject", flat=True)) == ["مشکل در پرداخت", "請求書について"]


@pytest.mark.django_db
def test_a_wrong_password_is_recorded_on_the_mailbox_for_the_admin(imap_mailbox):
    imap_mailbox.imap_password = "wrong"
    imap_mailbox.save()

    with pytest.raises(imap.ImapError):
        imap.poll_mailbox(imap_mailbox)

    imap_mailbox.refresh_from_db()
    assert "cannot sign in" in imap_mailbox.last_error


@pytest.mark.django_db
def test_a_server_with_an_untrusted_certificate_is_refused(imap_mailbox, monkeypatch):
    monkeypatch.delenv("SSL_CERT_FILE")

    with pytest.raises(imap.ImapError) as err:
        imap.poll_mailbox(imap_mailbox)

    assert "CERTIFICATE_VERIFY_FAILED" in str(err.value)


@pytest.mark.django_db
def test_idle_returns_when_mail_arrives(imap_mailbox, dovecot):
    import threading

    result = {}
    waiter = threading.Thread(
        target=lambda: result.update(arrived=imap.wait_for_mail(imap_mailbox, timeout=20))
    )
    waiter.start()
    time.sleep(1.0)

    dovecot.deliver(IMAP_USER, make_mail(subject="Wake up"))

    waiter.join(timeout=25)
    assert result == {"arrived": True}


@pytest.mark.django_db
def test_mailguns_mime_route_posts_the_raw_message_as_body_mime(client, mailbox, secret):
    basic = base64.b64encode(f"api:{secret}".encode()).decode()

    response = client.post(
        reverse("email:inbound_mime", args=[mailbox.pk]),
        data={"body-mime": make_mail(subject="Via Mailgun").decode(), "sender": "x"},
        HTTP_AUTHORIZATION=f"Basic {basic}",
    )

    assert response.status_code == 202
    assert Ticket.objects.get().subject == "Via Mailgun"
