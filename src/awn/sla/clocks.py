"""SLA clocks as pure functions (no database, no Django): when a target is due and what a ticket's clocks owe.

A clock starts at an instant, counts time (business hours on a calendar, or plain calendar time) and does not
count inside *gaps*: the stretches in which the ticket waited on the customer (pending, on hold — when the
policy says that target pauses) or was solved. The due time is the instant at which the counted time reaches
the target. With the gaps kept as data, the due time is exact whatever happened in between, and the same
function answers "when is the warning due" (the target minus the warning) — see `due_at`.

`advance` is the whole clock logic of one ticket: from the ticket's facts, the state stored on the ticket and
a policy, it returns the new state, the due times, the next moment to look again, the warnings and breaches
that are due now and the measurements that completed. The service (services.py) only loads and stores.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.utils.dateparse import parse_datetime

from awn.calendars.business_hours import Schedule, add_business_seconds, business_seconds_between

FIRST_RESPONSE = "first_response"
NEXT_RESPONSE = "next_response"
PERIODIC_UPDATE = "periodic_update"
RESOLUTION = "resolution"
TARGETS = (FIRST_RESPONSE, NEXT_RESPONSE, PERIODIC_UPDATE, RESOLUTION)

# Ticket statuses the clocks know about (the values of awn.tickets.models.Status, kept as plain strings here).
PENDING, ON_HOLD, SOLVED, CLOSED = "pending", "on_hold", "solved", "closed"
WAITING_STATUSES = (PENDING, ON_HOLD)  # statuses a policy may choose to pause on
GAP_STATUSES = (PENDING, ON_HOLD, SOLVED)  # statuses whose stretches are remembered

WARNING, BREACH = "warning", "breach"

Gap = tuple[datetime, datetime | None]  # [from, to); `to` None: still going on


# --- counting time ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Counter:
    """How a target counts time: business hours of `schedule`, or calendar time when it is None."""

    schedule: Schedule | None = None

    def between(self, start: datetime, end: datetime) -> float:
        if self.schedule is None:
            return (end - start).total_seconds()
        return business_seconds_between(self.schedule, start, end)

    def add(self, start: datetime, seconds: float) -> datetime:
        if self.schedule is None:
            return start + timedelta(seconds=seconds)
        return add_business_seconds(self.schedule, start, seconds)


CALENDAR_TIME = Counter()


def due_at(counter: Counter, start: datetime, seconds: float, gaps: Iterable[Gap] = ()) -> datetime | None:
    """The instant at which `seconds` of counted time have passed since `start`, not counting inside `gaps`.

    `gaps` are sorted, non-overlapping [from, to) intervals; one whose `to` is None lasts for ever, so the
    answer is None when it begins before the target is reached (the clock is paused with time left).
    """
    remaining = max(seconds, 0)
    cursor = start
    for begin, end in gaps:
        if end is not None and end <= cursor:
            continue
        if begin > cursor:
            candidate = counter.add(cursor, remaining)
            if candidate <= begin:
                return candidate
            remaining -= counter.between(cursor, begin)
        if end is None:
            return None
        cursor = max(cursor, end)
    return counter.add(cursor, remaining)


def counted_between(counter: Counter, start: datetime, end: datetime, gaps: Iterable[Gap] = ()) -> float:
    """Counted seconds in [start, end) outside `gaps` (for reports: business time to first response…)."""
    total = 0.0
    cursor = start
    for begin, stop in gaps:
        if cursor >= end:
            break
        if stop is not None and stop <= cursor:
            continue
        if begin > cursor:
            total += counter.between(cursor, min(begin, end))
        if stop is None:
            return total
        cursor = max(cursor, stop)
    if cursor < end:
        total += counter.between(cursor, end)
    return total


# --- policies and facts, as the clocks see them -------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    minutes: int
    business_hours: bool = True
    pauses: bool = True  # does this clock stop while the ticket waits on the customer?

    @property
    def seconds(self) -> int:
        return self.minutes * 60


@dataclass(frozen=True)
class PolicyClocks:
    """What `advance` needs of a policy: its targets, how each counts time, when to warn."""

    id: int | None
    targets: dict[str, Target]
    schedule: Schedule | None = None  # the calendar business-hours targets count on; None: calendar time
    pause_statuses: frozenset[str] = frozenset(WAITING_STATUSES)
    warning_minutes: int = 0

    def counter(self, target: str) -> Counter:
        spec = self.targets[target]
        return Counter(self.schedule) if spec.business_hours and self.schedule is not None else CALENDAR_TIME

    def gap_statuses(self, target: str) -> frozenset[str]:
        waiting = self.pause_statuses if self.targets[target].pauses else frozenset()
        return frozenset({SOLVED}) | waiting


@dataclass(frozen=True)
class TicketFacts:
    status: str
    created_at: datetime
    updated_at: datetime
    first_response_at: datetime | None = None
    solved_at: datetime | None = None
    last_customer_message_at: datetime | None = None
    last_agent_message_at: datetime | None = None


@dataclass(frozen=True)
class Alert:
    target: str
    cycle: int
    kind: str  # WARNING | BREACH
    due_at: datetime
    started_at: datetime
    quiet: bool = False  # a breach noticed only once the clock had stopped: recorded, nobody is paged


@dataclass(frozen=True)
class Measurement:
    """One target on one ticket, as reports read it: when it started, was due, completed, and whether late."""

    target: str
    cycle: int
    started_at: datetime
    due_at: datetime | None
    completed_at: datetime | None
    breached: bool


@dataclass
class Outcome:
    state: dict[str, Any]
    due: dict[str, datetime | None] = field(default_factory=dict)
    next_breach_at: datetime | None = None  # the earliest due time of a running clock (overdue ones too)
    check_at: datetime | None = None  # the next warning or breach still to fire
    alerts: list[Alert] = field(default_factory=list)
    measurements: list[Measurement] = field(default_factory=list)
    running: set[str] = field(default_factory=set)
    paused: set[str] = field(default_factory=set)

    @property
    def breached(self) -> bool:
        """Did a breach fire in this step (the ticket keeps the flag for good once one did)?"""
        return any(alert.kind == BREACH for alert in self.alerts)


# --- state kept on the ticket (JSON) ------------------------------------------------------------------------
# {"status": "pending", "since": iso, "gaps": [[from, to|null, status]], "closed_at": iso|null,
#  "cycles": {"next_response": {"n": 2, "start": iso}, "periodic_update": {...}},
#  "fired": {"first_response:0": {"warning": iso, "breach": iso}}, "recorded": {"resolution:0": iso|null}}

MAX_GAPS = 200  # a ticket flipped between pending and open more often keeps only its latest stretches


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _time(text: Any) -> datetime | None:
    return parse_datetime(text) if isinstance(text, str) else None


def track_status(state: dict[str, Any], facts: TicketFacts) -> dict[str, Any]:
    """Remember the stretches spent pending, on hold or solved, and when the ticket closed.

    A change is dated by the ticket's `updated_at` (the services set it in the transaction of the change),
    never earlier than the previous change.
    """
    state = {**state, "gaps": [list(gap) for gap in state.get("gaps", [])]}
    previous = state.get("status")
    if previous == facts.status:
        return state
    since = _time(state.get("since"))
    moment = facts.updated_at if previous is not None else max(facts.created_at, facts.updated_at)
    if previous is None and facts.status not in GAP_STATUSES and facts.status != CLOSED:
        moment = facts.created_at  # first sight of an active ticket: nothing to remember
    if since is not None and moment < since:
        moment = since
    gaps = state["gaps"]
    if gaps and gaps[-1][1] is None:
        gaps[-1][1] = _iso(moment)
    if facts.status in GAP_STATUSES:
        gaps.append([_iso(moment), None, facts.status])
    del gaps[:-MAX_GAPS]
    state["closed_at"] = _iso(moment) if facts.status == CLOSED else None
    state["status"], state["since"] = facts.status, _iso(moment)
    return state


def gaps_for(state: dict[str, Any], statuses: frozenset[str]) -> list[Gap]:
    """The remembered stretches in `statuses`, merged when they touch, sorted."""
    gaps: list[Gap] = []
    for begin_text, end_text, status in state.get("gaps", []):
        if status not in statuses:
            continue
        begin, end = _time(begin_text), _time(end_text)
        if begin is None:
            continue
        if gaps and gaps[-1][1] is not None and begin <= gaps[-1][1]:
            previous_end = gaps[-1][1]
            gaps[-1] = (gaps[-1][0], None if end is None else max(previous_end, end))
        else:
            gaps.append((begin, end))
    return gaps


def _cyclic(
    cycles: dict[str, dict[str, Any]],
    name: str,
    *,
    reply: datetime | None,
    closed_at: datetime | None,
    open_at: datetime | None,
    strict: bool,
) -> list[tuple[str, int, datetime, datetime | None]]:
    """The current cycle of a repeating target (next response, periodic update): it ends at an agent `reply`
    after its start (strictly after, when `strict`) or when the ticket closed. When no cycle runs and
    `open_at` is given, a new one starts then."""
    entry = dict(cycles.get(name) or {"n": 0, "start": None})
    clocks: list[tuple[str, int, datetime, datetime | None]] = []
    start = _time(entry.get("start"))
    if start is not None:
        answered = reply is not None and (reply > start if strict else reply >= start)
        stop = reply if answered else closed_at
        clocks.append((name, entry["n"], start, stop))
        if stop is not None:
            entry["start"] = None
    if entry.get("start") is None and open_at is not None and (start is None or open_at > start):
        entry = {"n": entry["n"] + 1, "start": _iso(open_at)}
        clocks.append((name, entry["n"], open_at, None))
    cycles[name] = entry
    return clocks


def _clocks(
    state: dict[str, Any], facts: TicketFacts, policy: PolicyClocks
) -> list[tuple[str, int, datetime, datetime | None]]:
    """(target, cycle, start, end) of every clock of the policy; updates the cycle bookkeeping in `state`.

    `end` is when the clock stopped for good (None while it runs or pauses). A completed next-response or
    periodic-update cycle is returned once more, with its end, before the next cycle replaces it.
    """
    closed_at = _time(state.get("closed_at"))
    answered = facts.first_response_at is not None and closed_at is None
    agent, customer = facts.last_agent_message_at, facts.last_customer_message_at
    cycles = {name: dict(value) for name, value in state.get("cycles", {}).items()}
    state["cycles"] = cycles
    clocks = [
        (FIRST_RESPONSE, 0, facts.created_at, facts.first_response_at or closed_at),
        (RESOLUTION, 0, facts.created_at, closed_at or (facts.solved_at if facts.status == SOLVED else None)),
    ]
    # Next response: the first customer message after the last agent reply waits for the next agent reply.
    waiting = answered and customer is not None and (agent is None or customer > agent)
    clocks += _cyclic(
        cycles,
        NEXT_RESPONSE,
        reply=agent,
        closed_at=closed_at,
        open_at=customer if waiting else None,
        strict=False,
    )
    # Periodic update: once answered, each agent reply owes the next one within the target.
    clocks += _cyclic(
        cycles,
        PERIODIC_UPDATE,
        reply=agent,
        closed_at=closed_at,
        open_at=agent if answered else None,
        strict=True,
    )
    # The bookkeeping runs for every target, so switching to a policy that has one starts at the right moment.
    return [clock for clock in clocks if clock[0] in policy.targets]


def advance(
    state: dict[str, Any] | None, facts: TicketFacts, policy: PolicyClocks | None, now: datetime
) -> Outcome:
    """The clocks of one ticket under `policy` at `now` (policy None: no SLA applies, nothing is due).

    Each warning and each breach is returned once per clock cycle: the returned state remembers what fired.
    """
    state = track_status(dict(state or {}), facts)
    outcome = Outcome(state=state, due={name: None for name in TARGETS})
    clocks = _clocks(state, facts, policy or PolicyClocks(id=None, targets={}))
    if policy is None:
        return outcome
    fired: dict[str, dict[str, str]] = {key: dict(marks) for key, marks in state.get("fired", {}).items()}
    recorded: dict[str, str | None] = dict(state.get("recorded", {}))
    checks: list[datetime] = []
    running_dues: list[datetime] = []

    def fire(alert: Alert) -> None:
        outcome.alerts.append(alert)
        fired.setdefault(f"{alert.target}:{alert.cycle}", {})[alert.kind] = now.isoformat()

    for target, cycle, start, end in clocks:
        key = f"{target}:{cycle}"
        spec = policy.targets[target]
        counter = policy.counter(target)
        gaps = gaps_for(state, policy.gap_statuses(target))
        due = due_at(counter, start, spec.seconds, gaps)
        marks = fired.get(key, {})
        if end is not None:
            late = due is not None and end >= due
            if late and BREACH not in marks:
                fire(Alert(target, cycle, BREACH, due, start, quiet=True))  # type: ignore[arg-type]
            if recorded.get(key) != end.isoformat():
                recorded[key] = end.isoformat()
                outcome.measurements.append(Measurement(target, cycle, start, due, end, late))
            continue
        if recorded.get(key) is not None:  # a solved ticket was reopened: its resolution counts again
            recorded[key] = None
            outcome.measurements.append(Measurement(target, cycle, start, due, None, BREACH in marks))
        outcome.due[target] = due
        if due is None:  # paused with time left
            outcome.paused.add(target)
            continue
        if gaps and gaps[-1][1] is None and gaps[-1][0] <= now:  # paused after its due time had passed
            outcome.paused.add(target)
        else:
            outcome.running.add(target)
            running_dues.append(due)
        if BREACH in marks:
            continue
        if now >= due:
            fire(Alert(target, cycle, BREACH, due, start))
            continue
        checks.append(due)
        warning_seconds = spec.seconds - policy.warning_minutes * 60
        if policy.warning_minutes > 0 and warning_seconds > 0 and WARNING not in marks:
            warn = due_at(counter, start, warning_seconds, gaps)
            if warn is not None and now >= warn:
                fire(Alert(target, cycle, WARNING, due, start))
            elif warn is not None:
                checks.append(warn)

    # Marks of cycles that can never fire again are dropped; the current cycle of each target is kept.
    live = {f"{FIRST_RESPONSE}:0", f"{RESOLUTION}:0"} | {
        f"{name}:{entry.get('n', 0)}" for name, entry in state["cycles"].items()
    }
    state["fired"] = {key: marks for key, marks in fired.items() if key in live}
    state["recorded"] = {key: value for key, value in recorded.items() if key in live}
    outcome.next_breach_at = min(running_dues, default=None)
    outcome.check_at = min(checks, default=None)
    return outcome
