"""Warnings and breaches: each fired once (however often the sweep and the events look), recorded on the
ticket and as a measurement, notified in the desk and by email, and sent to the policy's webhook."""

import hashlib
import hmac
import json
from datetime import timedelta

import pytest
from django.core import mail

from awn.automation.models import Notification
from awn.automation.services import save_webhook
from awn.outbox.models import OutboxItem
from awn.reports.facts import rebuild_facts
from awn.reports.models import TicketFacts
from awn.sla import services
from awn.sla.models import SLAMeasurement
from awn.sla.services import recompute_ticket_sla, sweep
from awn.tickets.models import Status
from awn.tickets.services import Actor, assign_ticket, change_status, reply_to_ticket
from tests.factories import AgentFactory, ManagerFactory
from tests.sla.conftest import targets

pytestmark = pytest.mark.django_db


@pytest.fixture
def assigned(now, berlin, make_policy, open_ticket, agent, run_events):
    """A ticket with a 60-minute first-response target (warning 30 minutes before), assigned to the agent."""
    make_policy(first_response=60, warning_minutes=30)
    ticket = open_ticket()
    with run_events():
        assign_ticket(ticket=ticket, assignee=agent, by=Actor.of(agent))
    ticket.refresh_from_db()
    return ticket


def sla_events(ticket, what):
    return ticket.events.filter(kind="sla", new__what=what).count()


def test_the_warning_fires_when_the_warning_time_comes(now, assigned, run_events):
    with run_events():
        report = sweep(now=assigned.created_at + timedelta(minutes=30))

    assert report.warnings == 1 and report.breaches == 0
    assert sla_events(assigned, "warning") == 1


def test_nothing_fires_before_the_warning_time(now, assigned, run_events):
    with run_events():
        report = sweep(now=assigned.created_at + timedelta(minutes=29))

    assert report.checked == 0 and sla_events(assigned, "warning") == 0


def test_the_warning_fires_once_however_often_the_sweep_runs(now, assigned, run_events):
    with run_events():
        for minute in (30, 31, 35):
            sweep(now=assigned.created_at + timedelta(minutes=minute))
        recompute_ticket_sla(assigned.pk, now=assigned.created_at + timedelta(minutes=40))

    assert sla_events(assigned, "warning") == 1
    assert Notification.objects.filter(ticket=assigned, text__contains="warning").count() == 1


def test_the_breach_fires_once_however_often_the_sweep_runs(now, assigned, run_events):
    with run_events():
        for minute in (30, 60, 61, 120):
            sweep(now=assigned.created_at + timedelta(minutes=minute))
        recompute_ticket_sla(assigned.pk, now=assigned.created_at + timedelta(minutes=130))

    assert sla_events(assigned, "breach") == 1
    row = SLAMeasurement.objects.get(ticket=assigned, target="first_response")
    assert row.breached and row.breached_at == assigned.created_at + timedelta(minutes=60)
    assert row.warned_at == assigned.created_at + timedelta(minutes=30)


def test_a_sweep_that_missed_the_warning_fires_only_the_breach(now, assigned, run_events):
    with run_events():
        report = sweep(now=assigned.created_at + timedelta(hours=2))

    assert (report.warnings, report.breaches) == (0, 1)
    assert sla_events(assigned, "warning") == 0


def test_a_breach_leaves_the_flag_on_the_ticket_after_the_reply(now, assigned, agent, run_events):
    with run_events():
        sweep(now=assigned.created_at + timedelta(minutes=61))
    now.advance(minutes=70)

    with run_events():
        reply_to_ticket(ticket=assigned, by=Actor.of(agent), body="Sorry for the wait")
    assigned.refresh_from_db()

    assert assigned.sla_breached is True
    assert assigned.first_response_due_at is None
    row = SLAMeasurement.objects.get(ticket=assigned, target="first_response")
    assert row.completed_at == now.moment and row.breached


def test_a_late_reply_before_the_sweep_noticed_is_a_quiet_breach(now, assigned, agent, run_events):
    now.advance(minutes=61)

    with run_events():
        reply_to_ticket(ticket=assigned, by=Actor.of(agent), body="Here I am")
    assigned.refresh_from_db()

    assert assigned.sla_breached is True
    assert assigned.events.get(kind="sla", new__what="breach").new["late"] is True
    assert not Notification.objects.filter(text__contains="breached").exists()


