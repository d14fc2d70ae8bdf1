"""Automatic assignment: fairness, capacity, availability, skills and languages."""

from collections import Counter

import pytest

from awn.routing.models import AgentProfile, Availability
from awn.routing.services import Candidate, auto_assign, choose_agent
from awn.tickets.models import Status, Ticket
from awn.tickets.services import Actor, change_status, create_ticket
from awn.tickets.services.changes import add_tags


def new_ticket(customer, team, subject="Help", **extra):
    return create_ticket(
        requester=customer, subject=subject, body="Please help", team=team, by=Actor.of(customer), **extra
    )


def loads(agents):
    counts = Counter(Ticket.objects.filter(assignee__in=agents).values_list("assignee_id", flat=True))
    return [counts.get(person.pk, 0) for person in agents]


def test_round_robin_spreads_1000_tickets_evenly_over_5_agents(strategy, crew, customer):
    team = strategy("round_robin")

    for _ in range(1000):
        auto_assign(ticket=new_ticket(customer, team))

    counts = loads(crew[1])
    assert sum(counts) == 1000
    assert max(counts) - min(counts) <= 1


def test_round_robin_continues_after_the_previous_assignee(strategy, crew, customer):
    team = strategy("round_robin")

    first = [auto_assign(ticket=new_ticket(customer, team)) for _ in range(7)]

    assert [person.pk for person in first] == [p.pk for p in crew[1]] + [p.pk for p in crew[1][:2]]


def test_least_open_never_exceeds_capacity(strategy, crew, customer):
    team = strategy("least_open")
    for person, capacity in zip(crew[1], (3, 5, 2, 4, 1), strict=True):
        AgentProfile.objects.filter(user=person).update(capacity=capacity)

    assigned = [auto_assign(ticket=new_ticket(customer, team)) for _ in range(20)]

    assert loads(crew[1]) == [3, 5, 2, 4, 1]
    assert assigned.count(None) == 20 - 15


def test_least_open_prefers_the_agent_with_fewest_open_tickets(strategy, crew, customer):
    team = strategy("least_open")
    busy = crew[1][0]
    for _ in range(3):
        ticket = new_ticket(customer, team)
        ticket.assignee = busy
        ticket.save()

    picked = {auto_assign(ticket=new_ticket(customer, team)).pk for _ in range(4)}

    assert busy.pk not in picked


def test_solved_tickets_free_capacity(strategy, crew, customer, agent):
    team = strategy("least_open")
    AgentProfile.objects.filter(user__in=crew[1]).update(capacity=1)
    first = [new_ticket(customer, team) for _ in range(5)]
    for ticket in first:
        auto_assign(ticket=ticket)
    waiting = new_ticket(customer, team)
    assert auto_assign(ticket=waiting) is None

    change_status(ticket=Ticket.objects.get(pk=first[0].pk), status=Status.SOLVED, by=Actor.system("test"))

    assert auto_assign(ticket=waiting) is not None


@pytest.mark.parametrize("state", [Availability.AWAY, Availability.OFFLINE])
def test_agents_who_are_not_online_get_nothing(strategy, crew, customer, state):
    team = strategy("round_robin")
    AgentProfile.objects.filter(user__in=crew[1]).update(availability=state)

    assert auto_assign(ticket=new_ticket(customer, team)) is None


def test_manual_teams_are_not_assigned_automatically(strategy, customer):
    team = strategy("manual")

    assert auto_assign(ticket=new_ticket(customer, team)) is None


def test_by_skill_picks_an_agent_whose_skills_match_the_tags(strategy, crew, customer):
    team = strategy("skill")
    linux = crew[1][3]
    AgentProfile.objects.filter(user=linux).update(skills=["linux"])
    ticket = new_ticket(customer, team)
    add_tags(ticket=ticket, tags=["linux"], by=Actor.system("test"))

    assert auto_assign(ticket=ticket) == linux


def test_by_skill_falls_back_to_the_least_loaded_when_nobody_has_the_skill(strategy, crew, customer):
    team = strategy("skill")

    assert auto_assign(ticket=new_ticket(customer, team)) in crew[1]


def test_by_language_picks_an_agent_who_speaks_it(strategy, crew, customer):
    team = strategy("language")
    persian = crew[1][2]
    AgentProfile.objects.filter(user=persian).update(languages=["fa", "en"])
    ticket = new_ticket(customer, team)
    Ticket.objects.filter(pk=ticket.pk).update(language="fa")

    assert auto_assign(ticket=ticket) == persian


def test_an_assigned_or_solved_ticket_is_left_alone(strategy, crew, customer):
    team = strategy("round_robin")
    ticket = new_ticket(customer, team)
    change_status(ticket=ticket, status=Status.SOLVED, by=Actor.system("test"))

    assert auto_assign(ticket=ticket) is None


def test_a_ticket_arriving_in_a_team_is_assigned_after_commit(
    strategy, crew, customer, django_capture_on_commit_callbacks
):
    team = strategy("round_robin")

    with django_capture_on_commit_callbacks(execute=True):
        ticket = new_ticket(customer, team)

    ticket.refresh_from_db()
    assert ticket.assignee_id == crew[1][0].pk
    assert ticket.events.get(kind="assignee").actor_label == "routing"


def test_choosing_is_pure_and_skips_agents_without_room(crew):
    people = crew[1]
    candidates = [
        Candidate(user=p, profile=AgentProfile(capacity=1), load=load)
        for p, load in zip(people, (1, 0, 1, 0, 0), strict=True)
    ]

    assert choose_agent(strategy="round_robin", candidates=candidates, pointer=people[1].pk) == people[3]
    assert choose_agent(strategy="least_open", candidates=candidates, pointer=None) == people[1]
