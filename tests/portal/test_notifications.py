"""Public replies from agents are emailed to the requester and followers; nothing else is."""

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from awn.tickets.services import (
    Actor,
    add_customer_message,
    add_followers,
    add_internal_note,
    reply_to_ticket,
)
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def after_commit(django_capture_on_commit_callbacks):
    """Run what the services queue for after the commit (domain events), as a real transaction would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_an_agents_public_reply_is_emailed_to_the_requester_with_a_portal_link(after_commit, agent, requester,
                                                                               request_ticket):
    with after_commit():
        reply_to_ticket(ticket=request_ticket, by=Actor.of(agent), body="We refunded the difference.")

    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == [requester.email]
    assert f"#{request_ticket.number}" in sent.subject and "Invoice is wrong" in sent.subject
    assert "We refunded the difference." in sent.body
    assert settings.AWN_BASE_URL + reverse("portal:ticket", args=[request_ticket.number]) in sent.body


def test_followers_are_emailed_too(after_commit, agent, requester, request_ticket):
    follower = CustomerFactory(email="boss@acme.example")
    add_followers(ticket=request_ticket, users=[follower], by=Actor.of(agent))

    with after_commit():
        reply_to_ticket(ticket=request_ticket, by=Actor.of(agent), body="Done")

    assert sorted(m.to[0] for m in mail.outbox) == sorted([requester.email, follower.email])


def test_internal_notes_are_never_emailed(after_commit, agent, request_ticket):
    with after_commit():
        add_internal_note(ticket=request_ticket, by=Actor.of(agent), body="secret")

    assert mail.outbox == []


def test_the_customers_own_messages_are_not_emailed_back(after_commit, requester, request_ticket):
    with after_commit():
        add_customer_message(ticket=request_ticket, author=requester, body="any news?")

    assert mail.outbox == []


def test_the_email_is_in_the_recipients_language(after_commit, agent, requester, request_ticket):
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


def test_a_retried_job_does_not_email_anyone_twice(after_commit, agent, request_ticket):
    from awn.portal.tasks import send_reply_notification

    with after_commit():
        message = reply_to_ticket(ticket=request_ticket, by=Actor.of(agent), body="Done")

    send_reply_notification.call_local(message.pk)

    assert len(mail.outbox) == 1
