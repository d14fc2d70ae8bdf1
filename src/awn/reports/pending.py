"""A new ticket's report facts, written after it commits, in batches, by the facts writer of the job workers.

Writing a new ticket's facts and roll-ups inside its transaction was about a quarter of the CPU of creating
it, on the web process and on PostgreSQL alike (docs/performance.md, items 14 and 15). So the reports handler
of "ticket.created" only queues the ticket: one `PendingFacts` row, in the ticket's transaction, so it commits
or rolls back with the ticket. The facts writer, a thread of every job worker (`awn run`, `awn worker`),
takes up to BATCH queued tickets at a time and, in one transaction, writes their facts (one multi-row upsert),
adds their roll-ups summed over the batch (one upsert per table) and deletes their queue rows. A writer killed
mid-batch has written nothing and deleted nothing: the next one takes the same tickets. Reports therefore
lag a new ticket by up to POLL_SECONDS and a batch; every later change of a ticket still moves its facts in
its own transaction.

Two writers of one ticket's facts never overlap (PostgreSQL; on SQLite transactions take turns anyway):
- the writer locks the queue rows and the tickets it takes with SKIP LOCKED, so it leaves a ticket that a
  change holds, and another writer's batch, for a later batch;
- a change that finds no facts for its ticket locks the ticket row before it reads them again
  (`rollups.facts_row`), so it waits for a batch that holds the ticket and then sees its facts, or it holds
  the ticket and the writer leaves it;
- the writer locks the existing facts rows it replaces with SKIP LOCKED too, and leaves the tickets whose row
  a change holds.
The facts are computed from the ticket's rows as they are when the batch runs, so whatever changed in between
is in them, and a ticket whose facts a change already wrote only moves the roll-ups by the difference.

A ticket whose facts cannot be computed fails alone: the batch is done again one ticket at a time, and each
failure counts an attempt on its queue row. After MAX_ATTEMPTS the writer leaves the row; `awn doctor` reports
it and `awn manage rebuild_report_facts` writes every ticket's facts.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from django.db import OperationalError, close_old_connections, transaction
from django.db.models import Count, F, Min, Q

from awn.core import clock
from awn.core.prepared import insert_objects
from awn.reports import rollups
from awn.reports.facts import MAX_ATTEMPTS, TICKET_FIELDS, store_facts
from awn.reports.models import PendingFacts, TicketFacts
from awn.tickets.models import Ticket

log = logging.getLogger(__name__)

BATCH = 200  # tickets per transaction: ~10 statements for all of them
POLL_SECONDS = 0.5  # an idle writer looks for queued tickets this often
MAX_BATCHES_PER_ROUND = 1000  # a round ends even while tickets keep coming (the writer then polls again)


def queue(ticket_id: int) -> None:
    """Queue a new ticket's facts (inside the transaction that creates it)."""
    insert_objects([PendingFacts(ticket_id=ticket_id, queued_at=clock.now())])


def write_pending(*, batch: int = BATCH) -> int:
    """Write the facts of the queued tickets this writer can take now, a batch per transaction, until none is
    left; returns how many tickets' facts were written. A lock held by another writer (SQLite's busy timeout,
    a PostgreSQL deadlock) ends the round with an OperationalError: nothing of the batch is lost."""
    written = after = 0
    # Looked up outside a transaction first: an idle writer's poll then takes no lock (on SQLite, a
    # transaction takes the writers' lock at BEGIN) and writes nothing.
    if not PendingFacts.objects.filter(attempts__lt=MAX_ATTEMPTS).exists():
        return 0
    for _round in range(MAX_BATCHES_PER_ROUND):
        ids, done = _write_batch(batch, after)
        written += done
        if len(ids) < batch:
            break
        after = ids[-1]  # the tickets left in the queue (held by a change) wait for the next round
    return written


def _write_batch(size: int, after: int) -> tuple[list[int], int]:
    """One batch of the queued tickets after `after`: (their ids, how many were written)."""
    try:
        with transaction.atomic():
            ids = _take(size, after)
            return ids, _write(ids) if ids else 0
    except OperationalError:
        raise
    except Exception:
        log.exception("writing a batch of report facts failed: writing its tickets one at a time")
    return _write_one_by_one(size, after)


def _take(size: int, after: int) -> list[int]:
    """Lock up to `size` queue rows no other writer holds, oldest tickets first."""
    rows = PendingFacts.objects.filter(ticket_id__gt=after, attempts__lt=MAX_ATTEMPTS).order_by("ticket_id")
    return list(rows.select_for_update(skip_locked=True).values_list("ticket_id", flat=True)[:size])


