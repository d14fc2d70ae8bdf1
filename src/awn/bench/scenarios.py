"""Who the benchmark acts as, what it asks for: actors picked from the generated data, and the scenarios."""

from __future__ import annotations

import random
import re
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Count, Max

from awn.accounts.models import Role, Team, User
from awn.bench import corpus
from awn.bench.people import ADMIN_EMAIL
from awn.tickets.models import Message, Ticket
from awn.tickets.selectors import ticket_queue

DEEP_PAGES = 100  # the deep keyset page starts after 100 pages of 100 tickets


@dataclass
class Actors:
    admin: User
    agent_one_team: User
    agent_two_teams: User
    agent_all: User
    customer: User
    customer_tickets: int
    tickets: dict[str, list[int]]  # ticket numbers each actor may see, sampled at random
    search_terms: list[str]
    deep_cursor: str | None


@dataclass
class Scenario:
    name: str
    description: str
    client: str  # key into the clients dict
    next_url: Callable[[random.Random], str]


def pick_actors(rng: random.Random) -> Actors:
    """Agents with different scopes, the admin and the busiest customer, from the generated data."""
    admin = User.objects.get(email=ADMIN_EMAIL)
    agents = list(User.objects.filter(role=Role.AGENT).prefetch_related("teams").order_by("id"))

    def scoped(predicate: Callable[[list[Team]], bool]) -> User:
        return next(agent for agent in agents if predicate(list(agent.teams.all())))

    one = scoped(lambda teams: len(teams) == 1 and teams[0].visibility == Team.Visibility.TEAM)
    two = scoped(lambda teams: len(teams) == 2 and all(t.visibility == Team.Visibility.TEAM for t in teams))
    everything = scoped(lambda teams: any(t.visibility == Team.Visibility.ALL for t in teams))
    top = Ticket.objects.values("requester_id").annotate(n=Count("id")).order_by("-n", "requester_id").first()
    if top is None:
        raise RuntimeError("The database has no tickets: run `awn bench generate` first.")
    customer = User.objects.get(pk=top["requester_id"])

    highest = Ticket.objects.aggregate(m=Max("id"))["m"]
    candidates = rng.sample(range(1, highest + 1), min(highest, 5000))
    tickets = {}
    for key, user in (("agent_one_team", one), ("agent_all", everything), ("admin", admin)):
        tickets[key] = list(
            Ticket.objects.visible_to(user).filter(pk__in=candidates).values_list("pk", flat=True)
        )
    own = list(Ticket.objects.visible_to(customer).values_list("pk", flat=True)[:5000])
    tickets["customer"] = own

    terms = [term for words in corpus.SEARCH_TERMS.values() for term in words]
    sample_ids = rng.sample(range(1, highest + 1), min(highest, 50))
    for body in Message.objects.filter(ticket_id__in=sample_ids).values_list("body", flat=True):
        terms += re.findall(r"(?:ORD|INV)-\d+", body)  # rare words: order and invoice numbers
    cursor = None
    for _page in range(DEEP_PAGES):
        page = ticket_queue(user=admin, view="all", sort="updated", cursor=cursor, limit=100)
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    return Actors(
        admin=admin,
        agent_one_team=one,
        agent_two_teams=two,
        agent_all=everything,
        customer=customer,
        customer_tickets=top["n"],
        tickets=tickets,
        search_terms=terms,
        deep_cursor=cursor,
    )


def api_token_for(user: User) -> str:
    from awn.accounts.api_tokens import create_api_token

    _token, key = create_api_token(user=user, name="benchmark")
    return key


