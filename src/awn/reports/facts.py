"""Computing a ticket's facts from its recorded rows: one pure function, fed one ticket at a time by the event
handlers and a batch at a time by the backfill (`awn manage rebuild_report_facts`), so both agree.

The calendar for business seconds is the one the ticket's SLA policy counts on (its own calendar, else the
default business calendar); with no usable calendar at all, business time is calendar time (open 24/7).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import OperationalError, connection, transaction
from django.db.models import Q

from awn.accounts.models import STAFF_ROLES, User
from awn.calendars.business_hours import Schedule, business_seconds_between
from awn.calendars.selectors import schedule_for
from awn.core import clock
from awn.core.prepared import insert_objects
from awn.reports import rollups
from awn.reports.models import PendingFacts, ReplyFact, TicketFacts
from awn.sla.models import SLAMeasurement, Target
from awn.tickets.models import Message, Status, Ticket, TicketEvent

SOLVED = (Status.SOLVED, Status.CLOSED)
MAX_ATTEMPTS = 5  # batches that failed on one new ticket before the facts writer leaves it (pending.py)
LOCKED_RETRIES = 6  # SQLite: another writer held the lock past the busy timeout; wait 1, 2, 4… s
FACT_FIELDS = [f.attname for f in TicketFacts._meta.concrete_fields if f.attname != "ticket_id"]
TICKET_FIELDS = [
    "id",
    "status",
    "channel",
    "priority",
    "team_id",
    "assignee_id",
    "created_at",
    "solved_at",
    "sla_breached",
    "sla_policy_id",
    # Joined rather than looked up in per-run tables, so one ticket's recompute reads no other table whole.
    "team__tier",
    "sla_policy__calendar_id",
]


@dataclass
class TicketHistory:
    """What the facts of one ticket are computed from (public messages and status/tier events, in order)."""

    ticket: dict[str, Any]
    tier: int = 1
    # (created_at, author_id, author is staff)
    messages: list[tuple[datetime, int | None, bool]] = field(default_factory=list)
    # (created_at, old, new, actor_id, actor is staff)
    statuses: list[tuple[datetime, Any, Any, int | None, bool]] = field(default_factory=list)
    # (old tier, new tier)
    tiers: list[tuple[Any, Any]] = field(default_factory=list)
    # (target, breached, completed)
    measurements: list[tuple[str, bool, bool]] = field(default_factory=list)
    schedule: Schedule | None = None


def _business(schedule: Schedule | None, start: datetime, end: datetime) -> int:
    if end <= start:
        return 0
    if schedule is None:
        return int((end - start).total_seconds())
    return int(business_seconds_between(schedule, start, end))


def _sla_outcome(measurements: Iterable[tuple[str, bool, bool]], target: str) -> bool | None:
    rows = [(breached, completed) for name, breached, completed in measurements if name == target]
    if any(breached for breached, _completed in rows):
        return False
    if any(completed for _breached, completed in rows):
        return True
    return None


def compute_facts(history: TicketHistory, *, now: datetime) -> dict[str, Any]:
    """The fact columns of one ticket (pure: no database)."""
    ticket = history.ticket
    created = ticket["created_at"]
    solved = ticket["status"] in SOLVED and ticket["solved_at"] is not None
    solved_at = ticket["solved_at"] if solved else None

    first_response_at = None
    agent_replies = customer_messages = customer_after_first_response = 0
    for at, author_id, is_staff in history.messages:
        if author_id is None:
            continue  # automatic replies and system notes are nobody's response
        if is_staff:
            agent_replies += 1
            if first_response_at is None:
                first_response_at = at
        else:
            customer_messages += 1
            if first_response_at is not None:
                customer_after_first_response += 1

    reopens = 0
    solved_by = None
    for _at, old, new, actor_id, actor_is_staff in history.statuses:
        if old in SOLVED and new not in SOLVED:
            reopens += 1
        if new == Status.SOLVED:
            solved_by = actor_id if actor_is_staff else None
    if solved and solved_by is None:
        solved_by = ticket["assignee_id"]
    escalations = sum(
        1 for old, new in history.tiers if isinstance(old, int) and isinstance(new, int) and new > old
    )

    first_seconds = first_business = None
    if first_response_at is not None:
        first_seconds = max(int((first_response_at - created).total_seconds()), 0)
        first_business = _business(history.schedule, created, first_response_at)
    resolution_seconds = resolution_business = None
    if solved_at is not None:
        resolution_seconds = max(int((solved_at - created).total_seconds()), 0)
        resolution_business = _business(history.schedule, created, solved_at)

    return {
        "team_id": ticket["team_id"],
        "agent_id": ticket["assignee_id"],
        "solved_by_id": solved_by if solved else None,
        "channel": ticket["channel"],
        "tier": history.tier,
        "priority": ticket["priority"],
        "status": ticket["status"],
        "created_at": created,
        "first_response_at": first_response_at,
        "solved_at": solved_at,
        "first_response_seconds": first_seconds,
        "first_response_business_seconds": first_business,
        "resolution_seconds": resolution_seconds,
        "resolution_business_seconds": resolution_business,
        "agent_replies": agent_replies,
        "customer_messages": customer_messages,
        "reopens": reopens,
        "tier_escalations": escalations,
        "one_touch": solved and agent_replies == 1,
        "first_contact_resolution": (
            solved and reopens == 0 and agent_replies >= 1 and customer_after_first_response == 0
        ),
        "sla_first_response_met": _sla_outcome(history.measurements, Target.FIRST_RESPONSE),
        "sla_resolution_met": _sla_outcome(history.measurements, Target.RESOLUTION),
        "sla_breached": bool(ticket["sla_breached"]),
        "computed_at": now,
    }


# --- loading histories --------------------------------------------------------------------------------------


class _Context:
    """Per-run lookups shared by every ticket of a batch: the business schedules by calendar."""

    def __init__(self) -> None:
        self._schedules: dict[int | None, Schedule | None] = {}

    def schedule(self, calendar_id: int | None) -> Schedule | None:
        """The calendar's schedule (None: the default calendar); None when it has no open hours."""
        if calendar_id not in self._schedules:
            schedule = schedule_for(calendar_id)
            self._schedules[calendar_id] = schedule if schedule and schedule.weekly_minutes else None
        return self._schedules[calendar_id]


