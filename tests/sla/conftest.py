import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from awn.calendars.selectors import forget_schedules
from awn.calendars.services import save_calendar
from awn.sla import services
from awn.sla.policies import forget_policies
from awn.tickets.services import Actor, create_ticket
from tests.factories import AdminFactory

MONDAY_9_BERLIN = datetime(2024, 1, 8, 8, 0, tzinfo=UTC)


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
    frozen = FrozenClock(MONDAY_9_BERLIN)
    monkeypatch.setattr("awn.core.clock.now", frozen)
    return frozen


@pytest.fixture(autouse=True)
def _fresh_policy_caches():
    forget_policies()
    forget_schedules()
    yield
    forget_policies()
    forget_schedules()


@pytest.fixture
def run_events(django_capture_on_commit_callbacks):
    """Run what happens after commit (event handlers, outbox kicks) as production does, nested ones too."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def sla_admin(db):
    return AdminFactory(name="Sasha SLA")


@pytest.fixture
def berlin(sla_admin):
    hours = {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}
    return save_calendar(
        by=sla_admin, name="Berlin office", timezone="Europe/Berlin", hours=hours, is_default=True
    )


def targets(**minutes_by_target):
    """targets(first_response=60, resolution=(480, "calendar")) → the policy's JSON."""
    result = {}
    for name, value in minutes_by_target.items():
        minutes, mode = (value, "business") if isinstance(value, int) else value
        result[name] = {
            "minutes": minutes,
            "business_hours": mode == "business",
            "pauses": name != "first_response",
        }
    return result


@pytest.fixture
def make_policy(sla_admin, run_events):
    def make(name="Standard", *, conditions=None, warning_minutes=30, **minutes_by_target):
        with run_events():
            return services.save_policy(
                by=sla_admin,
                name=name,
                conditions=conditions or {},
                warning_minutes=warning_minutes,
                targets=targets(**(minutes_by_target or {"first_response": 60})),
            )

    return make


@pytest.fixture
def open_ticket(customer, team, run_events):
    """A ticket created the way customers create them, with its events (and so its SLA) run."""

    def create(subject="Printer on fire", body="Please help", **extra):
        extra.setdefault("team", team)
        with run_events():
            ticket = create_ticket(
                requester=customer, subject=subject, body=body, by=Actor.of(customer), **extra
            )
        ticket.refresh_from_db()
        return ticket

    return create


class Receiver(BaseHTTPRequestHandler):
    """A real HTTP endpoint on 127.0.0.1 that records the webhook calls it receives."""

    received: list = []

    def do_POST(self):  # noqa: N802 - the name http.server calls
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        Receiver.received.append((dict(self.headers), body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    Receiver.received = []
    server = HTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hook", Receiver
    server.shutdown()
