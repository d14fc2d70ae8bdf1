"""The visibility matrix: every role against every endpoint that touches one ticket.

Anyone who may not see a ticket gets 404 (never 403: a stranger must not learn that it exists), a missing or
revoked token gets 401, and a refused write leaves the database as it was.
"""

import pytest

from awn.accounts.api_tokens import create_api_token, revoke_api_token
from awn.tickets.inbound import IncomingFile
from awn.tickets.models import Message, Ticket, TicketEvent
from awn.tickets.services import Actor, create_ticket
from tests.api.conftest import ApiClient, error_of
from tests.factories import AgentFactory, CustomerFactory, OrganizationFactory, TeamFactory

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "revoked", "owner", "other_customer", "team_agent", "outsider_agent", "admin"]

# endpoint -> expected status per role, in the order of ROLES
MATRIX = {
    "read": [401, 401, 200, 404, 200, 404, 200],
    "update": [401, 401, 200, 404, 200, 404, 200],
    "list_messages": [401, 401, 200, 404, 200, 404, 200],
    "add_message": [401, 401, 201, 404, 201, 404, 201],
    "merge": [401, 401, 403, 404, 200, 404, 200],
    "download": [401, 401, 200, 404, 200, 404, 200],
}


@pytest.fixture
def world(db, client, customer, agent, admin_user, team):
    owner_ticket = create_ticket(
        requester=customer,
        subject="Invoice",
        body="See attached",
        team=team,
        by=Actor.of(customer),
        attachments=[IncomingFile(filename="invoice.pdf", content=b"%PDF", content_type="application/pdf")],
    )
    duplicate = create_ticket(
        requester=customer, subject="Invoice again", body="x", team=team, by=Actor.of(customer)
    )
    outsider = AgentFactory()
    TeamFactory(name="Elsewhere", members=[outsider])
    revoked_owner = AgentFactory()
    TeamFactory(name="Support too", members=[revoked_owner])
    revoked_token, revoked_key = create_api_token(user=admin_user)
    revoke_api_token(token=revoked_token)
    users = {
        "owner": customer,
        "other_customer": CustomerFactory(),
        "team_agent": agent,
        "outsider_agent": outsider,
        "admin": admin_user,
    }
    keys = {role: create_api_token(user=user)[1] for role, user in users.items()}
    keys["revoked"] = revoked_key
    keys["anonymous"] = None
    return {
        "ticket": owner_ticket,
        "duplicate": duplicate,
        "keys": keys,
        "client": client,
        "attachment": owner_ticket.messages.get().attachments.get(),
    }


def call(world, role, endpoint):
    api = ApiClient(world["client"], world["keys"][role])
    ticket, duplicate = world["ticket"], world["duplicate"]
    if endpoint == "read":
        return api.get(f"/api/v1/tickets/{ticket.pk}")
    if endpoint == "update":
        return api.patch(f"/api/v1/tickets/{ticket.pk}", {"status": "solved"})
    if endpoint == "list_messages":
        return api.get(f"/api/v1/tickets/{ticket.pk}/messages")
    if endpoint == "add_message":
        return api.post(f"/api/v1/tickets/{ticket.pk}/messages", {"body": "Hello"})
    if endpoint == "merge":
        return api.post(f"/api/v1/tickets/{duplicate.pk}/merge", {"into": ticket.pk})
    if endpoint == "download":
        return api.get(f"/api/v1/attachments/{world['attachment'].pk}")
    raise AssertionError(endpoint)


def state():
    return (
        Message.objects.count(),
        TicketEvent.objects.count(),
        sorted(Ticket.objects.values_list("pk", "status", "merged_into_id")),
    )


@pytest.mark.parametrize("endpoint", list(MATRIX))
@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_exactly_what_it_may_see(world, role, endpoint):
    expected = MATRIX[endpoint][ROLES.index(role)]
    before = state()

    response = call(world, role, endpoint)

    assert response.status_code == expected, (role, endpoint, response.content[:300])
    if expected >= 400:
        assert error_of(response)["code"]
        assert state() == before
        assert b"Invoice" not in response.content


@pytest.mark.parametrize("role", ROLES)
def test_the_ticket_list_shows_a_ticket_only_to_those_who_may_see_it(world, role):
    expected = MATRIX["read"][ROLES.index(role)]

    response = ApiClient(world["client"], world["keys"][role]).get("/api/v1/tickets")

    if expected == 401:
        assert response.status_code == 401
    else:
        listed = [item["id"] for item in response.json()["items"]]
        assert (world["ticket"].pk in listed) == (expected == 200)


def test_a_colleague_sees_the_ticket_when_the_organization_shares_tickets(api_as):
    acme = OrganizationFactory(shared_tickets=True)
    alice, bob = CustomerFactory(organization=acme), CustomerFactory(organization=acme)
    ticket = create_ticket(requester=alice, subject="Shared", body="x", by=Actor.of(alice))

    response = api_as(bob).get(f"/api/v1/tickets/{ticket.pk}")

    assert response.status_code == 200


def test_a_colleague_does_not_see_the_ticket_when_the_organization_keeps_them_private(api_as):
    acme = OrganizationFactory(shared_tickets=False)
    alice, bob = CustomerFactory(organization=acme), CustomerFactory(organization=acme)
    ticket = create_ticket(requester=alice, subject="Private", body="x", by=Actor.of(alice))

    response = api_as(bob).get(f"/api/v1/tickets/{ticket.pk}")

    assert response.status_code == 404


def test_an_agent_on_an_all_tickets_team_sees_every_ticket(api_as, ticket):
    roamer = AgentFactory()
    TeamFactory(members=[roamer], visibility="all")

    response = api_as(roamer).get(f"/api/v1/tickets/{ticket.pk}")

    assert response.status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_search_finds_a_ticket_only_for_those_who_may_see_it(world, role):
    expected = MATRIX["read"][ROLES.index(role)]

    response = ApiClient(world["client"], world["keys"][role]).get("/api/v1/search", {"q": "invoice"})

    if expected == 401:
        assert response.status_code == 401
    else:
        assert response.status_code == 200
        if expected == 404:
            assert world["ticket"].pk not in [item["id"] for item in response.json()["items"]]
