"""Time-based rules: a periodic sweep over indexed timestamps, driven here by an explicit clock."""

from datetime import timedelta

import pytest

from awn.automation.engine import sweep
from awn.automation.models import RuleRun
from awn.tickets.models import Message, Status
from awn.tickets.services import Actor, change_status, reply_to_ticket

PENDING_72H = {
    "all": [
        {"field": "status", "op": "is", "value": "pending"},
        {"field": "hours_since_agent_message", "op": "gte", "value": 72},
    ]
}
PENDING_7D = {
    "all": [
        {"field": "status", "op": "is", "value": "pending"},
        {"field": "hours_since_agent_message", "op": "gte", "value": 168},
    ]
}


@pytest.fixture
def waiting(open_ticket, agent, run_events):
    """A ticket an agent answered and set to pending (waiting on the customer)."""
    ticket = open_ticket()
    with run_events():
        reply_to_ticket(
            ticket=ticket, by=Actor.of(agent), body="Could you send a photo?", status=Status.PENDING
        )
    ticket.refresh_from_db()
    return ticket


def reminders(ticket):
    return Message.objects.filter(ticket=ticket, author__isnull=True, internal=False).count()


def test_a_pending_ticket_is_reminded_after_72_hours(make_rule, waiting, run_events):
    make_rule(
        "remind",
        event="time",
        conditions=PENDING_72H,
        actions=[{"type": "reply", "body": "Any news, {{ requester.first_name }}?"}],
    )

    with run_events():
        report = sweep(now=waiting.last_agent_message_at + timedelta(hours=72, minutes=1))

    assert report.fired == 1
    assert reminders(waiting) == 1


def test_nothing_fires_before_the_time_has_come(make_rule, waiting):
    make_rule(
        "remind", event="time", conditions=PENDING_72H, actions=[{"type": "reply", "body": "Any news?"}]
    )

    report = sweep(now=waiting.last_agent_message_at + timedelta(hours=71))

    assert report.fired == 0 and reminders(waiting) == 0


def test_a_time_rule_fires_once_per_timestamp(make_rule, waiting, run_events):
    make_rule(
        "remind", event="time", conditions=PENDING_72H, actions=[{"type": "reply", "body": "Any news?"}]
    )
    later = waiting.last_agent_message_at + timedelta(hours=80)

    with run_events():
        sweep(now=later)
        sweep(now=later + timedelta(hours=1))

    assert reminders(waiting) == 1


def test_a_new_agent_reply_starts_the_clock_again(make_rule, waiting, agent, run_events):
    make_rule(
        "remind", event="time", conditions=PENDING_72H, actions=[{"type": "reply", "body": "Any news?"}]
    )
    with run_events():
        sweep(now=waiting.last_agent_message_at + timedelta(hours=73))
        reply_to_ticket(ticket=waiting, by=Actor.of(agent), body="Still there?", status=Status.PENDING)
    waiting.refresh_from_db()

    with run_events():
        sweep(now=waiting.last_agent_message_at + timedelta(hours=73))

    assert reminders(waiting) == 2


def test_after_seven_days_the_ticket_is_solved(make_rule, waiting, run_events):
    make_rule(
        "remind", event="time", conditions=PENDING_72H, actions=[{"type": "reply", "body": "Any news?"}]
    )
    make_rule(
        "solve", event="time", conditions=PENDING_7D, actions=[{"type": "set_status", "status": "solved"}]
    )
    start = waiting.last_agent_message_at

    with run_events():
        sweep(now=start + timedelta(hours=73))
        sweep(now=start + timedelta(days=7, minutes=1))

    waiting.refresh_from_db()
    assert waiting.status == Status.SOLVED
    assert reminders(waiting) == 1


