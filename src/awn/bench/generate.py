"""The benchmark data generator: a year of a helpdesk's life, written straight into the database.

`generate(tickets=1_000_000)` creates organizations, 20,000 customers, 50 agents in 8 teams and then the
tickets with ~3 messages each, their events and tags, and finally rebuilds the search index.

It bypasses the service layer on purpose. `create_ticket` and friends do several queries and an index update
per message, in one transaction per call: fine for a request, but 1M tickets through them would take many
hours. The generator instead simulates each ticket's life in Python and writes the rows the services would
have written, in bulk (executemany on SQLite, COPY on PostgreSQL), with the secondary indexes dropped during
the load and rebuilt after it. The rows are kept consistent with what the services write:

- a `created` event per ticket and a `message`/`note` event per message, plus the assignee, tags and status
  events of the simulated life (new → open on assignment, then pending/on hold/solved, solved → closed);
- `message_count`, `first_response_at` (first public agent reply), `last_customer_message_at`,
  `last_agent_message_at`, `solved_at` (set for solved and closed tickets), `updated_at` (the last change);
- the requester's organization copied onto the ticket; assignees are members of the ticket's team;
- tags through the normal many-to-many table; no followers;
- CSAT ratings of ~15% of solved tickets and NPS surveys of their customers (awn.bench.surveys).

tests/bench/test_generate.py checks these invariants on both databases. Everything is drawn from one seeded
random generator, so the same seed and end date give the same data.
"""

from __future__ import annotations

import bisect
import json
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.contrib.auth.hashers import make_password
from django.db import transaction

from awn.accounts.models import User
from awn.bench import corpus
from awn.bench.loaders import (
    EPOCH_UTC,
    Loader,
    analyze_database,
    columns_with_defaults,
    loader_for_connection,
)
from awn.bench.people import (
    ADMIN_EMAIL,
    BENCH_PASSWORD,
    FRONT_TEAM,
    TOPIC_TEAM,
    People,
    create_people,
    default_customers,
)
from awn.core.sanitize import text_to_html
from awn.tickets.models import Message, Ticket, TicketEvent

__all__ = ["BENCH_PASSWORD", "Summary", "TicketWriter", "generate"]

US = 1_000_000
HOUR = 3600 * US
DAY = 24 * HOUR
CHANNELS = ("email", "web", "chat", "api", "phone")
CHANNEL_WEIGHTS = (45, 30, 10, 5, 10)
PRIORITIES = (1, 2, 3, 4)
PRIORITY_WEIGHTS = (15, 60, 18, 7)
# Ticket status by age: most of the year is solved or closed, the backlog is recent.
STATUS_BY_AGE = (
    (14 * DAY, ("closed", "solved", "open", "pending", "on_hold"), (72, 26, 1.0, 0.6, 0.4)),
    (3 * DAY, ("closed", "solved", "open", "pending", "on_hold", "new"), (10, 52, 14, 16, 5, 3)),
    (0, ("new", "open", "pending", "on_hold", "solved"), (38, 30, 14, 5, 13)),
)
# Agent replies per answered ticket (each after a customer message): mean ≈ 1.5, so with the customers'
# messages and the occasional internal note a ticket has ~3 messages.
EXCHANGE_COUNTS = (1, 2, 3, 4)
EXCHANGE_WEIGHTS = (65, 25, 8, 2)


@dataclass
class Summary:
    tickets: int = 0
    messages: int = 0
    events: int = 0
    ticket_tags: int = 0
    customers: int = 0
    agents: int = 0
    seconds_people: float = 0.0
    seconds_tickets: float = 0.0
    seconds_indexes: float = 0.0
    seconds_search: float = 0.0
    search_indexed: bool = False
    ratings: int = 0
    nps_surveys: int = 0

    @property
    def seconds_total(self) -> float:
        return self.seconds_people + self.seconds_tickets + self.seconds_indexes + self.seconds_search


