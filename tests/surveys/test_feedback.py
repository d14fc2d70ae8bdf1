"""The desk's feedback list: the latest ratings on the tickets the viewer may see."""

import pytest
from django.urls import reverse

from awn.surveys import selectors, services
from awn.surveys.models import Rating
from awn.tickets.services import Actor, create_ticket, reply_to_ticket
from tests.factories import AgentFactory, CustomerFactory, TeamFactory


def _rated(team, agent, rating, comment=""):
    customer = CustomerFactory()
    ticket = create_ticket(requester=customer, subject="Q", body="?", team=team, by=Actor.of(customer))
    reply = reply_to_ticket(ticket=ticket, by=Actor.of(agent), body="A")
    return services.rate(ticket=ticket, message=reply, customer=customer, rating=rating, comment=comment)


@pytest.mark.django_db
def test_an_agent_sees_the_ratings_of_their_teams_tickets_only(client, team, agent):
    mine = _rated(team, agent, Rating.BAD, "too slow")
    other_agent = AgentFactory()
    _rated(TeamFactory(members=[other_agent]), other_agent, Rating.BAD, "secret elsewhere")
    client.force_login(agent)

    page = client.get(reverse("surveys:feedback")).content.decode()

    assert "too slow" in page and "secret elsewhere" not in page
    assert f"#message-{mine.message_id}" in page


@pytest.mark.django_db
def test_the_list_filters_by_rating_and_comment(client, team, agent):
    _rated(team, agent, Rating.GOOD, "lovely")
    _rated(team, agent, Rating.BAD, "")
    _rated(team, agent, Rating.BAD, "awful")
    client.force_login(agent)

    page = client.get(reverse("surveys:feedback"), {"rating": "bad", "comments": "1"}).content.decode()

    assert "awful" in page and "lovely" not in page and page.count("survey-rating-1") == 1


@pytest.mark.django_db
def test_the_list_pages_from_newest_to_oldest(team, agent, admin_user, monkeypatch):
    monkeypatch.setattr(selectors, "FEEDBACK_PAGE", 2)
    made = [_rated(team, agent, Rating.OKAY, f"n{i}") for i in range(5)]

    first, more = selectors.recent_ratings(viewer=admin_user)
    second, more2 = selectors.recent_ratings(viewer=admin_user, before=more)
    third, more3 = selectors.recent_ratings(viewer=admin_user, before=more2)

    assert [r.comment for r in first + second + third] == ["n4", "n3", "n2", "n1", "n0"]
    assert more3 is None and len(made) == 5


@pytest.mark.django_db
def test_the_feedback_list_costs_a_fixed_number_of_queries(client, team, agent, django_assert_num_queries):
    client.force_login(agent)
    _rated(team, agent, Rating.GOOD)
    with django_assert_num_queries(FEEDBACK_QUERIES):
        client.get(reverse("surveys:feedback"))

    for _ in range(5):
        _rated(team, AgentFactory(), Rating.BAD, "x")

    with django_assert_num_queries(FEEDBACK_QUERIES):
        client.get(reverse("surveys:feedback"))


@pytest.mark.django_db
def test_customers_cannot_open_the_feedback_list(client, customer):
    client.force_login(customer)

    assert client.get(reverse("surveys:feedback")).status_code == 403


# session, user; the agent's teams (visibility); the ratings with tickets, agents, customers and teams.
FEEDBACK_QUERIES = 4
