"""Erasure keeps the team's metrics: facts, roll-ups and every report read the same before and after."""

import pytest
from django.forms.models import model_to_dict

from awn.accounts.api_tokens import create_api_token
from awn.core import clock
from awn.privacy.services import erase_customer
from awn.reports.models import ReplyFact, TicketFacts
from awn.reports.pending import write_pending
from awn.tickets.services import Actor, change_status, create_ticket, reply_to_ticket
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

REPORTS = ("summary", "volume", "backlog", "agents", "heatmap")


def _reports(client, admin_user) -> dict:
    key = create_api_token(user=admin_user, name="reports")[1]
    today = clock.now().date().isoformat()
    period = {"start": today, "end": today}
    return {
        name: client.get(f"/api/v1/reports/{name}", period, headers={"Authorization": f"Bearer {key}"}).json()
        for name in REPORTS
    }


def _facts() -> list:
    rows = [model_to_dict(f) for f in TicketFacts.objects.order_by("ticket_id")]
    return rows + [model_to_dict(f) for f in ReplyFact.objects.order_by("message_id")]


def test_report_numbers_are_identical_before_and_after_the_erasure(
    client, admin_user, agent, team, django_capture_on_commit_callbacks
):
    cora = CustomerFactory(name="Cora Customer")
    with django_capture_on_commit_callbacks(execute=True):
        for subject in ("Broken lamp", "Missing parcel"):
            ticket = create_ticket(requester=cora, subject=subject, body="Help", team=team, by=Actor.of(cora))
            reply_to_ticket(ticket=ticket, by=Actor.of(agent), body="On it.")
        change_status(ticket=ticket, status="solved", by=Actor.of(agent))
        create_ticket(requester=CustomerFactory(), subject="Other", body="Hi", team=team, by=Actor.of(agent))
    write_pending()  # the facts writer's batch: the new tickets' facts
    facts, reports = _facts(), _reports(client, admin_user)
    assert dict(reports["summary"]["rows"])["tickets_created"] == 3

    with django_capture_on_commit_callbacks(execute=True):
        erase_customer(customer=cora, by=Actor.of(admin_user))

    assert _facts() == facts
    assert _reports(client, admin_user) == reports
