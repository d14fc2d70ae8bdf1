"""Support tiers: escalate and de-escalate with a mandatory reason; tier changes are events."""

import pytest

from awn.core.errors import NotPermitted, ValidationFailed
from awn.routing.models import TeamRouting
from awn.routing.tiers import deescalate_ticket, escalate_ticket, move_to_tier
from awn.tickets.models import Message, TicketEvent
from awn.tickets.services import Actor, assign_ticket
from tests.factories import TeamFactory


@pytest.fixture
def ladder(team):
    return {1: team, 2: TeamFactory(name="L2 Experts", tier=2), 3: TeamFactory(name="L3 Developers", tier=3)}


def test_escalating_moves_the_ticket_to_the_next_tier_with_a_note(ticket, ladder, agent):
    escalate_ticket(ticket=ticket, reason="Needs a database expert", by=Actor.of(agent))

    ticket.refresh_from_db()
    event = ticket.events.get(kind=TicketEvent.Kind.TIER)
    assert ticket.team_id == ladder[2].pk
    assert (event.old, event.new, event.actor_id) == (1, 2, agent.pk)
    assert event.message.internal and "Needs a database expert" in event.message.body


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_reason_is_mandatory(ticket, ladder, agent, reason):
    with pytest.raises(ValidationFailed) as refused:
        escalate_ticket(ticket=ticket, reason=reason, by=Actor.of(agent))

    ticket.refresh_from_db()
    assert refused.value.field == "reason"
    assert ticket.team_id == ladder[1].pk
    assert not ticket.events.filter(kind=TicketEvent.Kind.TIER).exists()


def test_de_escalating_goes_one_tier_down(ticket, ladder, agent):
    move_to_tier(ticket=ticket, tier=3, reason="Bug", by=Actor.of(agent))

    deescalate_ticket(ticket=ticket, reason="Workaround found", by=Actor.of(agent))

    ticket.refresh_from_db()
    assert ticket.team_id == ladder[2].pk


def test_the_teams_configured_escalation_target_wins(ticket, ladder, agent):
    special = TeamFactory(name="AAA Special", tier=2)
    TeamRouting.objects.create(team=ladder[1], escalation_team=ladder[2])

    escalate_ticket(ticket=ticket, reason="Hard", by=Actor.of(agent))

    ticket.refresh_from_db()
    assert ticket.team_id == ladder[2].pk != special.pk


def test_the_assignee_hands_over_when_not_in_the_new_team(ticket, ladder, agent):
    assign_ticket(ticket=ticket, assignee=agent, by=Actor.of(agent))

    escalate_ticket(ticket=ticket, reason="Hard", by=Actor.of(agent))

    ticket.refresh_from_db()
    assert ticket.assignee_id is None


def test_no_escalation_beyond_l3_or_below_l1(ticket, ladder, agent):
    with pytest.raises(ValidationFailed):
        deescalate_ticket(ticket=ticket, reason="?", by=Actor.of(agent))
    move_to_tier(ticket=ticket, tier=3, reason="Bug", by=Actor.of(agent))
    with pytest.raises(ValidationFailed):
        escalate_ticket(ticket=ticket, reason="?", by=Actor.of(agent))


def test_a_tier_without_teams_is_refused(ticket, agent):
    with pytest.raises(ValidationFailed):
        escalate_ticket(ticket=ticket, reason="Hard", by=Actor.of(agent))

    assert not Message.objects.filter(ticket=ticket, internal=True).exists()


def test_customers_cannot_escalate(ticket, ladder, customer):
    with pytest.raises(NotPermitted):
        escalate_ticket(ticket=ticket, reason="Hurry", by=Actor.of(customer))
