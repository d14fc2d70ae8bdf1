"""Order and stopping, loop protection and the per-ticket log of rules that fired."""

import pytest

from awn.automation import services
from awn.automation.engine import rulebook, rules_changed, run_triggers
from awn.automation.models import RuleRun, RuleSet
from awn.tickets.models import Priority, TicketEvent
from awn.tickets.services import Actor, change_priority


def tag(name):
    return {"type": "add_tags", "tags": [name]}


def subject_contains(text):
    return {"all": [{"field": "subject", "op": "contains", "value": text}]}


def tags_of(ticket):
    return set(ticket.tags.values_list("name", flat=True))


def test_a_matching_created_rule_changes_the_ticket(make_rule, open_ticket):
    make_rule("refunds", conditions=subject_contains("refund"), actions=[tag("billing")])

    ticket = open_ticket(subject="Refund please")

    assert tags_of(ticket) == {"billing"}


def test_a_rule_that_does_not_match_changes_nothing(make_rule, open_ticket):
    make_rule("refunds", conditions=subject_contains("refund"), actions=[tag("billing")])

    ticket = open_ticket(subject="Printer on fire")

    assert tags_of(ticket) == set()
    assert not RuleRun.objects.filter(ticket=ticket).exists()


def test_every_matching_rule_runs_in_an_all_matching_set(make_rule, open_ticket):
    make_rule("one", conditions=subject_contains("refund"), actions=[tag("one")])
    make_rule("two", conditions=subject_contains("refund"), actions=[tag("two")])

    ticket = open_ticket(subject="Refund please")

    assert tags_of(ticket) == {"one", "two"}


def test_only_the_first_matching_rule_runs_in_a_first_match_set(make_rule, first_match_set, open_ticket):
    make_rule("skip", in_set=first_match_set, conditions=subject_contains("nothing"), actions=[tag("zero")])
    make_rule("first", in_set=first_match_set, conditions=subject_contains("refund"), actions=[tag("first")])
    make_rule(
        "second", in_set=first_match_set, conditions=subject_contains("refund"), actions=[tag("second")]
    )

    ticket = open_ticket(subject="Refund please")

    assert tags_of(ticket) == {"first"}


def test_sets_run_in_their_order_and_each_sees_the_changes_before_it(
    make_rule, rule_set, first_match_set, open_ticket
):
    make_rule(
        "urgent when vip",
        in_set=first_match_set,
        conditions={"all": [{"field": "tags", "op": "includes_any", "value": ["vip"]}]},
        actions=[{"type": "set_priority", "priority": "urgent"}],
    )
    make_rule("vip", in_set=rule_set, conditions=subject_contains("ceo"), actions=[tag("vip")])

    ticket = open_ticket(subject="The CEO cannot log in")

    assert ticket.priority == Priority.URGENT


def test_rules_within_a_set_run_in_the_admins_order(make_rule, rules_admin, open_ticket):
    from awn.automation.services import move_rule

    make_rule(
        "to pending",
        conditions=subject_contains("refund"),
        actions=[{"type": "set_status", "status": "pending"}],
    )
    second = make_rule(
        "note",
        conditions={"all": [{"field": "status", "op": "is", "value": "new"}]},
        actions=[tag("was_new")],
    )
    move_rule(by=rules_admin, rule=second, step=-1)

    ticket = open_ticket(subject="Refund please")

    assert tags_of(ticket) == {"was_new"}


def test_two_rules_feeding_each_other_each_fire_once_per_event(make_rule, open_ticket, run_events, agent):
    make_rule(
        "flip",
        event="updated",
        conditions={"all": [{"field": "priority", "op": "is", "value": 4}]},
        actions=[{"type": "set_priority", "priority": "low"}],
    )
    make_rule(
        "flop",
        event="updated",
        conditions={"all": [{"field": "priority", "op": "is", "value": 1}]},
        actions=[{"type": "set_priority", "priority": "urgent"}],
    )
    ticket = open_ticket()

    with run_events():
        change_priority(ticket=ticket, priority=Priority.URGENT, by=Actor.of(agent))

    ticket.refresh_from_db()
    assert sorted(RuleRun.objects.filter(ticket=ticket).values_list("rule_name", flat=True)) == [
        "flip",
        "flop",
    ]
    assert ticket.priority == Priority.URGENT
    assert len(set(RuleRun.objects.filter(ticket=ticket).values_list("chain", flat=True))) == 1


def test_a_new_event_from_a_person_may_fire_the_rule_again(make_rule, open_ticket, run_events, agent):
    make_rule(
        "urgent to high",
        event="updated",
        conditions={"all": [{"field": "priority", "op": "is", "value": 4}]},
        actions=[{"type": "set_priority", "priority": "high"}],
    )
    ticket = open_ticket()

    for _round in range(2):
        with run_events():
            change_priority(ticket=ticket, priority=Priority.URGENT, by=Actor.of(agent))
        ticket.refresh_from_db()

    assert RuleRun.objects.filter(ticket=ticket).count() == 2


