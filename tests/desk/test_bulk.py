import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from awn.tickets.models import Status
from awn.tickets.services import Actor, change_status, create_ticket
from tests.factories import AgentFactory, CustomerFactory, TeamFactory

pytestmark = pytest.mark.django_db


def _bulk(client, data):
    return client.post(reverse("desk:bulk"), data)


def _flash(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_bulk_assign_assigns_every_selected_ticket_and_reports_it(client, agent, ticket, second_ticket):
    client.force_login(agent)

    response = _bulk(
        client, {"tickets": [ticket.pk, second_ticket.pk], "action": "assign", "assignee": str(agent.pk)}
    )

    assert response.status_code == 302
    for each in (ticket, second_ticket):
        each.refresh_from_db()
        assert each.assignee == agent
        assert each.events.filter(kind="assignee", new=agent.pk).exists()
    assert "2 tickets changed." in _flash(response)


def test_bulk_unassign_uses_nobody(client, agent, ticket):
    client.force_login(agent)
    _bulk(client, {"tickets": [ticket.pk], "action": "assign", "assignee": str(agent.pk)})

    _bulk(client, {"tickets": [ticket.pk], "action": "assign", "assignee": "0"})

    ticket.refresh_from_db()
    assert ticket.assignee is None


def test_bulk_status_reports_refused_tickets_with_the_reason(client, agent, ticket, second_ticket):
    change_status(ticket=second_ticket, status="closed", by=Actor.of(agent))
    client.force_login(agent)

    response = _bulk(
        client, {"tickets": [ticket.pk, second_ticket.pk], "action": "status", "status": "pending"}
    )

    ticket.refresh_from_db()
    second_ticket.refresh_from_db()
    assert (ticket.status, second_ticket.status) == (Status.PENDING, Status.CLOSED)
    flash = _flash(response)
    assert "1 ticket changed." in flash
    assert f"#{second_ticket.pk}: A ticket cannot go from Closed to Pending." in flash


def test_bulk_tag_adds_the_tag_and_keeps_the_others(client, agent, ticket, second_ticket):
    client.force_login(agent)
    _bulk(client, {"tickets": [ticket.pk], "action": "tag", "tag": "first"})

    _bulk(client, {"tickets": [ticket.pk, second_ticket.pk], "action": "tag", "tag": "Billing"})

    assert sorted(ticket.tags.values_list("name", flat=True)) == ["billing", "first"]
    assert list(second_ticket.tags.values_list("name", flat=True)) == ["billing"]
    assert second_ticket.events.filter(kind="tags", new=["billing"]).exists()


def test_bulk_actions_skip_tickets_outside_the_scope(client, agent, ticket):
    stranger = AgentFactory()
    hidden = create_ticket(
        requester=CustomerFactory(),
        subject="Hidden",
        body="x",
        team=TeamFactory(name="Billing", members=[stranger]),
        by=Actor.of(stranger),
    )
    client.force_login(agent)

    response = _bulk(client, {"tickets": [ticket.pk, hidden.pk], "action": "status", "status": "pending"})

    hidden.refresh_from_db()
    assert hidden.status == Status.NEW
    assert not hidden.events.filter(kind="status").exists()
    assert f"#{hidden.pk}: no such ticket." in _flash(response)


def test_a_bulk_action_without_a_selection_is_refused(client, agent, ticket):
    client.force_login(agent)

    response = _bulk(client, {"action": "status", "status": "pending"})

    assert "Select at least one ticket." in _flash(response)
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW


@pytest.mark.parametrize(
    "data",
    [
        {"action": "status", "status": "exploded"},
        {"action": "status"},
        {"action": "assign"},
        {"action": "tag", "tag": " "},
        {"action": "delete"},
    ],
)
def test_incomplete_or_bad_bulk_actions_write_nothing(client, agent, ticket, data):
    client.force_login(agent)
    before = ticket.events.count()

    response = _bulk(client, {"tickets": [ticket.pk], **data})

    assert response.status_code == 302
    assert _flash(response)
    assert ticket.events.count() == before


def test_a_bad_tag_in_bulk_is_reported_per_ticket(client, agent, ticket):
    client.force_login(agent)

    response = _bulk(client, {"tickets": [ticket.pk], "action": "tag", "tag": "<b>"})

    assert any("is not a valid tag" in text for text in _flash(response))
    assert not ticket.tags.exists()


def test_bulk_returns_to_the_list_it_came_from_but_never_off_site(client, agent, ticket):
    client.force_login(agent)

    back = _bulk(client, {"tickets": [ticket.pk], "action": "tag", "tag": "x", "next": "/desk/?view=all"})
    away = _bulk(
        client, {"tickets": [ticket.pk], "action": "tag", "tag": "y", "next": "https://evil.example/"}
    )

    assert back["Location"] == "/desk/?view=all"
    assert away["Location"] == reverse("desk:inbox")


def test_customers_cannot_use_bulk_actions(client, customer, ticket):
    client.force_login(customer)

    response = _bulk(client, {"tickets": [ticket.pk], "action": "status", "status": "solved"})

    assert response.status_code == 403
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW
