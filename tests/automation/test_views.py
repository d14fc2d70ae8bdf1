"""The automation screens in the desk: who may open them, forms that validate, the dry run, the rule log."""

import json

import pytest
from django.urls import reverse

from awn.automation.models import Notification, Rule, RuleSet
from awn.tickets.services import Actor
from tests.factories import AgentFactory, CustomerFactory, TeamFactory

ADMIN_PAGES = [
    "automation:rules",
    "automation:rule_new",
    "automation:rule_set_new",
    "automation:dry_run",
    "automation:webhooks",
    "automation:webhook_new",
    "calendars:list",
    "calendars:new",
]


@pytest.mark.parametrize("name", ADMIN_PAGES)
def test_admin_screens_open_for_admins(client, rules_admin, rule_set, name):
    client.force_login(rules_admin)

    assert client.get(reverse(name)).status_code == 200


@pytest.mark.parametrize("name", ADMIN_PAGES)
@pytest.mark.parametrize("who", ["agent", "customer"])
def test_admin_screens_are_refused_to_agents_and_customers(client, name, who, agent, customer):
    client.force_login(agent if who == "agent" else customer)

    assert client.get(reverse(name)).status_code == 403


@pytest.mark.parametrize("name", ADMIN_PAGES + ["automation:saved_replies", "automation:notifications"])
def test_anonymous_visitors_are_sent_to_sign_in(client, db, name):
    response = client.get(reverse(name))

    assert response.status_code == 302 and "/accounts/login" in response["Location"]


def test_a_rule_is_created_from_the_form(client, rules_admin, rule_set):
    client.force_login(rules_admin)

    response = client.post(
        reverse("automation:rule_new"),
        {
            "name": "VIP",
            "rule_set": rule_set.pk,
            "event": "created",
            "is_active": "on",
            "conditions": json.dumps({"all": [{"field": "plan", "op": "is", "value": "enterprise"}]}),
            "actions": json.dumps([{"type": "set_priority", "priority": "high"}]),
        },
    )

    assert response.status_code == 302
    rule = Rule.objects.get()
    assert (rule.name, rule.actions) == ("VIP", [{"type": "set_priority", "priority": "high"}])


@pytest.mark.parametrize(
    ("conditions", "actions", "message"),
    [
        ("{not json", "[]", "not valid JSON"),
        ("{}", '[{"type": "nope"}]', "unknown type"),
        (
            '{"all": [{"field": "x", "op": "is", "value": 1}]}',
            '[{"type": "add_tags", "tags": ["a"]}]',
            "unknown field",
        ),
    ],
)
def test_bad_rule_json_is_refused_with_the_reason_and_nothing_saved(
    client, rules_admin, rule_set, conditions, actions, message
):
    client.force_login(rules_admin)

    response = client.post(
        reverse("automation:rule_new"),
        {
            "name": "Bad",
            "rule_set": rule_set.pk,
            "event": "created",
            "conditions": conditions,
            "actions": actions,
        },
    )

    assert response.status_code == 422
    assert message in response.content.decode()
    assert not Rule.objects.exists()


def test_hostile_rule_names_are_escaped_in_the_list(client, rules_admin, make_rule):
    make_rule('<script>alert("x")</script>', actions=[{"type": "add_tags", "tags": ["a"]}])
    client.force_login(rules_admin)

    page = client.get(reverse("automation:rules")).content.decode()

    assert "<script>alert" not in page and "&lt;script&gt;" in page


def test_rules_can_be_reordered_switched_off_and_deleted(client, rules_admin, make_rule):
    first = make_rule("first", actions=[{"type": "add_tags", "tags": ["a"]}])
    second = make_rule("second", actions=[{"type": "add_tags", "tags": ["b"]}])
    client.force_login(rules_admin)

    client.post(reverse("automation:rule_move", args=[second.pk]), {"direction": "up"})
    client.post(reverse("automation:rule_toggle", args=[first.pk]))
    client.post(reverse("automation:rule_delete", args=[second.pk]))

    first.refresh_from_db()
    assert list(Rule.objects.values_list("name", flat=True)) == ["first"]
    assert not first.is_active


def test_a_rule_set_is_created_from_the_form(client, rules_admin):
    client.force_login(rules_admin)

    client.post(
        reverse("automation:rule_set_new"), {"name": "Escalations", "mode": "first_match", "is_active": "on"}
    )

    assert RuleSet.objects.get().mode == "first_match"


def test_the_dry_run_shows_what_rules_would_do_to_a_ticket_and_writes_nothing(
    client, rules_admin, make_rule, ticket
):
    make_rule(
        "printer",
        conditions={"all": [{"field": "subject", "op": "contains", "value": "printer"}]},
        actions=[{"type": "set_priority", "priority": "urgent"}],
    )
    make_rule(
        "refund",
        conditions={"all": [{"field": "subject", "op": "contains", "value": "refund"}]},
        actions=[{"type": "add_tags", "tags": ["billing"]}],
    )
    client.force_login(rules_admin)

    page = client.get(
        reverse("automation:dry_run"),
        {"number": ticket.pk, "event": "created", "channel": "web", "priority": 2, "status": "new"},
    )

    text = page.content.decode()
    assert page.status_code == 200
    assert "Would fire" in text and "priority → Urgent" in text and "Does not match" in text
    ticket.refresh_from_db()
    assert ticket.priority == 2 and not ticket.tags.exists()