class TicketWriter:
    """Simulates tickets one by one and hands their rows to a loader in batches."""

    TICKET_COLUMNS = (
        "id",
        "subject",
        "status",
        "priority",
        "channel",
        "language",
        "requester_id",
        "organization_id",
        "team_id",
        "assignee_id",
        "merged_into_id",
        "created_at",
        "updated_at",
        "first_response_at",
        "solved_at",
        "last_customer_message_at",
        "last_agent_message_at",
        "message_count",
    )
    MESSAGE_COLUMNS = (
        "id",
        "ticket_id",
        "author_id",
        "internal",
        "channel",
        "body",
        "html",
        "language",
        "source_id",
        "created_at",
    )
    EVENT_COLUMNS = (
        "id",
        "ticket_id",
        "actor_id",
        "actor_label",
        "kind",
        "old",
        "new",
        "message_id",
        "created_at",
    )
    TAG_COLUMNS = ("id", "ticket_id", "tag_id")

    def __init__(self, *, rng: random.Random, people: People, loader: Loader, end_us: int, days: int) -> None:
        self.rng = rng
        self.people = people
        self.loader = loader
        self.end_us = end_us
        self.start_us = end_us - days * DAY
        self.ticket_id = (
            (Ticket.objects.order_by("-id").values_list("id", flat=True).first() or 0)
            if loader.vendor != "memory"
            else 0
        )
        self.message_id = self.event_id = self.tag_row_id = 0
        if loader.vendor != "memory":
            self.message_id = Message.objects.order_by("-id").values_list("id", flat=True).first() or 0
            self.event_id = TicketEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
            self.tag_row_id = (
                Ticket.tags.through.objects.order_by("-id").values_list("id", flat=True).first() or 0
            )
        self.ticket_cols, self.ticket_extra = columns_with_defaults(Ticket, self.TICKET_COLUMNS)
        self.message_cols, self.message_extra = columns_with_defaults(Message, self.MESSAGE_COLUMNS)
        self.event_cols, self.event_extra = columns_with_defaults(TicketEvent, self.EVENT_COLUMNS)
        self.tag_cols, self.tag_extra = columns_with_defaults(Ticket.tags.through, self.TAG_COLUMNS)
        self.tickets: list[tuple] = []
        self.messages: list[tuple] = []
        self.events: list[tuple] = []
        self.ticket_tags: list[tuple] = []
        self.summary = Summary()
        self.topic_names = list(corpus.TOPICS)
        self.front_teams = {lang: people.team_ids[name] for lang, name in FRONT_TEAM.items()}
        self.topic_teams = {name: people.team_ids[team] for name, team in TOPIC_TEAM.items()}
        self.escalations = people.team_ids["Escalations"]
        self.json_internal = {False: json.dumps({"internal": False}), True: json.dumps({"internal": True})}

    # The timeline: creation times over the year, busier on weekdays and office hours, growing over time.
    def creation_times(self, count: int) -> list[int]:
        rng = self.rng
        span = self.end_us - self.start_us
        times: list[int] = []
        while len(times) < count:
            # Growth: later in the year is busier (density rising from 0.6 to 1.4).
            x = rng.random()
            if rng.random() * 1.4 > 0.6 + 0.8 * x:
                continue
            t = self.start_us + int(x * span)
            weekday = (t // DAY + 3) % 7  # 1970-01-01 was a Thursday; 0 = Monday
            hour = (t % DAY) // HOUR
            weight = (0.45 if weekday >= 5 else 1.0) * (1.0 if 7 <= hour <= 19 else 0.35)
            if rng.random() < weight:
                times.append(t)
        times.sort()
        return times

    def run(self, count: int, *, batch_size: int, progress: Callable[[str], None] | None = None) -> Summary:
        times = self.creation_times(count)
        cum = self.people.requester_cum_weights
        total = cum[-1]
        ids = self.people.customer_ids
        rng = self.rng
        started = time.monotonic()
        for offset in range(0, count, batch_size):
            chunk = times[offset : offset + batch_size]
            for created in chunk:
                requester = ids[bisect.bisect_left(cum, rng.random() * total)]
                self.simulate(created, requester)
            self.flush()
            if progress is not None:
                done = offset + len(chunk)
                elapsed = time.monotonic() - started
                progress(
                    f"  {done:>9,} tickets  {self.summary.messages:>10,} messages  "
                    f"{elapsed:7.1f} s  ({done / max(elapsed, 1e-9):,.0f} tickets/s)"
                )
        return self.summary

    def flush(self) -> None:
        if not self.tickets:
            return
        loader = self.loader
        with transaction.atomic():
            loader.write(Ticket._meta.db_table, self.ticket_cols, self._with(self.tickets, self.ticket_extra))
            loader.write(
                Message._meta.db_table, self.message_cols, self._with(self.messages, self.message_extra)
            )
            loader.write(
                TicketEvent._meta.db_table, self.event_cols, self._with(self.events, self.event_extra)
            )
            if self.ticket_tags:
                loader.write(
                    Ticket.tags.through._meta.db_table,
                    self.tag_cols,
                    self._with(self.ticket_tags, self.tag_extra),
                )
        self.summary.tickets += len(self.tickets)
        self.summary.messages += len(self.messages)
        self.summary.events += len(self.events)
        self.summary.ticket_tags += len(self.ticket_tags)
        self.tickets, self.messages, self.events, self.ticket_tags = [], [], [], []

    @staticmethod
    def _with(rows: list[tuple], extra: tuple) -> Iterable[tuple]:
        return rows if not extra else [row + extra for row in rows]

    def _event(
        self,
        ticket_id: int,
        actor: int | None,
        kind: str,
        old: str | None,
        new: str | None,
        message_id: int | None,
        at: int,
    ) -> None:
        """One TicketEvent row; `old`/`new` are JSON text already (None is SQL NULL, as the ORM stores it)."""
        self.event_id += 1
        self.events.append(
            (
                self.event_id,
                ticket_id,
                actor,
                "" if actor else "system",
                kind,
                old,
                new,
                message_id,
                self.loader.timestamp(at),
            )
        )

    def simulate(self, created: int, requester: int) -> None:
        """One ticket's life from its first message to now: rows for the ticket, messages and events."""
        rng = self.rng
        people = self.people
        ts = self.loader.timestamp
        self.ticket_id += 1
        ticket_id = self.ticket_id
        lang = people.customer_lang[requester]
        age = self.end_us - created

        for threshold, statuses, weights in STATUS_BY_AGE:
            if age >= threshold:
                status = rng.choices(statuses, weights)[0]
                break
        topic = rng.choices(self.topic_names, corpus.TOPIC_WEIGHTS)[0]
        route = corpus.TOPICS[topic]["team"]
        team: int | None = self.front_teams[lang] if route == "front" else self.topic_teams[route]
        if rng.random() < 0.03:
            team = self.escalations
        if status == "new" and rng.random() < 0.3:
            team = None  # still in the shared triage pool
        priority = rng.choices(PRIORITIES, PRIORITY_WEIGHTS)[0]
        channel = rng.choices(CHANNELS, CHANNEL_WEIGHTS)[0]
        org = people.customer_org[requester]
        customer_name = people.customer_name[requester]
        slots = {name: rng.choice(values) for name, values in corpus.SLOTS[lang].items()}
        slots["order"] = f"ORD-{rng.randrange(100000, 999999)}"
        slots["invoice"] = f"INV-{rng.randrange(10000, 99999)}"
        slots["serial"] = f"SN{rng.randrange(10**7, 10**8)}"
        slots["company"] = people.org_name[org] if org else customer_name
        slots["name"] = customer_name
        slots["first"] = customer_name.split()[0]
        subject = rng.choice(corpus.SUBJECTS[lang][topic]).format(**slots)

        # Who speaks when: the customer opens; after assignment agent and customer take turns.
        resolved = status in ("solved", "closed")
        if status == "new":
            roles = ["customer"] * (2 if rng.random() < 0.15 else 1)
            life = int(age * rng.random() * 0.8)
        else:
            exchanges = rng.choices(EXCHANGE_COUNTS, EXCHANGE_WEIGHTS)[0]
            roles = ["customer", "agent"] * exchanges
            if status in ("open", "on_hold") and rng.random() < 0.5:
                # The customer wrote back (or nobody has answered yet): the ball is in the agents' court.
                roles = roles[:-1] if rng.random() < 0.3 else [*roles, "customer"]
            with_notes = []
            for role in roles:
                if role == "agent" and rng.random() < 0.1:
                    with_notes.append("note")
                with_notes.append(role)
            roles = with_notes
            if resolved:
                life = min(int(age * 0.7), int(rng.expovariate(1 / (1.5 * DAY))) + 10 * 60 * US)
            else:
                life = int(age * (0.2 + 0.7 * rng.random()))
        end_of_life = created + max(life, len(roles))
        # Message times: the first at creation, the rest spread over the ticket's life.
        offsets = sorted(rng.random() for _ in range(len(roles) - 1))
        times = [created] + [created + 1 + int(o * (end_of_life - created - 1)) for o in offsets]

        assignee: int | None = None
        if status != "new":
            assert team is not None
            assignee = rng.choice(people.team_members[team])
        tag_names: list[str] = []
        if status != "new":
            topic_tags = corpus.TOPICS[topic]["tags"]
            if rng.random() < 0.7:
                tag_names.append(topic_tags[0] if rng.random() < 0.5 else rng.choice(topic_tags))
            if rng.random() < 0.25:
                tag_names.append(rng.choice(topic_tags))
            if rng.random() < 0.06:
                tag_names.append(rng.choice(corpus.EXTRA_TAGS))
            tag_names = sorted(set(tag_names))

        self._event(
            ticket_id,
            requester,
            "created",
            None,
            json.dumps({"subject": subject, "channel": channel, "priority": priority}),
            None,
            created,
        )
        first_response = last_customer = last_agent = None
        updated = created
        assigned_at = None
        for index, (role, at) in enumerate(zip(roles, times, strict=True)):
            if role != "customer" and assigned_at is None:
                # The agent takes the ticket just before their first words: assignee, tags, new → open.
                assigned_at = max(created + 1, at - 1)
                self._event(ticket_id, assignee, "assignee", None, str(assignee), None, assigned_at)
                self._event(ticket_id, assignee, "status", '"new"', '"open"', None, assigned_at)
                if tag_names:
                    self._event(ticket_id, assignee, "tags", "[]", json.dumps(tag_names), None, assigned_at)
            self.message_id += 1
            if role == "customer":
                author = requester
                body = self._customer_body(lang, topic, slots, first=index == 0)
                internal = False
                last_customer = at
            elif role == "agent":
                assert assignee is not None  # agents speak only on assigned tickets
                author = assignee
                body = self._agent_body(lang, slots, people.agent_name[assignee])
                internal = False
                last_agent = at
                if first_response is None:
                    first_response = at
            else:
                assert assignee is not None
                author = assignee
                body = rng.choice(corpus.NOTES[lang])
                internal = True
            source_id = (
                f"<{ticket_id}.{self.message_id}@mail.bench.test>"
                if channel == "email" and role == "customer"
                else None
            )
            self.messages.append(
                (
                    self.message_id,
                    ticket_id,
                    author,
                    internal,
                    channel,
                    body,
                    text_to_html(body),
                    lang,
                    source_id,
                    ts(at),
                )
            )
            self._event(
                ticket_id,
                author,
                "note" if internal else "message",
                None,
                self.json_internal[internal],
                self.message_id,
                at,
            )
            updated = at
        if status != "new" and assigned_at is None:
            # An assigned ticket nobody has answered yet (open with only the customer's message).
            assigned_at = min(self.end_us - 1, created + 1 + int(rng.random() * max(age // 4, 1)))
            self._event(ticket_id, assignee, "assignee", None, str(assignee), None, assigned_at)
            self._event(ticket_id, assignee, "status", '"new"', '"open"', None, assigned_at)
            if tag_names:
                self._event(ticket_id, assignee, "tags", "[]", json.dumps(tag_names), None, assigned_at)
            updated = max(updated, assigned_at)

        solved_at = None
        if status in ("pending", "on_hold"):
            at = min(self.end_us - 1, updated + 1000)
            self._event(ticket_id, assignee, "status", '"open"', json.dumps(status), None, at)
            updated = at
        elif resolved:
            solved_at = min(self.end_us - 1, updated + 1000)
            self._event(ticket_id, assignee, "status", '"open"', '"solved"', None, solved_at)
            updated = solved_at
            if status == "closed":
                closed_at = solved_at + 4 * DAY
                if closed_at < self.end_us:
                    self._event(ticket_id, None, "status", '"solved"', '"closed"', None, closed_at)
                    updated = closed_at
                else:
                    status = "solved"

        for name in tag_names:
            self.tag_row_id += 1
            self.ticket_tags.append((self.tag_row_id, ticket_id, people.tag_ids[name]))
        self.tickets.append(
            (
                ticket_id,
                subject,
                status,
                priority,
                channel,
                lang,
                requester,
                org,
                team,
                assignee,
                None,
                ts(created),
                ts(updated),
                ts(first_response) if first_response is not None else None,
                ts(solved_at) if solved_at is not None else None,
                ts(last_customer) if last_customer is not None else None,
                ts(last_agent) if last_agent is not None else None,
                len(roles),
            )
        )

    def _customer_body(self, lang: str, topic: str, slots: dict, *, first: bool) -> str:
        rng = self.rng
        if first:
            sentences = [rng.choice(corpus.PROBLEMS[lang][topic])]
            sentences += rng.sample(corpus.DETAILS[lang], rng.randint(1, 3))
            text = (
                rng.choice(corpus.OPENINGS[lang])
                + "\n\n"
                + " ".join(sentences)
                + "\n\n"
                + rng.choice(corpus.CLOSINGS[lang])
            )
        else:
            slots["detail"] = rng.choice(corpus.DETAILS[lang]).format(**slots)
            text = rng.choice(corpus.FOLLOW_UPS[lang]) + "\n\n" + slots["first"]
        return text.format(**slots)

    def _agent_body(self, lang: str, slots: dict, agent_name: str) -> str:
        rng = self.rng
        text = (
            rng.choice(corpus.AGENT_GREETINGS[lang])
            + "\n\n"
            + rng.choice(corpus.AGENT_OPENERS[lang])
            + " "
            + rng.choice(corpus.AGENT_ANSWERS[lang])
            + "\n\n"
            + rng.choice(corpus.AGENT_SIGNATURES[lang])
        )
        return text.format(agent=agent_name, **slots)


def _end_of_today() -> datetime:
    now = datetime.now(UTC)
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


def generate(
    *,
    tickets: int,
    customers: int | None = None,
    seed: int = 42,
    end: datetime | None = None,
    days: int = 365,
    batch_size: int = 10_000,
    analyze: bool = True,
    search_index: bool = True,
    progress: Callable[[str], None] | None = None,
) -> Summary:
    """Fill an empty, migrated database with `tickets` tickets and everything around them."""
    if Ticket.objects.exists() or User.objects.filter(email=ADMIN_EMAIL).exists():
        raise RuntimeError("The database already has tickets; generate into a fresh AWN_HOME or database.")
    say = progress or (lambda _line: None)
    customers = customers if customers is not None else default_customers(tickets)
    end = end or _end_of_today()
    end_us = (end - EPOCH_UTC) // timedelta(microseconds=1)
    rng = random.Random(seed)
    summary = Summary(customers=customers)

    started = time.monotonic()
    with transaction.atomic():
        people = create_people(
            rng=rng, customers=customers, end_us=end_us, password_hash=make_password(BENCH_PASSWORD)
        )
    summary.agents = len(people.agent_name)
    summary.seconds_people = time.monotonic() - started
    say(
        f"people: {customers:,} customers, {summary.agents} agents, {len(people.team_ids)} teams "
        f"({summary.seconds_people:.1f} s)"
    )

    loader = loader_for_connection()
    started = time.monotonic()
    loader.begin()
    try:
        writer = TicketWriter(rng=rng, people=people, loader=loader, end_us=end_us, days=days)
        result = writer.run(tickets, batch_size=batch_size, progress=say)
    finally:
        summary.seconds_tickets = time.monotonic() - started
        started = time.monotonic()
        say("rebuilding indexes" + (" and statistics" if analyze else "") + " …")
        loader.finish(analyze=analyze)
        summary.seconds_indexes = time.monotonic() - started
    summary.tickets, summary.messages = result.tickets, result.messages
    summary.events, summary.ticket_tags = result.events, result.ticket_tags
    say(
        f"tickets: {summary.tickets:,} tickets, {summary.messages:,} messages, {summary.events:,} events "
        f"({summary.seconds_tickets:.1f} s; indexes {summary.seconds_indexes:.1f} s)"
    )

    from awn.bench.surveys import add_surveys

    surveys = add_surveys(seed=seed, end_us=end_us, progress=say)
    summary.ratings, summary.nps_surveys = surveys.ratings, surveys.nps_sent
    if search_index:
        from awn.search.indexing import rebuild_index

        started = time.monotonic()
        say("search: rebuilding the full-text index …")
        documents = rebuild_index(batch_size=5000)
        summary.seconds_search = time.monotonic() - started
        summary.search_indexed = True
        say(f"search: {documents:,} documents indexed ({summary.seconds_search:.1f} s)")
    from awn.reports.facts import rebuild_facts  # the report facts the event handlers would have written

    say("reports: facts of {:,} tickets, {:,} replies".format(*rebuild_facts()))
    if analyze:
        started = time.monotonic()
        analyze_database()
        say(f"statistics: ANALYZE ({time.monotonic() - started:.1f} s)")
    return summary
