"""Conditions and actions are JSON checked by a schema: bad input is refused with a reason, nothing saved."""

import pytest

from awn.automation import services
from awn.automation.actions import ActionError, parse_actions
from awn.automation.conditions import ConditionError, parse_conditions
from awn.automation.models import Rule
from awn.core.errors import NotPermitted, ValidationFailed


@pytest.mark.parametrize(
    "raw",
    [
        {"all": [{"field": "nope", "op": "is", "value": 1}]},
        {"all": [{"field": "channel", "op": "contains", "value": "e"}]},
        {"all": [{"field": "channel", "op": "is", "value": "pigeon"}]},
        {"all": [{"field": "channel", "op": "in", "value": "email"}]},
        {"all": [{"field": "priority", "op": "gte", "value": "lots"}]},
        {"all": [{"field": "subject", "op": "matches", "value": "(unclosed"}]},
        {"all": [{"field": "attribute", "op": "is", "value": "x"}]},
        {"all": [{"field": "hours_since_created", "op": "gte", "value": -1}]},
        {"all": [{"field": "tags", "op": "includes_any", "value": []}]},
        {"all": [{"field": "subject", "op": "contains", "value": "x" * 501}]},
        {"all": [{"field": "subject", "op": "contains", "value": "x", "extra": 1}]},
        {"every": []},
        ["not", "an", "object"],
    ],
)
def test_invalid_conditions_are_refused(raw):
    with pytest.raises(ConditionError):
        parse_conditions(raw)


@pytest.mark.parametrize(
    "raw",
    [
        [{"type": "launch_rockets"}],
        [{"priority": 3}],
        [{"type": "set_priority", "priority": 9}],
        [{"type": "set_status", "status": "exploded"}],
        [{"type": "add_tags", "tags": []}],
        [{"type": "add_tags", "tags": ["has space!"]}],
        [{"type": "reply"}],
        [{"type": "reply", "body": "Hi {{ requester.password }}"}],
        [{"type": "notify", "text": "hi"}],
        [{"type": "notify", "to": ["everyone"], "text": "hi"}],
        [{"type": "escalate", "reason": ""}],
        [{"type": "set_tier", "tier": 4, "reason": "x"}],
        [{"type": "set_team", "team": 1, "color": "red"}],
        {"type": "set_team"},
    ],
)
def test_invalid_actions_are_refused(raw):
    with pytest.raises(ActionError):
        parse_actions(raw)


def test_actions_naming_missing_rows_are_refused_on_save(rules_admin, rule_set):
    with pytest.raises(ValidationFailed) as refused:
        services.save_rule(
            by=rules_admin,
            rule_set=rule_set,
            name="ghost team",
            event="created",
            conditions={},
            actions=[{"type": "set_team", "team": 999}],
        )

    assert refused.value.field == "actions"
    assert not Rule.objects.exists()


def test_a_time_rule_needs_an_hours_since_condition(rules_admin, rule_set):
    with pytest.raises(ValidationFailed) as refused:
        services.save_rule(
            by=rules_admin,
            rule_set=rule_set,
            name="when?",
            event="time",
            conditions={"all": [{"field": "status", "op": "is", "value": "pending"}]},
            actions=[{"type": "set_status", "status": "solved"}],
        )

    assert refused.value.field == "conditions"
    assert not Rule.objects.exists()


def test_a_rule_needs_an_action(rules_admin, rule_set):
    with pytest.raises(ValidationFailed):
        services.save_rule(
            by=rules_admin, rule_set=rule_set, name="idle", event="created", conditions={}, actions=[]
        )


def test_only_admins_change_rules(agent, rule_set):
    with pytest.raises(NotPermitted):
        services.save_rule(
            by=agent,
            rule_set=rule_set,
            name="sneaky",
            event="created",
            conditions={},
            actions=[{"type": "add_tags", "tags": ["x"]}],
        )

    assert not Rule.objects.exists()


def test_every_problem_is_reported_at_once(rules_admin, rule_set):
    with pytest.raises(ValidationFailed) as refused:
        services.save_rule(
            by=rules_admin,
            rule_set=rule_set,
            name="bad",
            event="created",
            conditions={},
            actions=[{"type": "nope"}, {"type": "set_priority", "priority": 0}],
        )

    assert "action 1" in refused.value.message and "action 2" in refused.value.message
