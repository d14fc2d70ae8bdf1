from datetime import UTC, datetime, timedelta

import pytest

from awn.surveys.models import SurveySettings
from awn.tickets.models import Status
from awn.tickets.services import Actor, change_status, reply_to_ticket

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class FrozenClock:
    """The time every service sees (awn.core.clock.now); tests move it forward explicitly."""

    def __init__(self, moment: datetime):
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment

    def advance(self, **delta) -> datetime:
        self.moment += timedelta(**delta)
        return self.moment


@pytest.fixture
def now(monkeypatch):
    frozen = FrozenClock(START)
    monkeypatch.setattr("awn.core.clock.now", frozen)
    return frozen


@pytest.fixture
def run_events(django_capture_on_commit_callbacks):
    """Run what happens after commit (event handlers, outbox kicks) as production does."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def reply(ticket, agent):
    return reply_to_ticket(ticket=ticket, by=Actor.of(agent), body="Unplug it and wait ten minutes.")


@pytest.fixture
def solved(ticket, agent, reply):
    change_status(ticket=ticket, status=Status.SOLVED, by=Actor.of(agent))
    ticket.refresh_from_db()
    return ticket


@pytest.fixture
def nps_on(db):
    return SurveySettings.objects.create(team=None, nps_enabled=True, nps_delay_days=7, nps_period_days=90)
