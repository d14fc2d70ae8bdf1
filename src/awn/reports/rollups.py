"""Roll-ups of the report facts: sums per UTC day (or hour) and dimensions, so long periods read few rows.

What each ticket adds to the roll-ups is one pure function of its facts row (`contributions`). When the facts
of a ticket change, the handlers add the difference between what the new row and the old row contribute: a few
`INSERT … ON CONFLICT DO UPDATE SET n = n + …` per event, in the transaction (and savepoint) of the facts
write, so facts and roll-ups commit or roll back together. `rebuild_rollups` (`awn manage
rebuild_report_rollups`, and the end of `rebuild_report_facts`) recomputes them from the facts, one UTC day
per transaction.

Response times are kept as counts per bucket of a fixed log scale (four buckets per doubling of seconds), so
the histograms of any set of rows can be summed in SQL and the median and 90th percentile read from the sum;
the estimate lies in the same bucket as the exact value, so it is off by less than 2^(1/4) − 1 ≈ 19% of it
(docs/reports.md, "Roll-ups").
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Max, Min

from awn.core import clock
from awn.core.prepared import PreparedRead
from awn.reports.models import (
    HISTOGRAM_BUCKETS,
    AgentRollup,
    HourlyRollup,
    ReplyFact,
    ReplyRollup,
    RollupState,
    TagDailyRollup,
    TagRollup,
    TicketFacts,
    TicketRollup,
)
from awn.tickets.models import Ticket

PER_DOUBLING = 4
# Lower bounds of buckets 1…104 (bucket 0 is [0, 1 s); the last one has no upper bound: 1.8 years and more).
EDGES = [2 ** (i / PER_DOUBLING) for i in range(HISTOGRAM_BUCKETS - 1)]
CALENDAR = [f"h{i:03d}" for i in range(HISTOGRAM_BUCKETS)]
BUSINESS = [f"b{i:03d}" for i in range(HISTOGRAM_BUCKETS)]

FACT_COLUMNS = [
    "created_at",
    "solved_at",
    "team_id",
    "agent_id",
    "solved_by_id",
    "channel",
    "tier",
    "first_response_seconds",
    "first_response_business_seconds",
    "resolution_seconds",
    "resolution_business_seconds",
    "first_contact_resolution",
    "one_touch",
    "reopens",
    "sla_first_response_met",
    "sla_resolution_met",
]
TICKET_KEY = ["kind", "day", "team_id", "channel", "tier"]
AGENT_KEY = ["kind", "day", "team_id", "agent_id", "channel", "tier"]
HOURLY_KEY = ["hour", "team_id", "channel", "tier"]
REPLY_KEY = ["day", "team_id", "agent_id", "channel"]
TAG_KEY = ["hour", "team_id", "tag_id"]
TAG_DAY_KEY = ["day", "team_id", "tag_id"]
TICKET_MEASURES = [
    "tickets",
    "timed",
    "seconds",
    "business_timed",
    "business_seconds",
    "sla_met",
    "sla_counted",
    "fcr",
    "one_touch",
    "reopened",
    *CALENDAR,
    *BUSINESS,
]
HOURLY_MEASURES = ["created", "answered", "first_response_seconds", "solved"]
TABLES: dict[str, tuple[Any, list[str], list[str]]] = {
    "ticket": (TicketRollup, TICKET_KEY, TICKET_MEASURES),
    "agent": (AgentRollup, AGENT_KEY, ["tickets", *CALENDAR]),
    "hourly": (HourlyRollup, HOURLY_KEY, HOURLY_MEASURES),
    "reply": (ReplyRollup, REPLY_KEY, ["replies"]),
    "tag": (TagRollup, TAG_KEY, ["created"]),
    "tag_day": (TagDailyRollup, TAG_DAY_KEY, ["created"]),
}

# The tables keyed by UTC day and by UTC hour (the rebuild recomputes a day of each at a time).
DAILY_MODELS = tuple(model for model, key, _measures in TABLES.values() if "day" in key)
HOURLY_MODELS = tuple(model for model, key, _measures in TABLES.values() if "hour" in key)

Key = tuple[str, tuple]  # (table, key values)
# Rows that sum over a dimension (grouping sets): dashboards without that filter read far fewer rows.
ANY_CHANNEL, ANY_TIER, ALL_TEAMS = "", 0, -1
Contributions = dict[Key, dict[str, int]]


# --- histograms ---------------------------------------------------------------------------------------------


def bucket_of(seconds: float) -> int:
    """The histogram bucket of a duration: 0 for [0, 1 s), then [2^((i−1)/4), 2^(i/4)) s for bucket i."""
    return bisect_right(EDGES, seconds)


def bucket_range(index: int) -> tuple[float, float]:
    low = 0.0 if index == 0 else EDGES[index - 1]
    high = 1.0 if index == 0 else EDGES[index] if index < len(EDGES) else low
    return low, high


def histogram_percentile(counts: Sequence[int], fraction: float) -> float | None:
    """A continuous percentile (as percentile_cont) estimated from bucket counts: each value is placed evenly
    within its bucket, and the result interpolated between the two neighbouring ranks like the exact one."""
    total = sum(counts)
    if not total:
        return None
    position = (total - 1) * fraction
    low = math.floor(position)
    high = min(low + 1, total - 1)
    a, b = _value_at_rank(counts, low), _value_at_rank(counts, high)
    return a + (position - low) * (b - a)


def _value_at_rank(counts: Sequence[int], rank: int) -> float:
    below = 0
    for index, count in enumerate(counts):
        if count and rank < below + count:
            low, high = bucket_range(index)
            if index == 0:
                return 0.0  # durations are whole seconds: [0, 1) holds only 0
            return low + (rank - below + 0.5) / count * (high - low)
        below += count
    raise ValueError(rank)


# --- what one facts row adds --------------------------------------------------------------------------------


def _day(moment: datetime) -> date:
    return moment.astimezone(UTC).date()


def _hour(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def _timed(into: dict[str, int], seconds: int | None, business: int | None) -> None:
    if seconds is not None:
        into["timed"] = 1
        into["seconds"] = seconds
        into[CALENDAR[bucket_of(seconds)]] = 1
    if business is not None:
        into["business_timed"] = 1
        into["business_seconds"] = business
        into[BUSINESS[bucket_of(business)]] = 1


def created_contributions(facts: Mapping[str, Any], into: Contributions) -> None:
    """What a ticket adds to the roll-ups of the day and hour it was created."""
    team, agent, channel, tier = (
        facts["team_id"] or 0,
        facts["agent_id"] or 0,
        facts["channel"],
        facts["tier"],
    )
    created = facts["created_at"]
    row = {"tickets": 1}
    _timed(row, facts["first_response_seconds"], facts["first_response_business_seconds"])
    met = facts["sla_first_response_met"]
    if met is not None:
        row["sla_counted"] = 1
        row["sla_met"] = int(bool(met))
    per_agent = {"tickets": 1}
    if facts["first_response_seconds"] is not None:
        per_agent[CALENDAR[bucket_of(facts["first_response_seconds"])]] = 1
    _daily(into, TicketRollup.CREATED, _day(created), team, agent, channel, tier, row, per_agent)
    hourly = {"created": 1}
    if facts["first_response_seconds"] is not None:
        hourly["answered"] = 1
        hourly["first_response_seconds"] = facts["first_response_seconds"]
    _hourly(into, _hour(created), team, channel, tier, hourly)


def solved_contributions(facts: Mapping[str, Any], into: Contributions) -> None:
    """What a solved ticket adds to the roll-ups of the day and hour of its last solve."""
    solved = facts["solved_at"]
    if solved is None:
        return
    team, channel, tier = facts["team_id"] or 0, facts["channel"], facts["tier"]
    row = {
        "tickets": 1,
        "fcr": int(bool(facts["first_contact_resolution"])),
        "one_touch": int(bool(facts["one_touch"])),
        "reopened": int((facts["reopens"] or 0) > 0),
    }
    _timed(row, facts["resolution_seconds"], facts["resolution_business_seconds"])
    met = facts["sla_resolution_met"]
    if met is not None:
        row["sla_counted"] = 1
        row["sla_met"] = int(bool(met))
    solver = facts["solved_by_id"] or 0
    _daily(into, TicketRollup.SOLVED, _day(solved), team, solver, channel, tier, row, {"tickets": 1})
    _hourly(into, _hour(solved), team, channel, tier, {"solved": 1})


def _daily(into: Contributions, kind, day, team, agent, channel, tier, row, per_agent) -> None:
    """The ticket's daily rows: its team, channel and tier, and its team's "any channel, any tier" row (read
    when no channel or tier filter is set: one row per team and day instead of one per channel and tier)."""
    for ch, ti in ((channel, tier), (ANY_CHANNEL, ANY_TIER)):
        _add(into, ("ticket", (kind, day, team, ch, ti)), row)
        _add(into, ("agent", (kind, day, team, agent, ch, ti)), per_agent)


def _hourly(into: Contributions, hour, team, channel, tier, measures) -> None:
    """The ticket's hourly rows: its team, channel and tier, and the "all teams" row of its channel (read by
    a dashboard over every team: a few rows per hour)."""
    _add(into, ("hourly", (hour, team, channel, tier)), measures)
    _add(into, ("hourly", (hour, ALL_TEAMS, channel, ANY_TIER)), measures)


def reply_contributions(reply: Mapping[str, Any], into: Contributions, *, replies: int = 1) -> None:
    """A reply's daily rows (or `replies` of them, made the same day by one agent in one team and channel):
    its team, agent and channel, and the "any channel" row."""
    day, team, agent = _day(reply["created_at"]), reply["team_id"] or 0, reply["agent_id"] or 0
    for channel in (reply["channel"], ANY_CHANNEL):
        _add(into, ("reply", (day, team, agent, channel)), {"replies": replies})


def tag_contributions(facts: Mapping[str, Any], tag_ids: Sequence[int], into: Contributions) -> None:
    """What a ticket with these tags adds to the tag rows of the hour and of the UTC day it was created: its
    team's row and the "all teams" row of each tag."""
    created = facts["created_at"]
    hour, day, team = _hour(created), _day(created), facts["team_id"] or 0
    for tag in tag_ids:
        for teams in (team, ALL_TEAMS):
            _add(into, ("tag", (hour, teams, tag)), {"created": 1})
            _add(into, ("tag_day", (day, teams, tag)), {"created": 1})


