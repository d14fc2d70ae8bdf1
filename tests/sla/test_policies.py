"""Policy matching: ordered, first match wins; each condition; validation of what admins save."""

import pytest

from awn.core.errors import NotPermitted, ValidationFailed
from awn.sla import services
from awn.sla.models import SLAPolicy
from awn.tickets.models import Channel, Priority
from awn.tickets.services import Actor, change_team, set_tags
from tests.factories import CustomerFactory, OrganizationFactory, TeamFactory
from tests.sla.conftest import targets

pytestmark = pytest.mark.django_db


def test_the_first_matching_policy_in_order_applies(now, make_policy, open_ticket):
    make_policy("Urgent", conditions={"priorities": [Priority.URGENT]}, first_response=15)
    make_policy("Email", conditions={"channels": [Channel.EMAIL]}, first_response=120)
    make_policy("Everything", first_response=480)

    ticket = open_ticket(channel=Channel.EMAIL, priority=Priority.URGENT)

    assert ticket.sla_policy.name == "Urgent"


def test_moving_a_policy_up_changes_which_one_applies(now, make_policy, open_ticket, sla_admin, run_events):
    make_policy("Urgent", conditions={"priorities": [Priority.URGENT]}, first_response=15)
    email = make_policy("Email", conditions={"channels": [Channel.EMAIL]}, first_response=120)

    with run_events():
        services.move_policy(by=sla_admin, policy=email, step=-1)
    ticket = open_ticket(channel=Channel.EMAIL, priority=Priority.URGENT)

    assert ticket.sla_policy.name == "Email"


def test_moving_the_first_policy_up_changes_nothing(now, make_policy, sla_admin):
    first = make_policy("First")
    make_policy("Second")

    services.move_policy(by=sla_admin, policy=first, step=-1)

    assert list(SLAPolicy.objects.values_list("name", flat=True)) == ["First", "Second"]


def test_an_inactive_policy_is_skipped(now, make_policy, open_ticket, sla_admin, run_events):
    urgent = make_policy("Off", first_response=15)
    make_policy("On", first_response=60)
    with run_events():
        services.save_policy(
            by=sla_admin, policy=urgent, name="Off", targets=targets(first_response=15), is_active=False
        )

    assert open_ticket().sla_policy.name == "On"


def test_every_condition_of_a_policy_must_hold(now, make_policy, open_ticket):
    make_policy("Urgent email", conditions={"priorities": [Priority.URGENT], "channels": [Channel.EMAIL]})
    make_policy("Rest", first_response=480)

    assert open_ticket(priority=Priority.URGENT).sla_policy.name == "Rest"


def test_an_organization_condition_matches_its_customers(now, make_policy, run_events):
    from awn.tickets.services import create_ticket

    acme = OrganizationFactory(name="Acme")
    make_policy("Acme", conditions={"organizations": [acme.pk]})
    person = CustomerFactory(organization=acme)

    with run_events():
        ticket = create_ticket(requester=person, subject="Hi", body="Hello", by=Actor.of(person))
    ticket.refresh_from_db()

    assert ticket.sla_policy.name == "Acme"


def test_a_plan_condition_matches_the_requesters_plan_in_any_case(now, make_policy, run_events):
    from awn.tickets.services import create_ticket

    make_policy("Gold", conditions={"plans": ["Gold"]})
    person = CustomerFactory(plan="GOLD")

    with run_events():
        ticket = create_ticket(requester=person, subject="Hi", body="Hello", by=Actor.of(person))
    ticket.refresh_from_db()

    assert ticket.sla_policy.name == "Gold"


def test_a_tag_condition_matches_any_of_its_tags(now, make_policy, open_ticket, agent, run_events):
    make_policy("VIP", conditions={"tags": ["vip", "enterprise"]}, first_response=15)
    ticket = open_ticket()
    assert ticket.sla_policy is None

    with run_events():
        set_tags(ticket=ticket, tags=["enterprise"], by=Actor.of(agent))
    ticket.refresh_from_db()

    assert ticket.sla_policy.name == "VIP"


def test_team_and_tier_conditions_follow_the_ticket_between_teams(
    now, make_policy, open_ticket, agent, run_events
):
    experts = TeamFactory(name="Experts", tier=2, members=[agent])
    make_policy("L2", conditions={"tiers": [2]}, first_response=240)
    make_policy("Front line", conditions={"tiers": [1]}, first_response=60)
    ticket = open_ticket()
    assert ticket.sla_policy.name == "Front line"

    with run_events():
        change_team(ticket=ticket, team=experts, by=Actor.of(agent))
    ticket.refresh_from_db()

    assert ticket.sla_policy.name == "L2"


def test_a_team_condition_names_teams(now, make_policy, open_ticket, team):
    make_policy("Support team", conditions={"teams": [team.pk]})

    assert open_ticket().sla_policy.name == "Support team"


def test_only_admins_change_policies(agent):
    with pytest.raises(NotPermitted):
        services.save_policy(by=agent, name="Mine", targets=targets(first_response=10))

    assert not SLAPolicy.objects.exists()


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ({"targets": {}}, "targets"),
        ({"targets": {"first_response": {"minutes": 0}}}, "first_response"),
        ({"targets": {"first_response": {"minutes": "soon"}}}, "first_response"),
        ({"targets": {"lunch": {"minutes": 10}}}, "targets"),
        ({"conditions": {"priorities": [9]}}, "priorities"),
        ({"conditions": {"channels": ["pigeon"]}}, "channels"),
        ({"conditions": {"colour": ["red"]}}, "conditions"),
        ({"pause_statuses": ["solved"]}, "pause_statuses"),
        ({"notify_on_breach": ["everyone"]}, "notify_on_breach"),
        ({"warning_minutes": 100_000}, "warning_minutes"),
        ({"calendar_id": 999}, "calendar"),
        ({"name": "   "}, "name"),
    ],
)
def test_bad_policies_are_refused_and_nothing_is_saved(sla_admin, bad, field):
    values = {"name": "Broken", "targets": targets(first_response=10), **bad}

    with pytest.raises(ValidationFailed) as refused:
        services.save_policy(by=sla_admin, **values)

    assert refused.value.field == field
    assert not SLAPolicy.objects.exists()


def test_two_policies_cannot_share_a_name(sla_admin):
    services.save_policy(by=sla_admin, name="Standard", targets=targets(first_response=10))

    with pytest.raises(ValidationFailed):
        services.save_policy(by=sla_admin, name="Standard", targets=targets(first_response=20))
