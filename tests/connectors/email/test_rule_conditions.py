"""Automation rules can test the mailbox a ticket's mail arrived at."""

import pytest

from awn.automation import services as automation
from awn.automation.models import RuleSet
from awn.connectors.email.ingest import receive_raw_email
from awn.connectors.email.models import Mailbox, RawEmail
from tests.connectors.email.mails import make_mail
from tests.factories import AdminFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sales_mailbox(team):
    return Mailbox.objects.create(
        name="Acme Sales", address="sales@acme.example", team=team, inbound=Mailbox.Inbound.HTTP
    )


@pytest.fixture
def tag_sales_mail(sales_mailbox):
    RuleSet.objects.filter(name="Auto-replies").delete()  # the shipped rules answer mail; not this test's
    admin = AdminFactory()
    rules = automation.save_rule_set(by=admin, name="Mail", mode=RuleSet.Mode.ALL_MATCHING)
    return automation.save_rule(
        by=admin,
        rule_set=rules,
        name="Sales mail",
        event="created",
        conditions={"all": [{"field": "mailbox", "op": "is", "value": sales_mailbox.pk}]},
        actions=[{"type": "add_tags", "tags": ["sales"]}],
    )


def ingest(after_commit, mailbox, **mail):
    with after_commit():
        row = receive_raw_email(raw=make_mail(**mail), source=RawEmail.Source.HTTP, mailbox=mailbox)
    ticket = row.message.ticket
    ticket.refresh_from_db()
    return ticket


def test_a_rule_on_the_mailbox_fires_for_mail_that_arrived_there(after_commit, sales_mailbox, tag_sales_mail):
    ticket = ingest(after_commit, sales_mailbox, message_id="<a@mail.example.com>")

    assert list(ticket.tags.values_list("name", flat=True)) == ["sales"]


def test_a_rule_on_the_mailbox_ignores_mail_from_another_mailbox(after_commit, mailbox, tag_sales_mail):
    ticket = ingest(after_commit, mailbox, message_id="<b@mail.example.com>")

    assert not ticket.tags.exists()