def ticket_tag_ids(ticket_id: int) -> list[int]:
    return [row["tag_id"] for row in _TAG_IDS.rows(ticket_id=ticket_id)]


# Read for every new ticket (its facts are new): the SQL is built once per process.
_TAG_IDS = PreparedRead(
    lambda ticket_id: Ticket.tags.through.objects.filter(ticket_id=ticket_id).values("tag_id"),
    ticket_id=-7_000_001,
)


def _add(into: Contributions, key: Key, measures: Mapping[str, int], sign: int = 1) -> None:
    row = into.setdefault(key, {})
    for column, value in measures.items():
        row[column] = row.get(column, 0) + sign * value


def _add_all(into: Contributions, found: Contributions, sign: int) -> None:
    """Add every row of `found` to `into`, times `sign` (−1 takes a contribution back)."""
    for key, measures in found.items():
        _add(into, key, measures, sign)


def _tag_found(facts: Mapping[str, Any], tag_ids: Sequence[int]) -> Contributions:
    found: Contributions = {}
    tag_contributions(facts, tag_ids, found)
    return found


def contributions(facts: Mapping[str, Any]) -> Contributions:
    found: Contributions = {}
    created_contributions(facts, found)
    solved_contributions(facts, found)
    return found


# --- the write path: differences as upserts -----------------------------------------------------------------


