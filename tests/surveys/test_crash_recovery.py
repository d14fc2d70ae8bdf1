"""kill -9 of a real `awn` process in the middle of the NPS sweep: the next run finishes the job, every
customer is asked exactly once, and every survey has exactly one mail queued. Its own database (SQLite, or a
scratch PostgreSQL database when AWN_TEST_DATABASE_URL points at PostgreSQL)."""

from __future__ import annotations

import os
import signal

from tests.connectors.email.test_crash_recovery import installation, wait_for_worker  # noqa: F401

CUSTOMERS = 40

SETUP = f"""
from datetime import timedelta
from awn.accounts.models import Role, Team, User
from awn.core import clock
from awn.surveys.models import SurveySettings
from awn.tickets.services import Actor, change_status, create_ticket
real_now = clock.now
clock.now = lambda: real_now() - timedelta(days=8)
team = Team.objects.get()
agent = User.objects.create_user(email='ada@acme.example', name='Ada', role=Role.AGENT)
team.members.add(agent)
for n in range({CUSTOMERS}):
    customer = User.objects.create_user(email=f'c{{n}}@example.com', role=Role.CUSTOMER)
    ticket = create_ticket(requester=customer, subject=f'Question {{n}}', body='?', team=team,
                           by=Actor.of(customer))
    change_status(ticket=ticket, status='solved', by=Actor.of(agent))
clock.now = real_now
SurveySettings.objects.create(team=None, nps_enabled=True, nps_delay_days=7, nps_period_days=90)
"""

# The sweep, slowed down inside each survey's transaction so that the kill lands in the middle of one.
SLOW_SWEEP = """
import time
from awn.surveys import services
real_enqueue = services.enqueue
def slow_enqueue(**kwargs):
    item = real_enqueue(**kwargs)
    time.sleep(0.2)
    return item
services.enqueue = slow_enqueue
services.queue_nps_surveys()
"""


def test_a_sweep_killed_mid_run_asks_every_customer_exactly_once(installation):  # noqa: F811
    installation.shell(SETUP)

    sweep = installation.start("manage", "shell", "-c", SLOW_SWEEP)
    wait_for_worker(
        installation,
        lambda: installation.count("SELECT COUNT(*) FROM surveys_npsresponse") >= 5,
        timeout=120,
        what="the sweep to queue some surveys",
    )
    os.kill(sweep.pid, signal.SIGKILL)
    sweep.wait(timeout=10)
    asked = installation.count("SELECT COUNT(*) FROM surveys_npsresponse")
    assert asked < CUSTOMERS, "the sweep finished before it could be killed"
    assert installation.count("SELECT COUNT(*) FROM outbox_outboxitem WHERE kind = 'surveys.nps'") == asked

    installation.shell("from awn.surveys.services import queue_nps_surveys; print(queue_nps_surveys())")

    assert installation.count("SELECT COUNT(*) FROM surveys_npsresponse") == CUSTOMERS
    assert installation.count("SELECT COUNT(DISTINCT customer_id) FROM surveys_npsresponse") == CUSTOMERS
    assert (
        installation.count("SELECT COUNT(*) FROM outbox_outboxitem WHERE kind = 'surveys.nps'") == CUSTOMERS
    )
    assert (
        installation.count(
            "SELECT COUNT(DISTINCT idempotency_key) FROM outbox_outboxitem WHERE kind = 'surveys.nps'"
        )
        == CUSTOMERS
    )


TWO_TICKETS_EACH = f"""
from datetime import timedelta
from awn.accounts.models import Role, Team, User
from awn.core import clock
from awn.surveys.models import SurveySettings
from awn.tickets.services import Actor, change_status, create_ticket
real_now = clock.now
clock.now = lambda: real_now() - timedelta(days=8)
team = Team.objects.get()
agent = User.objects.create_user(email='ada@acme.example', name='Ada', role=Role.AGENT)
for n in range({CUSTOMERS // 2}):
    customer = User.objects.create_user(email=f'c{{n}}@example.com', role=Role.CUSTOMER)
    for subject in ('first', 'second'):
        ticket = create_ticket(requester=customer, subject=subject, body='?', team=team,
                               by=Actor.of(customer))
        change_status(ticket=ticket, status='solved', by=Actor.of(agent))
clock.now = real_now
SurveySettings.objects.create(team=None, nps_enabled=True, nps_delay_days=7, nps_period_days=90)
"""


def test_two_sweeps_at_once_ask_each_customer_once(installation):  # noqa: F811
    installation.shell(TWO_TICKETS_EACH)

    sweeps = [installation.start("manage", "shell", "-c", SLOW_SWEEP) for _ in range(2)]
    for sweep in sweeps:
        assert sweep.wait(timeout=300) == 0, installation.log()

    customers = CUSTOMERS // 2
    assert installation.count("SELECT COUNT(*) FROM surveys_npsresponse") == customers
    assert installation.count("SELECT COUNT(DISTINCT customer_id) FROM surveys_npsresponse") == customers
    assert (
        installation.count("SELECT COUNT(*) FROM outbox_outboxitem WHERE kind = 'surveys.nps'") == customers
    )
