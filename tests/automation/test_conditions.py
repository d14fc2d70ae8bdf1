"""Every condition field and operator, against real tickets (one behaviour per case)."""

from datetime import date, datetime, timedelta

import pytest

from awn.automation.conditions import SOURCES, Facts, parse_conditions, register_source
from awn.automation.engine import _load
from awn.calendars.services import save_calendar
from awn.tickets.models import Channel, Priority
from awn.tickets.services import Actor, assign_ticket, create_ticket
from awn.tickets.services.changes import add_tags
from tests.factories import AdminFactory, OrganizationFactory


def holds(ticket, field, op, value=None, key=None, **facts):
    condition = {"field": field, "op": op}
    if value is not None:
        condition["value"] = value
    if key is not None:
        condition["key"] = key
    return parse_conditions({"all": [condition]}).test(Facts(ticket, **facts))


@pytest.fixture
def vip(db):
    org = OrganizationFactory(name="Acme")
    from tests.factories import CustomerFactory

    return CustomerFactory(
        email="boss@acme.example",
        name="Bea Boss",
        organization=org,
        plan="enterprise",
        language="fa",
        attributes={"seats": 40, "region": "EMEA"},
    )


@pytest.fixture
def vip_ticket(vip, team):
    ticket = create_ticket(
        requester=vip,
        subject="Invoice 2024 is wrong",
        body="Please refund the VAT",
        by=Actor.of(vip),
        channel=Channel.EMAIL,
        priority=Priority.HIGH,
        team=team,
    )
    add_tags(ticket=ticket, tags=["billing", "vip"], by=Actor.system("test"))
    return ticket


CASES = [
    ("channel", "is", "email", True),
    ("channel", "is_not", "email", False),
    ("channel", "in", ["web", "chat"], False),
    ("channel", "not_in", ["web", "chat"], True),
    ("subject", "contains", "INVOICE", True),
    ("subject", "not_contains", "invoice", False),
    ("subject", "starts_with", "invoice", True),
    ("subject", "is", "invoice 2024 is wrong", True),
    ("subject", "is_not", "invoice", True),
    ("subject", "matches", r"invoice\s+\d{4}", True),
    ("subject", "matches", r"^\d+$", False),
    ("body", "contains", "refund", True),
    ("body", "contains", "printer", False),
    ("text", "contains", "vat", True),
    ("text", "contains", "2024", True),
    ("requester", "is", "BOSS@acme.example", True),
    ("requester", "contains", "@acme.", True),
    ("requester", "in", ["a@b.c", "boss@acme.example"], True),
    ("requester_domain", "is", "acme.example", True),
    ("requester_domain", "in", ["gmail.com"], False),
    ("plan", "is", "enterprise", True),
    ("plan", "in", ["free", "starter"], False),
    ("plan", "is_set", None, True),
    ("attribute", "gte", 10, True),
    ("tags", "includes_any", ["vip", "other"], True),
    ("tags", "includes_all", ["vip", "other"], False),
    ("tags", "includes_none", ["spam"], True),
    ("tags", "includes_none", ["billing"], False),
    ("priority", "is", "high", True),
    ("priority", "gte", 3, True),
    ("priority", "lt", 3, False),
    ("priority", "in", [1, 2], False),
    ("status", "is", "new", True),
    ("status", "not_in", ["new", "open"], False),
    ("assignee", "is_not_set", None, True),
    ("assignee", "is_set", None, False),
    ("tier", "is", 1, True),
    # The ticket service detects the language of the customer's first message when it opens the ticket.
    ("language", "is", "en", True),
    ("language", "is_not_set", None, False),
    ("hours_since_agent_message", "gte", 0, False),
]


@pytest.mark.parametrize(("field", "op", "value", "expected"), CASES)
def test_a_condition_on_the_ticket_and_its_requester(vip_ticket, field, op, value, expected):
    key = "seats" if field == "attribute" else None

    assert holds(vip_ticket, field, op, value, key=key) is expected


