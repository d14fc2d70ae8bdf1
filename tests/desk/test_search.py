import pytest
from django.urls import reverse

from awn.tickets.services import Actor, create_ticket
from tests.factories import AgentFactory, CustomerFactory, TeamFactory

pytestmark = pytest.mark.django_db


def test_search_renders_matching_tickets_as_a_table(client, agent, ticket):
    client.force_login(agent)

    response = client.get(reverse("desk:search"), {"q": "printer"})

    assert response.status_code == 200
    assert [t.pk for t in response.context["tickets"]] == [ticket.pk]
    assert 'class="list tickets"' in response.content.decode()
    assert "My printer is on fire" in response.content.decode()


def test_search_never_shows_hits_outside_the_scope(client, agent, ticket):
    stranger = AgentFactory()
    create_ticket(
        requester=CustomerFactory(),
        subject="printer secret",
        body="x",
        team=TeamFactory(name="Billing", members=[stranger]),
        by=Actor.of(stranger),
    )
    client.force_login(agent)

    response = client.get(reverse("desk:search"), {"q": "printer"})

    assert [t.pk for t in response.context["tickets"]] == [ticket.pk]
    assert "printer secret" not in response.content.decode()


def test_a_ticket_number_in_the_search_box_opens_the_ticket(client, agent, ticket):
    client.force_login(agent)

    response = client.get(reverse("desk:search"), {"q": f"#{ticket.pk}"})

    assert response["Location"] == reverse("desk:ticket", args=[ticket.pk])


def test_a_hidden_ticket_number_is_searched_as_text_not_opened(client, outsider, ticket):
    client.force_login(outsider)

    response = client.get(reverse("desk:search"), {"q": str(ticket.pk)})

    assert response.status_code == 200
    assert response.context["tickets"] == []


def test_an_empty_search_shows_the_form_only(client, agent):
    client.force_login(agent)

    response = client.get(reverse("desk:search"))

    assert response.status_code == 200
    assert response.context["tickets"] == []


def test_search_finds_a_ticket_by_a_word_of_its_subject(client, admin_user, ticket):
    client.force_login(admin_user)

    response = client.get(reverse("desk:search"), {"q": "printer"})

    assert [t.pk for t in response.context["tickets"]] == [ticket.pk]