def facts_row(ticket_id: int, *, lock: bool = False) -> dict[str, Any] | None:
    """The stored facts of a ticket as `contributions` reads them (locked until commit when `lock`, so two
    transactions changing one ticket apply their differences one after the other)."""
    qs = TicketFacts.objects.filter(ticket_id=ticket_id)
    if lock:
        qs = qs.select_for_update()
    row = qs.values(*FACT_COLUMNS).first()
    if row is None and lock and connection.features.has_select_for_update:
        # A new ticket's facts are written after it commits (pending.py): lock the ticket, as the facts writer
        # does, so that this change either waits for the writer's batch and then sees its facts, or holds the
        # ticket and the writer leaves it until this change has committed.
        list(Ticket.objects.filter(pk=ticket_id).select_for_update().values_list("pk"))
        row = qs.values(*FACT_COLUMNS).first()
    return row


def record_facts_change(
    old: Mapping[str, Any] | None, new: Mapping[str, Any] | None, *, ticket_id: int | None = None
) -> int:
    """Move the roll-ups from what `old` facts contributed to what `new` ones do; returns the rows touched.
    With `ticket_id`, the tag rows too, when the ticket's hour or team moved (its tags are read then only)."""
    tag_ids = ticket_tag_ids(ticket_id) if ticket_id is not None and _tag_key(old) != _tag_key(new) else []
    return apply(facts_change(old, new, tag_ids=tag_ids))


