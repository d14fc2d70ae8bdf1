"""Automation rules can test the chat widget a conversation started in."""

import pytest

from awn.automation import services as automation
from awn.automation.models import RuleSet
from awn.connectors.chat.services import greet_visitor, post_visitor_message
from tests.chat.factories import ChatWidgetFactory
from tests.factories import AdminFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tag_shop_chats(widget):
    RuleSet.objects.filter(name="Auto-replies").delete()
    admin = AdminFactory()
    rules = automation.save_rule_set(by=admin, name="Chats", mode=RuleSet.Mode.ALL_MATCHING)
    return automation.save_rule(
        by=admin,
        rule_set=rules,
        name="Shop chats",
        event="created",
        conditions={"all": [{"field": "widget", "op": "is", "value": widget.pk}]},
        actions=[{"type": "add_tags", "tags": ["shop"]}],
    )


def chat(django_capture_on_commit_callbacks, visitor):
    with django_capture_on_commit_callbacks(execute=True):
        session, _message = post_visitor_message(visitor=visitor, text="Do you ship to Oman?")
    session.ticket.refresh_from_db()
    return session.ticket


def test_a_rule_on_the_widget_fires_for_its_chats(
    django_capture_on_commit_callbacks, visitor, tag_shop_chats
):
    ticket = chat(django_capture_on_commit_callbacks, visitor)

    assert list(ticket.tags.values_list("name", flat=True)) == ["shop"]


def test_a_rule_on_the_widget_ignores_chats_of_another_widget(
    django_capture_on_commit_callbacks, team, tag_shop_chats
):
    other = greet_visitor(widget=ChatWidgetFactory(team=team, name="Docs"), ip="203.0.113.9").visitor

    ticket = chat(django_capture_on_commit_callbacks, other)

    assert not ticket.tags.exists()
