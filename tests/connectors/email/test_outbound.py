"""Agent replies leave through the outbox to a real SMTP server (aiosmtpd): headers that thread, From
"Agent via Mailbox", HTML and text, attachments, signature, portal link, Cc followers; failures retried with
backoff and finally shown on the message."""

from datetime import timedelta

import pytest
from django.urls import reverse

from awn.connectors.email.ingest import receive_raw_email
from awn.connectors.email.models import MessageEmail, RawEmail
from awn.core import clock
from awn.outbox.models import OutboxItem
from awn.outbox.services import deliver_due
from awn.tickets.inbound import IncomingFile
from awn.tickets.models import TicketEvent
from awn.tickets.services import Actor, add_followers, reply_to_ticket
from tests.connectors.email.mails import make_mail
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def emailed_ticket(mailbox):
    row = receive_raw_email(
        raw=make_mail(message_id="<start@mail.example.com>"), source=RawEmail.Source.HTTP, mailbox=mailbox
    )
    return row.message.ticket


def test_a_reply_reaches_the_smtp_server_threaded_under_the_customers_mail(
    smtp_server, after_commit, agent, emailed_ticket
):
    with after_commit():
        reply = reply_to_ticket(
            ticket=emailed_ticket, by=Actor.of(agent), body="Unplug it, then plug it back."
        )

    [received] = smtp_server.received
    mail = received.message
    record = MessageEmail.objects.get(message=reply)
    assert mail["Message-ID"] == record.message_id_header
    assert mail["In-Reply-To"] == "<start@mail.example.com>"
    assert "<start@mail.example.com>" in mail["References"]
    assert mail["From"].addresses[0].display_name == "Ada Agent via Acme Support"
    assert mail["From"].addresses[0].addr_spec == "support@acme.example"
    assert mail["Reply-To"] == "support@acme.example"
    assert received.rcpt_tos == ["customer@example.com"]
    assert f"[#{emailed_ticket.number}]" in mail["Subject"]
    assert record.delivery == MessageEmail.Delivery.SENT and record.sent_at is not None


def test_the_reply_has_text_and_html_with_signature_and_portal_link(
    smtp_server, after_commit, agent, emailed_ticket
):
    with after_commit():
        reply_to_ticket(ticket=emailed_ticket, by=Actor.of(agent), html="<p>Try <b>this</b>.</p>")

    mail = smtp_server.received[0].message
    text = mail.get_body(preferencelist=("plain",)).get_content()
    html = mail.get_body(preferencelist=("html",)).get_content()
    link = reverse("portal:ticket", args=[emailed_ticket.number])
    assert "Try this." in text and "Acme Support" in text and link in text
    assert "<b>this</b>" in html and link in html and "https://acme.example" in html


def test_attachments_travel_with_the_reply(smtp_server, after_commit, agent, emailed_ticket):
    with after_commit():
        reply_to_ticket(
            ticket=emailed_ticket,
            by=Actor.of(agent),
            body="The manual",
            attachments=[IncomingFile("manual.pdf", b"%PDF-1.4 manual", "application/pdf")],
        )

    mail = smtp_server.received[0].message
    [attachment] = list(mail.iter_attachments())
    assert attachment.get_filename() == "manual.pdf"
    assert attachment.get_content() == b"%PDF-1.4 manual"


def test_followers_are_in_cc_and_receive_the_reply(smtp_server, after_commit, agent, emailed_ticket):
    boss = CustomerFactory(email="boss@example.com")
    add_followers(ticket=emailed_ticket, users=[boss], by=Actor.of(agent))

    with after_commit():
        reply_to_ticket(ticket=emailed_ticket, by=Actor.of(agent), body="Done")

    [received] = smtp_server.received
    assert received.message["Cc"] == "boss@example.com"
    assert sorted(received.rcpt_tos) == ["boss@example.com", "customer@example.com"]


def test_a_second_reply_references_the_whole_thread(smtp_server, after_commit, agent, emailed_ticket):
    with after_commit():
        first = reply_to_ticket(ticket=emailed_ticket, by=Actor.of(agent), body="One")
    with after_commit():
        reply_to_ticket(ticket=emailed_ticket, by=Actor.of(agent), body="Two")

    second = smtp_server.received[1].message
    first_id = MessageEmail.objects.get(message=first).message_id_header
    assert second["In-Reply-To"] == first_id
    assert second["References"].split() == ["<start@mail.example.com>", first_id]


def test_a_reply_on_a_web_ticket_goes_out_from_the_teams_mailbox(
    smtp_server, after_commit, agent, ticket, mailbox
):
    with after_commit():
        reply_to_ticket(ticket=ticket, by=Actor.of(agent), body="Hello from the desk")

    mail = smtp_server.received[0].message
    assert mail["From"].addresses[0].addr_spec == mailbox.address
    assert mail["In-Reply-To"] is None