def scenarios_for(actors: Actors) -> list[Scenario]:
    def pick(key: str, prefix: str) -> Callable[[random.Random], str]:
        numbers = actors.tickets[key]
        return lambda rng: f"{prefix}{rng.choice(numbers)}/"

    def search(prefix: str) -> Callable[[random.Random], str]:
        return lambda rng: f"{prefix}{urllib.parse.urlencode({'q': rng.choice(actors.search_terms)})}"

    fixed = lambda url: lambda rng: url  # noqa: E731
    deep = (
        f"/desk/?view=all&sort=updated&cursor={actors.deep_cursor}"
        if actors.deep_cursor
        else "/desk/?view=all"
    )
    return [
        Scenario(
            "desk.inbox.mine",
            "agent (one team): my open tickets, oldest first",
            "agent_one_team",
            fixed("/desk/?view=mine"),
        ),
        Scenario(
            "desk.inbox.unassigned",
            "agent (one team): unassigned",
            "agent_one_team",
            fixed("/desk/?view=unassigned"),
        ),
        Scenario(
            "desk.inbox.teams", "agent (two teams): my teams", "agent_two_teams", fixed("/desk/?view=teams")
        ),
        Scenario(
            "desk.inbox.all",
            "agent (sees all): all tickets, recently updated",
            "agent_all",
            fixed("/desk/?view=all"),
        ),
        Scenario(
            "desk.inbox.all_scoped",
            "agent (one team): all visible, open, oldest first",
            "agent_one_team",
            fixed("/desk/?view=all&status=open&sort=oldest"),
        ),
        Scenario(
            "desk.inbox.priority",
            "admin: all tickets by priority",
            "admin",
            fixed("/desk/?view=all&sort=priority"),
        ),
        Scenario(
            "desk.inbox.deep",
            f"admin: all tickets, {DEEP_PAGES * 100:,} tickets deep (keyset)",
            "admin",
            fixed(deep),
        ),
        Scenario(
            "desk.ticket",
            "agent (one team): a random visible ticket",
            "agent_one_team",
            pick("agent_one_team", "/desk/tickets/"),
        ),
        Scenario(
            "desk.ticket_all",
            "agent (sees all): a random ticket",
            "agent_all",
            pick("agent_all", "/desk/tickets/"),
        ),
        Scenario("desk.search", "agent (one team): search box", "agent_one_team", search("/desk/search/?")),
        Scenario("api.search", "API, agent (sees all): GET /api/v1/search", "api", search("/api/v1/search?")),
        Scenario(
            "api.tickets",
            "API, agent (sees all): GET /api/v1/tickets?view=all",
            "api",
            fixed("/api/v1/tickets?view=all"),
        ),
        Scenario(
            "portal.list",
            f"customer with the most tickets ({actors.customer_tickets})",
            "customer",
            fixed("/tickets/"),
        ),
        Scenario(
            "portal.ticket", "customer: one of their tickets", "customer", pick("customer", "/tickets/")
        ),
    ]


def creation_payload(rng: random.Random, emails: list[str], worker: int) -> dict:
    lang = rng.choices(corpus.LANGUAGES, corpus.LANGUAGE_WEIGHTS)[0]
    topic = rng.choices(list(corpus.TOPICS), corpus.TOPIC_WEIGHTS)[0]
    slots = {name: rng.choice(values) for name, values in corpus.SLOTS[lang].items()}
    slots.update(
        order=f"ORD-{rng.randrange(100000, 999999)}",
        invoice=f"INV-{rng.randrange(10000, 99999)}",
        serial=f"SN{rng.randrange(10**7, 10**8)}",
        company="Acme",
        name="Sam",
    )
    body = (
        rng.choice(corpus.OPENINGS[lang])
        + "\n\n"
        + rng.choice(corpus.PROBLEMS[lang][topic])
        + " "
        + rng.choice(corpus.DETAILS[lang])
        + "\n\n"
        + rng.choice(corpus.CLOSINGS[lang])
    ).format(**slots)
    if rng.random() < 0.8:
        email = rng.choice(emails)  # a known customer writes again
    else:
        email = f"new-{worker}-{rng.randrange(10**9)}@api.bench.test"  # created on the fly
    return {
        "subject": rng.choice(corpus.SUBJECTS[lang][topic]).format(**slots),
        "message": {"body": body},
        "requester": {"email": email, "name": "Bench Customer"},
    }