@pytest.mark.parametrize(("field", "op", "value", "expected"), CASES)
def test_a_condition_holds_alike_on_the_engines_one_query_read(vip_ticket, field, op, value, expected):
    key = "seats" if field == "attribute" else None

    loaded = _load(vip_ticket.pk, with_body=True, with_tags=True)

    assert holds(loaded, field, op, value, key=key) is expected


def test_the_engines_read_brings_the_ticket_requester_tier_text_and_tags_in_one_query(
    vip_ticket, django_assert_num_queries
):
    with django_assert_num_queries(1):
        loaded = _load(vip_ticket.pk, with_body=True, with_tags=True)
        facts = Facts(loaded)
        seen = (facts.body, facts.tags, facts.tier, facts.requester.plan, facts.requester.attributes)

    assert seen == (
        "Please refund the VAT",
        {"billing", "vip"},
        1,
        "enterprise",
        {"seats": 40, "region": "EMEA"},
    )
    assert loaded.created_at == vip_ticket.created_at and loaded.created_at.tzinfo is not None
    assert loaded.requester.email == "boss@acme.example"


def test_the_engines_read_of_a_ticket_without_team_or_tags(customer):
    ticket = create_ticket(requester=customer, subject="Hello", body="Hi", by=Actor.of(customer))

    loaded = _load(ticket.pk, with_body=True, with_tags=True)

    assert (Facts(loaded).tags, Facts(loaded).tier, loaded.team, Facts(loaded).body) == (
        frozenset(),
        None,
        None,
        "Hi",
    )
    assert _load(ticket.pk + 1000) is None


def test_an_attribute_condition_reads_the_named_profile_attribute(vip_ticket):
    assert holds(vip_ticket, "attribute", "is", "emea", key="region")
    assert not holds(vip_ticket, "attribute", "is_set", key="missing")


def test_text_conditions_fold_arabic_and_persian_letter_variants(customer):
    ticket = create_ticket(requester=customer, subject="مشكلة في الفاتورة", body="...", by=Actor.of(customer))

    assert holds(ticket, "subject", "contains", "مشکله")  # Persian kaf, heh for teh marbuta


def test_organization_conditions_compare_ids(vip_ticket, vip):
    assert holds(vip_ticket, "organization", "is", vip.organization_id)
    assert holds(vip_ticket, "organization", "is_set")
    assert not holds(vip_ticket, "organization", "in", [vip.organization_id + 1])


def test_team_and_tier_conditions(vip_ticket, team):
    team.tier = 2
    team.save()
    vip_ticket.refresh_from_db()

    assert holds(vip_ticket, "team", "is", team.pk)
    assert holds(vip_ticket, "tier", "is", 2)
    assert holds(vip_ticket, "tier", "gte", 2)
    assert not holds(vip_ticket, "tier", "is", 3)


def test_a_ticket_without_team_has_no_tier(customer):
    ticket = create_ticket(requester=customer, subject="Hello", body="Hi", by=Actor.of(customer))

    assert holds(ticket, "tier", "is_not_set")


def test_the_assignee_condition(vip_ticket, agent):
    assign_ticket(ticket=vip_ticket, assignee=agent, by=Actor.of(agent))

    assert holds(vip_ticket, "assignee", "is", agent.pk)
    assert holds(vip_ticket, "assignee", "is_set")


def test_the_language_condition(vip_ticket):
    vip_ticket.language = "fa"

    assert holds(vip_ticket, "language", "is", "fa")
    assert holds(vip_ticket, "language", "in", ["ar", "fa"])
    assert not holds(vip_ticket, "language", "is", "ar")