def facts_change(
    old: Mapping[str, Any] | None, new: Mapping[str, Any] | None, *, tag_ids: Sequence[int] = ()
) -> Contributions:
    """What moving a ticket's facts from `old` to `new` changes in the roll-ups: the tag rows too when the
    ticket's hour or team moved (`tag_ids`: its tags)."""
    change: Contributions = {}
    moved = _tag_key(old) != _tag_key(new)
    for sign, facts in ((-1, old), (1, new)):
        if facts is not None:
            _add_all(change, contributions(facts), sign)
            if tag_ids and moved:
                _add_all(change, _tag_found(facts, tag_ids), sign)
    return change


def _tag_key(facts: Mapping[str, Any] | None) -> tuple | None:
    return None if facts is None else (_hour(facts["created_at"]), facts["team_id"] or 0)


def record_tags_change(ticket_id: int, *, added: Sequence[int], removed: Sequence[int]) -> int:
    """Move the tag rows of a ticket whose tags changed (nothing while it has no facts yet: they are
    written with its tags as they are then)."""
    facts = facts_row(ticket_id, lock=True)
    if facts is None:
        return 0
    change: Contributions = {}
    for sign, tag_ids in ((1, added), (-1, removed)):
        _add_all(change, _tag_found(facts, tag_ids), sign)
    return apply(change)


def record_reply_change(old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> int:
    change: Contributions = {}
    for sign, reply in ((-1, old), (1, new)):
        if reply is not None:
            found: Contributions = {}
            reply_contributions(reply, found)
            _add_all(change, found, sign)
    return apply(change)


def _adapt(value: Any) -> Any:
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, date):
        return connection.ops.adapt_datefield_value(value)
    return value


# The differences of the changes made while `collecting()` runs, summed (None: none is running).
_collected: ContextVar[Contributions | None] = ContextVar("awn_rollups_collected", default=None)


@contextmanager
def collecting() -> Iterator[None]:
    """Sum the roll-up differences of every change made in the block and write them once at its end, sorted
    (an email batch: one upsert per row for all its messages instead of a few per message, and two workers'
    batches take the rows in one order, so they never deadlock on them). Use it inside the transaction, and
    `tentative()` around each part a caller may roll back alone. Nested, it joins the outer collection."""
    if _collected.get() is not None:
        yield
        return
    with _collection() as found:
        yield
    apply(found)


@contextmanager
def tentative() -> Iterator[None]:
    """Inside `collecting()`, the differences of the block join the collection only if it ends without an
    exception: pair it with a savepoint whose failure the caller catches (`with tentative(), atomic():`), so
    a change rolled back adds nothing. Outside a collection, it does nothing."""
    outer = _collected.get()
    if outer is None:
        yield
        return
    with _collection() as mine:
        yield
    _add_all(outer, mine, 1)


@contextmanager
def _collection() -> Iterator[Contributions]:
    """A new collection of differences for the block (the one `apply` adds to), the previous one after it."""
    found: Contributions = {}
    token = _collected.set(found)
    try:
        yield found
    finally:
        _collected.reset(token)


# PostgreSQL: how many copies a roll-up row may have (`models._slot`). Each connection writes to the copy its
# backend's process id picks, so the 16 connections of two web processes mostly hold row locks on copies of
# their own. With one row per key, 16 clients creating tickets queued on the day's rows: 175 of 248 samples of
# the busy backends were waiting for that row lock (docs/performance.md, stop 15).
SLOTS = 16


def connection_slot() -> int:
    """The copy of each roll-up row this connection adds to: 0 on SQLite (its writers take turns anyway)."""
    if connection.vendor != "postgresql":
        return 0
    connection.ensure_connection()
    return connection.connection.info.backend_pid % SLOTS


