"""Due times on the ticket, recomputed on each event that can move them: creation, replies, customer
messages, pauses (pending, on hold) and resumption, solving and reopening, closing, a change of policy."""

from datetime import UTC, datetime, timedelta

import pytest

from awn.sla.models import SLAMeasurement
from awn.sla.services import recompute_ticket_sla
from awn.tickets.models import Priority, Status, Ticket
from awn.tickets.services import (
    Actor,
    add_customer_message,
    add_internal_note,
    change_priority,
    change_status,
    reply_to_ticket,
)

pytestmark = pytest.mark.django_db


def at(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_a_new_ticket_gets_its_due_times_in_business_hours(now, berlin, make_policy, open_ticket):
    make_policy(first_response=60, resolution=8 * 60)

    ticket = open_ticket()

    assert ticket.first_response_due_at == at(2024, 1, 8, 9, 0)
    assert ticket.resolution_due_at == at(2024, 1, 8, 16, 0)
    assert ticket.next_sla_breach_at == at(2024, 1, 8, 9, 0)
    assert ticket.sla_policy.name == "Standard"


def test_a_ticket_created_on_friday_evening_is_due_on_monday(now, berlin, make_policy, open_ticket):
    make_policy(first_response=60)
    now.moment = at(2024, 1, 12, 18, 0)  # Friday 19:00 in Berlin

    ticket = open_ticket()

    assert ticket.first_response_due_at == at(2024, 1, 15, 9, 0)


def test_calendar_time_targets_ignore_opening_hours(now, berlin, make_policy, open_ticket):
    make_policy(first_response=(90, "calendar"))
    now.moment = at(2024, 1, 12, 18, 0)

    ticket = open_ticket()

    assert ticket.first_response_due_at == at(2024, 1, 12, 19, 30)


def test_the_first_agent_reply_stops_the_first_response_clock(
    now, berlin, make_policy, open_ticket, agent, run_events
):
    make_policy(first_response=60)
    ticket = open_ticket()
    now.advance(minutes=20)

    with run_events():
        reply_to_ticket(ticket=ticket, by=Actor.of(agent), body="On it")
    ticket.refresh_from_db()

    assert ticket.first_response_due_at is None
    assert ticket.next_sla_breach_at is None
    row = SLAMeasurement.objects.get(ticket=ticket, target="first_response")
    assert row.completed_at == now.moment and row.breached is False


def test_an_internal_note_is_not_a_response(now, berlin, make_policy, open_ticket, agent, run_events):
    make_policy(first_response=60)
    ticket = open_ticket()

    with run_events():
        add_internal_note(ticket=ticket, by=Actor.of(agent), body="Looking")
    ticket.refresh_from_db()

    assert ticket.first_response_due_at == at(2024, 1, 8, 9, 0)


def test_a_customer_message_after_a_reply_starts_the_next_response_clock(
    now, berlin, make_policy, open_ticket, agent, customer, run_events
):
    make_policy(first_response=60, next_response=30)
    ticket = open_ticket()
    with run_events():
        reply_to_ticket(ticket=ticket, by=Actor.of(agent), body="Which model?")
    now.advance(minutes=10)

    with run_events():
        add_customer_message(ticket=ticket, author=customer, body="The X200")
    ticket.refresh_from_db()

    assert ticket.next_response_due_at == now.moment + timedelta(minutes=30)


def test_a_second_customer_message_does_not_restart_the_next_response_clock(
    now, berlin, make_policy, open_ticket, agent, customer, run_events
):
    make_policy(first_response=60, next_response=30)
    ticket = open_ticket()
    with run_events():
        reply_to_ticket(ticket=ticket, by=Actor.of(agent), body="Which model?")
    now.advance(minutes=10)
    with run_events():
        add_customer_message(ticket=ticket, author=customer, body="The X200")
    first_due = now.moment + timedelta(minutes=30)
    now.advance(minutes=10)

    with run_events():
        add_customer_message(ticket=ticket, author=customer, body="Hello?")
    ticket.refresh_from_db()

    assert ticket.next_response_due_at == first_due


def test_the_next_agent_reply_completes_the_next_response(
    now, berlin, make_policy, open_ticket, agent, customer, run_events
):
    make_policy(first_response=60, next_response=30)
    ticket = open_ticket()
    with run_events():
        reply_to_ticket(ticket=ticket, by=Actor.of(agent), body="Which model?")
    now.advance(minutes=1)
    with run_events():
        add_customer_message(ticket=ticket, author=customer, body="The X200")
    now.advance(minutes=45)

    with run_events():
        reply_to_ticket(ticket=ticket, by=Actor.of(agent), body="Thanks")
    ticket.refresh_from_db()

    assert ticket.next_response_due_at is None
    row = SLAMeasurement.objects.get(ticket=ticket, target="next_response", cycle=1)
    assert row.breached is True and row.completed_at == now.moment


def test_pending_pauses_the_resolution_clock(now, berlin, make_policy, open_ticket, agent, run_events):
    make_policy(first_response=60, resolution=4 * 60)
    ticket = open_ticket()
    now.advance(hours=1)

    with run_events():
        reply_to_ticket(ticket=ticket, by=Actor.of(agent), body="Photo please", status=Status.PENDING)
    ticket.refresh_from_db()

    assert ticket.resolution_due_at is None
    assert ticket.next_sla_breach_at is None
    assert ticket.sla_state["paused"] == ["resolution"]


def test_resuming_moves_the_due_time_by_the_business_time_spent_waiting(
    now, berlin, make_policy, open_ticket, agent, customer, run_events
):
    make_policy(first_response=60, resolution=4 * 60)
    ticket = open_ticket()  # Monday 09:00 Berlin, resolution due 13:00 Berlin
    now.advance(hours=1)
    with run_events():
        reply_to_ticket(ticket=ticket, by=Actor.of(agent), body="Photo please", status=Status.PENDING)
    now.moment = at(2024, 1, 9, 8, 30)  # Tuesday 09:30 Berlin: the customer answers

    with run_events():
        add_customer_message(ticket=ticket, author=customer, body="Here it is")
    ticket.refresh_from_db()

    assert ticket.status == Status.OPEN
    assert ticket.resolution_due_at == at(2024, 1, 9, 11, 30)  # 3 h left, from 09:30 Berlin


def test_on_hold_does_not_pause_a_policy_that_pauses_only_on_pending(
    now, berlin, sla_admin, open_ticket, agent, run_events
):
    from awn.sla.services import save_policy
    from tests.sla.conftest import targets

    with run_events():
        save_policy(
            by=sla_admin, name="Pending only", targets=targets(resolution=240), pause_statuses=["pending"]
        )
    ticket = open_ticket()

    with run_events():
        change_status(ticket=ticket, status=Status.ON_HOLD, by=Actor.of(agent))
    ticket.refresh_from_db()

    assert ticket.resolution_due_at == at(2024, 1, 8, 12, 0)


def test_the_first_response_clock_keeps_running_while_pending_when_the_policy_says_so(
    now, berlin, make_policy, open_ticket, agent, run_events
):
    make_policy(first_response=60)  # first response does not pause (targets() in conftest)
    ticket = open_ticket()

    with run_events():
        change_status(ticket=ticket, status=Status.PENDING, by=Actor.of(agent))
    ticket.refresh_from_db()

    assert ticket.first_response_due_at == at(2024, 1, 8, 9, 0)


def test_solving_completes_the_resolution_and_reopening_resumes_it(
    now, berlin, make_policy, open_ticket, agent, customer, run_events
):
    make_policy(resolution=4 * 60)
    ticket = open_ticket()
    now.advance(hours=1)
    with run_events():
        reply_to_ticket(ticket=ticket, by=Actor.of(agent), body="Fixed", status=Status.SOLVED)
    row = SLAMeasurement.objects.get(ticket=ticket, target="resolution")
    assert row.completed_at is not None and row.breached is False
    now.advance(hours=2)

    with run_events():
        add_customer_message(ticket=ticket, author=customer, body="Still broken")
    ticket.refresh_from_db()

    row.refresh_from_db()
    assert row.completed_at is None
    assert ticket.resolution_due_at == now.moment + timedelta(hours=3)  # the solved hours did not count


def test_closing_stops_every_clock(now, berlin, make_policy, open_ticket, agent, run_events):
    make_policy(first_response=60, resolution=4 * 60)
    ticket = open_ticket()

    with run_events():
        change_status(ticket=ticket, status=Status.CLOSED, by=Actor.of(agent))
    ticket.refresh_from_db()

    assert ticket.next_sla_breach_at is None and ticket.sla_check_at is None
    assert ticket.first_response_due_at is None and ticket.resolution_due_at is None


def test_raising_the_priority_switches_to_the_stricter_policy(
    now, berlin, make_policy, open_ticket, agent, run_events
):
    make_policy("Urgent", conditions={"priorities": [Priority.URGENT]}, first_response=15)
    make_policy("Standard", first_response=4 * 60)
    ticket = open_ticket()
    assert ticket.first_response_due_at == at(2024, 1, 8, 12, 0)
    now.advance(minutes=5)

    with run_events():
        change_priority(ticket=ticket, priority=Priority.URGENT, by=Actor.of(agent))
    ticket.refresh_from_db()

    assert ticket.sla_policy.name == "Urgent"
    assert ticket.first_response_due_at == at(2024, 1, 8, 8, 15)  # measured from creation


def test_a_ticket_no_policy_matches_has_no_due_times(now, berlin, make_policy, open_ticket):
    make_policy("VIP only", conditions={"tags": ["vip"]}, first_response=15)

    ticket = open_ticket()

    assert ticket.sla_policy is None
    assert ticket.first_response_due_at is None and ticket.next_sla_breach_at is None


def test_without_any_policy_the_ticket_is_left_alone(now, open_ticket):
    ticket = open_ticket()

    assert ticket.sla_state == {} and ticket.sla_policy is None


def test_a_business_hours_target_without_any_calendar_counts_calendar_time(now, make_policy, open_ticket):
    make_policy(first_response=60)
    now.moment = at(2024, 1, 13, 12, 0)  # a Saturday

    ticket = open_ticket()

    assert ticket.first_response_due_at == at(2024, 1, 13, 13, 0)


def test_the_policy_applied_is_recorded_in_the_history_once(
    now, berlin, make_policy, open_ticket, agent, run_events
):
    make_policy(first_response=60)
    ticket = open_ticket()

    with run_events():
        reply_to_ticket(ticket=ticket, by=Actor.of(agent), body="Hi")

    assert ticket.events.filter(kind="sla", new__what="policy").count() == 1


def test_an_event_that_moves_nothing_costs_one_read(
    now, berlin, make_policy, open_ticket, django_assert_num_queries
):
    make_policy(first_response=60)
    ticket = open_ticket()
    recompute_ticket_sla(ticket.pk)

    with django_assert_num_queries(1):
        recompute_ticket_sla(ticket.pk)

    assert Ticket.objects.get(pk=ticket.pk).first_response_due_at == at(2024, 1, 8, 9, 0)
