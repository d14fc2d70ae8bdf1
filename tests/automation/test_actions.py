"""Every action, applied by a rule through the ticket services."""

import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core import mail

from awn.automation.models import Notification, RuleRun
from awn.automation.services import save_webhook
from awn.outbox.models import OutboxItem
from awn.tickets.models import Message, Priority, Status, TicketEvent
from awn.tickets.services import Actor, assign_ticket
from tests.factories import AgentFactory, ManagerFactory, TeamFactory


def test_set_team_moves_the_ticket(make_rule, open_ticket):
    billing = TeamFactory(name="Billing")
    make_rule("to billing", actions=[{"type": "set_team", "team": billing.pk}])

    ticket = open_ticket()

    assert ticket.team_id == billing.pk


def test_set_priority(make_rule, open_ticket):
    make_rule("urgent", actions=[{"type": "set_priority", "priority": "urgent"}])

    assert open_ticket().priority == Priority.URGENT


def test_set_status(make_rule, open_ticket):
    make_rule("park", actions=[{"type": "set_status", "status": "on_hold"}])

    assert open_ticket().status == Status.ON_HOLD


def test_set_assignee(make_rule, open_ticket, agent):
    make_rule("to ada", actions=[{"type": "set_assignee", "assignee": agent.pk}])

    ticket = open_ticket()

    assert (ticket.assignee_id, ticket.status) == (agent.pk, Status.OPEN)


def test_add_and_remove_tags(make_rule, open_ticket):
    make_rule("tag", actions=[{"type": "add_tags", "tags": ["Needs Triage", "printer"]}])
    make_rule("untag", actions=[{"type": "remove_tags", "tags": ["printer"]}])

    ticket = open_ticket()

    assert set(ticket.tags.values_list("name", flat=True)) == {"needs_triage"}


def test_reply_answers_the_requester_from_a_template_and_mails_it(make_rule, open_ticket, customer):
    make_rule(
        "ack",
        actions=[
            {
                "type": "reply",
                "body": "Hello {{ requester.first_name }}, we got request #{{ ticket.number }}.",
            }
        ],
    )

    ticket = open_ticket()

    reply = Message.objects.filter(ticket=ticket, author__isnull=True).get()
    assert reply.body == f"Hello Cora, we got request #{ticket.number}."
    assert not reply.internal
    assert ticket.first_response_at is None  # an acknowledgement is not an answer
    assert ticket.status == Status.NEW
    sent = [m for m in mail.outbox if m.to == [customer.email]]
    assert len(sent) == 1 and sent[0].body == reply.body
    assert sent[0].extra_headers["Auto-Submitted"] == "auto-replied"


def test_reply_picks_the_variant_in_the_tickets_language(make_rule, open_ticket):
    make_rule(
        "ack",
        actions=[
            {
                "type": "reply",
                "body": "We got it.",
                "variants": {"fa": "درخواست شما رسید.", "ar": "وصلنا طلبك."},
            }
        ],
    )

    ticket = open_ticket(subject="مشکل چاپگر", body="سلام، چاپگر من کار نمی‌کند و کاغذ گیر کرده است.")

    assert ticket.language == "fa"
    assert Message.objects.get(ticket=ticket, author__isnull=True).body == "درخواست شما رسید."


def test_reply_from_a_shared_saved_reply(make_rule, open_ticket, rules_admin):
    from awn.automation.services import save_saved_reply

    saved = save_saved_reply(by=rules_admin, title="Ack", body="Thanks {{ requester.name }}!", shared=True)
    make_rule("ack", actions=[{"type": "reply", "saved_reply": saved.pk}])

    ticket = open_ticket()

    assert Message.objects.get(ticket=ticket, author__isnull=True).body == "Thanks Cora Customer!"


def test_add_note_writes_an_internal_note_without_author(make_rule, open_ticket):
    make_rule("note", actions=[{"type": "add_note", "body": "Check the {{ ticket.subject }} runbook"}])

    ticket = open_ticket()

    note = Message.objects.get(ticket=ticket, internal=True)
    assert (note.author_id, note.body) == (None, "Check the Printer on fire runbook")
    assert not [m for m in mail.outbox if "runbook" in m.body]


def test_notify_writes_in_app_notifications_and_emails_them(make_rule, open_ticket, team, agent):
    manager = ManagerFactory(name="Mo Manager")
    team.members.add(manager)
    make_rule(
        "tell",
        actions=[
            {
                "type": "notify",
                "to": ["team", "managers"],
                "email": True,
                "text": "New ticket #{{ ticket.number }}",
            }
        ],
    )

    ticket = open_ticket(team=team)

    notes = Notification.objects.filter(ticket=ticket)
    assert {n.recipient_id for n in notes} == {agent.pk, manager.pk}
    assert {n.text for n in notes} == {f"New ticket #{ticket.number}"}
    assert sorted(m.to[0] for m in mail.outbox if m.subject.startswith("New ticket")) == sorted(
        [agent.email, manager.email]
    )
    assert all(n.emailed_at for n in Notification.objects.filter(ticket=ticket))