def test_each_firing_is_logged_on_the_ticket_with_what_it_did(make_rule, open_ticket):
    rule = make_rule("refunds", conditions=subject_contains("refund"), actions=[tag("billing")])

    ticket = open_ticket(subject="Refund please")

    run = RuleRun.objects.get(ticket=ticket)
    event = ticket.events.get(kind=TicketEvent.Kind.RULE)
    assert (run.rule_id, run.trigger, run.results) == (
        rule.pk,
        "created",
        [
            {
                "type": "add_tags",
                "result": "tags added: billing",
                "words": {"msgid": "tags added: %(tags)s", "params": {"tags": "billing"}},
            }
        ],
    )
    assert event.new["rule"] == rule.pk
    assert event.actor_label == "automation: refunds"


def test_changes_made_by_a_rule_are_attributed_to_the_rule(make_rule, open_ticket):
    make_rule("refunds", conditions=subject_contains("refund"), actions=[tag("billing")])

    ticket = open_ticket(subject="Refund please")

    tags_event = ticket.events.get(kind=TicketEvent.Kind.TAGS)
    assert (tags_event.actor_id, tags_event.actor_label) == (None, "automation: refunds")


def test_a_rule_that_changes_nothing_leaves_no_log(make_rule, open_ticket):
    make_rule("normal", conditions={}, actions=[{"type": "set_priority", "priority": "normal"}])

    ticket = open_ticket()

    assert not RuleRun.objects.filter(ticket=ticket).exists()
    assert not ticket.events.filter(kind=TicketEvent.Kind.RULE).exists()


def test_a_failing_action_is_logged_and_the_others_still_apply(make_rule, open_ticket, agent):
    make_rule("odd", conditions={}, actions=[{"type": "set_assignee", "assignee": agent.pk}, tag("seen")])
    agent.is_active = False  # left the company after the rule was written
    agent.save()

    ticket = open_ticket()

    run = RuleRun.objects.get(ticket=ticket)
    assert tags_of(ticket) == {"seen"}
    assert run.results[0]["type"] == "set_assignee" and "error" in run.results[0]
    assert ticket.assignee_id is None


def test_inactive_rules_and_sets_do_not_run(make_rule, rules_admin, rule_set, open_ticket):
    from awn.automation.services import save_rule_set, set_rule_active

    rule = make_rule("off", conditions={}, actions=[tag("off")])
    set_rule_active(by=rules_admin, rule=rule, is_active=False)
    other = save_rule_set(by=rules_admin, name="Paused", mode="all_matching", is_active=False)
    make_rule("paused", in_set=other, conditions={}, actions=[tag("paused")])

    ticket = open_ticket()

    assert tags_of(ticket) == set()


def test_rules_reload_after_an_admin_changes_them(make_rule):
    assert rulebook().count == 0

    make_rule("new", conditions={}, actions=[tag("x")])

    assert rulebook().count == 1


def test_the_compiled_rules_are_reused_while_no_rule_changes(make_rule, django_assert_num_queries):
    make_rule("new", conditions={}, actions=[tag("x")])
    compiled = rulebook()

    with django_assert_num_queries(0):
        again = rulebook()

    assert again is compiled


@pytest.mark.parametrize(
    "change",
    [
        lambda admin, rule: services.save_rule(
            by=admin,
            rule_set=rule.rule_set,
            rule=rule,
            name="renamed",
            event="created",
            conditions={},
            actions=[tag("y")],
        ),
        lambda admin, rule: services.set_rule_active(by=admin, rule=rule, is_active=False),
        lambda admin, rule: services.move_rule(by=admin, rule=rule, step=1),
        lambda admin, rule: services.delete_rule(by=admin, rule=rule),
        lambda admin, rule: services.save_rule_set(
            by=admin, rule_set=rule.rule_set, name="Off", mode=RuleSet.Mode.FIRST_MATCH, is_active=False
        ),
        lambda admin, rule: services.move_rule_set(by=admin, rule_set=rule.rule_set, step=1),
        lambda admin, rule: services.delete_rule_set(by=admin, rule_set=rule.rule_set),
    ],
    ids=["edit", "switch off", "move", "delete", "edit set", "move set", "delete set"],
)
def test_every_change_of_a_rule_or_set_recompiles_the_rules(make_rule, rules_admin, change):
    rule = make_rule("first", conditions={}, actions=[tag("x")])
    make_rule("second", conditions={}, actions=[tag("z")])
    compiled = rulebook()

    change(rules_admin, rule)

    assert rulebook() is not compiled


def test_a_change_made_in_another_process_is_seen_through_the_shared_token(make_rule):
    make_rule("first", conditions={}, actions=[tag("x")])
    compiled = rulebook()

    rules_changed()  # what another process's save leaves in the shared cache

    assert rulebook() is not compiled


