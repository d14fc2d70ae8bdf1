"""The rule engine: which rules match an event, firing them, the time-based sweep and the dry run.

Order and stopping: rule sets run in their position order, rules within a set in theirs. In a "first match
wins" set, once one rule has fired no later rule of that set runs; in an "every matching rule" set each
matching rule runs. Each rule sees the ticket as the rules before it left it.

Loops: everything a rule changes is published with `caused_by(RuleCause(chain, rule))`, so the events its
actions cause are evaluated as part of the same *chain* as the original event. A rule fires at most once per
chain (and a first-match set at most once), and chains stop at MAX_DEPTH, so no set of rules can loop.

Rules are compiled once per process and kept until an admin changes one (a cache token, see services).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import IntegrityError, router, transaction
from django.db.models import Aggregate, Exists, OuterRef, Subquery, TextField, Value

from awn.accounts.models import Team, User
from awn.automation.actions import Action, RunContext, parse_actions
from awn.automation.conditions import FIELDS, Conditions, Facts, parse_conditions
from awn.automation.models import Rule, RuleRun, RuleSet
from awn.automation.reads import PLACEHOLDER, PreparedRead, instance
from awn.core import clock
from awn.core.errors import DomainError
from awn.core.events import caused_by
from awn.core.shared import ProcessCopy
from awn.core.words import Said
from awn.tickets.models import Message, Status, Ticket, TicketEvent
from awn.tickets.services.recording import record_event

log = logging.getLogger(__name__)

VERSION_KEY = "awn:automation:rules-version"
MAX_DEPTH = 8
SWEEP_CHUNK = 500
OPEN_FOR_TIME_RULES = [status for status in Status.values if status != Status.CLOSED]


# --- compiled rules -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CompiledRule:
    id: int
    name: str
    set_id: int
    first_match: bool
    event: str
    conditions: Conditions
    actions: list[Action]

    @property
    def anchor_column(self) -> str | None:
        """The timestamp a time-based rule measures: it fires once per value of that column."""
        found = self.conditions.time_conditions()
        return found[0].spec.column if found else None


# Fields under which a rule is filed by the values one of its "all" conditions requires (an equality on a
# value the loaded ticket carries), most selective first. A rule filed under "channel: chat" is not even
# tested on an email ticket; rules with no such condition are tested on every event.
GUARD_FIELDS = (
    "tags",
    "requester_domain",
    "organization",
    "team",
    "assignee",
    "plan",
    "language",
    "channel",
    "priority",
    "status",
)


def _guard_key(value: Any) -> Any:
    """A value as the equality conditions compare it (text case-folded, numbers as numbers)."""
    return value.casefold() if isinstance(value, str) else value


def _guard(rule: CompiledRule) -> tuple[str, frozenset[Any]] | None:
    """The field and the values one of the rule's "all" conditions requires, or None (always tested)."""
    for name in GUARD_FIELDS:
        for condition in rule.conditions.all:
            if condition.spec.name != name or condition.key:
                continue
            if name == "tags" and condition.op in ("includes_any", "includes_all"):
                return name, frozenset(condition.value)  # compared as stored, without folding
            if condition.op == "is":
                return name, frozenset({_guard_key(condition.value)})
            if condition.op == "in":
                return name, frozenset(_guard_key(value) for value in condition.value)
    return None


