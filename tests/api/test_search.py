import pytest

from awn.tickets.services import Actor, create_ticket
from tests.api.conftest import error_of
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_search_answers_with_a_list_of_tickets(api_as, agent, ticket):
    response = api_as(agent).get("/api/v1/search", {"q": "printer"})

    assert response.status_code == 200
    assert set(response.json()) == {"items"}
    assert all(item["id"] == ticket.pk for item in response.json()["items"])


def test_a_customer_never_finds_another_customers_ticket(api_as, ticket):
    stranger = CustomerFactory()
    create_ticket(requester=stranger, subject="Stranger's printer", body="printer", by=Actor.of(stranger))

    response = api_as(stranger).get("/api/v1/search", {"q": "printer"})

    assert ticket.pk not in [item["id"] for item in response.json()["items"]]


def test_an_agent_outside_the_team_never_finds_its_tickets(api_as, outsider_agent, ticket):
    response = api_as(outsider_agent).get("/api/v1/search", {"q": "printer fire"})

    assert ticket.pk not in [item["id"] for item in response.json()["items"]]


@pytest.mark.parametrize("params", [{}, {"q": "   "}, {"q": "x", "limit": "500"}, {"q": "x" * 501}])
def test_a_search_without_words_or_with_a_bad_limit_is_a_422(api_as, agent, params):
    response = api_as(agent).get("/api/v1/search", params)

    assert response.status_code == 422
    assert error_of(response)["code"] == "validation_error"


def test_a_search_with_a_nul_character_is_answered(api_as, agent, ticket):
    response = api_as(agent).get("/api/v1/search", {"q": "prin\x00ter"})

    assert response.status_code == 200
