"""The ticket history's sentences for the events of automation, tiers, language detection and SLAs."""

from datetime import UTC, datetime

import pytest
from django.utils import timezone, translation

from awn.desk.history import describe_events
from awn.tickets.models import TicketEvent
from awn.tickets.services import Actor
from awn.tickets.services.recording import record_event

pytestmark = pytest.mark.django_db


def sentence(ticket, by=None, **event):
    recorded = record_event(ticket=ticket, by=by or Actor.system("automation: Triage"), **event)
    with translation.override("en"), timezone.override("Europe/Berlin"):
        return describe_events([recorded])[0].text


def test_an_escalation_says_from_which_tier_to_which(ticket, agent):
    text = sentence(ticket, by=Actor.of(agent), kind=TicketEvent.Kind.TIER, old=1, new=2)

    assert text == "Ada Agent escalated the ticket from L1 to L2"


def test_a_de_escalation_says_so(ticket, agent):
    text = sentence(ticket, by=Actor.of(agent), kind=TicketEvent.Kind.TIER, old=3, new=2)

    assert text == "Ada Agent de-escalated the ticket from L3 to L2"


def test_a_detected_language_is_named(ticket):
    by = Actor.system("language detection")

    first = sentence(ticket, by=by, kind=TicketEvent.Kind.LANGUAGE, old=None, new="fa")
    switched = sentence(ticket, by=by, kind=TicketEvent.Kind.LANGUAGE, old="fa", new="ar")

    assert first == "language detection set the language to Persian"
    assert switched == "language detection changed the language from Persian to Arabic"


def test_a_rule_run_lists_what_each_action_did_and_what_failed(ticket):
    new = {
        "rule": 7,
        "name": "Refunds to billing",
        "trigger": "created",
        "results": [
            {"type": "set_team", "result": "team → Billing"},
            {"type": "set_assignee", "error": "That agent is not active."},
        ],
    }

    text = sentence(ticket, kind=TicketEvent.Kind.RULE, new=new)

    assert text == "Rule “Refunds to billing” fired: team → Billing; failed: That agent is not active."


def test_an_sla_policy_warning_and_breach_read_as_sentences(ticket):
    due = datetime(2024, 6, 12, 12, 0, tzinfo=UTC).isoformat()
    by = Actor.system("SLA")

    policy = sentence(
        ticket, by=by, kind=TicketEvent.Kind.SLA, new={"what": "policy", "policy": 1, "name": "Urgent"}
    )
    warning = sentence(
        ticket,
        by=by,
        kind=TicketEvent.Kind.SLA,
        new={"what": "warning", "target": "first_response", "due_at": due},
    )
    breach = sentence(
        ticket,
        by=by,
        kind=TicketEvent.Kind.SLA,
        new={"what": "breach", "target": "resolution", "due_at": due},
    )
    late = sentence(
        ticket,
        by=by,
        kind=TicketEvent.Kind.SLA,
        new={"what": "breach", "target": "next_response", "due_at": due, "late": True},
    )

    assert policy == "SLA policy “Urgent” applies"
    assert warning == "SLA warning: First response is due at 06/12/2024 2 p.m."
    assert breach == "SLA breached: Resolution was due at 06/12/2024 2 p.m."
    assert late == "SLA breached: Next response came after its due time, 06/12/2024 2 p.m."


def test_an_event_with_unexpected_data_still_gets_a_sentence(ticket):
    text = sentence(ticket, kind=TicketEvent.Kind.SLA, new={"what": "something new"})

    assert text == "automation: Triage changed SLA"


@pytest.mark.parametrize(
    ("label", "arabic"),
    [
        ("SLA", "اتفاقية مستوى الخدمة"),
        ("routing", "التوجيه"),
        ("email", "البريد الإلكتروني"),
        ("language detection", "اكتشاف اللغة"),
        ("automation: Triage", "الأتمتة: Triage"),
    ],
)
def test_system_actors_are_named_in_the_readers_language(ticket, label, arabic):
    recorded = record_event(
        ticket=ticket, by=Actor.system(label), kind=TicketEvent.Kind.PRIORITY, old=2, new=3
    )

    with translation.override("ar"):
        text = describe_events([recorded])[0].text

    assert arabic in text


def test_a_label_awn_does_not_know_is_shown_as_written(ticket):
    recorded = record_event(
        ticket=ticket, by=Actor.system("shop integration"), kind=TicketEvent.Kind.PRIORITY, old=2, new=3
    )

    with translation.override("ar"):
        text = describe_events([recorded])[0].text

    assert "shop integration" in text


def test_what_a_rule_did_is_said_in_the_readers_language(ticket):
    new = {
        "rule": 7,
        "name": "Urgent",
        "trigger": "created",
        "results": [
            {
                "type": "set_priority",
                "result": "priority → High",
                "words": {
                    "msgid": "priority → %(name)s",
                    "params": {"name": {"msgid": "High", "params": {}}},
                },
            },
            {"type": "add_tags", "result": "tags added: vip"},  # stored before the words were kept
        ],
    }
    recorded = record_event(
        ticket=ticket, by=Actor.system("automation: Urgent"), kind=TicketEvent.Kind.RULE, new=new
    )

    with translation.override("fa"):
        text = describe_events([recorded])[0].text

    assert "اولویت ← بالا" in text
    assert "tags added: vip" in text