def test_the_dry_run_tries_a_pasted_sample(client, rules_admin, make_rule):
    make_rule(
        "refund",
        conditions={"all": [{"field": "text", "op": "contains", "value": "refund"}]},
        actions=[{"type": "add_tags", "tags": ["billing"]}],
    )
    client.force_login(rules_admin)

    page = client.get(
        reverse("automation:dry_run"),
        {
            "subject": "Hi",
            "body": "I want a refund",
            "event": "created",
            "channel": "email",
            "priority": 2,
            "status": "new",
            "requester": "new@person.example",
        },
    )

    assert "Would fire" in page.content.decode()
    from awn.accounts.models import User

    assert not User.objects.filter(email="new@person.example").exists()


def test_the_dry_run_of_a_missing_ticket_says_so(client, rules_admin):
    client.force_login(rules_admin)

    page = client.get(
        reverse("automation:dry_run"),
        {"number": 999, "event": "created", "channel": "web", "priority": 2, "status": "new"},
    )

    assert page.status_code == 404


def test_the_ticket_panel_lists_the_rules_that_fired(client, agent, make_rule, open_ticket, team):
    make_rule("tagger", actions=[{"type": "add_tags", "tags": ["seen"]}])
    ticket = open_ticket(team=team)
    client.force_login(agent)

    panel = client.get(reverse("automation:ticket_panel", args=[ticket.pk])).content.decode()

    assert "tagger" in panel and "tags added: seen" in panel
    assert "Escalate to L2" in panel


def test_the_ticket_panel_says_what_rules_did_in_the_agents_language(
    client, agent, make_rule, open_ticket, team
):
    make_rule(
        "tagger", actions=[{"type": "add_tags", "tags": ["seen"]}, {"type": "set_priority", "priority": 3}]
    )
    ticket = open_ticket(team=team)  # the rule ran in English
    agent.language = "ar"
    agent.save()
    client.force_login(agent)

    panel = client.get(reverse("automation:ticket_panel", args=[ticket.pk])).content.decode()

    assert "وسوم مُضافة: seen" in panel and "الأولوية ← عالية" in panel
    assert "(إنشاء تذكرة)" in panel  # the trigger, named
    assert "tags added" not in panel and "priority →" not in panel


def test_the_ticket_panel_is_refused_outside_ones_view(client, ticket):
    outsider = AgentFactory()
    TeamFactory(members=[outsider])
    client.force_login(outsider)

    assert client.get(reverse("automation:ticket_panel", args=[ticket.pk])).status_code == 404


def test_the_ticket_page_carries_the_picker_and_the_panel_slot(client, agent, ticket):
    client.force_login(agent)

    page = client.get(reverse("desk:ticket", args=[ticket.pk])).content.decode()

    assert "data-saved-replies" in page
    assert reverse("automation:ticket_panel", args=[ticket.pk]) in page


def test_notifications_are_listed_for_their_recipient_only_and_marked_read(client, agent, ticket):
    Notification.objects.create(recipient=agent, ticket=ticket, text="Yours now")
    Notification.objects.create(recipient=AgentFactory(), ticket=ticket, text="Someone else's")
    client.force_login(agent)

    page = client.get(reverse("automation:notifications")).content.decode()
    client.post(reverse("automation:notifications_read"))

    assert "Yours now" in page and "Someone else" not in page
    assert not Notification.objects.filter(recipient=agent, read_at__isnull=True).exists()


def test_marking_notifications_read_ignores_ids_that_are_not_ids(client, agent):
    mine = Notification.objects.create(recipient=agent, text="Mine")
    client.force_login(agent)

    response = client.post(
        reverse("automation:notifications_read"), {"id": [str(mine.pk), "9" * 30, "٣", "-1", "x"]}
    )

    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.read_at is not None


def test_the_desk_status_shows_unread_count_and_availability(client, agent):
    Notification.objects.create(recipient=agent, text="One")
    client.force_login(agent)

    part = client.get(reverse("automation:desk_status")).content.decode()

    assert ">1<" in part.replace(" ", "") and 'value="offline" selected' in part


def test_customers_cannot_read_notifications(client, db):
    client.force_login(CustomerFactory())

    assert client.get(reverse("automation:notifications")).status_code == 403


def test_a_webhook_is_created_and_its_secret_never_shown_again(client, rules_admin):
    client.force_login(rules_admin)

    client.post(
        reverse("automation:webhook_new"),
        {
            "name": "Jira",
            "url": "https://jira.example/hook",
            "secret": "0123456789abcdef!",
            "is_active": "on",
        },
    )
    from awn.automation.models import Webhook

    hook = Webhook.objects.get()
    page = client.get(reverse("automation:webhook", args=[hook.pk])).content.decode()
    assert "0123456789abcdef!" not in page


def test_a_short_webhook_secret_is_refused(client, rules_admin):
    client.force_login(rules_admin)

    response = client.post(
        reverse("automation:webhook_new"),
        {"name": "Jira", "url": "https://jira.example/h", "secret": "short"},
    )

    assert response.status_code == 422


def test_an_action_needing_a_person_runs_as_the_system(make_rule, open_ticket):
    make_rule("note", actions=[{"type": "add_note", "body": "Automated"}])

    ticket = open_ticket()

    assert ticket.messages.get(internal=True).author_id is None
    assert Actor.system("x").user is None
