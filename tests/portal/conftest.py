import pytest

from awn.tickets.services import Actor, create_ticket
from tests.factories import CustomerFactory, OrganizationFactory


@pytest.fixture
def organization(db):
    return OrganizationFactory(name="Acme", shared_tickets=False)


@pytest.fixture
def requester(organization):
    return CustomerFactory(email="rita@acme.example", name="Rita Requester", organization=organization)


@pytest.fixture
def colleague(organization):
    return CustomerFactory(email="carl@acme.example", name="Carl Colleague", organization=organization)


@pytest.fixture
def stranger(db):
    return CustomerFactory(email="sam@elsewhere.example", name="Sam Stranger")


@pytest.fixture
def request_ticket(requester, team):
    return create_ticket(
        requester=requester,
        subject="Invoice is wrong",
        body="The total is off by 10.",
        team=team,
        by=Actor.of(requester),
    )
