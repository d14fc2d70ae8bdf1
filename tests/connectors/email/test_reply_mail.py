"""Public replies from agents are emailed to the requester with the followers copied; nothing else is.

(These were the portal's notification tests; the mail now goes through the email channel's outbox, as one
message to the requester with the followers in Cc instead of one message each.)
"""

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from awn.connectors.email.models import MessageEmail
from awn.outbox.models import OutboxItem
from awn.outbox.services import deliver_item
from awn.tickets.services import (
    Actor,
    add_customer_message,
    add_followers,
    add_internal_note,
    create_ticket,
    reply_to_ticket,
)
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def requester(db):
    return CustomerFactory(email="rita@acme.example", name="Rita Requester")


@pytest.fixture
def request_ticket(requester, team):
    return create_ticket(
        requester=requester,
        subject="Invoice is wrong",
        body="The total is off by 10.",
        team=team,
        by=Actor.of(requester),
    )


def test_an_agents_public_reply_is_emailed_to_the_requester_with_a_portal_link(
    after_commit, agent, requester, request_ticket
):
    with after_commit():
        reply_to_ticket(ticket=request_ticket, by=Actor.of(agent), body="We refunded the difference.")

    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == [requester.email]
    assert f"#{request_ticket.number}" in sent.subject and "Invoice is wrong" in sent.subject
    assert "We refunded the difference." in sent.body
    assert settings.AWN_BASE_URL + reverse("portal:ticket", args=[request_ticket.number]) in sent.body


def test_followers_are_copied(after_commit, agent, requester, request_ticket):
    follower = CustomerFactory(email="boss@acme.example")
    add_followers(ticket=request_ticket, users=[follower], by=Actor.of(agent))

    with after_commit():
        reply_to_ticket(ticket=request_ticket, by=Actor.of(agent), body="Done")

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [requester.email]
    assert mail.outbox[0].cc == [follower.email]


def test_internal_notes_are_never_emailed(after_commit, agent, request_ticket):
    with after_commit():
        add_internal_note(ticket=request_ticket, by=Actor.of(agent), body="secret")

    assert mail.outbox == []
    assert not OutboxItem.objects.exists()


def test_the_customers_own_messages_are_not_emailed_back(after_commit, requester, request_ticket):
    with after_commit():
        add_customer_message(ticket=request_ticket, author=requester, body="any news?")

    assert mail.outbox == []


def test_the_email_is_in_the_requesters_language(after_commit, agent, requester, request_ticket):
    requester.language = "ar"
    requester.save()

    with after_commit():
        reply_to_ticket(ticket=request_ticket, by=Actor.of(agent), body="تم")

    assert mail.outbox[0].extra_headers["Content-Language"] == "ar"


def test_inactive_people_are_not_emailed(after_commit, agent, requester, request_ticket):
    requester.is_active = False
    requester.save()

    with after_commit():
        reply_to_ticket(ticket=request_ticket, by=Actor.of(agent), body="Done")

    assert mail.outbox == []


def test_delivering_the_same_reply_again_does_not_email_anyone_twice(after_commit, agent, request_ticket):
    with after_commit():
        message = reply_to_ticket(ticket=request_ticket, by=Actor.of(agent), body="Done")
    item = OutboxItem.objects.get()

    again = deliver_item(item.pk)

    assert again is None
    assert len(mail.outbox) == 1
    assert MessageEmail.objects.get(message=message).delivery == MessageEmail.Delivery.SENT


def test_the_reply_is_queued_in_the_same_transaction_as_the_message(agent, request_ticket):
    message = reply_to_ticket(ticket=request_ticket, by=Actor.of(agent), body="Done")

    item = OutboxItem.objects.get()
    assert item.payload == {"message": message.pk}
    assert item.status == OutboxItem.Status.QUEUED
    assert MessageEmail.objects.get(message=message).delivery == MessageEmail.Delivery.QUEUED
    assert mail.outbox == []


def test_addresses_that_cannot_receive_mail_are_not_emailed(after_commit, agent, team):
    visitor = CustomerFactory(email="visitor-123@visitors.invalid")
    ticket = create_ticket(
        requester=visitor, subject="From the chat", body="hi", team=team, by=Actor.of(visitor)
    )

    with after_commit():
        reply_to_ticket(ticket=ticket, by=Actor.of(agent), body="Hello")

    assert mail.outbox == []
    assert not OutboxItem.objects.exists()
