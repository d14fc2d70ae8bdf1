"""Rule conditions: JSON validated by a schema, compiled once, evaluated against one ticket's facts.

A rule's conditions are `{"all": [...], "any": [...]}`: every condition of "all" must hold and, when "any" is
not empty, at least one of "any". One condition is `{"field": "subject", "op": "contains", "value": "refund"}`
(attribute conditions also name a `key`). `FIELDS` lists every field with its operators; time fields and a few
indexed columns also turn into SQL, so time-based rules sweep tickets with range queries (DESIGN.md §6).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from awn.core import clock
from awn.core.text import normalize_text
from awn.tickets.models import Channel, Message, Priority, Status, Ticket

MAX_TEXT = 20_000  # characters of a body that text conditions read: bounds the cost of a `matches` regex


# --- the facts a condition reads ----------------------------------------------------------------------------

# Other apps add facts rules may test, e.g. the email connector registers "mailbox": ticket -> mailbox id.
SOURCES: dict[str, Callable[[Ticket], Any]] = {}


def register_source(name: str, resolver: Callable[[Ticket], Any]) -> None:
    """Let a connector answer the "mailbox"/"widget" condition for a ticket (None when it is not theirs)."""
    SOURCES[name] = resolver


class Facts:
    """One ticket as conditions see it; each related row is loaded at most once, and only when asked for."""

    def __init__(
        self,
        ticket: Ticket,
        *,
        trigger: str = "",
        now: datetime | None = None,
        message: Message | None = None,
        changed: Iterable[str] = (),
        tags: Iterable[str] | None = None,
        body: str | None = None,
    ):
        self.ticket = ticket
        self.trigger = trigger
        self.now = now or clock.now()
        self.message = message
        self.changed = frozenset(changed)
        if tags is not None:
            self.__dict__["tags"] = frozenset(tags)
        if body is not None:
            self.__dict__["body"] = body

    @cached_property
    def tags(self) -> frozenset[str]:
        preloaded = getattr(self.ticket, "tag_names", None)  # engine._load(with_tags=True)
        if preloaded is not None:
            return preloaded
        if self.ticket.pk is None:
            return frozenset()
        return frozenset(self.ticket.tags.values_list("name", flat=True))

    @cached_property
    def body(self) -> str:
        """The triggering message's text, or else the latest public message of the customer side."""
        message = self.message
        preloaded = getattr(self.ticket, "latest_customer_body", None)  # engine._load(with_body=True)
        if message is None and preloaded is not None:
            return preloaded[:MAX_TEXT]
        if message is None and self.ticket.pk is not None:
            # The requester's latest public message (no join: the requester is the customer side).
            message = (
                Message.objects.filter(
                    ticket_id=self.ticket.pk, internal=False, author_id=self.ticket.requester_id
                )
                .only("body")
                .order_by("-created_at", "-id")
                .first()
            )
        return (message.body if message is not None else "")[:MAX_TEXT]

    def folded(self, text: str) -> str:
        """`text` normalized for comparison, computed once per evaluation however many rules test it."""
        cache = self.__dict__.setdefault("_folded", {})
        found = cache.get(text)
        if found is None:
            found = cache[text] = normalize_text(text)
        return found

    @cached_property
    def requester(self):
        return self.ticket.requester if self.ticket.requester_id else None

    @cached_property
    def tier(self) -> int | None:
        team = self.ticket.team if self.ticket.team_id else None
        return team.tier if team is not None else None

    def source(self, name: str) -> Any:
        resolver = SOURCES.get(name)
        return resolver(self.ticket) if resolver is not None else None


# --- fields -------------------------------------------------------------------------------------------------

