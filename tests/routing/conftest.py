import pytest

from awn.routing.models import AgentProfile, Availability, TeamRouting
from awn.routing.services import routing_changed
from tests.factories import AdminFactory, AgentFactory, TeamFactory


@pytest.fixture
def boss(db):
    return AdminFactory(name="Bo Boss")


@pytest.fixture
def crew(db):
    """A team of five online agents, with routing set per test."""
    agents = [AgentFactory(name=f"Agent {i}") for i in range(5)]
    team = TeamFactory(name="Crew", members=agents)
    for person in agents:
        AgentProfile.objects.create(user=person, availability=Availability.ONLINE, capacity=1000)
    return team, agents


@pytest.fixture
def strategy(crew):
    def set_strategy(assignment, queue_order="oldest"):
        team = crew[0]
        TeamRouting.objects.update_or_create(
            team=team, defaults={"assignment": assignment, "queue_order": queue_order}
        )
        routing_changed()
        return team

    return set_strategy
