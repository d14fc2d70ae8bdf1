import pytest

from awn.tickets.models import Message, Status, Ticket, TicketEvent
from awn.tickets.services import Actor, create_ticket
from tests.api.conftest import error_of
from tests.factories import AgentFactory, CustomerFactory, TeamFactory

pytestmark = pytest.mark.django_db


def snapshot(ticket):
    ticket = Ticket.objects.get(pk=ticket.pk)
    return (
        ticket.status,
        ticket.priority,
        ticket.assignee_id,
        ticket.team_id,
        ticket.subject,
        sorted(ticket.tags.values_list("name", flat=True)),
        TicketEvent.objects.count(),
    )


def test_an_agent_changes_several_fields_at_once(api_as, agent, ticket):
    escalation = TeamFactory(name="Escalations", members=[agent])

    response = api_as(agent).patch(
        f"/api/v1/tickets/{ticket.pk}",
        {
            "status": "pending",
            "priority": "urgent",
            "assignee": agent.pk,
            "team": escalation.pk,
            "tags": ["vip", "Fire"],
            "subject": "Printer on fire (3rd floor)",
        },
    )

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "pending"
    assert body["priority"] == "urgent"
    assert body["assignee"]["id"] == agent.pk
    assert body["team"]["id"] == escalation.pk
    assert body["tags"] == ["fire", "vip"]
    assert body["subject"] == "Printer on fire (3rd floor)"
    kinds = set(TicketEvent.objects.filter(ticket=ticket).values_list("kind", flat=True))
    assert {"status", "priority", "assignee", "team", "tags", "subject"} <= kinds


def test_null_unassigns_and_removes_the_team(api_as, agent, ticket):
    api = api_as(agent)
    api.patch(f"/api/v1/tickets/{ticket.pk}", {"assignee": agent.pk})

    response = api.patch(f"/api/v1/tickets/{ticket.pk}", {"assignee": None, "team": None})

    assert response.status_code == 200
    assert response.json()["assignee"] is None
    assert response.json()["team"] is None


def test_only_the_keys_sent_change(api_as, agent, ticket):
    api_as(agent).patch(f"/api/v1/tickets/{ticket.pk}", {"assignee": agent.pk})

    response = api_as(agent).patch(f"/api/v1/tickets/{ticket.pk}", {"priority": "low"})

    assert response.json()["assignee"]["id"] == agent.pk
    assert response.json()["team"]["id"] == ticket.team_id


def test_an_illegal_status_move_undoes_the_other_changes_too(api_as, agent, ticket):
    api = api_as(agent)
    api.patch(f"/api/v1/tickets/{ticket.pk}", {"status": "closed"})
    before = snapshot(ticket)

    response = api.patch(
        f"/api/v1/tickets/{ticket.pk}", {"priority": "urgent", "tags": ["x"], "status": "open"}
    )

    assert response.status_code == 409
    assert error_of(response)["code"] == "invalid_transition"
    assert snapshot(ticket) == before


@pytest.mark.parametrize(
    ("payload", "status", "field"),
    [
        ({"assignee": 999999}, 422, "assignee"),
        ({"team": 999999}, 422, "team"),
        ({"priority": "extreme"}, 422, "priority"),
        ({"status": "sleeping"}, 422, "status"),
        ({"subject": None}, 422, "subject"),
        ({"subject": ""}, 422, "subject"),
        ({"tags": ["no spaces allowed!"]}, 422, "tags"),
        ({"assignee": "me"}, 422, "assignee"),
        ({"owner": 1}, 422, "owner"),
    ],
)
def test_a_bad_change_is_refused_and_nothing_changes(api_as, agent, ticket, payload, status, field):
    before = snapshot(ticket)

    response = api_as(agent).patch(f"/api/v1/tickets/{ticket.pk}", {"priority": "high", **payload})

    assert response.status_code == status
    error = error_of(response)
    assert error["field"] == field or field in {d["field"] for d in error.get("details", [])}
    assert snapshot(ticket) == before


