"""A new ticket's report facts: queued in its transaction, written after it commits by the facts writer, in
batches, and never counted twice or lost: not when a change comes first, not when a batch fails, not while
another worker holds the ticket."""

import threading
import time

import pytest
from django.db import OperationalError, connection, transaction
from django.test.utils import CaptureQueriesContext

from awn.core.events import DomainEvent
from awn.reports import handlers, pending, rollups
from awn.reports.models import PendingFacts, TicketFacts, TicketRollup
from awn.reports.pending import FactsWriter, backlog, write_pending
from awn.reports.rollups import rebuild_rollups
from awn.sla.models import Target
from awn.tickets.models import Status, Ticket
from awn.tickets.services import Actor, change_status, create_ticket, reply_to_ticket, set_tags
from tests.concurrency import another_transaction, another_transaction_holding
from tests.reports.test_rollups import _rows


def _new(customer, team, subject="Printer", **extra):
    return create_ticket(
        requester=customer, subject=subject, body="Help", team=team, by=Actor.of(customer), **extra
    )


def _created_rows(team) -> int:
    """The team's tickets created, from its roll-up rows (on PostgreSQL, each connection adds to a copy)."""
    rows = TicketRollup.objects.filter(kind=TicketRollup.CREATED, team_id=team.pk, channel="")
    return sum(rows.values_list("tickets", flat=True))


def _consistent() -> bool:
    """The roll-ups the live writes left are those a rebuild computes from the facts."""
    live = _rows()
    rebuild_rollups()
    return live == _rows()


@pytest.mark.django_db
def test_a_new_ticket_is_queued_in_its_transaction_and_its_facts_written_by_the_writer(customer, team, now):
    ticket = _new(customer, team)

    assert PendingFacts.objects.filter(ticket_id=ticket.pk).exists()
    assert not TicketFacts.objects.filter(ticket_id=ticket.pk).exists()
    assert not _rows()

    assert write_pending() == 1

    assert TicketFacts.objects.get(ticket_id=ticket.pk).customer_messages == 1
    assert not PendingFacts.objects.exists()
    assert _created_rows(team) == 1
    assert _consistent()
    with CaptureQueriesContext(connection) as idle:
        assert write_pending() == 0  # nothing is written twice
    assert len(idle.captured_queries) == 1  # an idle poll: one read, no transaction (no writers' lock)


@pytest.mark.django_db
def test_a_batch_writes_many_tickets_with_their_tags_in_one_go(customer, team, now):
    for number in range(7):
        _new(customer, team, subject=f"Ticket {number}", tags=["vip"] if number % 2 else [])

    assert write_pending(batch=3) == 7  # three batches: 3, 3 and 1

    assert _created_rows(team) == 7
    assert TicketFacts.objects.count() == 7
    assert _consistent()


@pytest.mark.django_db
def test_a_change_before_the_writer_writes_the_facts_and_takes_the_ticket_off_the_queue(
    customer, agent, team, now
):
    ticket = _new(customer, team)
    now.advance(hours=1)
    reply_to_ticket(ticket=ticket, body="On it", by=Actor.of(agent))

    assert TicketFacts.objects.get(ticket_id=ticket.pk).first_response_seconds == 3600
    assert not PendingFacts.objects.filter(ticket_id=ticket.pk).exists()
    assert write_pending() == 0
    assert _created_rows(team) == 1
    assert _consistent()


@pytest.mark.django_db
def test_a_tag_change_before_the_writer_is_in_the_facts_the_writer_writes(customer, agent, team, now):
    ticket = _new(customer, team, tags=["printer"])
    set_tags(ticket=ticket, tags=["scanner"], by=Actor.of(agent))  # no facts yet: nothing to move

    assert write_pending() == 1

    assert _consistent()
    assert {row.tag.name for row in ticket.tags.through.objects.filter(ticket_id=ticket.pk)} == {"scanner"}


