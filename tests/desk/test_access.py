"""Every desk URL × every role: anonymous → sign in, customer → 403, outsider → 404, team agent → 200."""

import pytest
from django.urls import reverse

from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

LIST_URLS = [
    ("desk:inbox", {}),
    ("desk:search", {}),
    ("desk:log_call", {}),
    ("desk:new_ticket", {}),
]
TICKET_GETS = ["desk:ticket"]
TICKET_POSTS = [
    ("desk:ticket_reply", {"kind": "reply", "body": "hello"}),
    ("desk:ticket_status", {"status": "pending"}),
    ("desk:ticket_priority", {"priority": "4"}),
    ("desk:ticket_assignee", {"assignee": ""}),
    ("desk:ticket_take", {}),
    ("desk:ticket_team", {"team": ""}),
    ("desk:ticket_tags", {"tags": "vip"}),
    ("desk:ticket_merge", {"target": "999"}),
]
ADMIN_URLS = [
    "desk:admin_users",
    "desk:admin_user_new",
    "desk:admin_organizations",
    "desk:admin_organization_new",
    "desk:admin_team_new",
]


@pytest.mark.parametrize("name", [name for name, _kwargs in LIST_URLS] + ADMIN_URLS + ["desk:admin_teams"])
def test_anonymous_visitors_are_sent_to_sign_in(client, name):
    response = client.get(reverse(name))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login") + "?next=")


def test_anonymous_visitors_are_sent_to_sign_in_from_a_ticket(client, ticket):
    response = client.get(reverse("desk:ticket", args=[ticket.pk]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("name", [name for name, _kwargs in LIST_URLS] + ADMIN_URLS + ["desk:admin_teams"])
def test_customers_are_refused_every_desk_page(client, customer, name):
    client.force_login(customer)

    response = client.get(reverse(name))

    assert response.status_code == 403


def test_customers_are_refused_their_own_ticket_on_the_desk(client, customer, ticket):
    client.force_login(customer)

    response = client.get(reverse("desk:ticket", args=[ticket.pk]))

    assert response.status_code == 403


@pytest.mark.parametrize("name,data", TICKET_POSTS)
def test_customers_cannot_post_desk_actions_and_nothing_is_written(client, customer, ticket, name, data):
    client.force_login(customer)
    events = ticket.events.count()

    response = client.post(reverse(name, args=[ticket.pk]), data)

    assert response.status_code == 403
    assert ticket.events.count() == events


@pytest.mark.parametrize("name", [name for name, _kwargs in LIST_URLS])
def test_agents_open_every_list_page(client, agent, name):
    client.force_login(agent)

    response = client.get(reverse(name))

    assert response.status_code == 200


def test_an_agent_outside_the_team_gets_404_for_a_team_ticket(client, outsider, ticket):
    client.force_login(outsider)

    response = client.get(reverse("desk:ticket", args=[ticket.pk]))

    assert response.status_code == 404
    assert ticket.subject.encode() not in response.content


@pytest.mark.parametrize("name,data", TICKET_POSTS)
def test_an_agent_outside_the_team_cannot_change_a_team_ticket(client, outsider, ticket, name, data):
    client.force_login(outsider)
    events = ticket.events.count()

    response = client.post(reverse(name, args=[ticket.pk]), data)

    assert response.status_code == 404
    assert ticket.events.count() == events


def test_an_agent_in_the_team_opens_the_ticket(client, agent, ticket):
    client.force_login(agent)

    response = client.get(reverse("desk:ticket", args=[ticket.pk]))

    assert response.status_code == 200
    assert b"My printer is on fire" in response.content


def test_an_admin_opens_any_ticket(client, admin_user, ticket):
    client.force_login(admin_user)

    response = client.get(reverse("desk:ticket", args=[ticket.pk]))

    assert response.status_code == 200


def test_an_unknown_ticket_number_is_404(client, admin_user):
    client.force_login(admin_user)

    response = client.get(reverse("desk:ticket", args=[424242]))

    assert response.status_code == 404


def test_the_inbox_of_an_outsider_does_not_list_team_tickets(client, outsider, ticket):
    client.force_login(outsider)

    response = client.get(reverse("desk:inbox") + "?view=all")

    assert response.status_code == 200
    assert b"My printer is on fire" not in response.content


@pytest.mark.parametrize("name", ADMIN_URLS)
def test_agents_are_refused_the_admin_area(client, agent, name):
    client.force_login(agent)

    response = client.get(reverse(name))

    assert response.status_code == 403


@pytest.mark.parametrize("name", ADMIN_URLS + ["desk:admin_teams"])
def test_admins_open_every_admin_page(client, admin_user, name):
    client.force_login(admin_user)

    response = client.get(reverse(name))

    assert response.status_code == 200


def test_agents_are_refused_the_team_list(client, agent):
    client.force_login(agent)

    response = client.get(reverse("desk:admin_teams"))

    assert response.status_code == 403


def test_a_disabled_staff_member_is_no_longer_let_in(client, agent):
    client.force_login(agent)
    agent.is_active = False
    agent.save(update_fields=["is_active"])

    response = client.get(reverse("desk:inbox"))

    assert response.status_code == 302


def _admin_object_urls(team, customer) -> list[str]:
    organization = OrganizationFactory()
    return [
        reverse("desk:admin_user", args=[customer.pk]),
        reverse("desk:admin_team", args=[team.pk]),
        reverse("desk:admin_organization", args=[organization.pk]),
    ]


def test_admin_object_pages_send_anonymous_visitors_to_sign_in(client, team, customer):
    for url in _admin_object_urls(team, customer):
        assert client.get(url).status_code == 302


def test_admin_object_pages_refuse_customers(client, team, customer):
    client.force_login(customer)

    statuses = [client.get(url).status_code for url in _admin_object_urls(team, customer)]

    assert statuses == [403, 403, 403]


def test_admin_object_pages_refuse_agents_even_for_their_own_team(client, agent, team, customer):
    client.force_login(agent)

    statuses = [client.get(url).status_code for url in _admin_object_urls(team, customer)]

    assert statuses == [403, 404, 403]


def test_admins_open_admin_object_pages(client, admin_user, team, customer):
    client.force_login(admin_user)

    statuses = [client.get(url).status_code for url in _admin_object_urls(team, customer)]

    assert statuses == [200, 200, 200]


def test_unknown_admin_objects_are_404(client, admin_user):
    client.force_login(admin_user)

    assert client.get(reverse("desk:admin_user", args=[999999])).status_code == 404
    assert client.get(reverse("desk:admin_team", args=[999999])).status_code == 404
    assert client.get(reverse("desk:admin_organization", args=[999999])).status_code == 404