def test_a_new_unassigned_ticket_is_escalated_after_an_hour(make_rule, open_ticket, team, run_events):
    from tests.factories import TeamFactory

    experts = TeamFactory(name="Experts", tier=2)
    make_rule(
        "stale",
        event="time",
        conditions={
            "all": [
                {"field": "status", "op": "is", "value": "new"},
                {"field": "assignee", "op": "is_not_set"},
                {"field": "hours_since_created", "op": "gte", "value": 1},
            ]
        },
        actions=[{"type": "escalate", "reason": "Nobody picked it up within an hour"}],
    )
    ticket = open_ticket(team=team)

    with run_events():
        sweep(now=ticket.created_at + timedelta(minutes=61))

    ticket.refresh_from_db()
    assert ticket.team_id == experts.pk


def test_only_the_first_time_rule_of_a_first_match_set_fires_in_a_sweep(make_rule, first_match_set, waiting):
    make_rule(
        "a",
        event="time",
        in_set=first_match_set,
        conditions=PENDING_72H,
        actions=[{"type": "add_tags", "tags": ["a"]}],
    )
    make_rule(
        "b",
        event="time",
        in_set=first_match_set,
        conditions=PENDING_72H,
        actions=[{"type": "add_tags", "tags": ["b"]}],
    )

    sweep(now=waiting.last_agent_message_at + timedelta(hours=80))

    assert set(waiting.tags.values_list("name", flat=True)) == {"a"}


def test_closed_tickets_are_not_swept(make_rule, open_ticket, agent):
    make_rule(
        "old",
        event="time",
        conditions={"all": [{"field": "hours_since_created", "op": "gte", "value": 1}]},
        actions=[{"type": "add_tags", "tags": ["old"]}],
    )
    ticket = open_ticket()
    change_status(ticket=ticket, status=Status.CLOSED, by=Actor.of(agent))

    report = sweep(now=ticket.created_at + timedelta(hours=2))

    assert report.fired == 0


def test_python_only_conditions_are_checked_on_the_candidates(make_rule, open_ticket):
    make_rule(
        "refund",
        event="time",
        conditions={
            "all": [
                {"field": "hours_since_created", "op": "gte", "value": 1},
                {"field": "subject", "op": "contains", "value": "refund"},
            ]
        },
        actions=[{"type": "add_tags", "tags": ["refund"]}],
    )
    printer = open_ticket(subject="Printer")
    refund = open_ticket(subject="Refund please")

    report = sweep(now=refund.created_at + timedelta(hours=2))

    assert (report.candidates, report.fired) == (2, 1)
    assert list(RuleRun.objects.values_list("ticket_id", flat=True)) == [refund.pk]
    assert not printer.tags.exists()


def test_a_sweep_stops_at_its_limit_and_the_next_one_continues(make_rule, open_ticket):
    make_rule(
        "old",
        event="time",
        conditions={"all": [{"field": "hours_since_created", "op": "gte", "value": 1}]},
        actions=[{"type": "add_tags", "tags": ["old"]}],
    )
    tickets = [open_ticket(subject=f"T{i}") for i in range(3)]
    later = tickets[-1].created_at + timedelta(hours=2)

    first, second = sweep(now=later, limit=2), sweep(now=later, limit=2)

    assert (first.fired, second.fired) == (2, 1)


def test_the_periodic_job_runs_the_sweep(make_rule, waiting):
    from awn.automation.tasks import run_time_rules

    make_rule(
        "remind",
        event="time",
        conditions={"all": [{"field": "hours_since_agent_message", "op": "gte", "value": 0}]},
        actions=[{"type": "add_tags", "tags": ["swept"]}],
    )

    run_time_rules()

    assert waiting.tags.filter(name="swept").exists()


def test_a_time_rule_with_nothing_to_change_is_remembered_but_not_shown(make_rule, waiting):
    from awn.tickets.models import TicketEvent

    make_rule("tag", event="time", conditions=PENDING_72H, actions=[{"type": "add_tags", "tags": ["x"]}])
    waiting.tags.create(name="x")

    report = sweep(now=waiting.last_agent_message_at + timedelta(hours=73))

    assert report.fired == 1
    assert RuleRun.objects.get(ticket=waiting).results == []
    assert not waiting.events.filter(kind=TicketEvent.Kind.RULE).exists()