EQUALITY = ("is", "is_not", "in", "not_in")
PRESENCE = ("is_set", "is_not_set")
TEXT = ("contains", "not_contains", "starts_with", "is", "is_not", "matches")
NUMBER = ("is", "is_not", "in", "not_in", "gte", "lte", "gt", "lt")
LISTS = ("includes_any", "includes_all", "includes_none")
HOURS = ("gte", "gt", "lte", "lt")
CALENDAR = ("within", "outside")


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: Any
    ops: tuple[str, ...]
    read: Callable[[Facts, str | None], Any]
    kind: str = "choice"  # choice | text | number | list | hours | calendar
    choices: tuple[str, ...] | None = None  # allowed values, when the field has a closed set
    column: str | None = None  # the ticket column behind it, for SQL (time-based sweeps)
    needs_key: bool = False


def _hours_since(attribute: str) -> Callable[[Facts, str | None], float | None]:
    def read(facts: Facts, _key: str | None) -> float | None:
        moment = getattr(facts.ticket, attribute)
        return None if moment is None else (facts.now - moment).total_seconds() / 3600

    return read


def _attribute(facts: Facts, key: str | None) -> Any:
    requester = facts.requester
    if requester is None or not key:
        return None
    return (requester.attributes or {}).get(key)


FIELDS: dict[str, FieldSpec] = {
    spec.name: spec
    for spec in [
        FieldSpec(
            "channel",
            _("Channel"),
            EQUALITY,
            lambda f, k: f.ticket.channel,
            choices=tuple(Channel.values),
            column="channel",
        ),
        FieldSpec("mailbox", _("Mailbox"), EQUALITY + PRESENCE, lambda f, k: f.source("mailbox")),
        FieldSpec("widget", _("Chat widget"), EQUALITY + PRESENCE, lambda f, k: f.source("widget")),
        FieldSpec("subject", _("Subject"), TEXT, lambda f, k: f.ticket.subject, kind="text"),
        FieldSpec("body", _("Message text"), TEXT, lambda f, k: f.body, kind="text"),
        FieldSpec(
            "text", _("Subject or message"), TEXT, lambda f, k: f"{f.ticket.subject}\n{f.body}", kind="text"
        ),
        FieldSpec(
            "language",
            _("Language"),
            EQUALITY + PRESENCE,
            lambda f, k: f.ticket.language or None,
            column="language",
        ),
        FieldSpec(
            "requester",
            _("Requester email"),
            TEXT + ("in", "not_in"),
            lambda f, k: f.requester.email if f.requester else "",
            kind="text",
        ),
        FieldSpec(
            "requester_domain",
            _("Requester email domain"),
            EQUALITY,
            lambda f, k: f.requester.email.rsplit("@", 1)[-1].lower() if f.requester else None,
        ),
        FieldSpec(
            "organization",
            _("Organization"),
            EQUALITY + PRESENCE,
            lambda f, k: f.ticket.organization_id,
            kind="number",
            column="organization_id",
        ),
        FieldSpec(
            "plan",
            _("Requester plan"),
            EQUALITY + PRESENCE,
            lambda f, k: (f.requester.plan or None) if f.requester else None,
        ),
        FieldSpec(
            "attribute",
            _("Requester attribute"),
            NUMBER + PRESENCE + ("contains",),
            _attribute,
            needs_key=True,
        ),
        FieldSpec("tags", _("Tags"), LISTS, lambda f, k: f.tags, kind="list"),
        FieldSpec(
            "priority",
            _("Priority"),
            NUMBER,
            lambda f, k: f.ticket.priority,
            kind="number",
            column="priority",
        ),
        FieldSpec(
            "status",
            _("Status"),
            EQUALITY,
            lambda f, k: f.ticket.status,
            choices=tuple(Status.values),
            column="status",
        ),
        FieldSpec(
            "team",
            _("Team"),
            EQUALITY + PRESENCE,
            lambda f, k: f.ticket.team_id,
            kind="number",
            column="team_id",
        ),
        FieldSpec(
            "tier",
            _("Support tier"),
            NUMBER + PRESENCE,
            lambda f, k: f.tier,
            kind="number",
            column="team__tier",
        ),
        FieldSpec(
            "assignee",
            _("Assignee"),
            EQUALITY + PRESENCE,
            lambda f, k: f.ticket.assignee_id,
            kind="number",
            column="assignee_id",
        ),
        FieldSpec("business_hours", _("Business hours"), CALENDAR, lambda f, k: f.now, kind="calendar"),
        FieldSpec(
            "hours_since_created",
            _("Hours since created"),
            HOURS,
            _hours_since("created_at"),
            kind="hours",
            column="created_at",
        ),
        FieldSpec(
            "hours_since_updated",
            _("Hours since updated"),
            HOURS,
            _hours_since("updated_at"),
            kind="hours",
            column="updated_at",
        ),
        FieldSpec(
            "hours_since_customer_message",
            _("Hours since the customer's last message"),
            HOURS,
            _hours_since("last_customer_message_at"),
            kind="hours",
            column="last_customer_message_at",
        ),
        FieldSpec(
            "hours_since_agent_message",
            _("Hours since the last agent reply"),
            HOURS,
            _hours_since("last_agent_message_at"),
            kind="hours",
            column="last_agent_message_at",
        ),
        FieldSpec("changed", _("What changed (ticket updated)"), LISTS, lambda f, k: f.changed, kind="list"),
    ]
}

