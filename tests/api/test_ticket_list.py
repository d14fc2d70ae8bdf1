import pytest

from awn.tickets.models import Priority, Status
from awn.tickets.services import Actor, create_ticket
from tests.api.conftest import error_of
from tests.factories import CustomerFactory, TicketFactory

pytestmark = pytest.mark.django_db


def ids(response):
    return [item["id"] for item in response.json()["items"]]


def test_the_list_pages_through_every_ticket_once_with_a_cursor(api_as, admin_user):
    made = [TicketFactory(priority=p) for p in [1, 4, 2, 4, 3, 2, 1]]
    api, seen, cursor = api_as(admin_user), [], None

    while True:
        params = {"sort": "priority", "limit": 3, **({"cursor": cursor} if cursor else {})}
        page = api.get("/api/v1/tickets", params).json()
        seen += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            break

    assert sorted(t["id"] for t in seen) == sorted(t.pk for t in made)
    assert [t["priority"] for t in seen] == ["urgent", "urgent", "high", "normal", "normal", "low", "low"]


def test_the_desk_filters_apply(api_as, admin_user):
    wanted = TicketFactory(priority=Priority.URGENT, status=Status.OPEN)
    TicketFactory(priority=Priority.URGENT, status=Status.SOLVED)
    TicketFactory(priority=Priority.LOW, status=Status.OPEN)

    response = api_as(admin_user).get("/api/v1/tickets", {"status": "open,new", "priority": "urgent"})

    assert response.status_code == 200
    assert ids(response) == [wanted.pk]


def test_a_filter_may_be_repeated(api_as, admin_user):
    new = TicketFactory(status=Status.NEW)
    pending = TicketFactory(status=Status.PENDING)
    TicketFactory(status=Status.SOLVED)

    response = api_as(admin_user).get("/api/v1/tickets?status=new&status=pending")

    assert sorted(ids(response)) == sorted([new.pk, pending.pk])


def test_the_unassigned_view_lists_only_open_unassigned_tickets(api_as, admin_user, agent):
    free = TicketFactory(status=Status.OPEN)
    TicketFactory(status=Status.OPEN, assignee=agent)
    TicketFactory(status=Status.SOLVED)

    response = api_as(admin_user).get("/api/v1/tickets", {"view": "unassigned"})

    assert ids(response) == [free.pk]


def test_a_customer_lists_only_their_own_tickets(api_as, customer, ticket):
    other = CustomerFactory()
    create_ticket(requester=other, subject="Not yours", body="x", by=Actor.of(other))

    response = api_as(customer).get("/api/v1/tickets")

    assert ids(response) == [ticket.pk]


def test_an_agent_outside_the_team_does_not_list_its_tickets(api_as, outsider_agent, ticket):
    response = api_as(outsider_agent).get("/api/v1/tickets")

    assert ticket.pk not in ids(response)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "sleeping"}, "status"),
        ({"priority": "extreme"}, "priority"),
        ({"channel": "pigeon"}, "channel"),
        ({"team": "abc"}, "team"),
        ({"limit": "0"}, "limit"),
        ({"limit": "1000"}, "limit"),
        ({"view": "secret"}, "view"),
        ({"sort": "random"}, "sort"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"cursor": "WzEsMiwzXQ"}, "cursor"),  # valid base64 of [1,2,3]: wrong shape
    ],
)
def test_bad_list_parameters_are_a_422_naming_the_parameter(api_as, admin_user, params, field):
    response = api_as(admin_user).get("/api/v1/tickets", params)

    assert response.status_code == 422
    assert error_of(response)["field"] == field


def test_a_nul_character_in_a_filter_does_not_break_the_query(api_as, admin_user):
    response = api_as(admin_user).get("/api/v1/tickets", {"tag": "bil\x00ling"})

    assert response.status_code == 200


def test_listing_costs_the_same_queries_for_three_or_thirty_tickets(
    api_as, agent, team, django_assert_max_num_queries
):
    api = api_as(agent)
    api.get("/api/v1/me")  # the first use of a token records last_used_at; keep it out of the count
    for _ in range(3):
        TicketFactory(team=team, assignee=agent)
    with django_assert_max_num_queries(6) as few:
        api.get("/api/v1/tickets")
    baseline = len(few)
    for _ in range(27):
        TicketFactory(team=team, assignee=agent)

    with django_assert_max_num_queries(baseline):
        response = api.get("/api/v1/tickets")

    assert len(response.json()["items"]) == 30


def test_reading_one_ticket(api_as, agent, ticket):
    response = api_as(agent).get(f"/api/v1/tickets/{ticket.pk}")

    assert response.status_code == 200
    assert response.json()["subject"] == "My printer is on fire"
    assert response.json()["requester"]["email"] == "customer@example.com"


@pytest.mark.parametrize("ticket_id", ["999999", str(10**30), "-1"])
def test_a_ticket_that_does_not_exist_is_a_404(api_as, admin_user, ticket_id):
    response = api_as(admin_user).get(f"/api/v1/tickets/{ticket_id}")

    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_a_ticket_id_that_is_not_a_number_is_refused(api_as, admin_user):
    response = api_as(admin_user).get("/api/v1/tickets/abc")

    assert response.status_code in (404, 422)
    assert error_of(response)["code"] in ("not_found", "validation_error")