@pytest.mark.django_db
def test_the_writer_moves_the_rollups_by_the_difference_when_facts_are_already_there(
    customer, agent, team, now
):
    ticket = _new(customer, team)
    # As when a worker wrote a ticket's facts and the queue row came back (a repair, a restored backup).
    assert write_pending() == 1
    change_status(ticket=ticket, status=Status.SOLVED, by=Actor.of(agent))
    pending.queue(ticket.pk)

    assert write_pending() == 1

    assert _created_rows(team) == 1
    assert _consistent()


@pytest.mark.django_db
def test_a_ticket_whose_facts_fail_fails_alone_and_is_left_after_its_attempts(
    customer, team, now, monkeypatch
):
    from awn.reports import facts

    tickets = [_new(customer, team, subject=f"Ticket {number}") for number in range(3)]
    broken = tickets[1].pk
    compute = facts.compute_facts

    def fails_for_one(history, *, now):
        if history.ticket["id"] == broken:
            raise ValueError("a calendar this ticket's policy names is corrupt")
        return compute(history, now=now)

    monkeypatch.setattr(facts, "compute_facts", fails_for_one)

    assert write_pending() == 2  # the batch failed; one at a time, the other two landed

    assert set(TicketFacts.objects.values_list("ticket_id", flat=True)) == {tickets[0].pk, tickets[2].pk}
    assert PendingFacts.objects.get().attempts == 1
    for _ in range(facts.MAX_ATTEMPTS):
        write_pending()
    assert PendingFacts.objects.get(ticket_id=broken).attempts == facts.MAX_ATTEMPTS
    assert backlog()[2] == 1  # given up on: `awn doctor` says so
    assert _consistent()

    monkeypatch.setattr(facts, "compute_facts", compute)
    facts.rebuild_facts()

    assert TicketFacts.objects.filter(ticket_id=broken).exists()
    assert not PendingFacts.objects.exists()


@pytest.mark.django_db
def test_a_batch_that_does_not_commit_writes_nothing_and_loses_no_ticket(customer, team, now, monkeypatch):
    tickets = [_new(customer, team, subject=f"Ticket {number}") for number in range(3)]

    def connection_lost(*args, **kwargs):  # as when the worker is killed or the database goes away
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(rollups, "apply", connection_lost)
    with pytest.raises(OperationalError):
        write_pending()

    assert not TicketFacts.objects.exists()
    assert PendingFacts.objects.filter(attempts=0).count() == 3
    monkeypatch.undo()
    assert write_pending() == 3
    assert TicketFacts.objects.count() == len(tickets)


@pytest.mark.django_db
def test_queued_tickets_far_apart_are_read_by_their_ids_not_the_range_between_them(customer, team, now):
    first = _new(customer, team, subject="First")
    assert write_pending() == 1
    middle = [_new(customer, team, subject=f"Middle {n}") for n in range(5)]
    PendingFacts.objects.filter(ticket_id__in=[t.pk for t in middle]).delete()  # written, as if long ago
    last = _new(customer, team, subject="Last")
    pending.queue(first.pk)

    with CaptureQueriesContext(connection) as queries:
        assert write_pending() == 2

    history = [q["sql"] for q in queries.captured_queries if 'FROM "tickets_message"' in q["sql"]]
    assert len(history) == 1
    assert f"IN ({first.pk}, {last.pk})" in history[0]
    assert TicketFacts.objects.filter(ticket_id__in=[first.pk, last.pk]).count() == 2
    assert not TicketFacts.objects.filter(ticket_id__in=[t.pk for t in middle]).exists()


