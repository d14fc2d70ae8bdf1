"""The SLA badge counts down in the desk and turns to "breached" once the due time passes, with no reload."""

import re
from datetime import timedelta

import pytest

from awn.core import clock
from awn.sla.services import save_policy
from awn.tickets.services import Actor, create_ticket
from tests.factories import AdminFactory, AgentFactory, CustomerFactory

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct horse battery"


def sign_in(page, email):
    page.goto("/accounts/login/")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_load_state("networkidle")


@pytest.mark.parametrize(("language", "direction"), [("en", "ltr"), ("ar", "rtl")])
def test_the_sla_badge_counts_down_and_turns_to_breached(new_context, monkeypatch, language, direction):
    admin = AdminFactory()
    save_policy(
        by=admin,
        name="One minute",
        warning_minutes=0,
        targets={"first_response": {"minutes": 1, "business_hours": False}},
    )
    agent = AgentFactory(email=f"ada-{language}@support.example", language=language)
    customer = CustomerFactory()
    page = new_context().new_page()
    sign_in(page, agent.email)
    real_now = clock.now
    # The ticket arrived 45 seconds ago: its one-minute first response is due 15 seconds from now.
    monkeypatch.setattr("awn.core.clock.now", lambda: real_now() - timedelta(seconds=45))
    ticket = create_ticket(requester=customer, subject="Printer on fire", body="Help", by=Actor.of(customer))
    monkeypatch.setattr("awn.core.clock.now", real_now)

    page.goto("/desk/?view=sla")

    assert page.locator("html").get_attribute("dir") == direction
    badge = page.locator(f"tr:has(a[href='/desk/tickets/{ticket.pk}/']) .sla-badge")
    assert badge.get_attribute("data-sla-state") == "ok"
    first = badge.inner_text()
    assert re.search({"en": r"\d+ min \d+ s", "ar": r"\d+ د \d+ ث"}[language], first)  # minutes, seconds
    page.wait_for_function(
        "([el, text]) => el.textContent !== text", arg=[badge.element_handle(), first], timeout=5_000
    )
    assert badge.get_attribute("data-sla-state") == "ok"  # still counting down, one second later
    page.wait_for_function(
        "el => el.dataset.slaState === 'breached'", arg=badge.element_handle(), timeout=20_000
    )
    assert "sla-breached" in badge.get_attribute("class")
    assert "breached" in badge.inner_text() or language != "en"
