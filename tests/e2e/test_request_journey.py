"""A customer files a request in the portal, an agent answers from the desk, the customer sees the answer."""

import re

import pytest

from tests.factories import AgentFactory, CustomerFactory, TeamFactory

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct horse battery"

JOURNEYS = {
    "en": {
        "subject": "The export button does nothing",
        "body": "When I click Export on the reports page nothing happens.",
        "answer": "Thanks! We fixed the export button; please try again.",
        "dir": "ltr",
    },
    "ar": {
        "subject": "لا أستطيع تصدير التقرير",
        "body": "عندما أضغط على زر التصدير في صفحة التقارير لا يحدث شيء.",
        "answer": "شكرًا لك! أصلحنا زر التصدير، يرجى المحاولة مرة أخرى.",
        "dir": "rtl",
    },
}


def sign_in(page, email):
    page.goto("/accounts/login/")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_load_state("networkidle")


@pytest.mark.parametrize("language", ["en", "ar"])
def test_a_customer_request_is_answered_from_the_desk(new_context, language):
    words = JOURNEYS[language]
    customer = CustomerFactory(email=f"cora-{language}@example.com", language=language)
    agent = AgentFactory(email=f"ada-{language}@support.example", language=language)
    TeamFactory(name=f"Support {language}", members=[agent])
    customer_page = new_context().new_page()
    agent_page = new_context().new_page()

    # The customer files the request in the portal.
    sign_in(customer_page, customer.email)
    assert customer_page.locator("html").get_attribute("dir") == words["dir"]
    customer_page.goto("/tickets/new/")
    customer_page.fill("input[name=subject]", words["subject"])
    customer_page.fill("textarea[name=message]", words["body"])
    customer_page.click("main form button[type=submit]")
    customer_page.wait_for_url(re.compile(r"/tickets/\d+/$"))
    number = int(re.search(r"/tickets/(\d+)/$", customer_page.url).group(1))
    assert words["body"] in customer_page.content()

    # The agent finds it in the desk and answers publicly.
    sign_in(agent_page, agent.email)
    assert "/desk/" in agent_page.url
    assert agent_page.locator("html").get_attribute("dir") == words["dir"]
    agent_page.click("a[href*='view=unassigned']")
    agent_page.click(f"a[href='/desk/tickets/{number}/'] >> text={words['subject']}")
    agent_page.wait_for_url(f"**/desk/tickets/{number}/")
    agent_page.check("input[name=kind][value=reply]")
    agent_page.fill("textarea[name=body]", words["answer"])
    agent_page.click("form.reply-form button[type=submit]")
    agent_page.locator(".thread").get_by_text(words["answer"]).wait_for()

    # The customer sees the answer on their request.
    customer_page.reload()
    assert customer_page.locator(".thread, main").first.get_by_text(words["answer"]).count() == 1
    assert customer_page.locator("html").get_attribute("dir") == words["dir"]