@pytest.mark.django_db(transaction=True)
def test_the_writer_leaves_a_ticket_another_worker_holds_and_does_not_wait_for_it(customer, team):
    if not connection.features.has_select_for_update_skip_locked:
        pytest.skip("SQLite has one writer at a time: no other worker holds a ticket while the writer runs")
    held, free = _new(customer, team, subject="Held"), _new(customer, team, subject="Free")

    with another_transaction_holding(Ticket.objects.filter(pk=held.pk)) as other:
        assert write_pending() == 1

        assert other.is_alive()  # the writer did not wait for it
        assert list(TicketFacts.objects.values_list("ticket_id", flat=True)) == [free.pk]
        assert list(PendingFacts.objects.values_list("ticket_id", flat=True)) == [held.pk]

    assert write_pending() == 1
    assert _created_rows(team) == 2
    assert _consistent()


@pytest.mark.django_db(transaction=True)
def test_two_writers_share_the_queue_without_writing_a_ticket_twice(customer, team):
    if not connection.features.has_select_for_update_skip_locked:
        pytest.skip("SQLite has one writer at a time")
    tickets = [_new(customer, team, subject=f"Ticket {n}") for n in range(4)]

    with another_transaction_holding(PendingFacts.objects.filter(ticket_id__in=[t.pk for t in tickets[:2]])):
        assert write_pending() == 2  # another writer's batch holds the first two

    assert write_pending() == 2
    assert _created_rows(team) == 4
    assert _consistent()


@pytest.mark.django_db(transaction=True)
def test_the_writer_thread_of_a_job_worker_writes_the_facts_of_committed_tickets(customer, team):
    ticket = _new(customer, team)  # committed: no transaction around the test
    writer = FactsWriter(poll=0.05).start()
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if TicketFacts.objects.filter(ticket_id=ticket.pk).exists():
                    break
            except OperationalError:  # the tests' in-memory SQLite: a read meets the batch's table lock
                pass
            time.sleep(0.05)
    finally:
        writer.stop()

    assert TicketFacts.objects.filter(ticket_id=ticket.pk).exists()
    assert not PendingFacts.objects.exists()
    assert not writer.thread.is_alive()


@pytest.mark.django_db(transaction=True)
def test_a_change_waits_for_the_writers_batch_that_holds_its_ticket_and_counts_it_once(customer, team):
    if not connection.features.has_select_for_update_skip_locked:
        pytest.skip("SQLite has one writer at a time: a change never overlaps the writer's batch")
    ticket = _new(customer, team)

    # Another worker's batch: the facts written, not committed yet.
    with another_transaction(lambda: pending._write(pending._take(10, 0))) as writer:
        threading.Timer(0.5, writer.release.set).start()  # it commits while the breach waits for the ticket
        # The SLA sweep's breach: its reports handler reads the ticket's facts and writes no ticket row first.
        with transaction.atomic():
            handlers.on_sla_breached(
                DomainEvent("sla.breached", ticket_id=ticket.pk, data={"target": Target.FIRST_RESPONSE})
            )

    assert _created_rows(team) == 1  # the breach found the writer's facts: the ticket is not counted twice
    facts = TicketFacts.objects.get(ticket_id=ticket.pk)
    assert (facts.sla_breached, facts.sla_first_response_met) == (True, False)
    assert not PendingFacts.objects.exists()
    assert _consistent()


@pytest.mark.django_db
def test_doctor_says_when_no_worker_writes_the_queued_facts_and_when_the_writer_gave_up(customer, team, now):
    from datetime import timedelta

    from awn.cli.doctor import _check_pending_facts
    from awn.reports.facts import MAX_ATTEMPTS

    ticket = _new(customer, team)
    assert _check_pending_facts().status == "OK"  # just queued

    now.advance(minutes=10)
    stale = _check_pending_facts()
    PendingFacts.objects.filter(ticket_id=ticket.pk).update(attempts=MAX_ATTEMPTS)
    given_up = _check_pending_facts()

    assert (stale.status, given_up.status) == ("WARN", "WARN")
    assert "the oldest for 10 min: no job worker is writing them" in stale.message
    assert "awn worker" in stale.fix
    assert "rebuild_report_facts" in given_up.fix
    assert backlog() == (1, timedelta(minutes=10), 1)