@dataclass
class EventRules:
    """The rules of one event, in order, filed for a quick choice of the few worth testing on a ticket."""

    rules: list[CompiledRule]
    always: frozenset[int]  # positions of the rules tested on every ticket
    guards: dict[str, dict[Any, tuple[int, ...]]]  # field -> value -> positions of the rules requiring it
    reads_body: bool  # some rule tests the message text
    reads_tags: bool  # some rule tests the tags
    # Conditions that need no ticket ("changed" on updated rules), per rule: a rule failing one is out
    # before anything is read.
    prechecks: list[tuple]

    @classmethod
    def of(cls, rules: list[CompiledRule]) -> EventRules:
        always: set[int] = set()
        guards: dict[str, dict[Any, list[int]]] = {}
        for position, rule in enumerate(rules):
            found = _guard(rule)
            if found is None:
                always.add(position)
                continue
            name, values = found
            for value in values:
                guards.setdefault(name, {}).setdefault(value, []).append(position)
        fields = {c.spec.name for rule in rules for c in rule.conditions.all + rule.conditions.any}
        return cls(
            rules=rules,
            always=frozenset(always),
            guards={name: {v: tuple(p) for v, p in table.items()} for name, table in guards.items()},
            reads_body=bool(fields & {"body", "text"}),
            reads_tags="tags" in fields,
            prechecks=[tuple(c for c in rule.conditions.all if c.spec.name == "changed") for rule in rules],
        )

    def candidates(self, facts: Facts, *, after: int = -1) -> list[int]:
        """Positions (after `after`), in order, of the rules that may match `facts`: the others are sure
        to fail the condition they are filed under."""
        found = set(self.always)
        for name, table in self.guards.items():
            actual = FIELDS[name].read(facts, None)
            if name == "tags":
                for tag in actual:
                    found.update(table.get(tag, ()))
            elif actual is not None:
                found.update(table.get(_guard_key(actual), ()))
        return sorted(position for position in found if position > after)

    def possible(self, changed: tuple[str, ...]) -> bool:
        """Can any rule match, judging only by what needs no ticket (the fields an update changed)?"""
        if not any(self.prechecks):
            return True
        facts = Facts(None, changed=changed)  # type: ignore[arg-type] - these conditions read no ticket
        return any(all(c.check(facts) for c in checks) for checks in self.prechecks)


@dataclass
class RuleBook:
    # per event: [(set id, first_match, [rules in order])], sets in order
    by_event: dict[str, list[tuple[int, bool, list[CompiledRule]]]]
    count: int
    reads_body: frozenset[str] = frozenset()  # events with a rule that reads the message text
    filed: dict[str, EventRules] = field(default_factory=dict)

    def groups(self, event: str) -> list[tuple[int, bool, list[CompiledRule]]]:
        return self.by_event.get(event, [])

    def event(self, event: str) -> EventRules | None:
        """The rules of `event` filed for evaluation (None when no rule listens to it)."""
        found = self.filed.get(event)
        if found is None and event in self.by_event:
            found = self.filed[event] = EventRules.of(
                [rule for _set, _first, rules in self.by_event[event] for rule in rules]
            )
        return found


def compile_rules(rules: Iterable[Rule]) -> RuleBook:
    by_event: dict[str, list[tuple[int, bool, list[CompiledRule]]]] = {}
    count = 0
    reads_body: set[str] = set()
    for rule in rules:
        try:
            compiled = CompiledRule(
                id=rule.pk,
                name=rule.name,
                set_id=rule.rule_set_id,
                first_match=rule.rule_set.mode == RuleSet.Mode.FIRST_MATCH,
                event=rule.event,
                conditions=parse_conditions(rule.conditions),
                actions=parse_actions(rule.actions),
            )
        except ValueError:
            log.exception("rule %s (%s) does not validate; skipped", rule.pk, rule.name)
            continue
        groups = by_event.setdefault(rule.event, [])
        if not groups or groups[-1][0] != compiled.set_id:
            groups.append((compiled.set_id, compiled.first_match, []))
        groups[-1][2].append(compiled)
        count += 1
        if any(c.spec.name in ("body", "text") for c in compiled.conditions.all + compiled.conditions.any):
            reads_body.add(rule.event)
    book = RuleBook(by_event=by_event, count=count, reads_body=frozenset(reads_body))
    for event in by_event:
        book.event(event)
    return book


def _compile_active_rules() -> RuleBook:
    rules = (
        Rule.objects.filter(is_active=True, rule_set__is_active=True)
        .select_related("rule_set")
        .order_by("rule_set__position", "rule_set_id", "position", "id")
    )
    return compile_rules(rules)


_book = ProcessCopy(VERSION_KEY, _compile_active_rules)


def rulebook() -> RuleBook:
    """The active rules, compiled; recompiled when an admin changed any rule (awn.core.shared)."""
    return _book.get()


def rules_changed() -> None:
    """Every process recompiles its rules on its next event."""
    _book.changed()