def test_a_ticket_cannot_be_assigned_to_a_customer(api_as, agent, ticket):
    other = CustomerFactory()
    before = snapshot(ticket)

    response = api_as(agent).patch(f"/api/v1/tickets/{ticket.pk}", {"assignee": other.pk})

    assert response.status_code == 422
    assert snapshot(ticket) == before


def test_a_customer_marks_their_ticket_solved(api_as, customer, ticket):
    response = api_as(customer).patch(f"/api/v1/tickets/{ticket.pk}", {"status": "solved"})

    assert response.status_code == 200
    assert response.json()["status"] == "solved"
    assert response.json()["solved_at"] is not None


def test_a_customer_reopens_a_solved_ticket(api_as, customer, ticket):
    api = api_as(customer)
    api.patch(f"/api/v1/tickets/{ticket.pk}", {"status": "solved"})

    response = api.patch(f"/api/v1/tickets/{ticket.pk}", {"status": "open"})

    assert response.status_code == 200
    assert response.json()["status"] == "open"


@pytest.mark.parametrize(
    "payload", [{"priority": "urgent"}, {"status": "pending"}, {"status": "solved", "tags": ["x"]}]
)
def test_a_customer_cannot_change_anything_else(api_as, customer, ticket, payload):
    before = snapshot(ticket)

    response = api_as(customer).patch(f"/api/v1/tickets/{ticket.pk}", payload)

    assert response.status_code == 403
    assert snapshot(ticket) == before


def test_an_agent_merges_a_duplicate(api_as, agent, customer, ticket):
    duplicate = create_ticket(
        requester=customer,
        subject="Printer fire again",
        body="Still burning",
        team=ticket.team,
        by=Actor.of(customer),
    )

    response = api_as(agent).post(f"/api/v1/tickets/{duplicate.pk}/merge", {"into": ticket.pk})

    assert response.status_code == 200
    assert response.json()["id"] == ticket.pk
    duplicate.refresh_from_db()
    assert duplicate.merged_into_id == ticket.pk
    assert duplicate.status == Status.CLOSED
    assert Message.objects.filter(ticket=ticket).count() == 2


def test_merging_into_a_ticket_the_agent_cannot_see_is_refused(api_as, outsider_agent, ticket):
    own = create_ticket(
        requester=CustomerFactory(),
        subject="Mine",
        body="x",
        team=outsider_agent.teams.get(),
        by=Actor.system(),
    )
    before = snapshot(own)

    response = api_as(outsider_agent).post(f"/api/v1/tickets/{own.pk}/merge", {"into": ticket.pk})

    assert response.status_code == 422
    assert error_of(response)["field"] == "into"
    assert snapshot(own) == before
    assert Ticket.objects.get(pk=ticket.pk).merged_into_id is None


def test_merging_a_ticket_into_itself_is_refused(api_as, agent, ticket):
    response = api_as(agent).post(f"/api/v1/tickets/{ticket.pk}/merge", {"into": ticket.pk})

    assert response.status_code == 422
    assert Ticket.objects.get(pk=ticket.pk).merged_into_id is None


def test_a_customer_cannot_merge_their_own_tickets(api_as, customer, ticket):
    second = create_ticket(requester=customer, subject="Second", body="x", by=Actor.of(customer))

    response = api_as(customer).post(f"/api/v1/tickets/{second.pk}/merge", {"into": ticket.pk})

    assert response.status_code == 403
    assert Ticket.objects.get(pk=second.pk).merged_into_id is None


def test_a_manager_outside_the_team_gets_404_not_403(api_as, ticket):
    manager = AgentFactory(role="manager")
    TeamFactory(members=[manager])

    response = api_as(manager).patch(f"/api/v1/tickets/{ticket.pk}", {"priority": "low"})

    assert response.status_code == 404