def test_hours_since_conditions_measure_against_the_given_clock(vip_ticket):
    later = vip_ticket.created_at + timedelta(hours=73)

    assert holds(vip_ticket, "hours_since_created", "gte", 72, now=later)
    assert not holds(vip_ticket, "hours_since_created", "gte", 74, now=later)
    assert holds(vip_ticket, "hours_since_updated", "lt", 74, now=later)
    assert holds(vip_ticket, "hours_since_customer_message", "gt", 72.5, now=later)


def test_hours_since_an_agent_message_is_false_when_no_agent_wrote(vip_ticket):
    assert not holds(vip_ticket, "hours_since_agent_message", "gte", 0)


@pytest.fixture
def office(db):
    admin = AdminFactory()
    hours = {day: [["09:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}
    return save_calendar(
        by=admin,
        name="Office",
        timezone="Europe/Berlin",
        hours=hours,
        is_default=True,
        holidays=[(date(2024, 12, 25), "Christmas")],
    )


@pytest.mark.parametrize(
    ("moment", "within"),
    [
        (datetime.fromisoformat("2024-12-23T10:00:00+01:00"), True),  # Monday morning
        (datetime.fromisoformat("2024-12-23T18:00:00+01:00"), False),  # Monday evening
        (datetime.fromisoformat("2024-12-25T10:00:00+01:00"), False),  # Christmas
        (datetime.fromisoformat("2024-12-28T10:00:00+01:00"), False),  # Saturday
    ],
)
def test_the_business_hours_condition_follows_the_calendar(vip_ticket, office, moment, within):
    assert holds(vip_ticket, "business_hours", "within", office.pk, now=moment) is within
    assert holds(vip_ticket, "business_hours", "outside", None, now=moment) is not within


def test_without_any_calendar_business_hours_conditions_do_not_hold(vip_ticket):
    assert not holds(vip_ticket, "business_hours", "within")
    assert not holds(vip_ticket, "business_hours", "outside")


def test_the_changed_condition_reads_what_an_update_changed(vip_ticket):
    assert holds(vip_ticket, "changed", "includes_any", ["team"], changed=["team", "tags"])
    assert not holds(vip_ticket, "changed", "includes_any", ["status"], changed=["team"])


def test_mailbox_and_widget_conditions_ask_the_connector_that_registered(vip_ticket):
    registered = SOURCES.get("mailbox")
    register_source("mailbox", lambda ticket: 7 if ticket.channel == "email" else None)
    try:
        assert holds(vip_ticket, "mailbox", "is", 7)
        assert holds(vip_ticket, "widget", "is_not_set")
    finally:
        if registered is None:
            SOURCES.pop("mailbox", None)
        else:
            SOURCES["mailbox"] = registered  # the email connector's own, for the tests that follow


def test_all_conditions_must_hold_and_one_of_any(vip_ticket):
    conditions = parse_conditions(
        {
            "all": [{"field": "channel", "op": "is", "value": "email"}],
            "any": [
                {"field": "plan", "op": "is", "value": "free"},
                {"field": "tags", "op": "includes_any", "value": ["vip"]},
            ],
        }
    )

    assert conditions.test(Facts(vip_ticket))


def test_no_conditions_always_hold(vip_ticket):
    assert parse_conditions({}).test(Facts(vip_ticket))


def test_one_failing_any_group_fails_the_rule(vip_ticket):
    conditions = parse_conditions({"any": [{"field": "plan", "op": "is", "value": "free"}]})

    assert not conditions.test(Facts(vip_ticket))


def test_time_conditions_become_range_queries(vip_ticket):
    from awn.tickets.models import Ticket

    conditions = parse_conditions(
        {
            "all": [
                {"field": "hours_since_created", "op": "gte", "value": 1},
                {"field": "status", "op": "in", "value": ["new", "open"]},
            ]
        }
    )
    now = vip_ticket.created_at

    assert not Ticket.objects.filter(conditions.as_q(now)).exists()
    assert Ticket.objects.filter(conditions.as_q(now + timedelta(hours=2))).exists()