# --- chains: loop protection --------------------------------------------------------------------------------


@dataclass
class Chain:
    """One original event and everything rules did because of it."""

    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    fired: set[int] = field(default_factory=set)
    finished_sets: set[int] = field(default_factory=set)  # first-match sets that already matched


@dataclass(frozen=True)
class RuleCause:
    """The `cause` of events published while a rule's actions run."""

    chain: Chain
    rule_id: int
    depth: int


# --- firing -------------------------------------------------------------------------------------------------


class AlreadyFired(Exception):
    """A time-based rule already fired for this ticket and anchor (another sweep got there first)."""


def fire(
    rule: CompiledRule,
    ticket: Ticket,
    *,
    trigger: str,
    chain: Chain,
    depth: int = 0,
    anchor_at: datetime | None = None,
    now: datetime | None = None,
) -> RuleRun | None:
    """Run a rule's actions on the ticket, in one transaction; log the run when it did something."""
    now = now or clock.now()
    context = RunContext(rule_id=rule.id, rule_name=rule.name, now=now)
    results: list[dict[str, str]] = []
    with caused_by(RuleCause(chain=chain, rule_id=rule.id, depth=depth + 1)), transaction.atomic():
        locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
        run = None
        if anchor_at is not None:
            try:
                with transaction.atomic():
                    run = RuleRun.objects.create(
                        rule_id=rule.id,
                        rule_name=rule.name,
                        ticket=locked,
                        trigger=trigger,
                        chain=chain.id,
                        anchor_at=anchor_at,
                        created_at=now,
                    )
            except IntegrityError as exc:
                raise AlreadyFired from exc
        for action in rule.actions:
            try:
                with transaction.atomic():
                    summary = action.apply(locked, context)
                if summary:
                    # The words in this run's language, and how to say them in the reader's (core/words.py).
                    said = {"words": summary.as_data()} if isinstance(summary, Said) else {}
                    results.append({"type": action.type, "result": str(summary), **said})
            except (DomainError, ValueError) as exc:
                results.append({"type": action.type, "error": getattr(exc, "message", None) or str(exc)})
                locked.refresh_from_db()
        if run is None and not results:
            return None  # matched but changed nothing: no log line, no history noise
        if run is None:
            run = RuleRun.objects.create(
                rule_id=rule.id,
                rule_name=rule.name,
                ticket=locked,
                trigger=trigger,
                chain=chain.id,
                results=results,
                created_at=now,
            )
        else:
            run.results = results
            run.save(update_fields=["results"])
        if not results:
            return run  # a time rule that found nothing to change: remembered (once per anchor), not shown
        record_event(
            ticket=locked,
            by=context.actor,
            kind=TicketEvent.Kind.RULE,
            new={"rule": rule.id, "name": rule.name, "trigger": trigger, "results": results},
        )
    return run


# What conditions read of a ticket, its requester and its team: one row, one query (see reads.py).
TICKET_COLUMNS = (
    "id",
    "subject",
    "status",
    "priority",
    "channel",
    "requester_id",
    "organization_id",
    "team_id",
    "assignee_id",
    "language",
    "created_at",
    "updated_at",
    "first_response_at",
    "solved_at",
    "last_customer_message_at",
    "last_agent_message_at",
    "message_count",
)
REQUESTER_COLUMNS = ("email", "name", "plan", "attributes", "language", "organization_id")
TAG_SEPARATOR = "\x1f"  # tag names never hold control characters (tickets.services normalizes them)


class _TagNames(Aggregate):
    """The names of a ticket's tags as one text (SQLite group_concat, PostgreSQL string_agg)."""

    function = "GROUP_CONCAT"
    output_field = TextField()

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, function="STRING_AGG", **extra)


