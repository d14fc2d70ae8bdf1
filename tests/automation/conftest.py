import pytest

from awn.automation import services
from awn.automation.models import RuleSet
from awn.tickets.services import Actor, create_ticket
from tests.factories import AdminFactory


@pytest.fixture
def run_events(django_capture_on_commit_callbacks):
    """Run what happens after commit (event handlers, outbox kicks) as production does, nested ones too."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def rules_admin(db):
    return AdminFactory(name="Rita Rules")


@pytest.fixture
def rule_set(rules_admin):
    return services.save_rule_set(by=rules_admin, name="Triage", mode=RuleSet.Mode.ALL_MATCHING)


@pytest.fixture
def first_match_set(rules_admin):
    return services.save_rule_set(by=rules_admin, name="Routing", mode=RuleSet.Mode.FIRST_MATCH)


@pytest.fixture
def make_rule(rules_admin, rule_set):
    def make(name="rule", *, event="created", conditions=None, actions=None, in_set=None, **extra):
        return services.save_rule(
            by=rules_admin,
            rule_set=in_set or rule_set,
            name=name,
            event=event,
            conditions=conditions or {},
            actions=actions or [],
            **extra,
        )

    return make


@pytest.fixture
def open_ticket(customer, run_events):
    """A ticket created the way customers create them, with its events run."""

    def create(subject="Printer on fire", body="Please help", **extra):
        with run_events():
            ticket = create_ticket(
                requester=customer, subject=subject, body=body, by=Actor.of(customer), **extra
            )
        ticket.refresh_from_db()
        return ticket

    return create


@pytest.fixture(autouse=True)
def _without_shipped_rules(request):
    """The shipped auto-reply rules (a data migration) stay out of tests that do not ask for them."""
    if "db" in request.fixturenames and "keep_shipped_rules" not in request.fixturenames:
        request.getfixturevalue("db")
        RuleSet.objects.filter(name="Auto-replies").delete()


@pytest.fixture
def keep_shipped_rules(db):
    return RuleSet.objects.get(name="Auto-replies")
