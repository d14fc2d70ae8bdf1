import pytest

from awn.connectors.chat.models import ChatSession
from awn.connectors.chat.services import greet_visitor, post_visitor_message, set_availability
from awn.connectors.chat.services.assignment import queue_position
from awn.connectors.chat.services.conversations import end_visitor_chat
from tests.factories import AgentFactory, TeamFactory

pytestmark = pytest.mark.django_db


def start_chat(widget, text="Hello"):
    visitor = greet_visitor(widget=widget).visitor
    session, _ = post_visitor_message(visitor=visitor, text=text)
    session.refresh_from_db()
    return session


def test_a_new_chat_is_offered_to_an_online_agent_of_the_widgets_team(widget, online_agent):
    session = start_chat(widget)

    assert session.state == ChatSession.State.ASSIGNED
    assert session.agent == online_agent
    assert session.ticket.assignee == online_agent


def test_chats_go_round_robin_among_available_agents(widget, team, online_agent):
    second = AgentFactory()
    team.members.add(second)
    set_availability(user=second, availability="online", capacity=2)

    agents = [start_chat(widget).agent for _ in range(4)]

    assert agents == [online_agent, second, online_agent, second]


def test_an_agent_at_capacity_gets_no_more_chats_and_the_rest_wait_in_a_queue(widget, online_agent):
    offered = [start_chat(widget) for _ in range(2)]

    waiting = start_chat(widget)
    later = start_chat(widget)

    assert all(s.agent == online_agent for s in offered)
    assert waiting.state == ChatSession.State.QUEUED and waiting.agent is None
    assert queue_position(waiting) == 1
    assert queue_position(later) == 2


@pytest.mark.parametrize("availability", ["away", "offline"])
def test_agents_who_are_not_online_get_no_chats(widget, agent, availability):
    set_availability(user=agent, availability=availability)

    session = start_chat(widget)

    assert session.state == ChatSession.State.QUEUED


def test_agents_of_another_team_get_no_chats(widget):
    outsider = AgentFactory()
    TeamFactory(members=[outsider])
    set_availability(user=outsider, availability="online")

    session = start_chat(widget)

    assert session.state == ChatSession.State.QUEUED


def test_an_agent_coming_online_takes_the_waiting_chats(widget, agent):
    session = start_chat(widget)

    set_availability(user=agent, availability="online", capacity=3)

    session.refresh_from_db()
    assert session.state == ChatSession.State.ASSIGNED and session.agent == agent


def test_a_chat_that_ends_frees_a_slot_for_the_next_in_the_queue(widget, online_agent):
    first = start_chat(widget)
    start_chat(widget)
    waiting = start_chat(widget)

    end_visitor_chat(visitor=first.visitor)

    waiting.refresh_from_db()
    assert waiting.state == ChatSession.State.ASSIGNED
    assert waiting.agent == online_agent


def test_an_agent_with_no_chat_capacity_gets_no_chats(widget, agent):
    set_availability(user=agent, availability="online", capacity=0)

    session = start_chat(widget)

    assert session.state == ChatSession.State.QUEUED


def test_going_online_for_tickets_is_going_online_for_chats(widget, agent):
    from awn.routing.services import set_availability as set_routing_availability

    set_routing_availability(user=agent, availability="online", by=agent)

    session = start_chat(widget)

    assert session.state == ChatSession.State.ASSIGNED and session.agent == agent
