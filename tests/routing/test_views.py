"""Routing in the desk: tier views, escalation forms, availability, and the routing settings screens."""

import pytest
from django.urls import reverse

from awn.routing.models import AgentProfile, TeamRouting
from awn.tickets.models import TicketEvent
from tests.factories import AgentFactory, ManagerFactory, TeamFactory


@pytest.fixture
def experts(db):
    return TeamFactory(name="Experts", tier=2)


def test_each_tier_has_its_view_of_the_users_tickets(client, agent, ticket, experts):
    hidden = TeamFactory(name="Secret", tier=1)
    from awn.tickets.services import Actor, create_ticket

    create_ticket(
        requester=ticket.requester, subject="Invisible", body="x", team=hidden, by=Actor.of(ticket.requester)
    )
    client.force_login(agent)

    page = client.get(reverse("routing:tier", args=[1])).content.decode()
    empty = client.get(reverse("routing:tier", args=[2])).content.decode()

    assert ticket.subject in page and "Invisible" not in page
    assert ticket.subject not in empty


def test_an_unknown_tier_is_not_found(client, agent):
    client.force_login(agent)

    assert client.get(reverse("routing:tier", args=[7])).status_code == 404


def test_escalating_from_the_ticket_page_needs_a_reason(client, agent, ticket, experts):
    client.force_login(agent)

    client.post(reverse("routing:escalate", args=[ticket.pk]), {"reason": ""})

    ticket.refresh_from_db()
    assert ticket.team.tier == 1
    assert not ticket.events.filter(kind=TicketEvent.Kind.TIER).exists()


def test_escalating_from_the_ticket_page_moves_it(client, agent, ticket, experts):
    experts.members.add(agent)
    client.force_login(agent)

    response = client.post(reverse("routing:escalate", args=[ticket.pk]), {"reason": "Database corruption"})

    ticket.refresh_from_db()
    assert response.status_code == 302
    assert ticket.team_id == experts.pk


def test_after_escalating_out_of_view_the_agent_lands_in_the_inbox(client, agent, ticket, experts):
    client.force_login(agent)

    response = client.post(reverse("routing:escalate", args=[ticket.pk]), {"reason": "Not mine"})

    assert response["Location"] == reverse("desk:inbox")


def test_agents_outside_the_team_cannot_escalate(client, ticket, experts):
    outsider = AgentFactory()
    TeamFactory(members=[outsider])
    client.force_login(outsider)

    assert client.post(reverse("routing:escalate", args=[ticket.pk]), {"reason": "x"}).status_code == 404


def test_an_agent_sets_their_own_availability(client, agent):
    client.force_login(agent)

    client.post(reverse("routing:availability"), {"availability": "online", "next": "https://evil.example/"})

    assert AgentProfile.objects.get(user=agent).availability == "online"


def test_a_manager_sets_a_teams_strategy(client, team):
    manager = ManagerFactory()
    team.members.add(manager)
    client.force_login(manager)

    response = client.post(
        reverse("routing:team", args=[team.pk]), {"assignment": "least_open", "queue_order": "priority"}
    )

    assert response.status_code == 302
    assert TeamRouting.objects.get(team=team).assignment == "least_open"


def test_a_manager_cannot_change_another_teams_routing(client, team):
    client.force_login(ManagerFactory())

    assert (
        client.post(
            reverse("routing:team", args=[team.pk]), {"assignment": "least_open", "queue_order": "oldest"}
        ).status_code
        == 403
    )
    assert not TeamRouting.objects.exists()


def test_escalation_must_go_up_a_tier(client, admin_user, team):
    lower = TeamFactory(name="Also L1", tier=1)
    client.force_login(admin_user)

    response = client.post(
        reverse("routing:team", args=[team.pk]),
        {"assignment": "manual", "queue_order": "oldest", "escalation_team": lower.pk},
    )

    assert response.status_code == 422


def test_an_admin_sets_an_agents_capacity_skills_and_languages(client, admin_user, agent):
    client.force_login(admin_user)

    client.post(
        reverse("routing:agent", args=[agent.pk]),
        {"availability": "away", "capacity": 7, "skills": "Linux billing", "languages": "fa en"},
    )

    profile = AgentProfile.objects.get(user=agent)
    assert (profile.capacity, profile.skills, profile.languages, profile.availability) == (
        7,
        ["billing", "linux"],
        ["en", "fa"],
        "away",
    )


def test_agents_cannot_open_routing_settings(client, agent):
    client.force_login(agent)

    assert client.get(reverse("routing:settings")).status_code == 403
    assert client.post(reverse("routing:agent", args=[agent.pk]), {"capacity": 1000}).status_code == 403


def test_the_settings_overview_lists_teams_and_agents(client, admin_user, team, agent):
    client.force_login(admin_user)

    page = client.get(reverse("routing:settings")).content.decode()

    assert team.name in page and agent.display_name in page
