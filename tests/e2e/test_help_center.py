"""The help center in a browser: English and Persian, and articles suggested while a request is typed."""

import re

import pytest

from awn.knowledge import services
from tests.factories import AgentFactory, CustomerFactory, ManagerFactory

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct horse battery"


@pytest.fixture
def help_center(db):
    manager = ManagerFactory(email="mona@support.example")
    writer = AgentFactory(email="wendy@support.example")
    category = services.save_category(by=manager, names={"en": "Account", "fa": "حساب کاربری"})
    section = services.save_section(by=manager, category=category, names={"en": "Signing in", "fa": "ورود"})
    password = services.create_article(
        by=writer,
        section=section,
        language="en",
        title="Reset your password",
        body="Click **Forgot password?** on the sign-in page.",
        publish=True,
    )
    services.save_translation(
        by=writer,
        article=password.article,
        language="fa",
        title="بازنشانی رمز عبور",
        body="در صفحهٔ ورود روی **فراموشی رمز عبور** بزنید.",
        state="published",
    )
    services.create_article(
        by=writer,
        section=section,
        language="en",
        title="Export invoices",
        body="Billing › Invoices › Download.",
        publish=True,
    )
    return category


def test_a_visitor_finds_and_rates_an_article_in_english(new_context, help_center):
    page = new_context(locale="en-US").new_page()

    page.goto("/help/")
    assert page.locator("html").get_attribute("dir") == "ltr"
    page.get_by_role("link", name=re.compile("Account")).click()
    page.get_by_role("link", name="Reset your password").click()
    page.locator(".help-body strong", has_text="Forgot password?").wait_for()
    page.fill("textarea[name=comment]", "Clear, thanks")
    page.click("button[name=helpful][value=yes]")

    page.get_by_text("Thank you for your feedback!").wait_for()
    page.fill("input[name=q]", "forgot my passw")
    page.press("input[name=q]", "Enter")
    page.wait_for_url(re.compile(r"/help/search/\?q="))
    assert page.locator(".help-results a").first.inner_text() == "Reset your password"


def test_a_visitor_reads_the_help_center_in_persian(new_context, help_center):
    page = new_context(locale="fa-IR").new_page()

    page.goto("/help/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("html").get_attribute("lang") == "fa"
    page.get_by_role("link", name=re.compile("حساب کاربری")).click()
    page.get_by_role("link", name="بازنشانی رمز عبور").click()
    page.wait_for_url(re.compile(r"/help/articles/"))
    assert "بازنشانی رمز عبور" in page.locator("h1").inner_text()
    assert page.locator(".help-body strong").inner_text() == "فراموشی رمز عبور"

    # Searching with the Arabic kaf and yeh still finds the Persian article.
    page.fill("input[name=q]", "بازنشاني رمز")
    page.press("input[name=q]", "Enter")
    page.wait_for_url(re.compile(r"/help/search/"))
    assert page.locator(".help-results a").first.inner_text() == "بازنشانی رمز عبور"
    assert page.locator("html").get_attribute("dir") == "rtl"


def test_articles_are_suggested_while_a_request_is_typed(new_context, help_center):
    customer = CustomerFactory(email="cora@example.com", language="en")
    context = new_context(locale="en-US")
    page = context.new_page()
    page.goto("/accounts/login/")
    page.fill("input[name=email]", customer.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_load_state("networkidle")

    page.goto("/tickets/new/")
    page.locator("input[name=subject]").press_sequentially("I cannot reset my password", delay=20)
    suggestion = page.locator(".kb-suggestions a", has_text="Reset your password")
    suggestion.wait_for()
    assert page.locator(".kb-suggestions a", has_text="Export invoices").count() == 0

    with context.expect_page() as opened:
        suggestion.click()
    article = opened.value
    article.wait_for_load_state()
    article.get_by_text("Did this answer your question?").wait_for()
    article.click(".help-answered button[type=submit]")
    article.get_by_text("Glad it helped!").wait_for()