def apply(change: Contributions) -> int:
    """Add the (non-zero) amounts to their roll-up rows, creating rows as needed; keys in a fixed order, so
    two transactions never wait for each other's rows in opposite orders. Inside `collecting()`, only added
    to the collection (returns 0).

    The rows of one table go in one multi-row upsert (a new ticket's six rows are three statements), in that
    order, each key once; a row adds 0 to the columns only other rows of the statement add to."""
    collected = _collected.get()
    if collected is not None:
        _add_all(collected, change, 1)
        return 0
    tables: dict[str, dict[tuple, dict[str, int]]] = {}
    for (table, key), measures in sorted(change.items(), key=lambda item: (item[0][0], str(item[0][1]))):
        amounts = {column: value for column, value in measures.items() if value}
        if amounts:
            tables.setdefault(table, {})[key] = amounts
    quote = connection.ops.quote_name
    limit = connection.features.max_query_params or 10000
    with connection.cursor() as cursor:
        slot = connection_slot()
        for table, rows in tables.items():
            model, key_columns, measure_columns = TABLES[table]
            added = {column for amounts in rows.values() for column in amounts}
            amount_columns = [column for column in measure_columns if column in added]
            name = quote(model._meta.db_table)
            key_columns = [*key_columns, "slot"]
            columns = [*key_columns, *amount_columns]
            one_row = f"({', '.join(['%s'] * len(columns))})"
            values = [
                [*map(_adapt, key), slot, *(amounts.get(column, 0) for column in amount_columns)]
                for key, amounts in rows.items()
            ]
            per_statement = max(1, min(500, limit // len(columns)))
            for start in range(0, len(values), per_statement):
                chunk = values[start : start + per_statement]
                # Table and column names come from the models; every value is a parameter.
                sql = (
                    f"INSERT INTO {name} ({', '.join(map(quote, columns))}) "  # noqa: S608
                    f"VALUES {', '.join([one_row] * len(chunk))} "
                    f"ON CONFLICT ({', '.join(map(quote, key_columns))}) DO UPDATE SET "
                    + ", ".join(
                        f"{quote(c)} = {name}.{quote(c)} + excluded.{quote(c)}" for c in amount_columns
                    )
                )
                cursor.execute(sql, [value for row in chunk for value in row])
    return sum(len(rows) for rows in tables.values())


# --- rebuild ------------------------------------------------------------------------------------------------


def fold_rollup_slots(*, now: datetime | None = None) -> int:
    """Fold the copies of the roll-up rows of the UTC days before today's (`now`'s) into their slot 0, one
    table per transaction, so that the copies `apply` makes on PostgreSQL stay a day's worth; returns how many
    slot-0 rows received them. A rebuild writes slot 0 only, and SQLite writes nothing else."""
    if connection.vendor != "postgresql":
        return 0
    midnight = _utc_midnight(_day(now or clock.now()))
    quote = connection.ops.quote_name
    folded = 0
    for model, key_columns, measure_columns in TABLES.values():
        name = quote(model._meta.db_table)
        keys = ", ".join(map(quote, key_columns))
        measures = ", ".join(map(quote, measure_columns))
        edge = ("day", midnight.date()) if "day" in key_columns else ("hour", midnight)
        # Table and column names come from the models; the edge is a parameter. One statement: the copies are
        # deleted and their sums added to slot 0 together, so a reader never sees them twice or not at all.
        sql = (
            f"WITH moved AS (DELETE FROM {name} WHERE slot > 0 AND {quote(edge[0])} < %s "  # noqa: S608
            f"RETURNING {keys}, {measures}) "
            f"INSERT INTO {name} ({keys}, slot, {measures}) "
            f"SELECT {keys}, 0, {', '.join(f'SUM({quote(c)})' for c in measure_columns)} FROM moved "
            f"GROUP BY {keys} ON CONFLICT ({keys}, slot) DO UPDATE SET "
            + ", ".join(f"{quote(c)} = {name}.{quote(c)} + excluded.{quote(c)}" for c in measure_columns)
        )
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [_adapt(edge[1])])
            folded += cursor.rowcount
    return folded


def _insert(change: Contributions) -> int:
    """Insert fresh roll-up rows (the day's old rows are gone), all columns, COPY on PostgreSQL."""
    by_table: dict[str, list[list[Any]]] = defaultdict(list)
    for (table, key), measures in change.items():
        _model, _key, columns = TABLES[table]
        by_table[table].append([*map(_adapt, key), *(measures.get(c, 0) for c in columns)])
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table, rows in by_table.items():
            model, key_columns, measure_columns = TABLES[table]
            columns = [*key_columns, *measure_columns]
            if connection.vendor == "postgresql":  # COPY: several times faster than INSERTs of wide rows
                names = ", ".join(map(quote, columns))
                with cursor.copy(f"COPY {quote(model._meta.db_table)} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                cursor.executemany(
                    f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(map(quote, columns))}) "  # noqa: S608
                    f"VALUES ({', '.join(['%s'] * len(columns))})",
                    rows,
                )
    return len(change)


