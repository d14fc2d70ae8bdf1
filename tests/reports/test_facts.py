"""Facts recorded when events happen, against hand-computed values (Berlin office hours Mon–Fri 09–17)."""

from datetime import UTC, datetime

from awn.reports.facts import rebuild_facts
from awn.reports.models import ReplyFact, TicketFacts
from awn.reports.pending import write_pending
from awn.tickets.models import Status
from awn.tickets.services import Actor, add_customer_message, change_status, create_ticket, reply_to_ticket
from tests.factories import AdminFactory

MONDAY_10_BERLIN = datetime(2024, 1, 15, 9, 0, tzinfo=UTC)
MONDAY_11_BERLIN = datetime(2024, 1, 15, 10, 0, tzinfo=UTC)


def _answered_and_solved(customer, agent, team, now):
    ticket = create_ticket(
        requester=customer, subject="Printer", body="Help", team=team, by=Actor.of(customer)
    )
    now.set(MONDAY_10_BERLIN)
    reply_to_ticket(ticket=ticket, body="Fixed", by=Actor.of(agent))
    now.set(MONDAY_11_BERLIN)
    change_status(ticket=ticket, status=Status.SOLVED, by=Actor.of(agent))
    return ticket


def test_first_response_counts_calendar_and_business_seconds(berlin, customer, agent, team, now):
    ticket = _answered_and_solved(customer, agent, team, now)

    facts = TicketFacts.objects.get(ticket=ticket)

    assert facts.first_response_seconds == 66 * 3600  # Friday 16:00 → Monday 10:00
    assert facts.first_response_business_seconds == 2 * 3600  # Friday 16–17 and Monday 9–10


def test_resolution_counts_calendar_and_business_seconds(berlin, customer, agent, team, now):
    ticket = _answered_and_solved(customer, agent, team, now)

    facts = TicketFacts.objects.get(ticket=ticket)

    assert facts.resolution_seconds == 67 * 3600
    assert facts.resolution_business_seconds == 3 * 3600
    assert facts.solved_by_id == agent.pk
    assert facts.solved_at == MONDAY_11_BERLIN


def test_a_ticket_solved_with_one_reply_is_one_touch_and_first_contact_resolution(
    berlin, customer, agent, team, now
):
    ticket = _answered_and_solved(customer, agent, team, now)

    facts = TicketFacts.objects.get(ticket=ticket)

    assert facts.agent_replies == 1
    assert facts.one_touch is True
    assert facts.first_contact_resolution is True


def test_a_reopened_ticket_counts_the_reopening_and_is_no_first_contact_resolution(
    berlin, customer, agent, team, now
):
    ticket = _answered_and_solved(customer, agent, team, now)
    now.advance(hours=1)
    add_customer_message(ticket=ticket, author=customer, body="Still broken")
    now.advance(hours=1)
    reply_to_ticket(ticket=ticket, body="Now?", by=Actor.of(agent))
    change_status(ticket=ticket, status=Status.SOLVED, by=Actor.of(agent))

    facts = TicketFacts.objects.get(ticket=ticket)

    assert facts.reopens == 1
    assert facts.agent_replies == 2
    assert facts.one_touch is False
    assert facts.first_contact_resolution is False
    assert facts.resolution_seconds == 69 * 3600


def test_without_a_business_calendar_business_time_is_calendar_time(customer, agent, team, now):
    ticket = _answered_and_solved(customer, agent, team, now)

    facts = TicketFacts.objects.get(ticket=ticket)

    assert facts.first_response_business_seconds == facts.first_response_seconds == 66 * 3600


def test_an_unanswered_ticket_has_no_response_time(customer, team, now):
    ticket = create_ticket(requester=customer, subject="Hello", body="Hi", team=team, by=Actor.of(customer))
    assert write_pending() == 1

    facts = TicketFacts.objects.get(ticket=ticket)

    assert facts.first_response_seconds is None
    assert facts.solved_at is None
    assert facts.customer_messages == 1
    assert facts.team_id == team.pk


def test_an_agent_reply_is_recorded_as_a_reply_fact(customer, agent, team, now):
    ticket = create_ticket(requester=customer, subject="Hello", body="Hi", team=team, by=Actor.of(customer))
    message = reply_to_ticket(ticket=ticket, body="Hi back", by=Actor.of(agent))

    reply = ReplyFact.objects.get()

    assert (reply.message_id, reply.agent_id, reply.team_id) == (message.pk, agent.pk, team.pk)


def test_the_backfill_recomputes_the_same_facts_and_can_run_twice(berlin, customer, agent, team, now):
    ticket = _answered_and_solved(customer, agent, team, now)
    recorded = TicketFacts.objects.filter(ticket=ticket).values().get()
    TicketFacts.objects.all().delete()
    ReplyFact.objects.all().delete()

    rebuild_facts(batch_size=1)
    rebuild_facts(batch_size=1)

    rebuilt = TicketFacts.objects.filter(ticket=ticket).values().get()
    recorded.pop("computed_at"), rebuilt.pop("computed_at")
    assert rebuilt == recorded
    assert ReplyFact.objects.count() == 1


