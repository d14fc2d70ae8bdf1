"""Rules filed by the value they require: testing only the candidates gives what testing every rule gives."""

from hypothesis import given, settings
from hypothesis import strategies as st

from awn.accounts.models import Team, User
from awn.automation.conditions import Facts, parse_conditions
from awn.automation.engine import CompiledRule, EventRules
from awn.tickets.models import Channel, Status, Ticket

VALUES = {
    "channel": st.sampled_from(Channel.values),
    "status": st.sampled_from(Status.values),
    "plan": st.sampled_from(["free", "pro", "Enterprise", "enterprise"]),
    "language": st.sampled_from(["en", "ar", "fa", "EN"]),
    "requester_domain": st.sampled_from(["acme.example", "ACME.example", "other.example"]),
    "team": st.sampled_from([1, 2, 3]),
    "organization": st.sampled_from([1, 2]),
    "assignee": st.sampled_from([7, 8]),
    "priority": st.sampled_from([1, 2, 3, 4, "high", "low"]),
    "subject": st.sampled_from(["refund", "printer"]),
}
TAGS = st.lists(st.sampled_from(["vip", "billing", "spam"]), min_size=1, max_size=3)


@st.composite
def conditions(draw):
    field = draw(st.sampled_from([*VALUES, "tags"]))
    if field == "tags":
        return {
            "field": "tags",
            "op": draw(st.sampled_from(["includes_any", "includes_all", "includes_none"])),
            "value": draw(TAGS),
        }
    if field == "subject":
        return {"field": "subject", "op": "contains", "value": draw(VALUES["subject"])}
    op = draw(st.sampled_from(["is", "is_not", "in", "not_in", "is_set"]))
    if op == "is_set":
        if field in ("channel", "status", "requester_domain", "priority"):
            op = "is"
        else:
            return {"field": field, "op": op}
    if op in ("in", "not_in"):
        return {"field": field, "op": op, "value": draw(st.lists(VALUES[field], min_size=1, max_size=3))}
    return {"field": field, "op": op, "value": draw(VALUES[field])}


rules = st.lists(
    st.fixed_dictionaries(
        {"all": st.lists(conditions(), max_size=3), "any": st.lists(conditions(), max_size=2)}
    ),
    min_size=1,
    max_size=25,
)


@st.composite
def facts(draw):
    requester = User(
        pk=5,
        email=f"someone@{draw(st.sampled_from(['acme.example', 'Acme.Example', 'other.example']))}",
        plan=draw(st.sampled_from(["", "free", "Pro", "enterprise"])),
    )
    team_id = draw(st.sampled_from([None, 1, 2]))
    ticket = Ticket(
        pk=1,
        subject=draw(st.sampled_from(["Refund please", "Printer on fire", ""])),
        channel=draw(st.sampled_from(Channel.values)),
        status=draw(st.sampled_from(Status.values)),
        priority=draw(st.sampled_from([1, 2, 3, 4])),
        language=draw(st.sampled_from(["", "en", "ar", "fa"])),
        organization_id=draw(st.sampled_from([None, 1, 2])),
        assignee_id=draw(st.sampled_from([None, 7, 8])),
        requester=requester,
        team=Team(pk=team_id, tier=1) if team_id else None,
    )
    return Facts(ticket, tags=draw(st.lists(st.sampled_from(["vip", "billing", "spam"]))), body="")


@settings(max_examples=300, deadline=None)
@given(rules, facts())
def test_only_rules_that_cannot_match_are_left_untested(raw_rules, ticket_facts):
    compiled = [
        CompiledRule(
            id=n,
            name=f"rule {n}",
            set_id=1,
            first_match=False,
            event="created",
            conditions=parse_conditions(raw),
            actions=[],
        )
        for n, raw in enumerate(raw_rules)
    ]
    filed = EventRules.of(compiled)

    every = [n for n, rule in enumerate(compiled) if rule.conditions.test(ticket_facts)]
    candidates = filed.candidates(ticket_facts)

    assert [n for n in candidates if compiled[n].conditions.test(ticket_facts)] == every
    assert candidates == sorted(candidates)
