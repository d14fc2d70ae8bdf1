"""Automation in a browser: an admin builds a rule without writing JSON; an agent inserts a saved reply with
the keyboard only."""

import pytest

from awn.automation import services
from awn.automation.models import Rule
from awn.tickets.services import Actor, create_ticket
from tests.factories import AdminFactory, AgentFactory, CustomerFactory, TeamFactory

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct horse battery"


def sign_in(page, email):
    page.goto("/accounts/login/")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_load_state("networkidle")


def test_an_admin_builds_a_rule_with_the_form_builder(new_context):
    admin = AdminFactory(email="root@support.example")
    services.save_rule_set(by=admin, name="Triage", mode="first_match")
    page = new_context(locale="en-US").new_page()
    sign_in(page, admin.email)

    page.goto("/desk/automation/rules/new/")
    page.fill("input[name=name]", "Refunds to billing")
    builder = page.locator("[data-rule-builder]")
    builder.get_by_role("button", name="Add a condition").first.click()
    row = builder.locator("[data-group=all] .builder-row").first
    row.locator("input[type=text]").fill("refund")
    builder.get_by_role("button", name="Add an action").click()
    action = builder.locator("[data-builder-actions] .builder-row").first
    action.locator("input[type=text]").fill("billing, money")
    page.click("form.rule-form button[type=submit]")
    page.get_by_text("Rule “Refunds to billing” saved.").wait_for()

    rule = Rule.objects.get(name="Refunds to billing")
    assert rule.conditions["all"] == [{"field": "subject", "op": "contains", "value": "refund"}]
    assert rule.actions == [{"type": "add_tags", "tags": ["billing", "money"]}]


def test_an_agent_inserts_a_saved_reply_with_the_keyboard(new_context):
    agent = AgentFactory(email="ada@support.example", name="Ada Agent")
    team = TeamFactory(name="Support", members=[agent])
    customer = CustomerFactory(email="cora@example.com", name="Cora Customer")
    ticket = create_ticket(
        requester=customer, subject="Refund", body="Please refund me", team=team, by=Actor.of(customer)
    )
    services.save_saved_reply(
        by=agent,
        title="Refund done",
        shortcut="refund",
        shared=False,
        body="Hi {{ requester.first_name }}, your refund for #{{ ticket.number }} is on its way.",
    )
    page = new_context(locale="en-US").new_page()
    sign_in(page, agent.email)

    page.goto(f"/desk/tickets/{ticket.pk}/")
    body = page.locator("textarea[name=body]")
    body.click()
    body.type("Hello! ")
    page.keyboard.press("Control+/")
    page.keyboard.type("refund")
    page.locator(".saved-reply-results [role=option][data-id]").first.wait_for()
    page.keyboard.press("Enter")

    page.wait_for_function("document.querySelector('textarea[name=body]').value.includes('is on its way')")
    assert body.input_value() == f"Hello! Hi Cora, your refund for #{ticket.pk} is on its way."
    assert page.evaluate("document.activeElement.name") == "body"
