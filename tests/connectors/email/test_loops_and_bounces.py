"""Loops and noise: automatic mail is never answered automatically, our own mail coming back is ignored,
bounces attach to their ticket as a failed delivery the agent sees, acknowledgements are rate-limited."""

import pytest
from django.core import mail as django_mail
from django.urls import reverse

from awn.connectors.email.ingest import receive_raw_email
from awn.connectors.email.models import AutomaticReply, MessageEmail, RawEmail
from awn.outbox.models import OutboxItem
from awn.tickets.models import TicketEvent
from awn.tickets.services import Actor, reply_to_ticket
from tests.connectors.email.mails import make_mail

pytestmark = pytest.mark.django_db


@pytest.fixture
def acknowledging(mailbox):
    mailbox.send_acknowledgement = True
    mailbox.expected_response = "within one business day"
    mailbox.save()
    return mailbox


def ingest(raw, mailbox):
    return receive_raw_email(raw=raw, source=RawEmail.Source.HTTP, mailbox=mailbox)


def acknowledgements():
    return OutboxItem.objects.filter(kind="email.acknowledgement")


def test_a_new_request_is_acknowledged_with_its_number_and_expected_response(acknowledging, after_commit):
    with after_commit():
        row = ingest(make_mail(), acknowledging)

    sent = django_mail.outbox[-1]
    ticket = row.message.ticket
    assert sent.to == ["customer@example.com"]
    assert f"#{ticket.number}" in sent.subject and f"#{ticket.number}" in sent.body
    assert "within one business day" in sent.body
    assert sent.extra_headers["Auto-Submitted"] == "auto-replied"
    assert sent.extra_headers["In-Reply-To"] == row.message_id_header


def test_a_reply_on_an_existing_ticket_is_not_acknowledged(acknowledging):
    first = ingest(make_mail(), acknowledging)

    ingest(make_mail(subject=f"Re: [#{first.message.ticket_id}]"), acknowledging)

    assert acknowledgements().count() == 1


def test_no_acknowledgement_when_the_mailbox_does_not_send_them(mailbox):
    ingest(make_mail(), mailbox)

    assert not acknowledgements().exists()


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto-Submitted": "auto-replied"},
        {"Auto-Submitted": "auto-generated"},
        {"Precedence": "bulk"},
        {"Precedence": "list"},
        {"Precedence": "junk"},
        {"List-Id": "<announce.lists.example.com>"},
        {"List-Unsubscribe": "<mailto:leave@lists.example.com>"},
        {"X-Autoreply": "yes"},
        {"X-Autorespond": "yes"},
        {"X-Auto-Response-Suppress": "All"},
    ],
)
def test_automatic_mail_is_ingested_but_never_acknowledged(acknowledging, headers):
    row = ingest(make_mail(headers=headers), acknowledging)

    assert row.status == RawEmail.Status.INGESTED
    assert not acknowledgements().exists()
    assert "no acknowledgement: automatic message" in row.reason


def test_an_out_of_office_subject_is_automatic(acknowledging):
    ingest(make_mail(subject="Automatic reply: away until Monday"), acknowledging)

    assert not acknowledgements().exists()


def test_mail_from_a_no_reply_address_is_not_acknowledged(acknowledging):
    ingest(make_mail(sender="no-reply@shop.example"), acknowledging)

    assert not acknowledgements().exists()


def test_acknowledgements_to_one_sender_are_rate_limited(acknowledging, settings):
    settings.AWN_EMAIL_AUTOREPLY_LIMIT = 2

    rows = [ingest(make_mail(subject=f"Request {n}"), acknowledging) for n in range(4)]

    assert acknowledgements().count() == 2
    assert AutomaticReply.objects.filter(address="customer@example.com").count() == 2
    assert "rate limit" in rows[-1].reason
    assert all(row.status == RawEmail.Status.INGESTED for row in rows)  # the requests themselves are kept


def test_two_autoresponders_stop_answering_each_other(acknowledging, after_commit, settings):
    settings.AWN_EMAIL_AUTOREPLY_LIMIT = 3
    robot = "robot@vendor.example"

    for n in range(10):  # a responder that sets none of the automatic headers answers every mail we send
        with after_commit():
            ingest(make_mail(sender=robot, subject=f"Thanks for your mail {n}"), acknowledging)

    assert len([m for m in django_mail.outbox if m.to == [robot]]) == 3


def test_our_own_mail_coming_back_is_ignored(acknowledging):
    row = ingest(make_mail(sender="Acme Support <support@acme.example>", subject="loop"), acknowledging)

    assert row.status == RawEmail.Status.IGNORED
    assert "loop" in row.reason
    assert row.message is None


