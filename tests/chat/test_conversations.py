import pytest
from django.test import override_settings

from awn.connectors.chat.errors import RateLimited
from awn.connectors.chat.identity import PLACEHOLDER_DOMAIN
from awn.connectors.chat.models import ChatSession
from awn.connectors.chat.services import (
    leave_offline_message,
    post_visitor_message,
    set_visitor_contact,
)
from awn.connectors.chat.services.conversations import end_visitor_chat
from awn.core.errors import ValidationFailed
from awn.tickets.models import Channel, Message, Ticket
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_the_first_message_opens_a_ticket_on_the_chat_channel_for_the_widgets_team(visitor, widget):
    session, message = post_visitor_message(visitor=visitor, text="Do you ship to Oman?")

    ticket = session.ticket
    assert ticket.channel == Channel.CHAT
    assert ticket.team == widget.team
    assert ticket.subject == "Do you ship to Oman?"
    assert message.ticket == ticket and message.channel == Channel.CHAT


def test_an_anonymous_visitor_is_a_placeholder_customer_that_can_never_receive_mail(visitor):
    session, _message = post_visitor_message(visitor=visitor, text="Hello")

    assert session.ticket.requester.email.endswith("@" + PLACEHOLDER_DOMAIN)


def test_later_messages_continue_the_same_ticket(visitor):
    first, _ = post_visitor_message(visitor=visitor, text="Hello")

    second, message = post_visitor_message(visitor=visitor, text="Are you there?")

    assert second.pk == first.pk
    assert message.ticket_id == first.ticket_id
    assert Ticket.objects.count() == 1


def test_after_the_chat_ended_a_new_message_starts_a_new_chat(visitor):
    first, _ = post_visitor_message(visitor=visitor, text="Hello")
    end_visitor_chat(visitor=visitor)

    second, _ = post_visitor_message(visitor=visitor, text="One more question")

    assert second.pk != first.pk
    assert second.ticket_id != first.ticket_id


def test_hostile_html_in_a_message_is_stored_as_text(visitor):
    _session, message = post_visitor_message(
        visitor=visitor, text='<img src=x onerror="alert(1)"><script>x</script>'
    )

    assert "<script" not in message.html and "<img" not in message.html
    assert "&lt;script&gt;" in message.html


def test_control_characters_are_removed(visitor):
    _session, message = post_visitor_message(visitor=visitor, text="he\x00llo\x1b")

    assert message.body == "hello"


@pytest.mark.parametrize("text", ["", "   ", None, ["a list"], {"an": "object"}])
def test_an_empty_or_malformed_message_is_refused_and_nothing_is_written(visitor, text):
    with pytest.raises(ValidationFailed):
        post_visitor_message(visitor=visitor, text=text)

    assert not Ticket.objects.exists()


@override_settings(AWN_CHAT_MAX_MESSAGE_CHARS=50)
def test_a_message_over_the_size_limit_is_refused(visitor):
    with pytest.raises(ValidationFailed) as refused:
        post_visitor_message(visitor=visitor, text="x" * 51)

    assert refused.value.code == "too_long"
    assert not Message.objects.exists()


@override_settings(AWN_CHAT_MESSAGES_PER_MINUTE=3)
def test_a_visitor_sending_too_fast_is_rate_limited(visitor):
    for n in range(3):
        post_visitor_message(visitor=visitor, text=f"message {n}")

    with pytest.raises(RateLimited):
        post_visitor_message(visitor=visitor, text="one too many")

    assert Message.objects.count() == 3


@override_settings(AWN_CHAT_IP_MESSAGES_PER_MINUTE=2, AWN_CHAT_MESSAGES_PER_MINUTE=100)
def test_many_visitors_from_one_address_are_rate_limited_together(widget):
    from awn.connectors.chat.services import greet_visitor

    visitors = [greet_visitor(widget=widget).visitor for _ in range(3)]
    post_visitor_message(visitor=visitors[0], text="a", ip="198.51.100.7")
    post_visitor_message(visitor=visitors[1], text="b", ip="198.51.100.7")

    with pytest.raises(RateLimited):
        post_visitor_message(visitor=visitors[2], text="c", ip="198.51.100.7")


def test_an_offline_message_becomes_a_ticket_answered_by_email(visitor):
    session = leave_offline_message(
        visitor=visitor, name="Omar", email="Omar@Example.com", text="Call me back"
    )

    assert session.state == ChatSession.State.OFFLINE
    assert session.ticket.requester.email == "omar@example.com"
    assert session.ticket.channel == Channel.CHAT


def test_an_offline_message_needs_a_valid_email(visitor):
    with pytest.raises(ValidationFailed):
        leave_offline_message(visitor=visitor, email="not an address", text="Hello")

    assert not Ticket.objects.exists()


def test_an_address_given_later_becomes_the_placeholder_customers_address(visitor):
    session, _ = post_visitor_message(visitor=visitor, text="Hello")

    set_visitor_contact(visitor=visitor, name="Lina", email="lina@example.com")

    requester = Ticket.objects.get(pk=session.ticket_id).requester
    assert requester.email == "lina@example.com"
    assert requester.name == "Lina"


def test_an_address_of_an_existing_customer_makes_them_follow_the_chat_without_revealing_their_history(
    visitor,
):
    existing = CustomerFactory(email="known@example.com")
    session, _ = post_visitor_message(visitor=visitor, text="Hello")

    set_visitor_contact(visitor=visitor, email="known@example.com")

    ticket = Ticket.objects.get(pk=session.ticket_id)
    assert existing in ticket.followers.all()
    assert ticket.requester != existing


def test_a_typed_address_cannot_be_a_placeholder_address(visitor):
    with pytest.raises(ValidationFailed):
        set_visitor_contact(visitor=visitor, email=f"someone@{PLACEHOLDER_DOMAIN}")