def test_a_breach_notifies_the_assignee_the_team_and_the_managers(now, assigned, team, run_events):
    colleague = AgentFactory(name="Colin")
    team.members.add(colleague)
    manager = ManagerFactory(name="Mona")
    team.members.add(manager)

    with run_events():
        sweep(now=assigned.created_at + timedelta(minutes=61))

    notified = set(
        Notification.objects.filter(text__contains="breached").values_list("recipient__name", flat=True)
    )
    assert notified == {"Ada Agent", "Colin", "Mona"}


def test_a_warning_notifies_only_the_assignee_by_default(now, assigned, team, run_events):
    team.members.add(AgentFactory(name="Colin"))

    with run_events():
        sweep(now=assigned.created_at + timedelta(minutes=31))

    assert list(Notification.objects.values_list("recipient__name", flat=True)) == ["Ada Agent"]


def test_breach_notifications_are_emailed_through_the_outbox(now, assigned, run_events):
    with run_events():
        sweep(now=assigned.created_at + timedelta(minutes=61))

    assert OutboxItem.objects.filter(kind="sla.emails", status="sent").count() == 1
    [email] = [m for m in mail.outbox if "breached" in m.subject]
    assert email.to == [assigned.assignee.email]
    assert f"#{assigned.pk}" in email.subject


def test_a_breach_paging_a_team_is_one_outbox_item_with_one_email_each(now, assigned, team, run_events):
    team.members.add(AgentFactory(name="Colin"), ManagerFactory(name="Mona"))

    with run_events():
        sweep(now=assigned.created_at + timedelta(minutes=61))

    item = OutboxItem.objects.get(kind="sla.emails")
    assert item.status == "sent" and len(item.payload["notifications"]) == 3
    assert sorted(m.to[0] for m in mail.outbox if "breached" in m.subject) == sorted(
        Notification.objects.values_list("recipient__email", flat=True)
    )


def test_a_retried_email_delivery_does_not_email_the_same_person_twice(now, assigned, run_events):
    from awn.outbox.services import deliver_item

    with run_events():
        sweep(now=assigned.created_at + timedelta(minutes=61))
    item = OutboxItem.objects.get(kind="sla.emails")
    OutboxItem.objects.filter(pk=item.pk).update(status="queued", next_attempt_at=now.moment)

    deliver_item(item.pk)

    assert len([m for m in mail.outbox if "breached" in m.subject]) == 1


def test_a_ticket_nobody_works_on_notifies_nobody_on_warning(
    now, berlin, make_policy, open_ticket, run_events
):
    make_policy(first_response=60)
    ticket = open_ticket()

    with run_events():
        sweep(now=ticket.created_at + timedelta(minutes=31))

    assert sla_events(ticket, "warning") == 1
    assert not Notification.objects.exists()


def test_the_webhook_is_called_once_per_breach_with_a_signed_payload(
    now, berlin, sla_admin, open_ticket, receiver, run_events
):
    url, handler = receiver
    hook = save_webhook(by=sla_admin, name="Pager", url=url, secret="s3cret-s3cret-s3cret")
    with run_events():
        services.save_policy(
            by=sla_admin,
            name="Paged",
            targets=targets(first_response=60),
            webhook_id=hook.pk,
            warning_minutes=0,
        )
    ticket = open_ticket()

    with run_events():
        sweep(now=ticket.created_at + timedelta(minutes=61))
        sweep(now=ticket.created_at + timedelta(minutes=62))

    [(headers, body)] = handler.received
    expected = hmac.new(
        b"s3cret-s3cret-s3cret", headers["X-Awn-Timestamp"].encode() + b"." + body, hashlib.sha256
    ).hexdigest()
    assert headers["X-Awn-Signature"] == f"sha256={expected}"
    payload = json.loads(body)
    assert payload["event"] == "sla.breached"
    assert payload["data"]["sla"]["target"] == "first_response"
    assert payload["data"]["ticket"]["number"] == ticket.pk