def test_our_own_reply_coming_back_from_another_address_is_ignored(mailbox, agent):
    first = ingest(make_mail(), mailbox)
    reply = reply_to_ticket(ticket=first.message.ticket, by=Actor.of(agent), body="Answer")
    our_id = MessageEmail.objects.get(message=reply).message_id_header

    row = ingest(make_mail(sender="forwarder@example.com", message_id=our_id, subject="Fwd loop"), mailbox)

    assert row.status == RawEmail.Status.IGNORED
    assert "came back" in row.reason


def test_mail_carrying_our_loop_header_is_ignored(acknowledging):
    row = ingest(make_mail(headers={"X-Awn-Loop": "awn.example"}), acknowledging)

    assert row.status == RawEmail.Status.IGNORED


def dsn(original_id: str, recipient: str = "customer@example.com") -> bytes:
    return (
        "From: Mail Delivery System <MAILER-DAEMON@mx.example.com>\r\n"
        "To: support@acme.example\r\nSubject: Undelivered Mail Returned to Sender\r\n"
        "Message-ID: <bounce1@mx.example.com>\r\nAuto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: text/plain\r\n\r\nI'm sorry to have to inform you that your message could not"
        " be delivered.\r\n"
        "--B\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example.com\r\n\r\n"
        f"Final-Recipient: rfc822; {recipient}\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        "Diagnostic-Code: smtp; 550 5.1.1 User unknown\r\n"
        "--B\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"From: Acme Support <support@acme.example>\r\nMessage-ID: {original_id}\r\nSubject: [#1] x\r\n"
        "--B--\r\n"
    ).encode()


def test_a_bounce_marks_our_reply_failed_and_the_agent_sees_it(mailbox, agent, client):
    first = ingest(make_mail(), mailbox)
    ticket = first.message.ticket
    reply = reply_to_ticket(ticket=ticket, by=Actor.of(agent), body="Here is the fix")
    our_id = MessageEmail.objects.get(message=reply).message_id_header

    row = ingest(dsn(our_id), mailbox)

    assert row.status == RawEmail.Status.INGESTED
    assert row.message == reply
    record = MessageEmail.objects.get(message=reply)
    assert record.delivery == MessageEmail.Delivery.FAILED
    assert "5.1.1" in record.reason and "customer@example.com" in record.reason
    event = TicketEvent.objects.get(ticket=ticket, kind=TicketEvent.Kind.DELIVERY)
    assert event.new["state"] == "bounced"
    assert ticket.messages.count() == 2  # the bounce is not a message from the customer
    client.force_login(agent)
    page = client.get(reverse("desk:ticket", args=[ticket.pk])).content.decode()
    assert "Email failed" in page and "User unknown" in page


def test_a_bounce_is_never_acknowledged(acknowledging, agent):
    first = ingest(make_mail(), acknowledging)
    reply = reply_to_ticket(ticket=first.message.ticket, by=Actor.of(agent), body="x")
    our_id = MessageEmail.objects.get(message=reply).message_id_header

    ingest(dsn(our_id), acknowledging)

    assert acknowledgements().count() == 1  # the first request's only


def test_a_bounce_about_mail_we_never_sent_is_kept_as_ignored(mailbox):
    row = ingest(dsn("<someone-else@example.org>"), mailbox)

    assert row.status == RawEmail.Status.IGNORED
    assert "did not send" in row.reason


def test_an_old_style_bounce_without_a_report_is_recognised(mailbox, agent):
    first = ingest(make_mail(), mailbox)
    reply = reply_to_ticket(ticket=first.message.ticket, by=Actor.of(agent), body="x")
    our_id = MessageEmail.objects.get(message=reply).message_id_header
    text = (
        f"Delivery to the following recipient failed permanently:\n\n  customer@example.com\n\n"
        f"Message-ID: {our_id}\n"
    )

    row = ingest(
        make_mail(
            sender="postmaster@old-mx.example", subject="Delivery Status Notification (Failure)", text=text
        ),
        mailbox,
    )

    assert row.message == reply
    assert MessageEmail.objects.get(message=reply).delivery == MessageEmail.Delivery.FAILED


def test_a_delayed_delivery_report_is_not_a_failure(mailbox, agent):
    first = ingest(make_mail(), mailbox)
    reply = reply_to_ticket(ticket=first.message.ticket, by=Actor.of(agent), body="x")
    our_id = MessageEmail.objects.get(message=reply).message_id_header

    row = ingest(dsn(our_id).replace(b"Action: failed", b"Action: delayed"), mailbox)

    assert row.status == RawEmail.Status.IGNORED
    assert MessageEmail.objects.get(message=reply).delivery == MessageEmail.Delivery.QUEUED