def test_evaluating_rules_reads_the_ticket_once_whatever_they_test(
    make_rule, open_ticket, django_assert_num_queries
):
    ticket = open_ticket(subject="Printer on fire", body="It smokes")
    for name, field, op, value in [
        ("body", "body", "contains", "refund"),
        ("tags", "tags", "includes_any", ["vip"]),
        ("tier", "tier", "gte", 2),
        ("plan", "plan", "is", "enterprise"),
        ("domain", "requester_domain", "is", "x.example"),
    ]:
        make_rule(name, conditions={"all": [{"field": field, "op": op, "value": value}]}, actions=[tag(name)])
    rulebook()

    with django_assert_num_queries(1):
        runs = run_triggers(ticket.pk, "created")

    assert runs == []


def test_a_ticket_without_a_customer_message_is_read_once_too(
    make_rule, open_ticket, django_assert_num_queries
):
    from awn.tickets.models import Message

    ticket = open_ticket()
    Message.objects.filter(ticket=ticket).delete()
    make_rule(
        "body", conditions={"all": [{"field": "body", "op": "contains", "value": "x"}]}, actions=[tag("b")]
    )
    rulebook()

    with django_assert_num_queries(1):
        runs = run_triggers(ticket.pk, "created")

    assert runs == []


def test_an_update_no_rule_waits_for_reads_nothing(make_rule, open_ticket, django_assert_num_queries):
    ticket = open_ticket()
    make_rule(
        "tier changes",
        event="updated",
        conditions={"all": [{"field": "changed", "op": "includes_any", "value": ["tier"]}]},
        actions=[tag("tiered")],
    )
    rulebook()

    with django_assert_num_queries(0):
        runs = run_triggers(ticket.pk, "updated", changed=["status"])

    assert runs == []
    assert len(run_triggers(ticket.pk, "updated", changed=["tier"])) == 1


def test_a_rule_filed_under_a_value_matches_it_in_any_case(make_rule, customer, open_ticket):
    customer.plan = "Enterprise"
    customer.save()
    make_rule(
        "plan",
        conditions={"all": [{"field": "plan", "op": "in", "value": ["enterprise"]}]},
        actions=[tag("p")],
    )

    ticket = open_ticket()

    assert tags_of(ticket) == {"p"}


def test_internal_notes_trigger_no_message_rules(make_rule, open_ticket, run_events, agent):
    from awn.tickets.services import add_internal_note

    make_rule("agent wrote", event="agent_message", conditions={}, actions=[tag("answered")])
    ticket = open_ticket()

    with run_events():
        add_internal_note(ticket=ticket, by=Actor.of(agent), body="thinking")

    assert tags_of(ticket) == set()


def test_agent_and_customer_messages_trigger_their_own_rules(
    make_rule, open_ticket, run_events, agent, customer
):
    from awn.tickets.services import add_customer_message, reply_to_ticket

    make_rule("agent wrote", event="agent_message", conditions={}, actions=[tag("answered")])
    make_rule("customer wrote", event="customer_message", conditions={}, actions=[tag("followed_up")])
    ticket = open_ticket()
    assert tags_of(ticket) == set()  # the first message is the creation, not a follow-up

    with run_events():
        reply_to_ticket(ticket=ticket, by=Actor.of(agent), body="On it")
    assert tags_of(ticket) == {"answered"}
    with run_events():
        add_customer_message(ticket=ticket, author=customer, body="Thanks, still broken")

    assert tags_of(ticket) == {"answered", "followed_up"}


def test_the_shipped_auto_replies_are_valid_rules_switched_off(keep_shipped_rules):
    from awn.automation.models import Rule
    from awn.automation.services import validate_rule

    shipped = list(Rule.objects.filter(rule_set__name="Auto-replies").order_by("position"))

    assert [rule.name for rule in shipped] == ["Outside business hours", "Acknowledge new requests"]
    assert not any(rule.is_active for rule in shipped)
    for rule in shipped:
        validate_rule(event=rule.event, conditions=rule.conditions, actions=rule.actions)


def test_switched_on_the_out_of_hours_reply_wins_over_the_acknowledgement(
    keep_shipped_rules, rules_admin, open_ticket
):
    from awn.automation.models import Rule
    from awn.automation.services import set_rule_active
    from awn.calendars.services import save_calendar
    from awn.tickets.models import Message

    save_calendar(
        by=rules_admin, name="Never", timezone="UTC", hours={"mon": [["00:00", "00:01"]]}, is_default=True
    )
    for rule in Rule.objects.filter(rule_set__name="Auto-replies"):
        set_rule_active(by=rules_admin, rule=rule, is_active=True)

    ticket = open_ticket()

    [reply] = Message.objects.filter(ticket=ticket, author__isnull=True)
    assert "outside our business hours" in reply.body and "{{" not in reply.body
