"""The reports dashboard in the browser: a manager filters it and downloads a CSV, in English and Arabic."""

from pathlib import Path

import pytest

from awn.tickets.models import Status
from awn.tickets.services import Actor, change_status, create_ticket, reply_to_ticket
from tests.factories import AgentFactory, CustomerFactory, ManagerFactory, TeamFactory

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct horse battery"


def sign_in(page, email):
    page.goto("/accounts/login/")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_load_state("networkidle")


@pytest.mark.parametrize(("language", "direction"), [("en", "ltr"), ("ar", "rtl")])
def test_a_manager_reads_filters_and_downloads_the_dashboard(new_context, language, direction):
    manager = ManagerFactory(email=f"manager-{language}@support.example", language=language)
    agent = AgentFactory(name="Ada Agent")
    support = TeamFactory(name="Support", members=[manager, agent])
    TeamFactory(name="Elsewhere", members=[AgentFactory()])
    customer = CustomerFactory()
    for channel in ("email", "web"):
        ticket = create_ticket(
            requester=customer,
            subject="Help",
            body="Please",
            team=support,
            channel=channel,
            by=Actor.of(customer),
        )
        reply_to_ticket(ticket=ticket, body="Done", by=Actor.of(agent))
        change_status(ticket=ticket, status=Status.SOLVED, by=Actor.of(agent))
    page = new_context().new_page()
    sign_in(page, manager.email)

    page.goto("/desk/")
    page.click("nav a[href='/desk/reports/']")
    page.wait_for_load_state("networkidle")

    assert page.locator("html").get_attribute("dir") == direction
    assert page.locator("[data-metric=created]").inner_text() == "2"
    assert page.locator("[data-metric=fcr]").inner_text().replace("٪", "%").startswith(("100", "١٠٠"))
    assert page.locator("svg.report-chart").count() == 2
    assert page.locator("svg.report-heatmap rect").count() == 2 * 7 * 24
    assert page.locator("table.report-agents").inner_text().count("Ada Agent") == 1
    # The volume chart's time axis runs with the text: the first day sits at the start edge of the plot.
    first, last = (
        page.locator("svg.report-chart").first.locator("text.axis[text-anchor=middle]").all()[::6][:2]
    )
    first_x, last_x = float(first.get_attribute("x")), float(last.get_attribute("x"))
    assert (first_x < last_x) if direction == "ltr" else (first_x > last_x)
    # Only the manager's own team can be chosen.
    assert page.locator("select[name=team] option").all_inner_texts()[1:] == ["Support"]

    page.select_option("select[name=channel]", "email")
    page.click("form.report-filters button[type=submit]")
    page.wait_for_load_state("networkidle")

    assert page.locator("[data-metric=created]").inner_text() == "1"
    with page.expect_download() as download:
        page.click(".report-exports a[href*='/export/summary.csv']")
    content = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert "tickets_created,1" in content
