"""A customer rates a reply from the link in its email; the agent sees the rating on the ticket page."""

import re

import pytest

from awn.connectors.email.models import MessageEmail
from awn.connectors.email.outbound import build_reply
from awn.surveys.models import Rating, SatisfactionRating
from awn.tickets.services import Actor, create_ticket, reply_to_ticket
from tests.factories import AgentFactory, CustomerFactory, TeamFactory

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct horse battery"


def sign_in(page, email):
    page.goto("/accounts/login/")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_load_state("networkidle")


@pytest.mark.parametrize(("language", "direction"), [("en", "ltr"), ("ar", "rtl")])
def test_a_customer_rates_a_reply_from_the_email_and_the_agent_sees_it(new_context, language, direction):
    agent = AgentFactory(email=f"ada-{language}@support.example", language=language)
    team = TeamFactory(members=[agent])
    customer = CustomerFactory(language=language)
    ticket = create_ticket(
        requester=customer, subject="Printer on fire", body="Help", team=team, by=Actor.of(customer)
    )
    reply = reply_to_ticket(ticket=ticket, by=Actor.of(agent), body="Unplug it.")
    mail = build_reply(MessageEmail.objects.get(message=reply))
    links = re.findall(r"https?://[^\s]+/survey/rate/[^\s]+/", mail.body)
    assert len(links) == 3
    bad = re.sub(r"^https?://[^/]+", "", links[2])
    customer_page = new_context().new_page()

    customer_page.goto(bad)  # what a mail scanner's prefetch does, too

    assert customer_page.locator("html").get_attribute("dir") == direction
    assert customer_page.locator("input[name=rating][value=bad]").is_checked()
    assert not SatisfactionRating.objects.exists()
    customer_page.fill("textarea[name=comment]", "<b>It took three days</b>")
    customer_page.click("form button[type=submit]")
    customer_page.wait_for_url(re.compile(r"/thanks/$"))
    assert customer_page.locator("[role=status]").is_visible()
    row = SatisfactionRating.objects.get()
    assert (row.rating, row.comment, row.agent_id) == (Rating.BAD, "<b>It took three days</b>", agent.pk)

    desk = new_context().new_page()
    sign_in(desk, agent.email)
    desk.goto(f"/desk/tickets/{ticket.pk}/")

    panel = desk.locator(".survey-panel")
    panel.locator("blockquote").wait_for()
    assert panel.locator("blockquote").inner_text() == "<b>It took three days</b>"
    assert panel.locator(f"a[href='#message-{reply.pk}']").count() == 1
    sidebar = desk.locator(".survey-customer")
    sidebar.locator(".badge").first.wait_for()
    assert desk.locator("html").get_attribute("dir") == direction


def test_a_signed_in_customer_rates_a_reply_and_the_solved_request_in_the_portal(new_context):
    agent = AgentFactory()
    team = TeamFactory(members=[agent])
    customer = CustomerFactory()
    ticket = create_ticket(
        requester=customer, subject="Invoice twice", body="Charged twice", team=team, by=Actor.of(customer)
    )
    reply = reply_to_ticket(ticket=ticket, by=Actor.of(agent), body="Refunded.", status="solved")
    page = new_context().new_page()
    sign_in(page, customer.email)
    page.goto(f"/tickets/{ticket.pk}/")

    page.locator(f"#message-{reply.pk} form.survey-inline button[value='3']").click()
    page.wait_for_load_state("networkidle")
    page.locator("#rate-request button[value='2']").click()
    page.wait_for_load_state("networkidle")
    page.fill("#rate-request-comment", "Quick, but I had to ask twice")
    page.locator("#rate-request button", has_text="Save comment").click()
    page.wait_for_load_state("networkidle")

    ratings = {row.message_id: (row.rating, row.comment) for row in SatisfactionRating.objects.all()}
    assert ratings == {reply.pk: (Rating.GOOD, ""), None: (Rating.OKAY, "Quick, but I had to ask twice")}
    assert page.locator(f"#message-{reply.pk} button[aria-pressed=true]").inner_text() == "Good"