def test_a_refused_recipient_fails_for_good_and_the_agent_sees_why(
    smtp_server, after_commit, agent, emailed_ticket, client
):
    smtp_server.refuse["customer@example.com"] = "550 5.1.1 No such user here"

    with after_commit():
        reply = reply_to_ticket(ticket=emailed_ticket, by=Actor.of(agent), body="Hello?")

    record = MessageEmail.objects.get(message=reply)
    assert record.delivery == MessageEmail.Delivery.FAILED
    assert "550" in record.reason and "No such user" in record.reason
    assert OutboxItem.objects.get().status == OutboxItem.Status.FAILED
    assert TicketEvent.objects.filter(ticket=emailed_ticket, kind=TicketEvent.Kind.DELIVERY).exists()
    client.force_login(agent)
    page = client.get(reverse("desk:ticket", args=[emailed_ticket.pk])).content.decode()
    assert "Email failed" in page and "No such user here" in page


def test_the_desk_says_a_reply_will_be_retried_in_the_agents_language(
    smtp_server, after_commit, agent, emailed_ticket, client
):
    smtp_server.refuse["customer@example.com"] = "451 4.3.0 Try again later"
    with after_commit():
        reply_to_ticket(ticket=emailed_ticket, by=Actor.of(agent), body="Hello?")
    agent.language = "ar"
    agent.save()
    client.force_login(agent)

    page = client.get(reverse("desk:ticket", args=[emailed_ticket.pk])).content.decode()

    assert "فشلت المحاولة الأخيرة؛ ستُعاد المحاولة: " in page and "Try again later" in page
    assert "will retry" not in page and "tried again" not in page


def test_a_temporary_refusal_is_retried_with_backoff_until_it_goes_through(
    smtp_server, after_commit, agent, emailed_ticket, settings
):
    settings.AWN_OUTBOX_RETRY_SECONDS = 60
    smtp_server.refuse["customer@example.com"] = "451 4.3.0 Try again later"
    with after_commit():
        reply = reply_to_ticket(ticket=emailed_ticket, by=Actor.of(agent), body="Hello?")
    item = OutboxItem.objects.get()
    record = MessageEmail.objects.get(message=reply)
    assert item.status == OutboxItem.Status.QUEUED and item.attempts == 1
    assert timedelta(seconds=50) < item.next_attempt_at - clock.now() < timedelta(seconds=70)
    assert record.delivery == MessageEmail.Delivery.QUEUED and "451" in record.reason
    assert deliver_due() == 0  # not due yet
    del smtp_server.refuse["customer@example.com"]
    OutboxItem.objects.filter(pk=item.pk).update(next_attempt_at=clock.now())

    delivered = deliver_due()

    assert delivered == 1
    assert len(smtp_server.received) == 1
    item.refresh_from_db()
    assert item.status == OutboxItem.Status.SENT and item.attempts == 2
    assert MessageEmail.objects.get(message=reply).delivery == MessageEmail.Delivery.SENT


def test_an_unreachable_server_is_retried_then_fails_after_the_last_attempt(
    after_commit, agent, emailed_ticket, settings
):
    from tests.connectors.email.servers import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    settings.AWN_OUTBOX_MAX_ATTEMPTS = 3
    with after_commit():
        reply = reply_to_ticket(ticket=emailed_ticket, by=Actor.of(agent), body="Hello?")

    for _attempt in range(2):
        OutboxItem.objects.update(next_attempt_at=clock.now())
        deliver_due()

    item = OutboxItem.objects.get()
    assert item.status == OutboxItem.Status.FAILED and item.attempts == 3
    assert "Connection refused" in item.last_error or "ConnectionRefused" in item.last_error
    assert MessageEmail.objects.get(message=reply).delivery == MessageEmail.Delivery.FAILED


def test_a_mailbox_with_its_own_smtp_server_sends_through_it(
    smtp_server, after_commit, agent, emailed_ticket, mailbox, settings
):
    from tests.connectors.email.servers import CapturingHandler, start_smtp_server

    own = CapturingHandler()
    controller = start_smtp_server(own)
    try:
        mailbox.smtp_host, mailbox.smtp_port, mailbox.smtp_security = "127.0.0.1", controller.port, "none"
        mailbox.save()
        with after_commit():
            reply_to_ticket(ticket=emailed_ticket, by=Actor.of(agent), body="via the mailbox's server")
    finally:
        controller.stop()

    assert len(own.received) == 1
    assert smtp_server.received == []