def _histories(tickets: Sequence[dict[str, Any]], context: _Context) -> list[TicketHistory]:
    ids = [t["id"] for t in tickets]
    low, high = min(ids), max(ids)
    if len(ids) == 1:
        in_range = Q(ticket_id=low)
    elif high - low < 2 * len(ids):  # the backfill's consecutive ids: a range the indexes walk once
        in_range = Q(ticket_id__gte=low, ticket_id__lte=high)
    else:  # ids far apart (the facts writer's queue): a range would read the tickets between them too
        in_range = Q(ticket_id__in=ids)
    wanted = set(ids)
    histories = {
        t["id"]: TicketHistory(
            ticket=t, tier=t["team__tier"] or 1, schedule=context.schedule(t["sla_policy__calendar_id"])
        )
        for t in tickets
    }
    staff = STAFF_ROLES  # the author's role now, as the rest of the reports see it
    messages = (
        Message.objects.filter(in_range, internal=False)
        .order_by("ticket_id", "created_at", "id")
        .values_list("ticket_id", "created_at", "author_id", "author__role")
    )
    for ticket_id, at, author_id, role in messages:
        if ticket_id in wanted:
            histories[ticket_id].messages.append((at, author_id, role in staff))
    events = (
        TicketEvent.objects.filter(in_range, kind__in=(TicketEvent.Kind.STATUS, TicketEvent.Kind.TIER))
        .order_by("ticket_id", "created_at", "id")
        .values_list("ticket_id", "kind", "created_at", "old", "new", "actor_id", "actor__role")
    )
    for ticket_id, kind, at, old, new, actor_id, role in events:
        if ticket_id not in wanted:
            continue
        if kind == TicketEvent.Kind.STATUS:
            histories[ticket_id].statuses.append((at, old, new, actor_id, role in staff))
        else:
            histories[ticket_id].tiers.append((old, new))
    measurements = SLAMeasurement.objects.filter(
        in_range, target__in=(Target.FIRST_RESPONSE, Target.RESOLUTION)
    ).values_list("ticket_id", "target", "breached", "completed_at")
    for ticket_id, target, breached, completed_at in measurements:
        if ticket_id in wanted:
            histories[ticket_id].measurements.append((target, breached, completed_at is not None))
    return [histories[i] for i in ids]


def _store(histories: Sequence[TicketHistory], *, now: datetime) -> list[dict[str, Any]]:
    computed = [compute_facts(h, now=now) for h in histories]
    rows = [TicketFacts(ticket_id=h.ticket["id"], **c) for h, c in zip(histories, computed, strict=True)]
    insert_objects(rows, unique_fields=["ticket"], update_fields=FACT_FIELDS)
    return computed


