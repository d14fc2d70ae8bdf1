import pytest

from awn.connectors.chat.services import greet_visitor, set_availability
from tests.chat.factories import ChatWidgetFactory


@pytest.fixture
def widget(team):
    return ChatWidgetFactory(team=team, name="Shop")


@pytest.fixture
def visitor(widget):
    return greet_visitor(widget=widget, ip="203.0.113.5").visitor


@pytest.fixture
def online_agent(agent):
    set_availability(user=agent, availability="online", capacity=2)
    return agent