def _lock_rollups() -> None:
    """PostgreSQL: keep live writers off the roll-ups while a day is recomputed (they wait milliseconds and
    then add their difference on top of the recomputed rows); SQLite's writers take turns anyway."""
    if connection.vendor == "postgresql":
        names = ", ".join(connection.ops.quote_name(m._meta.db_table) for m, _k, _m in TABLES.values())
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {names} IN EXCLUSIVE MODE")


def _utc_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _rebuild_tags(begin: datetime, end: datetime, into: Contributions) -> None:
    """The tag rows of the tickets created in [begin, end): their tags, read with their facts."""
    created = TicketFacts.objects.filter(created_at__gte=begin, created_at__lt=end)
    tagged = (
        Ticket.tags.through.objects.filter(ticket_id__in=created.values("ticket_id"))
        .values_list("tag_id", "ticket__report_facts__created_at", "ticket__report_facts__team_id")
        .order_by()
    )
    for tag, created_at, team in tagged:
        tag_contributions({"created_at": created_at, "team_id": team}, [tag], into)


def rebuild_rollups(*, progress: Callable[[str], None] | None = None) -> tuple[int, int]:
    """Recompute every roll-up from the facts, one UTC day per transaction (safe to interrupt and to run
    again, and while the desk is in use). Returns (days, rows written)."""
    say = progress or (lambda _line: None)
    bounds = TicketFacts.objects.aggregate(
        first=Min("created_at"), last=Max("created_at"), last_solved=Max("solved_at")
    )
    reply_bounds = ReplyFact.objects.aggregate(first=Min("created_at"), last=Max("created_at"))
    moments = [m for m in (*bounds.values(), *reply_bounds.values()) if m is not None]
    with transaction.atomic():
        _lock_rollups()
        if not moments:
            for model, _key, _measures in TABLES.values():
                model.objects.all().delete()
            mark_built()
            return 0, 0
        first, last = _day(min(moments)), _day(max(moments))
        for daily in DAILY_MODELS:
            daily.objects.exclude(day__range=(first, last)).delete()
        for hourly in HOURLY_MODELS:
            hourly.objects.exclude(
                hour__gte=_utc_midnight(first), hour__lt=_utc_midnight(last + timedelta(days=1))
            ).delete()
    days = rows = 0
    day = first
    while day <= last:
        begin, end = _utc_midnight(day), _utc_midnight(day + timedelta(days=1))
        with transaction.atomic():
            _lock_rollups()
            for daily in DAILY_MODELS:
                daily.objects.filter(day=day).delete()
            for hourly in HOURLY_MODELS:
                hourly.objects.filter(hour__gte=begin, hour__lt=end).delete()
            change: Contributions = {}
            for facts in TicketFacts.objects.filter(created_at__gte=begin, created_at__lt=end).values(
                *FACT_COLUMNS
            ):
                created_contributions(facts, change)
            for facts in TicketFacts.objects.filter(solved_at__gte=begin, solved_at__lt=end).values(
                *FACT_COLUMNS
            ):
                solved_contributions(facts, change)
            _rebuild_tags(begin, end, change)
            replies = (
                ReplyFact.objects.filter(created_at__gte=begin, created_at__lt=end)
                .values("channel", "team_id", "agent_id")
                .annotate(n=Count("pk"))
                .order_by()
            )
            for row in replies:
                reply_contributions({**row, "created_at": begin}, change, replies=row["n"])
            rows += _insert(change)
        days += 1
        if days % 30 == 0:
            say(f"{day.isoformat()}: {rows:,} roll-up rows")
        day += timedelta(days=1)
    mark_built()
    return days, rows


def mark_built() -> None:
    """Every roll-up table now holds every fact: the dashboards may read them (`RollupState`)."""
    now = clock.now()
    for table in TABLES:
        RollupState.objects.update_or_create(table=table, defaults={"built_at": now})


def built_tables() -> frozenset[str]:
    """The roll-up tables the dashboards may read: those rebuilt since they were added (`RollupState`)."""
    return frozenset(RollupState.objects.values_list("table", flat=True))