def _rebuilt_equals_recorded(ticket):
    recorded = TicketFacts.objects.filter(ticket=ticket).values().get()
    TicketFacts.objects.filter(ticket=ticket).delete()
    rebuild_facts(batch_size=1)
    rebuilt = TicketFacts.objects.filter(ticket=ticket).values().get()
    recorded.pop("computed_at"), rebuilt.pop("computed_at")
    return rebuilt == recorded


def test_the_facts_of_a_new_ticket_are_those_its_history_gives(berlin, customer, team, now):
    ticket = create_ticket(
        requester=customer, subject="Printer", body="Help", team=team, by=Actor.of(customer)
    )
    assert write_pending() == 1

    facts = TicketFacts.objects.get(ticket=ticket)
    assert (facts.customer_messages, facts.agent_replies, facts.first_response_at) == (1, 0, None)
    assert facts.tier == team.tier
    assert _rebuilt_equals_recorded(ticket)


def test_a_ticket_an_agent_opens_for_themselves_counts_their_message_as_a_reply(berlin, agent, now):
    ticket = create_ticket(requester=agent, subject="Laptop", body="Broken screen", by=Actor.of(agent))
    assert write_pending() == 1

    facts = TicketFacts.objects.get(ticket=ticket)
    assert (facts.agent_replies, facts.first_response_seconds) == (1, 0)
    assert _rebuilt_equals_recorded(ticket)


def test_a_new_ticket_under_an_sla_policy_has_the_facts_its_history_gives(berlin, customer, team, now):
    from awn.sla.policies import forget_policies
    from awn.sla.services import save_policy

    save_policy(
        by=AdminFactory(),
        name="Standard",
        conditions={},
        warning_minutes=30,
        targets={"first_response": {"minutes": 60, "business_hours": False, "pauses": False}},
    )
    forget_policies()

    ticket = create_ticket(
        requester=customer, subject="Printer", body="Help", team=team, by=Actor.of(customer)
    )
    assert write_pending() == 1

    ticket.refresh_from_db()
    assert ticket.sla_policy_id is not None
    assert _rebuilt_equals_recorded(ticket)
    forget_policies()


def test_a_customer_reply_to_an_open_ticket_counts_as_its_history_gives(berlin, customer, agent, team, now):
    ticket = create_ticket(
        requester=customer, subject="Printer", body="Help", team=team, by=Actor.of(customer)
    )
    now.set(MONDAY_10_BERLIN)
    reply_to_ticket(ticket=ticket, body="Which model?", by=Actor.of(agent))
    now.set(MONDAY_11_BERLIN)

    add_customer_message(ticket=ticket, author=customer, body="The X200")
    add_customer_message(ticket=ticket, author=customer, body="Still broken")

    facts = TicketFacts.objects.get(ticket=ticket)
    assert (facts.customer_messages, facts.agent_replies, facts.computed_at) == (3, 1, MONDAY_11_BERLIN)
    assert _rebuilt_equals_recorded(ticket)


def test_a_customer_reply_to_a_solved_ticket_is_recomputed_from_its_history(
    berlin, customer, agent, team, now
):
    from awn.reports.facts import record_customer_message

    ticket = _answered_and_solved(customer, agent, team, now)
    assert not record_customer_message(ticket.pk)  # first-contact resolution depends on it: no shortcut

    add_customer_message(ticket=ticket, author=customer, body="Thanks, but one more thing")

    facts = TicketFacts.objects.get(ticket=ticket)
    assert (facts.customer_messages, facts.reopens, facts.first_contact_resolution) == (2, 1, False)
    assert _rebuilt_equals_recorded(ticket)


def test_a_customer_reply_under_an_sla_policy_is_recomputed_from_its_history(
    berlin, customer, agent, team, now
):
    from awn.reports.facts import record_customer_message
    from awn.sla.policies import forget_policies
    from awn.sla.services import save_policy

    save_policy(
        by=AdminFactory(),
        name="Standard",
        conditions={},
        warning_minutes=30,
        targets={"first_response": {"minutes": 60, "business_hours": False, "pauses": False}},
    )
    forget_policies()
    ticket = create_ticket(
        requester=customer, subject="Printer", body="Help", team=team, by=Actor.of(customer)
    )
    assert not record_customer_message(ticket.pk)  # its SLA outcomes may move: no shortcut

    now.advance(hours=2)  # past the first response target
    add_customer_message(ticket=ticket, author=customer, body="Anyone there?")

    assert TicketFacts.objects.get(ticket=ticket).customer_messages == 2
    assert _rebuilt_equals_recorded(ticket)
    forget_policies()