def store_facts(tickets: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Compute the facts of these tickets (rows of TICKET_FIELDS) from their history and store them."""
    return _store(_histories(tickets, _Context()), now=clock.now())


def record_ticket_facts(ticket_id: int) -> None:
    """Recompute and store the facts of one ticket, and move the roll-ups by the difference (called by the
    event handlers, inside the change's transaction)."""
    ticket = Ticket.objects.filter(pk=ticket_id).values(*TICKET_FIELDS).first()
    if ticket is None:
        return
    old = rollups.facts_row(ticket_id, lock=True)
    if old is None:
        _unqueue(ticket_id)
    (new,) = _store(_histories([ticket], _Context()), now=clock.now())
    rollups.record_facts_change(old, new, ticket_id=ticket_id)


def _unqueue(ticket_id: int) -> None:
    """A new ticket's facts are written by a change before the facts writer came (pending.py): its place in
    the queue goes, unless a writer's batch holds it (that batch left the ticket, which this change holds; a
    later batch finds these facts and moves the roll-ups by nothing)."""
    held = PendingFacts.objects.filter(ticket_id=ticket_id).select_for_update(skip_locked=True)
    if list(held.values_list("ticket_id", flat=True)):
        PendingFacts.objects.filter(ticket_id=ticket_id).delete()


def record_customer_message(ticket_id: int) -> bool:
    """A customer's new public message, without reading the ticket's history, where that is exact: it moves
    one fact column (`customer_messages`) and no roll-up, unless the ticket is solved (first-contact
    resolution then depends on it) or an SLA policy measures it (its outcomes may move). Returns False when
    the facts must be recomputed instead (those tickets, and one without facts yet)."""
    facts, ticket = TicketFacts._meta.db_table, Ticket._meta.db_table
    # One statement written out: the ORM's update() with a join costs more to build than to run. Table names
    # come from the models; every value is a parameter.
    sql = (
        f"UPDATE {facts} SET customer_messages = customer_messages + 1, computed_at = %s "  # noqa: S608
        f"WHERE ticket_id = %s AND status NOT IN (%s, %s) AND EXISTS (SELECT 1 FROM {ticket} t "
        f"WHERE t.id = %s AND t.sla_policy_id IS NULL AND NOT t.sla_breached)"
    )
    now = connection.ops.adapt_datetimefield_value(clock.now())
    with connection.cursor() as cursor:
        cursor.execute(sql, [now, ticket_id, *(status.value for status in SOLVED), ticket_id])
        return cursor.rowcount > 0


def record_reply(message_id: int) -> None:
    """Store the reply fact of one public staff message (idempotent)."""
    row = (
        Message.objects.filter(pk=message_id, internal=False, author__role__in=STAFF_ROLES)
        .values("ticket_id", "author_id", "ticket__team_id", "channel", "created_at")
        .first()
    )
    if row is None:
        return
    fact = {
        "ticket_id": row["ticket_id"],
        "agent_id": row["author_id"],
        "team_id": row["ticket__team_id"],
        "channel": row["channel"],
        "created_at": row["created_at"],
    }
    old = ReplyFact.objects.filter(message_id=message_id).values(*fact).first()
    if old == fact:
        return
    ReplyFact.objects.update_or_create(message_id=message_id, defaults=fact)
    rollups.record_reply_change(old, fact)


# --- backfill -----------------------------------------------------------------------------------------------


def rebuild_facts(*, batch_size: int = 5000, after: int = 0, progress=None) -> tuple[int, int]:
    """Recompute the facts of every ticket and the reply facts, in id-ordered batches (each its own
    transaction); safe to repeat and to interrupt (`after`: resume after that ticket id). A batch that finds
    the database locked by another writer is tried again; the roll-ups are then recomputed from the new facts.
    Returns (tickets, replies)."""
    context = _Context()
    now = clock.now()
    done = 0
    last = after
    # The new tickets the facts writer gave up on (pending.py) are among those this rebuild writes.
    given_up = list(
        PendingFacts.objects.filter(
            attempts__gte=MAX_ATTEMPTS, queued_at__lte=now, ticket_id__gt=after
        ).values_list("ticket_id", flat=True)
    )
    while True:
        tickets = list(Ticket.objects.filter(pk__gt=last).order_by("pk").values(*TICKET_FIELDS)[:batch_size])
        if not tickets:
            break
        histories = _histories(tickets, context)
        for attempt in range(LOCKED_RETRIES):
            try:
                with transaction.atomic():
                    done += len(_store(histories, now=now))
                break
            except OperationalError as exc:
                if "locked" not in str(exc) or attempt == LOCKED_RETRIES - 1:
                    raise
                time.sleep(2**attempt)
        last = tickets[-1]["id"]
        if progress:
            progress(done)
    PendingFacts.objects.filter(ticket_id__in=given_up).delete()
    replies = rebuild_replies(batch_size=batch_size * 10)
    rollups.rebuild_rollups()
    return done, replies


def rebuild_replies(*, batch_size: int = 50_000) -> int:
    """Reply facts from the messages, set-based (INSERT … SELECT by id range; existing rows are kept)."""
    if not User.objects.filter(role__in=STAFF_ROLES).exists():
        return 0
    top = Message.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    reply = ReplyFact._meta.db_table
    message = Message._meta.db_table
    ticket = Ticket._meta.db_table
    user = User._meta.db_table
    roles = sorted(STAFF_ROLES)
    # Table names come from the models' metadata; every value is a parameter.
    sql = (
        f"INSERT INTO {reply} (message_id, ticket_id, agent_id, team_id, channel, created_at) "  # noqa: S608
        f"SELECT m.id, m.ticket_id, m.author_id, t.team_id, m.channel, m.created_at "
        f"FROM {message} m JOIN {ticket} t ON t.id = m.ticket_id JOIN {user} u ON u.id = m.author_id "
        f"WHERE m.id > %s AND m.id <= %s AND NOT m.internal AND u.role IN ({', '.join(['%s'] * len(roles))}) "
        f"ON CONFLICT (message_id) DO NOTHING"
    )
    inserted = 0
    low = 0
    while low < top:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [low, low + batch_size, *roles])
            inserted += max(cursor.rowcount, 0)
        low += batch_size
    return inserted