def _ticket_read(*, with_body: bool, with_tags: bool):
    def build():
        rows = Ticket.objects.filter(pk=PLACEHOLDER).order_by()
        names = [
            *TICKET_COLUMNS,
            *(f"requester__{name}" for name in REQUESTER_COLUMNS),
            "team__tier",
        ]
        if with_body:
            latest = (
                Message.objects.filter(
                    ticket_id=OuterRef("pk"), internal=False, author_id=OuterRef("requester_id")
                )
                .order_by("-created_at", "-id")
                .values("body")[:1]
            )
            rows = rows.annotate(latest_customer_body=Subquery(latest))
            names.append("latest_customer_body")
        if with_tags:
            tags = (
                Ticket.tags.through.objects.filter(ticket_id=OuterRef("pk"))
                .order_by()
                .values("ticket_id")
                .annotate(names=_TagNames("tag__name", Value(TAG_SEPARATOR)))
                .values("names")
            )
            rows = rows.annotate(tag_names=Subquery(tags, output_field=TextField()))
            names.append("tag_names")
        return rows.values_list(*names)

    return PreparedRead(build)


_READS = {
    (body, tags): _ticket_read(with_body=body, with_tags=tags)
    for body in (False, True)
    for tags in (False, True)
}


def _load(ticket_id: int, *, with_body: bool = False, with_tags: bool = False) -> Ticket | None:
    """The ticket with what conditions read, in one query: its columns, the requester's, the team's tier,
    and, when rules ask for them, the requester's latest message text and the tag names."""
    using = router.db_for_read(Ticket)
    row = _READS[with_body, with_tags].fetch(ticket_id, using=using)
    if row is None:
        return None
    count = len(TICKET_COLUMNS)
    ticket = instance(Ticket, using, TICKET_COLUMNS, row[:count])
    if ticket.requester_id is not None:
        requester = row[count : count + len(REQUESTER_COLUMNS)]
        ticket.requester = instance(
            User, using, ("id", *REQUESTER_COLUMNS), (ticket.requester_id, *requester)
        )
    count += len(REQUESTER_COLUMNS)
    ticket.team = (
        instance(Team, using, ("id", "tier"), (ticket.team_id, row[count])) if ticket.team_id else None
    )
    count += 1
    if with_body:
        ticket.latest_customer_body = row[count] or ""  # type: ignore[attr-defined] - "": nothing to read
        count += 1
    if with_tags:
        names = row[count]
        ticket.tag_names = frozenset(names.split(TAG_SEPARATOR)) if names else frozenset()  # type: ignore[attr-defined]
    return ticket


def run_triggers(
    ticket_id: int,
    trigger: str,
    *,
    message: Message | None = None,
    changed: Iterable[str] = (),
    cause: Any = None,
    now: datetime | None = None,
) -> list[RuleRun]:
    """Evaluate the rules listening to `trigger` on one ticket and fire the matching ones, in order."""
    book = rulebook()
    groups = book.groups(trigger)
    if not groups:
        return []  # the common case on a quiet installation: not even the ticket is read
    if isinstance(cause, RuleCause):
        chain, depth = cause.chain, cause.depth
    else:
        chain, depth = Chain(), 0
    if depth >= MAX_DEPTH:
        log.warning("automation chain %s stopped at depth %s on ticket %s", chain.id, depth, ticket_id)
        return []
    filed = book.event(trigger)
    assert filed is not None
    changed = tuple(changed)
    if not filed.possible(changed):
        return []  # e.g. every "updated" rule wants a change of tier and this one changed the status
    with_body, with_tags = message is None and filed.reads_body, filed.reads_tags
    ticket = _load(ticket_id, with_body=with_body, with_tags=with_tags)
    if ticket is None:
        return []
    facts = Facts(ticket, trigger=trigger, message=message, changed=changed, now=now)
    runs: list[RuleRun] = []
    candidates = filed.candidates(facts)
    index = 0
    while index < len(candidates):
        position = candidates[index]
        index += 1
        rule = filed.rules[position]
        if rule.set_id in chain.finished_sets or rule.id in chain.fired or not rule.conditions.test(facts):
            continue
        chain.fired.add(rule.id)
        if rule.first_match:
            chain.finished_sets.add(rule.set_id)  # no later rule of this set runs
        run = fire(rule, ticket, trigger=trigger, chain=chain, depth=depth, now=now)
        if run is not None:
            # Later rules see the ticket as this one left it.
            runs.append(run)
            ticket = _load(ticket_id, with_body=with_body, with_tags=with_tags) or ticket
            facts = Facts(ticket, trigger=trigger, message=message, changed=changed, now=now)
            candidates, index = filed.candidates(facts, after=position), 0
    return runs


