import pytest

from awn.connectors.chat import presence
from awn.connectors.chat.models import ChatSession
from awn.connectors.chat.services import (
    accept_chat,
    end_chat,
    greet_visitor,
    mark_read,
    post_visitor_message,
    send_agent_message,
    set_availability,
    set_visitor_contact,
    transfer_chat,
)
from awn.core.errors import NotPermitted, ValidationFailed
from awn.outbox.models import OutboxItem
from awn.tickets.models import Status
from awn.tickets.services import Actor
from tests.factories import AgentFactory, CustomerFactory, TeamFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def chat(widget):
    visitor = greet_visitor(widget=widget).visitor
    session, _ = post_visitor_message(visitor=visitor, text="Hello, is anyone there?")
    session.refresh_from_db()
    return session


def test_an_agent_accepts_a_waiting_chat(chat, agent):
    accepted = accept_chat(session=chat, by=Actor.of(agent))

    assert accepted.state == ChatSession.State.ACTIVE
    assert accepted.agent == agent
    accepted.ticket.refresh_from_db()
    assert accepted.ticket.assignee == agent
    assert accepted.ticket.status == Status.OPEN


def test_a_chat_offered_to_one_agent_cannot_be_taken_by_another(widget, online_agent, team):
    visitor = greet_visitor(widget=widget).visitor
    session, _ = post_visitor_message(visitor=visitor, text="Hi")
    colleague = AgentFactory()
    team.members.add(colleague)

    with pytest.raises(NotPermitted):
        accept_chat(session=session, by=Actor.of(colleague))


def test_an_agent_outside_the_team_cannot_accept_or_answer(chat):
    outsider = AgentFactory()
    TeamFactory(members=[outsider])

    with pytest.raises(NotPermitted):
        accept_chat(session=chat, by=Actor.of(outsider))
    with pytest.raises(NotPermitted):
        send_agent_message(session=chat, by=Actor.of(outsider), text="Let me help")

    assert chat.ticket.messages.count() == 1


def test_a_customer_cannot_answer_as_an_agent(chat):
    with pytest.raises(NotPermitted):
        send_agent_message(session=chat, by=Actor.of(CustomerFactory()), text="I am staff, honest")


def test_answering_a_waiting_chat_accepts_it(chat, agent):
    message = send_agent_message(session=chat, by=Actor.of(agent), text="Hi! How can I help?")

    chat.refresh_from_db()
    assert chat.state == ChatSession.State.ACTIVE
    assert message.author == agent and not message.internal


def test_an_answer_to_a_connected_visitor_is_not_emailed(chat, agent):
    set_visitor_contact(visitor=chat.visitor, email="lina@example.com")
    presence.visitor_connected(chat.visitor_id)

    send_agent_message(session=chat, by=Actor.of(agent), text="Here you go")

    assert not OutboxItem.objects.filter(kind="email.reply").exists()


def test_an_answer_after_the_visitor_left_continues_by_email(chat, agent):
    set_visitor_contact(visitor=chat.visitor, email="lina@example.com")
    presence.visitor_connected(chat.visitor_id)
    presence.visitor_disconnected(chat.visitor_id)

    send_agent_message(session=chat, by=Actor.of(agent), text="Sorry for the wait: here is the answer")

    assert OutboxItem.objects.filter(kind="email.reply").count() == 1


def test_an_answer_to_an_anonymous_visitor_is_never_emailed(chat, agent):
    send_agent_message(session=chat, by=Actor.of(agent), text="Hello?")

    assert not OutboxItem.objects.filter(kind="email.reply").exists()


def test_a_chat_transferred_to_an_agent_waits_for_them_to_accept(chat, agent, team):
    accept_chat(session=chat, by=Actor.of(agent))
    colleague = AgentFactory()
    team.members.add(colleague)

    moved = transfer_chat(session=chat, by=Actor.of(agent), to_agent=colleague)

    assert moved.state == ChatSession.State.ASSIGNED and moved.agent == colleague
    moved.ticket.refresh_from_db()
    assert moved.ticket.assignee == colleague


def test_a_chat_transferred_to_a_team_joins_that_teams_queue(chat, agent):
    accept_chat(session=chat, by=Actor.of(agent))
    billing = TeamFactory(name="Billing")

    moved = transfer_chat(session=chat, by=Actor.of(agent), to_team=billing)

    assert moved.state == ChatSession.State.QUEUED and moved.agent is None
    moved.ticket.refresh_from_db()
    assert moved.ticket.team == billing and moved.ticket.assignee is None


def test_a_transfer_to_a_team_goes_to_its_online_agent(chat, agent):
    accept_chat(session=chat, by=Actor.of(agent))
    billing_agent = AgentFactory()
    billing = TeamFactory(name="Billing", members=[billing_agent])
    set_availability(user=billing_agent, availability="online")

    moved = transfer_chat(session=chat, by=Actor.of(agent), to_team=billing)

    moved.refresh_from_db()
    assert moved.state == ChatSession.State.ASSIGNED and moved.agent == billing_agent


def test_a_transfer_needs_exactly_one_target(chat, agent):
    with pytest.raises(ValidationFailed):
        transfer_chat(session=chat, by=Actor.of(agent))


def test_a_transfer_to_a_customer_is_refused(chat, agent):
    with pytest.raises(ValidationFailed):
        transfer_chat(session=chat, by=Actor.of(agent), to_agent=CustomerFactory())


def test_an_agent_ends_the_chat_and_the_ticket_stays_open_for_email(chat, agent):
    accept_chat(session=chat, by=Actor.of(agent))

    ended = end_chat(session=chat, by=Actor.of(agent))

    assert ended.state == ChatSession.State.ENDED and ended.ended_by == "agent"
    ended.ticket.refresh_from_db()
    assert ended.ticket.status == Status.OPEN


def test_read_receipts_only_move_forward(chat, agent):
    reply = send_agent_message(session=chat, by=Actor.of(agent), text="Hi")

    mark_read(session=chat, side="visitor", upto=reply.pk)
    mark_read(session=chat, side="visitor", upto=1)

    chat.refresh_from_db()
    assert chat.visitor_read_id == reply.pk


def test_a_read_receipt_cannot_point_past_the_conversation(chat):
    mark_read(session=chat, side="visitor", upto=10**9)

    chat.refresh_from_db()
    assert chat.visitor_read_id == chat.ticket.messages.order_by("-id").first().pk


@pytest.mark.parametrize("capacity", [-1, 21, "3"])
def test_capacity_must_be_a_small_number(agent, capacity):
    with pytest.raises(ValidationFailed):
        set_availability(user=agent, availability="online", capacity=capacity)


def test_customers_have_no_availability():
    with pytest.raises(NotPermitted):
        set_availability(user=CustomerFactory(), availability="online")