TIME_FIELDS = frozenset(name for name, spec in FIELDS.items() if spec.kind == "hours")


# --- the schema ---------------------------------------------------------------------------------------------


class ConditionData(BaseModel):
    model_config = ConfigDict(extra="forbid")

    field: str
    op: str
    value: Any = None
    key: str | None = Field(default=None, max_length=64)

    @field_validator("field")
    @classmethod
    def _known_field(cls, value: str) -> str:
        if value not in FIELDS:
            raise ValueError(_("unknown field %(field)s") % {"field": repr(value)})
        return value


class ConditionsData(BaseModel):
    model_config = ConfigDict(extra="forbid")

    all: list[ConditionData] = Field(default_factory=list, max_length=50)
    any: list[ConditionData] = Field(default_factory=list, max_length=50)


class ConditionError(ValueError):
    """Conditions that do not validate; `messages` say what is wrong, one per problem."""

    def __init__(self, messages: list[str]):
        super().__init__("; ".join(messages))
        self.messages = messages


def _check_value(spec: FieldSpec, data: ConditionData) -> Any:
    """The value in its evaluated form (numbers as numbers, lists as tuples), or ValueError."""
    op, value = data.op, data.value
    if op not in spec.ops:
        raise ValueError(
            _("%(field)s: operator %(op)s is not one of %(ops)s")
            % {"field": spec.name, "op": repr(op), "ops": ", ".join(spec.ops)}
        )
    if spec.needs_key and not data.key:
        raise ValueError(_("%(field)s: a key is required") % {"field": spec.name})
    if op in PRESENCE:
        return None
    if spec.kind == "calendar":
        if value is not None and not (isinstance(value, int) and not isinstance(value, bool)):
            raise ValueError(
                _("%(field)s: value must be a calendar id or null for the default calendar")
                % {"field": spec.name}
            )
        return value
    if spec.kind == "hours":
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 24 * 365 * 5:
            raise ValueError(_("%(field)s: value must be a number of hours") % {"field": spec.name})
        return float(value)
    many = op in ("in", "not_in") or spec.kind == "list"
    items = value if isinstance(value, list) else None
    if many:
        if not items or len(items) > 200:
            raise ValueError(_("%(field)s: value must be a non-empty list") % {"field": spec.name})
        converted = tuple(_scalar(spec, item, op) for item in items)
        return frozenset(converted) if spec.kind == "list" else converted
    if isinstance(value, list | dict) or value is None:
        raise ValueError(_("%(field)s: value must be a single value") % {"field": spec.name})
    return _scalar(spec, value, op)