def test_a_paused_ticket_does_not_breach(now, berlin, make_policy, open_ticket, agent, run_events):
    make_policy(first_response=30, resolution=60)
    ticket = open_ticket()
    with run_events():
        reply_to_ticket(ticket=ticket, by=Actor.of(agent), body="Photo?", status=Status.PENDING)

    with run_events():
        report = sweep(now=ticket.created_at + timedelta(hours=5))

    assert report.breaches == 0 and sla_events(ticket, "breach") == 0


def test_each_next_response_cycle_can_breach_once(
    now, berlin, make_policy, open_ticket, agent, customer, run_events
):
    from awn.tickets.services import add_customer_message

    make_policy(first_response=60, next_response=30, warning_minutes=0)
    ticket = open_ticket()
    with run_events():
        reply_to_ticket(ticket=ticket, by=Actor.of(agent), body="Hi")
    for _round in range(2):
        now.advance(minutes=1)
        with run_events():
            add_customer_message(ticket=ticket, author=customer, body="Hello?")
        with run_events():
            sweep(now=now.advance(minutes=31))
            sweep(now=now.advance(minutes=5))
        with run_events():
            reply_to_ticket(ticket=ticket, by=Actor.of(agent), body="Sorry")

    assert sla_events(ticket, "breach") == 2
    assert SLAMeasurement.objects.filter(ticket=ticket, target="next_response", breached=True).count() == 2


def test_closing_a_ticket_clears_it_from_the_sweep(now, assigned, agent, run_events):
    with run_events():
        change_status(ticket=assigned, status=Status.CLOSED, by=Actor.of(agent))

    with run_events():
        report = sweep(now=assigned.created_at + timedelta(hours=3))

    assert report.checked == 0


def test_a_broken_ticket_does_not_stop_the_sweep_for_the_others(
    now, berlin, make_policy, open_ticket, run_events
):
    from awn.tickets.models import Ticket

    make_policy(first_response=60)
    broken, fine = open_ticket(subject="Broken"), open_ticket(subject="Fine")
    Ticket.objects.filter(pk=broken.pk).update(sla_state={"cycles": "not a mapping"})

    with run_events():
        report = sweep(now=fine.created_at + timedelta(minutes=61))

    assert report.breaches == 1 and sla_events(fine, "breach") == 1
    assert sla_events(broken, "breach") == 0


def test_a_sweep_fires_the_alerts_of_many_tickets_together_each_once(
    now, berlin, make_policy, open_ticket, agent, team, run_events
):
    make_policy(first_response=60, warning_minutes=30)
    early = [open_ticket(subject=f"Early {n}") for n in range(3)]
    now.advance(minutes=20)
    late = [open_ticket(subject=f"Late {n}") for n in range(2)]
    with run_events():
        for ticket in early + late:
            assign_ticket(ticket=ticket, assignee=agent, by=Actor.of(agent))
    moment = early[0].created_at + timedelta(minutes=60)

    with run_events():
        first = sweep(now=moment)
        again = sweep(now=moment + timedelta(minutes=1))

    assert (first.breaches, first.warnings, again.breaches, again.warnings) == (3, 2, 0, 0)
    assert [sla_events(t, "breach") for t in early] == [1, 1, 1]
    assert [sla_events(t, "warning") for t in early + late] == [0, 0, 0, 1, 1]
    assert SLAMeasurement.objects.filter(breached=True, breached_at=moment).count() == 3
    assert SLAMeasurement.objects.filter(warned_at=moment, breached=False).count() == 2
    for ticket in early:
        ticket.refresh_from_db()
        assert ticket.sla_breached and ticket.sla_check_at is None
    assert Notification.objects.filter(recipient=agent, text__contains="breached").count() == 3
    assert Notification.objects.filter(recipient=agent, text__contains="warning").count() == 2


def test_a_breach_by_the_sweep_reaches_the_report_facts_as_a_rebuild_computes_them(now, assigned, run_events):
    with run_events():
        sweep(now=assigned.created_at + timedelta(minutes=61))
    swept = TicketFacts.objects.filter(ticket=assigned).values().get()

    rebuild_facts()
    rebuilt = TicketFacts.objects.filter(ticket=assigned).values().get()

    assert swept["sla_breached"] is True and swept["sla_first_response_met"] is False
    assert {**swept, "computed_at": None} == {**rebuilt, "computed_at": None}
