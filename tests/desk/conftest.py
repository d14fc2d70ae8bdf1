import pytest

from awn.tickets.services import Actor, create_ticket
from tests.factories import AgentFactory, CustomerFactory, ManagerFactory, TeamFactory


@pytest.fixture
def outsider(db):
    """An agent in another team, who must not see the Support team's tickets."""
    person = AgentFactory(name="Otto Outsider")
    TeamFactory(name="Billing", members=[person])
    return person


@pytest.fixture
def manager(db, team):
    person = ManagerFactory(name="Mona Manager")
    team.members.add(person)
    return person


@pytest.fixture
def other_customer(db):
    return CustomerFactory(email="other@example.com", name="Olga Other")


@pytest.fixture
def second_ticket(db, customer, team):
    return create_ticket(
        requester=customer, subject="Second problem", body="Also this", team=team, by=Actor.of(customer)
    )