def _write(ids: Sequence[int]) -> int:
    """Write the facts of the queued tickets `ids` (their queue rows locked by this transaction) and delete
    the queue rows of those written and of tickets deleted since; returns how many were written."""
    tickets = list(
        Ticket.objects.filter(pk__in=ids)
        .select_for_update(skip_locked=True, of=("self",))
        .order_by("pk")
        .values(*TICKET_FIELDS)
    )
    held = {ticket["id"] for ticket in tickets}
    missing = [ticket_id for ticket_id in ids if ticket_id not in held]
    # Not locked by us: deleted, or held by a change (then it is still there, and stays queued).
    gone = set(missing) - set(Ticket.objects.filter(pk__in=missing).values_list("pk", flat=True))
    old = _lock_facts(sorted(held))
    tickets = [ticket for ticket in tickets if old.get(ticket["id"], True) is not False]
    if tickets:
        new = store_facts(tickets)
        tags = _tag_ids([ticket["id"] for ticket in tickets])
        with rollups.collecting():
            for ticket, facts in zip(tickets, new, strict=True):
                previous = old.get(ticket["id"])
                rollups.apply(rollups.facts_change(previous, facts, tag_ids=tags.get(ticket["id"], ())))
    done = [ticket["id"] for ticket in tickets]
    PendingFacts.objects.filter(ticket_id__in=[*done, *gone]).delete()
    return len(done)


def _lock_facts(ticket_ids: Sequence[int]) -> dict[int, Any]:
    """The stored facts of these tickets, locked: ticket id → its facts row, or False when a change holds
    the row (the ticket is left for a later batch); tickets without facts are absent."""
    if not ticket_ids:
        return {}
    stored = set(TicketFacts.objects.filter(ticket_id__in=ticket_ids).values_list("ticket_id", flat=True))
    if not stored:
        return {}
    locked = {
        row.pop("ticket_id"): row
        for row in TicketFacts.objects.filter(ticket_id__in=sorted(stored))
        .select_for_update(skip_locked=True)
        .values("ticket_id", *rollups.FACT_COLUMNS)
    }
    return {ticket_id: locked.get(ticket_id, False) for ticket_id in stored}


def _tag_ids(ticket_ids: Sequence[int]) -> dict[int, list[int]]:
    found: dict[int, list[int]] = {}
    rows = Ticket.tags.through.objects.filter(ticket_id__in=ticket_ids).values_list("ticket_id", "tag_id")
    for ticket_id, tag_id in rows:
        found.setdefault(ticket_id, []).append(tag_id)
    return found


def _write_one_by_one(size: int, after: int) -> tuple[list[int], int]:
    """After a failed batch: each of the next `size` queued tickets in a transaction of its own; a ticket that
    fails again counts an attempt. Returns what `_write_batch` does."""
    taken: list[int] = []
    done = 0
    while len(taken) < size:
        try:
            with transaction.atomic():
                ids = _take(1, after)
                if not ids:
                    break
                after = ids[0]
                done += _write(ids)
        except OperationalError:
            raise
        except Exception:
            log.exception("report facts of ticket %s failed (attempt counted)", after)
            PendingFacts.objects.filter(ticket_id=after).update(attempts=F("attempts") + 1)
        taken.append(after)
    return taken, done


def backlog() -> tuple[int, timedelta | None, int]:
    """(queued tickets, age of the oldest, tickets the writer gave up on), in one read: for `awn doctor` and
    the benchmark."""
    found = PendingFacts.objects.aggregate(
        queued=Count("pk"),
        oldest=Min("queued_at"),
        given_up=Count("pk", filter=Q(attempts__gte=MAX_ATTEMPTS)),
    )
    oldest = found["oldest"]
    return found["queued"], (clock.now() - oldest if oldest else None), found["given_up"]


class FactsWriter:
    """The writer's thread in a job worker: a round of `write_pending` every POLL_SECONDS until `stopped` is
    set (the job consumer's stop flag)."""

    def __init__(self, *, poll: float = POLL_SECONDS, stopped: threading.Event | None = None) -> None:
        self.poll = poll
        self.stopped = stopped or threading.Event()
        self.thread = threading.Thread(target=self._run, name="awn-facts-writer", daemon=True)

    def start(self) -> FactsWriter:
        self.thread.start()
        return self

    def stop(self, timeout: float | None = 10.0) -> None:
        self.stopped.set()
        self.thread.join(timeout)

    def _run(self) -> None:
        while not self.stopped.is_set():
            close_old_connections()
            try:
                write_pending()
            except OperationalError as exc:  # another writer's lock: the batch is still queued
                log.warning("report facts writer: %s; trying again", exc)
            except Exception:  # the thread must outlive any one failure, or the facts stop
                log.exception("report facts writer failed; trying again")
            self.stopped.wait(self.poll)
        close_old_connections()
