"""The people of the benchmark data set: organizations, customers, agents in teams, and the tags.

A few thousand rows at most, so they go through the ORM's bulk_create; the generator then keeps their ids and
languages in memory (`People`) for the ticket loop.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, field
from datetime import timedelta

from awn.accounts.models import Organization, Role, Team, Tier, User
from awn.bench import corpus
from awn.bench.loaders import EPOCH_UTC
from awn.tickets.models import Tag

BENCH_PASSWORD = "awn-bench-password"  # every generated account signs in with it; never use on real data
ADMIN_EMAIL = "admin@bench.test"
AGENT_DOMAIN = "support.bench.test"
DAY_US = 24 * 3600 * 1_000_000

# (name, tier, visibility, language it serves or "", number of agents)
TEAMS = (
    ("Front line English", Tier.L1, Team.Visibility.TEAM, "en", 9),
    ("Front line Arabic", Tier.L1, Team.Visibility.TEAM, "ar", 7),
    ("Front line Persian", Tier.L1, Team.Visibility.TEAM, "fa", 6),
    ("Billing", Tier.L2, Team.Visibility.TEAM, "", 6),
    ("Shipping", Tier.L1, Team.Visibility.TEAM, "", 6),
    ("Technical", Tier.L2, Team.Visibility.TEAM, "", 7),
    ("Hardware", Tier.L2, Team.Visibility.TEAM, "", 5),
    ("Escalations", Tier.L3, Team.Visibility.ALL, "", 4),
)
TOPIC_TEAM = {"billing": "Billing", "shipping": "Shipping", "technical": "Technical", "hardware": "Hardware"}
FRONT_TEAM = {"en": "Front line English", "ar": "Front line Arabic", "fa": "Front line Persian"}

PLANS = ("free", "pro", "business", "enterprise")
TIMEZONES = {
    "en": ("Europe/London", "America/New_York", "America/Los_Angeles", "Australia/Sydney"),
    "ar": ("Asia/Riyadh", "Africa/Cairo", "Asia/Dubai", "Asia/Amman"),
    "fa": ("Asia/Tehran",),
}


@dataclass
class People:
    """The accounts the tickets refer to, kept in memory as plain values for the hot loop."""

    customer_ids: list[int]
    customer_lang: dict[int, str]
    customer_name: dict[int, str]
    customer_org: dict[int, int | None]
    org_name: dict[int, str]
    agent_name: dict[int, str]
    team_ids: dict[str, int]
    team_members: dict[int, list[int]]
    tag_ids: dict[str, int]
    requester_cum_weights: list[float] = field(default_factory=list)


def default_customers(tickets: int) -> int:
    """20,000 customers for the full-size runs; fewer for tiny data sets so each has a few tickets."""
    return min(20_000, max(10, tickets // 5))


def _name(rng: random.Random, lang: str) -> tuple[str, str]:
    first = rng.choice(corpus.FIRST_NAMES[lang])
    return first, f"{first} {rng.choice(corpus.LAST_NAMES[lang])}"


def create_people(*, rng: random.Random, customers: int, end_us: int, password_hash: str) -> People:
    """Organizations, customers, agents, teams and tags, through the ORM (a few thousand rows at most)."""
    start = EPOCH_UTC + timedelta(microseconds=end_us - 500 * DAY_US)
    org_count = max(1, customers // 20)
    orgs = []
    seen_names: set[str] = set()
    for k in range(org_count):
        lang = rng.choices(corpus.LANGUAGES, corpus.LANGUAGE_WEIGHTS)[0]
        first_words, second_words = corpus.COMPANY_WORDS[lang]
        name = corpus.COMPANY_FORMATS[lang].format(a=rng.choice(first_words), b=rng.choice(second_words))
        if name in seen_names:
            name = f"{name} {k + 1}"
        seen_names.add(name)
        orgs.append(
            Organization(
                name=name,
                domains=[f"org{k + 1}.bench.test"],
                shared_tickets=rng.random() < 0.25,
                created_at=start,
            )
        )
    orgs = Organization.objects.bulk_create(orgs, batch_size=2000)

    users = []
    for n in range(customers):
        lang = rng.choices(corpus.LANGUAGES, corpus.LANGUAGE_WEIGHTS)[0]
        _first, name = _name(rng, lang)
        org = orgs[rng.randrange(org_count)] if rng.random() < 0.6 else None
        domain = org.domains[0] if org else "mail.bench.test"
        users.append(
            User(
                email=f"customer{n + 1}@{domain}",
                name=name,
                role=Role.CUSTOMER,
                password=password_hash,
                language=lang,
                timezone=rng.choice(TIMEZONES[lang]),
                organization=org,
                plan=rng.choice(PLANS),
                phone=f"+1555{n:07d}" if rng.random() < 0.3 else "",
                created_at=start + timedelta(days=rng.random() * 120),
            )
        )
    staff = [
        User(
            email=ADMIN_EMAIL,
            name="Bench Admin",
            role=Role.ADMIN,
            password=password_hash,
            is_superuser=True,
            language="en",
            created_at=start,
        )
    ]
    staff.append(
        User(
            email=f"manager@{AGENT_DOMAIN}",
            name="Bench Manager",
            role=Role.MANAGER,
            password=password_hash,
            language="en",
            created_at=start,
        )
    )
    agent_count = sum(size for *_rest, size in TEAMS)
    agent_team: list[tuple[int, str]] = []
    for index, (_team_name, _tier, _vis, lang, size) in enumerate(TEAMS):
        for _ in range(size):
            agent_team.append((index, lang or rng.choice(corpus.LANGUAGES)))
    for n, (_team_index, lang) in enumerate(agent_team):
        _first, name = _name(rng, lang)
        staff.append(
            User(
                email=f"agent{n + 1}@{AGENT_DOMAIN}",
                name=name,
                role=Role.AGENT,
                password=password_hash,
                language=lang,
                created_at=start,
            )
        )
    created = User.objects.bulk_create(users + staff, batch_size=2000)
    customer_users = created[:customers]
    agents = created[customers + 2 :]
    assert len(agents) == agent_count

    teams = Team.objects.bulk_create(
        [Team(name=name, tier=tier, visibility=vis, created_at=start) for name, tier, vis, _l, _s in TEAMS]
    )
    team_members: dict[int, list[int]] = {team.pk: [] for team in teams}
    Membership = Team.members.through
    memberships = []
    for agent, (team_index, _lang) in zip(agents, agent_team, strict=True):
        team_members[teams[team_index].pk].append(agent.pk)
        memberships.append(Membership(team_id=teams[team_index].pk, user_id=agent.pk))
    # Every fifth agent also works a second queue, so scopes overlap as they do in real teams.
    for n, agent in enumerate(agents):
        if n % 5 == 4:
            team_index = agent_team[n][0]
            other = (team_index + 3) % (len(TEAMS) - 1)  # never the all-seeing Escalations team
            if other != team_index:
                memberships.append(Membership(team_id=teams[other].pk, user_id=agent.pk))
                team_members[teams[other].pk].append(agent.pk)
    Membership.objects.bulk_create(memberships)

    tag_names = sorted(
        {tag for topic in corpus.TOPICS.values() for tag in topic["tags"]} | set(corpus.EXTRA_TAGS)
    )
    tags = Tag.objects.bulk_create([Tag(name=name) for name in tag_names])

    # Tickets per customer follow a power law: a few big accounts write thousands of tickets.
    order = list(range(customers))
    rng.shuffle(order)
    weights = [0.0] * customers
    for rank, index in enumerate(order):
        weights[index] = (rank + 10) ** -0.8
    cum = list(itertools.accumulate(weights))

    customer_ids = [user.pk for user in customer_users]
    return People(
        customer_ids=customer_ids,
        customer_lang={user.pk: user.language for user in customer_users},
        customer_name={user.pk: user.name for user in customer_users},
        customer_org={user.pk: user.organization_id for user in customer_users},
        org_name={org.pk: org.name for org in orgs},
        agent_name={agent.pk: agent.name for agent in agents},
        team_ids={team.name: team.pk for team in teams},
        team_members=team_members,
        tag_ids={tag.name: tag.pk for tag in tags},
        requester_cum_weights=cum,
    )