def test_notify_the_assignee_only(make_rule, open_ticket, agent, run_events):
    other = AgentFactory()
    make_rule(
        "tell",
        event="updated",
        actions=[{"type": "notify", "to": ["assignee"], "text": "Yours"}],
        conditions={"all": [{"field": "changed", "op": "includes_any", "value": ["assignee"]}]},
    )
    ticket = open_ticket()

    with run_events():
        assign_ticket(ticket=ticket, assignee=other, by=Actor.of(agent))

    assert list(Notification.objects.values_list("recipient_id", flat=True)) == [other.pk]
    assert not mail.outbox or all(m.subject != "Yours" for m in mail.outbox)


def test_auto_assign_uses_the_teams_strategy(make_rule, open_ticket, team, agent, rules_admin):
    from awn.routing.services import set_availability, update_team_routing

    update_team_routing(by=rules_admin, team=team, assignment="round_robin", queue_order="oldest")
    set_availability(user=agent, availability="online", by=agent)
    make_rule("assign", actions=[{"type": "set_team", "team": team.pk}, {"type": "auto_assign"}])

    ticket = open_ticket()

    assert ticket.assignee_id == agent.pk


@pytest.fixture
def tiers(db, team):
    team.tier = 1
    team.save()
    return {1: team, 2: TeamFactory(name="Experts", tier=2), 3: TeamFactory(name="Developers", tier=3)}


def test_escalate_moves_the_ticket_a_tier_up_with_its_reason(make_rule, open_ticket, tiers):
    make_rule(
        "hard",
        conditions={"all": [{"field": "subject", "op": "contains", "value": "kernel"}]},
        actions=[{"type": "escalate", "reason": "Kernel issues go to experts"}],
    )

    ticket = open_ticket(subject="Kernel panic", team=tiers[1])

    tier_event = ticket.events.get(kind=TicketEvent.Kind.TIER)
    assert ticket.team_id == tiers[2].pk
    assert (tier_event.old, tier_event.new) == (1, 2)
    assert "Kernel issues go to experts" in tier_event.message.body and tier_event.message.internal


def test_deescalate_and_set_tier(make_rule, open_ticket, tiers):
    make_rule("to devs", actions=[{"type": "set_tier", "tier": 3, "reason": "bug"}])
    make_rule(
        "back",
        event="updated",
        conditions={"all": [{"field": "tier", "op": "is", "value": 3}]},
        actions=[{"type": "deescalate", "reason": "Needs a workaround first"}],
    )

    ticket = open_ticket(team=tiers[1])

    assert ticket.team_id == tiers[2].pk
    assert list(ticket.events.filter(kind=TicketEvent.Kind.TIER).values_list("old", "new")) == [
        (1, 3),
        (3, 2),
    ]


class Receiver(BaseHTTPRequestHandler):
    received: list = []
    answer = 200

    def do_POST(self):  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append((dict(self.headers), body))
        self.send_response(type(self).answer)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    Receiver.received, Receiver.answer = [], 200
    server = HTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hook", Receiver
    server.shutdown()


def test_webhook_posts_a_signed_payload(make_rule, open_ticket, rules_admin, receiver):
    url, handler = receiver
    secret = "s3cret-s3cret-s3cret"
    hook = save_webhook(by=rules_admin, name="Tracker", url=url, secret=secret)
    make_rule("l3", actions=[{"type": "webhook", "webhook": hook.pk, "event": "escalated"}])

    ticket = open_ticket()

    [(headers, body)] = handler.received
    expected = hmac.new(
        secret.encode(), headers["X-Awn-Timestamp"].encode() + b"." + body, hashlib.sha256
    ).hexdigest()
    assert headers["X-Awn-Signature"] == f"sha256={expected}"
    payload = json.loads(body)
    assert payload["event"] == "escalated" and payload["data"]["ticket"]["number"] == ticket.number
    assert OutboxItem.objects.get(kind="automation.webhook").status == "sent"


def test_a_failing_webhook_stays_queued_for_a_retry(make_rule, open_ticket, rules_admin, receiver):
    url, handler = receiver
    handler.answer = 503
    hook = save_webhook(by=rules_admin, name="Tracker", url=url, secret="s3cret-s3cret-s3cret")
    make_rule("l3", actions=[{"type": "webhook", "webhook": hook.pk}])

    open_ticket()

    item = OutboxItem.objects.get(kind="automation.webhook")
    assert (item.status, item.attempts) == ("queued", 1)
    assert "503" in item.last_error


def test_a_webhook_refused_for_good_is_not_retried(make_rule, open_ticket, rules_admin, receiver):
    url, handler = receiver
    handler.answer = 410
    hook = save_webhook(by=rules_admin, name="Tracker", url=url, secret="s3cret-s3cret-s3cret")
    make_rule("l3", actions=[{"type": "webhook", "webhook": hook.pk}])

    open_ticket()

    assert OutboxItem.objects.get(kind="automation.webhook").status == "failed"


def test_the_rule_log_lists_each_action_result(make_rule, open_ticket):
    make_rule(
        "two things",
        actions=[{"type": "set_priority", "priority": "high"}, {"type": "add_tags", "tags": ["x"]}],
    )

    ticket = open_ticket()

    assert [r["type"] for r in RuleRun.objects.get(ticket=ticket).results] == ["set_priority", "add_tags"]
