from datetime import UTC, datetime, timedelta

import pytest

from awn.calendars.selectors import forget_schedules
from awn.calendars.services import save_calendar
from awn.reports.models import TicketFacts
from awn.reports.rollups import FACT_COLUMNS, record_facts_change
from tests.factories import AdminFactory, AgentFactory, ManagerFactory, TeamFactory, TicketFactory

# Friday 12 January 2024, 16:00 in Berlin (UTC+1 in winter).
FRIDAY_16_BERLIN = datetime(2024, 1, 12, 15, 0, tzinfo=UTC)


class FrozenClock:
    """The time every service sees (awn.core.clock.now); tests move it forward explicitly."""

    def __init__(self, moment: datetime):
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment

    def advance(self, **delta) -> datetime:
        self.moment += timedelta(**delta)
        return self.moment

    def set(self, moment: datetime) -> datetime:
        self.moment = moment
        return moment


@pytest.fixture
def now(monkeypatch):
    frozen = FrozenClock(FRIDAY_16_BERLIN)
    monkeypatch.setattr("awn.core.clock.now", frozen)
    return frozen


@pytest.fixture(autouse=True)
def _fresh_schedules():
    forget_schedules()
    yield
    forget_schedules()


@pytest.fixture
def berlin(db):
    hours = {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}
    return save_calendar(
        by=AdminFactory(), name="Berlin office", timezone="Europe/Berlin", hours=hours, is_default=True
    )


def fact(**columns) -> TicketFacts:
    """A facts row (and its bare ticket) with the given columns; created in January 2024 unless told."""
    created = columns.pop("created_at", datetime(2024, 1, 10, 12, 0, tzinfo=UTC))
    ticket = TicketFactory(created_at=created)
    values = {
        "channel": "web",
        "status": "open",
        "created_at": created,
        "computed_at": created,
        "tier": 1,
        "priority": 2,
    }
    values.update(columns)
    row = TicketFacts.objects.create(ticket=ticket, **values)
    # What the live handlers do after writing facts: the roll-ups follow.
    record_facts_change(None, TicketFacts.objects.filter(pk=row.pk).values(*FACT_COLUMNS).get())
    return row


@pytest.fixture
def world(db):
    """Two teams with one ticket each; agent A works team A's ticket, manager A leads team A."""
    agent_a, agent_b = AgentFactory(name="Agent A"), AgentFactory(name="Agent B")
    manager_a = ManagerFactory(name="Manager A")
    team_a = TeamFactory(name="Team A", members=[agent_a, manager_a])
    team_b = TeamFactory(name="Team B", members=[agent_b])
    fact(team=team_a, agent=agent_a, first_response_seconds=60)
    fact(team=team_b, agent=agent_b, first_response_seconds=120)
    fact(team=team_b, agent=agent_b, first_response_seconds=180)
    return {
        "admin": AdminFactory(),
        "manager_a": manager_a,
        "agent_a": agent_a,
        "agent_b": agent_b,
        "team_a": team_a,
        "team_b": team_b,
    }