def _scalar(spec: FieldSpec, value: Any, op: str) -> Any:
    if spec.name == "priority" and isinstance(value, str) and value.upper() in Priority.__members__:
        value = Priority[value.upper()].value
    if spec.kind == "number" or op in ("gte", "lte", "gt", "lt"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(
                _("%(field)s: %(value)s is not a number") % {"field": spec.name, "value": repr(value)}
            )
        return value
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise ValueError(
            _("%(field)s: %(value)s is not a text value") % {"field": spec.name, "value": repr(value)}
        )
    value = str(value)
    if len(value) > 500:
        raise ValueError(_("%(field)s: values are at most 500 characters") % {"field": spec.name})
    if spec.choices is not None and value not in spec.choices:
        raise ValueError(
            _("%(field)s: %(value)s is not one of %(choices)s")
            % {"field": spec.name, "value": repr(value), "choices": ", ".join(spec.choices)}
        )
    if spec.name == "tags":
        return value.strip().casefold()
    if op == "matches":
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(
                _("%(field)s: %(value)s is not a valid pattern (%(error)s)")
                % {"field": spec.name, "value": repr(value), "error": exc}
            ) from exc
    return value


# --- compiled conditions ------------------------------------------------------------------------------------


class Condition:
    """One validated condition, ready to test many tickets."""

    def __init__(self, data: ConditionData):
        self.spec = FIELDS[data.field]
        self.op = data.op
        self.key = data.key
        self.value = _check_value(self.spec, data)
        self.raw = data.model_dump(exclude_none=True)
        self._needle = (
            normalize_text(self.value) if isinstance(self.value, str) and self.spec.kind == "text" else None
        )
        self._pattern = re.compile(self.value, re.IGNORECASE) if self.op == "matches" else None
        self._choices = (
            frozenset(normalize_text(str(item)) for item in self.value)
            if self.op in ("in", "not_in")
            else frozenset()
        )
        self.check = self._compile()

    def __repr__(self) -> str:
        return f"<Condition {self.raw}>"

    def test(self, facts: Facts) -> bool:
        return self.check(facts)

    def _compile(self) -> Callable[[Facts], bool]:
        """The test of this condition as one closure, specialised for its field and operator once, so that
        testing hundreds of rules per event does no dispatching on what the condition is."""
        read, key, op, expected = self.spec.read, self.key, self.op, self.value
        if op == "is_set":
            return lambda facts: read(facts, key) not in (None, "", [], {})
        if op == "is_not_set":
            return lambda facts: read(facts, key) in (None, "", [], {})
        if self.spec.kind == "calendar":
            within = op == "within"

            def calendar(facts: Facts) -> bool:
                from awn.calendars.business_hours import is_open_at
                from awn.calendars.selectors import schedule_for

                schedule = schedule_for(expected)
                if schedule is None:
                    return False  # no calendar: neither "within" nor "outside" can be claimed
                return is_open_at(schedule, read(facts, key)) == within

            return calendar
        if self.spec.kind == "list":
            if op == "includes_any":
                return lambda facts: not expected.isdisjoint(read(facts, key))
            if op == "includes_all":
                return lambda facts: expected <= read(facts, key)
            return lambda facts: expected.isdisjoint(read(facts, key))
        if self.spec.kind == "text":
            return lambda facts: self._test_text(str(read(facts, key) or ""), facts)
        if op in ("gte", "lte", "gt", "lt"):
            compare = {
                "gte": lambda a: a >= expected,
                "lte": lambda a: a <= expected,
                "gt": lambda a: a > expected,
                "lt": lambda a: a < expected,
            }[op]

            def number(facts: Facts) -> bool:
                actual = read(facts, key)
                if not isinstance(actual, int | float) or isinstance(actual, bool):
                    return False
                return compare(actual)

            return number
        if op == "contains":
            needle = normalize_text(str(expected))
            return lambda facts: (
                isinstance(actual := read(facts, key), str) and needle in normalize_text(actual)
            )
        if op in ("is", "is_not"):
            wanted = op == "is"
            if isinstance(expected, str):
                folded = expected.casefold()
                return lambda facts: _same_text(read(facts, key), expected, folded) == wanted
            return lambda facts: (read(facts, key) == expected) == wanted
        wanted = op == "in"
        if all(isinstance(item, str) for item in expected):
            folded_items = frozenset(item.casefold() for item in expected)
            return lambda facts: _in_texts(read(facts, key), expected, folded_items) == wanted
        return lambda facts: any(_same(read(facts, key), item) for item in expected) == wanted

    def _test_text(self, text: str, facts: Facts) -> bool:
        op = self.op
        if op == "matches":
            assert self._pattern is not None
            return self._pattern.search(text[:MAX_TEXT]) is not None
        folded = facts.folded(text)
        if op in ("in", "not_in"):
            inside = folded in self._choices
            return inside if op == "in" else not inside
        needle = self._needle or ""
        if op == "contains":
            return needle in folded
        if op == "not_contains":
            return needle not in folded
        if op == "starts_with":
            return folded.startswith(needle)
        if op == "is":
            return folded.strip() == needle.strip()
        return folded.strip() != needle.strip()

    def as_q(self, now: datetime) -> Q | None:
        """This condition as SQL over the tickets table, when it maps onto a column; None otherwise."""
        column, op, value = self.spec.column, self.op, self.value
        if column is None:
            return None
        if self.spec.kind == "hours":
            cutoff = now - timedelta(hours=value)
            # "at least N hours since X" is "X at or before now − N hours": a range on an indexed timestamp.
            lookup = {"gte": "lte", "gt": "lt", "lte": "gte", "lt": "gt"}[op]
            return Q(**{f"{column}__{lookup}": cutoff})
        if op == "is":
            return Q(**{column: value})
        if op == "in":
            return Q(**{f"{column}__in": list(value)})
        if op == "is_set":
            return Q(**{f"{column}__isnull": False})
        if op == "is_not_set":
            return Q(**{f"{column}__isnull": True})
        if op in ("gte", "lte", "gt", "lt"):
            return Q(**{f"{column}__{op}": value})
        return None  # negations are left to Python: NULL semantics in SQL would differ


def _same_text(actual: Any, expected: str, folded: str) -> bool:
    """`_same(actual, expected)` for a text `expected` whose casefold is `folded`."""
    if isinstance(actual, str):
        return actual.casefold() == folded
    if isinstance(actual, int | float):
        return str(actual) == expected
    return False


def _in_texts(actual: Any, expected: tuple[str, ...], folded: frozenset[str]) -> bool:
    """`any(_same(actual, item) for item in expected)` for text items whose casefolds are `folded`."""
    if isinstance(actual, str):
        return actual.casefold() in folded
    if isinstance(actual, int | float):
        return str(actual) in expected
    return False


def _same(actual: Any, expected: Any) -> bool:
    if isinstance(actual, str) and isinstance(expected, str):
        return actual.casefold() == expected.casefold()
    if isinstance(actual, int | float) and isinstance(expected, str):
        return str(actual) == expected
    return actual == expected


# What testing a field costs: a column of the loaded ticket < its subject < a query (tags, the message, a
# connector) < the message text as a whole.
_COSTS = {
    "subject": 1,
    "requester": 1,
    "requester_domain": 1,
    "plan": 1,
    "attribute": 1,
    "business_hours": 2,
    "tags": 3,
    "mailbox": 3,
    "widget": 3,
    "body": 4,
    "text": 4,
}


def _cost(condition: Condition) -> int:
    return _COSTS.get(condition.spec.name, 0) + (1 if condition.op == "matches" else 0)


class Conditions:
    """All of `all` and, when given, any of `any`."""

    def __init__(self, data: ConditionsData):
        self.all = [Condition(item) for item in data.all]
        self.any = [Condition(item) for item in data.any]
        # Tested cheapest first, so a rule that fails on a column never reads the message or the tags.
        self._all_fast = sorted(self.all, key=_cost)
        self._any_fast = sorted(self.any, key=_cost)

    def test(self, facts: Facts) -> bool:
        for condition in self._all_fast:
            if not condition.check(facts):
                return False
        if not self._any_fast:
            return True
        for condition in self._any_fast:  # noqa: SIM110 - a plain loop: this runs for every rule of every event
            if condition.check(facts):
                return True
        return False

    def explain(self, facts: Facts) -> list[tuple[str, Condition, bool]]:
        """Each condition with its result, for the dry-run screen."""
        return [("all", c, c.test(facts)) for c in self.all] + [("any", c, c.test(facts)) for c in self.any]

    def time_conditions(self) -> list[Condition]:
        return [c for c in self.all if c.spec.kind == "hours" and c.op in ("gte", "gt")]

    def as_q(self, now: datetime) -> Q:
        q = Q()
        for condition in self.all:
            part = condition.as_q(now)
            if part is not None:
                q &= part
        return q


def parse_conditions(raw: Any) -> Conditions:
    """Validate JSON conditions; raises ConditionError listing every problem."""
    if raw in (None, "", {}):
        raw = {}
    try:
        data = ConditionsData.model_validate(raw)
    except ValidationError as exc:
        raise ConditionError([_pydantic_message(error) for error in exc.errors()]) from exc
    problems: list[str] = []
    for group in (data.all, data.any):
        for item in group:
            try:
                Condition(item)
            except ValueError as exc:
                problems.append(str(exc))
    if problems:
        raise ConditionError(problems)
    return Conditions(data)


def _pydantic_message(error: Any) -> str:
    where = ".".join(str(part) for part in error.get("loc", ()))
    return f"{where}: {schema_problem(error)}" if where else schema_problem(error)


# pydantic's own messages are English; these say the same in the language of the person editing the rule.
_SCHEMA_MESSAGES = {
    "missing": _("this is required"),
    "extra_forbidden": _("this key is not known"),
    "int_type": _("must be a whole number"),
    "int_parsing": _("must be a whole number"),
    "int_from_float": _("must be a whole number"),
    "float_type": _("must be a number"),
    "float_parsing": _("must be a number"),
    "bool_type": _("must be true or false"),
    "bool_parsing": _("must be true or false"),
    "string_type": _("must be text"),
    "list_type": _("must be a list"),
    "dict_type": _("must be an object"),
    "model_type": _("must be an object"),
}
_SCHEMA_COUNTS = {  # type: (message, the context key holding the count)
    "string_too_long": (
        ngettext_lazy("at most %(count)s character", "at most %(count)s characters", "count"),
        "max_length",
    ),
    "string_too_short": (
        ngettext_lazy("at least %(count)s character", "at least %(count)s characters", "count"),
        "min_length",
    ),
    "too_long": (ngettext_lazy("at most %(count)s item", "at most %(count)s items", "count"), "max_length"),
    "too_short": (
        ngettext_lazy("at least %(count)s item", "at least %(count)s items", "count"),
        "min_length",
    ),
}
_SCHEMA_LIMITS = {
    "greater_than_equal": (_("at least %(limit)s"), "ge"),
    "less_than_equal": (_("at most %(limit)s"), "le"),
    "greater_than": (_("more than %(limit)s"), "gt"),
    "less_than": (_("less than %(limit)s"), "lt"),
}


def schema_problem(error: Any) -> str:
    """What is wrong with one value of a rule's JSON, in the active language (without where it is)."""
    kind, context = error.get("type", ""), error.get("ctx") or {}
    if kind in ("value_error", "assertion_error") and "error" in context:
        return str(context["error"])  # our own validators' message, already translated
    if kind in _SCHEMA_MESSAGES:
        return str(_SCHEMA_MESSAGES[kind])
    if kind in _SCHEMA_COUNTS and _SCHEMA_COUNTS[kind][1] in context:
        message, key = _SCHEMA_COUNTS[kind]
        return message % {"count": context[key]}
    if kind in _SCHEMA_LIMITS and _SCHEMA_LIMITS[kind][1] in context:
        message, key = _SCHEMA_LIMITS[kind]
        return message % {"limit": context[key]}
    return str(error.get("msg") or _("not valid"))
