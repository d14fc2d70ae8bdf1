"""The "next ticket" button: the next unassigned ticket of the agent's teams, in the team's queue order."""

from datetime import timedelta

import pytest
from django.urls import reverse

from awn.core import clock
from awn.routing.models import TeamRouting
from awn.routing.services import take_next_ticket
from awn.tickets.models import Priority, Ticket
from awn.tickets.services import Actor, create_ticket
from tests.factories import CustomerFactory, TeamFactory


@pytest.fixture
def queue(team, customer):
    """Three unassigned tickets, oldest first: normal, urgent, low."""
    made = []
    for age, priority in ((3, Priority.NORMAL), (2, Priority.URGENT), (1, Priority.LOW)):
        ticket = create_ticket(
            requester=customer,
            subject=f"{age}h old",
            body="?",
            team=team,
            by=Actor.of(customer),
            priority=priority,
        )
        Ticket.objects.filter(pk=ticket.pk).update(created_at=clock.now() - timedelta(hours=age))
        made.append(ticket)
    return made


@pytest.mark.parametrize(("order", "expected"), [("oldest", 0), ("newest", 2), ("priority", 1)])
def test_the_next_ticket_follows_the_teams_queue_order(team, agent, queue, order, expected):
    TeamRouting.objects.create(team=team, queue_order=order)

    ticket = take_next_ticket(agent=agent)

    assert ticket.pk == queue[expected].pk
    assert Ticket.objects.get(pk=ticket.pk).assignee_id == agent.pk


def test_taking_twice_gives_two_different_tickets(team, agent, queue):
    first, second = take_next_ticket(agent=agent), take_next_ticket(agent=agent)

    assert first.pk != second.pk


def test_tickets_of_other_teams_are_never_handed_out(agent, db):
    other = TeamFactory(name="Elsewhere")
    customer = CustomerFactory()
    create_ticket(requester=customer, subject="Not yours", body="?", team=other, by=Actor.of(customer))

    assert take_next_ticket(agent=agent) is None


def test_the_shared_triage_pool_comes_after_the_teams(team, agent, customer):
    pool = create_ticket(requester=customer, subject="No team", body="?", by=Actor.of(customer))

    assert take_next_ticket(agent=agent).pk == pool.pk


def test_the_button_assigns_and_opens_the_ticket(client, team, agent, queue):
    client.force_login(agent)

    response = client.post(reverse("routing:next_ticket"))

    assert response.status_code == 302
    assert response["Location"] == reverse("desk:ticket", args=[queue[0].pk])


def test_the_button_says_so_when_the_queue_is_empty(client, team, agent):
    client.force_login(agent)

    response = client.post(reverse("routing:next_ticket"), follow=True)

    assert "No ticket is waiting" in response.content.decode()


def test_customers_cannot_take_tickets(client, customer):
    client.force_login(customer)

    assert client.post(reverse("routing:next_ticket")).status_code == 403