# --- time-based rules ---------------------------------------------------------------------------------------


@dataclass
class SweepReport:
    rules: int = 0
    candidates: int = 0
    fired: int = 0


def sweep(*, now: datetime | None = None, limit: int = 5000) -> SweepReport:
    """Fire time-based rules on the tickets whose timestamps have come due (range queries on indexed columns).

    A time-based rule fires once per ticket and per value of the timestamp it measures: "pending for 72 hours
    since the last agent reply" fires again only after a new agent reply. `limit` caps the firings per sweep;
    the next sweep continues.
    """
    now = now or clock.now()
    report = SweepReport()
    for _set_id, first_match, rules in rulebook().groups(Rule.Event.TIME):
        handled: set[int] = set()
        for rule in rules:
            column = rule.anchor_column
            if column is None:
                continue
            report.rules += 1
            due = (
                Ticket.objects.filter(status__in=OPEN_FOR_TIME_RULES)
                .filter(rule.conditions.as_q(now))
                .exclude(
                    Exists(
                        RuleRun.objects.filter(
                            rule_id=rule.id, ticket_id=OuterRef("pk"), anchor_at=OuterRef(column)
                        )
                    )
                )
                .order_by(column, "id")
                .values_list("pk", column)
            )
            last = None
            while report.fired < limit:
                page = due.filter(_after(column, last)) if last else due
                rows = list(page[:SWEEP_CHUNK])
                if not rows:
                    break
                last = rows[-1][1], rows[-1][0]
                for pk, anchor in rows:
                    if pk in handled or report.fired >= limit:
                        continue
                    report.candidates += 1
                    ticket = _load(pk)
                    if ticket is None or not rule.conditions.test(Facts(ticket, trigger="time", now=now)):
                        continue
                    try:
                        fire(
                            rule,
                            ticket,
                            trigger=Rule.Event.TIME,
                            chain=Chain(fired={rule.id}),
                            anchor_at=anchor,
                            now=now,
                        )
                    except AlreadyFired:
                        continue
                    report.fired += 1
                    if first_match:
                        handled.add(pk)
    return report


def _after(column: str, last: tuple[datetime, int]):
    from django.db.models import Q

    moment, pk = last
    return Q(**{f"{column}__gt": moment}) | Q(**{column: moment, "pk__gt": pk})


# --- the dry run --------------------------------------------------------------------------------------------


@dataclass
class Simulated:
    rule: CompiledRule
    matched: bool
    would_fire: bool
    skipped: str  # why a matching rule would not fire ("" when it would)
    conditions: list[tuple[str, Any, bool]]
    changes: list[str]


def simulate(facts: Facts, trigger: str) -> list[Simulated]:
    """Which rules would fire on this ticket for `trigger`, and what each would change; writes nothing.

    Each rule is judged against the ticket as it is now (the dry run does not chain one rule's changes into
    the next), which is what an admin checking a condition wants to see.
    """
    from django.utils.translation import gettext as _

    report: list[Simulated] = []
    for _set_id, first_match, rules in rulebook().groups(trigger):
        taken = False
        for rule in rules:
            explained = rule.conditions.explain(facts)
            matched = rule.conditions.test(facts)
            skipped = ""
            if matched and taken:
                skipped = _("an earlier rule of this first-match set fires")
            changes: list[str] = []
            if matched and not skipped and facts.ticket.pk is not None:
                for action in rule.actions:
                    try:
                        preview = action.preview(facts.ticket)
                    except (DomainError, ValueError) as exc:
                        preview = _("would fail: %(error)s") % {"error": getattr(exc, "message", None) or exc}
                    if preview:
                        changes.append(preview)
            elif matched and not skipped:
                changes = [str(action.label) for action in rule.actions]
            report.append(
                Simulated(
                    rule=rule,
                    matched=matched,
                    would_fire=matched and not skipped,
                    skipped=skipped,
                    conditions=explained,
                    changes=changes,
                )
            )
            if matched and first_match:
                taken = True
    return report
