"""The chat widget in Chromium: embedded on a static page of another origin, answered from the desk.

Awn runs as its ASGI application under uvicorn (HTTP and websockets) in a thread of the test process, on the
test database; the website is a plain http.server on another port serving one HTML page with the script tag.
"""

from __future__ import annotations

import functools
import http.server
import re
import socket
import threading
import time

import pytest

from awn.connectors.chat.models import ChatSession, ChatWidget
from awn.connectors.chat.services import set_availability
from awn.tickets.models import Channel, Ticket
from tests.factories import AgentFactory, TeamFactory

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "correct horse battery"

SITE_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>* {{ color: red !important; font-size: 40px !important; }}
button {{ display: none !important; }}</style>
</head><body>
<a href="#top" id="first-link">Our shop</a>
<h1>{title}</h1>
<script async src="{awn}/static/chat/widget.js" data-awn-widget="{key}"></script>
</body></html>
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def awn_server(transactional_db):
    """Awn's ASGI application served by uvicorn (websockets included) in a background thread, with `awn
    run`'s HTTP protocol (the widget's socket is upgraded from it)."""
    import uvicorn

    from awn.config.asgi import application
    from awn.config.http_protocol import HTTP_PROTOCOL

    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            application, host="127.0.0.1", port=port, lifespan="off", log_level="warning", http=HTTP_PROTOCOL
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def website(tmp_path):
    """Another origin: a static site on its own port; returns a function that writes a page and its URL."""
    port = _free_port()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    handler.log_message = lambda *args: None  # type: ignore[method-assign]
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    origin = f"http://127.0.0.1:{port}"

    def page(name: str, *, awn: str, key: str, title: str = "Pricing") -> str:
        (tmp_path / name).write_text(SITE_PAGE.format(title=title, awn=awn, key=key), encoding="utf-8")
        return f"{origin}/{name}"

    page.origin = origin  # type: ignore[attr-defined]
    yield page
    httpd.shutdown()


@pytest.fixture
def support(website):
    agent = AgentFactory(name="Ada Agent", email="ada@support.example")
    team = TeamFactory(name="Support", members=[agent])
    widget = ChatWidget.objects.create(
        name="Shop", team=team, allowed_origins=[website.origin], reply_time="a few minutes"
    )
    return agent, team, widget


@pytest.fixture
def new_page(browser):
    """A page in a fresh browser context (one per person), closed after the test."""
    contexts = []

    def make(locale: str = "en"):
        context = browser.new_context(locale=locale)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def widget_part(page, selector: str):
    """A locator inside the widget's shadow root (Playwright's CSS engine pierces open shadow roots)."""
    return page.locator(f"#awn-chat-host {selector}")


def sign_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_load_state("networkidle")


JOURNEYS = {
    "en": {"question": "Hello, do you ship to Muscat?", "answer": "Yes, in three days.", "dir": "ltr"},
    "ar": {"question": "مرحبا، هل تشحنون إلى مسقط؟", "answer": "نعم، خلال ثلاثة أيام.", "dir": "rtl"},
}


@pytest.mark.parametrize("language", ["en", "ar"])
def test_a_visitor_chats_with_an_agent_from_another_website(new_page, awn_server, website, support, language):
    words = JOURNEYS[language]
    agent, _team, widget = support
    set_availability(user=agent, availability="online")
    site = website("pricing.html", awn=awn_server, key=widget.key)
    visitor, desk = new_page(language), new_page("en")

    # The visitor opens the widget on the shop's page and asks.
    visitor.goto(site)
    launcher = widget_part(visitor, "button.launcher")
    launcher.wait_for()
    assert widget_part(visitor, ".wrap").get_attribute("dir") == words["dir"]
    launcher.click()
    text = widget_part(visitor, "textarea#awn-text")
    text.fill(words["question"])
    text.press("Enter")
    # The first message of a process may wait for other reactions to new messages (language detection
    # loads its models on first use), hence the longer wait.
    widget_part(visitor, ".msg.mine").filter(has_text=words["question"]).wait_for(timeout=60_000)

    # The agent sees it arrive in the chat console and answers.
    sign_in(desk, awn_server, agent.email)
    desk.goto(f"{awn_server}/desk/chats/")
    desk.locator("#chat-lists a").filter(has_text=re.compile(r"\S")).first.click()
    desk.locator(".chat-thread").filter(has_text=words["question"]).wait_for()
    desk.locator("#chat-text").fill(words["answer"])
    desk.locator("#chat-text").press("Enter")

    # The visitor gets the answer live, in the widget, with the agent's name.
    answer = widget_part(visitor, ".msg.theirs").filter(has_text=words["answer"])
    answer.wait_for()
    assert "Ada" in answer.inner_text()
    # The agent has the conversation open: the visitor's message shows as seen.
    widget_part(visitor, ".msg.mine .receipt").filter(has_text=re.compile(r"\S")).first.wait_for()

    ticket = Ticket.objects.get(channel=Channel.CHAT)
    assert [m.body for m in ticket.messages.order_by("id")] == [words["question"], words["answer"]]
    assert ticket.assignee == agent
    assert ChatSession.objects.get().visitor.current_url.endswith("/pricing.html")


def test_when_nobody_is_online_the_message_becomes_a_ticket_answered_by_email(
    new_page, awn_server, website, support
):
    _agent, _team, widget = support
    site = website("contact.html", awn=awn_server, key=widget.key, title="Contact")
    visitor = new_page("en")

    visitor.goto(site)
    widget_part(visitor, "button.launcher").click()
    form = widget_part(visitor, "form.contact").filter(has=visitor.locator("textarea"))
    form.wait_for()
    form.locator("input[name=name]").fill("Omar")
    form.locator("input[name=email]").fill("omar@example.com")
    form.locator("textarea").fill("Please call me about a bulk order.")
    form.locator("button[type=submit]").click()
    widget_part(visitor, ".msg.sys").filter(has_text="email").last.wait_for(timeout=60_000)

    ticket = Ticket.objects.get()
    assert ticket.channel == Channel.CHAT
    assert ticket.requester.email == "omar@example.com"
    assert ticket.messages.get().body == "Please call me about a bulk order."
    assert ChatSession.objects.get().state == ChatSession.State.OFFLINE


def test_the_widget_works_with_the_keyboard_alone(new_page, awn_server, website, support):
    agent, _team, widget = support
    set_availability(user=agent, availability="online")
    site = website("keyboard.html", awn=awn_server, key=widget.key)
    visitor = new_page("en")
    visitor.goto(site)
    launcher = widget_part(visitor, "button.launcher")
    launcher.wait_for()
    assert launcher.get_attribute("aria-label")

    def focused() -> str:
        return visitor.evaluate(
            "() => { const r = document.getElementById('awn-chat-host').shadowRoot;"
            " const a = r && r.activeElement; return a ? (a.id || a.className || a.tagName) : '' }"
        )

    # Tab from the page's own link reaches the launcher; Enter opens the chat with focus in the message box.
    visitor.focus("#first-link")
    for _ in range(5):
        visitor.keyboard.press("Tab")
        if focused() == "launcher":
            break
    assert focused() == "launcher"
    visitor.keyboard.press("Enter")
    visitor.wait_for_function(
        "() => document.getElementById('awn-chat-host').shadowRoot.activeElement?.id === 'awn-text'"
    )
    assert widget_part(visitor, "#awn-panel").get_attribute("role") == "dialog"
    assert widget_part(visitor, "label[for=awn-text]").count() == 1

    # Typing and Enter send; Escape closes and gives the focus back to the launcher.
    visitor.keyboard.type("Typed without a mouse")
    visitor.keyboard.press("Enter")
    widget_part(visitor, ".msg.mine").filter(has_text="Typed without a mouse").wait_for(timeout=60_000)
    visitor.keyboard.press("Escape")
    assert widget_part(visitor, "#awn-panel").is_hidden()
    assert focused() == "launcher"
    assert Ticket.objects.get().messages.get().body == "Typed without a mouse"


def test_the_inbox_and_the_ticket_page_update_live_and_show_who_else_is_there(new_page, awn_server, support):
    from awn.tickets.services import Actor, add_customer_message, create_ticket
    from tests.factories import CustomerFactory

    agent, team, _widget = support
    colleague = AgentFactory(name="Bea Agent", email="bea@support.example")
    team.members.add(colleague)
    customer = CustomerFactory(name="Cora Customer")
    ticket = create_ticket(
        requester=customer, subject="Invoice is wrong", body="Hi", team=team, by=Actor.of(customer)
    )
    inbox, page, other = new_page("en"), new_page("en"), new_page("en")
    for person, tab in ((agent, inbox), (agent, page), (colleague, other)):
        sign_in(tab, awn_server, person.email)

    # A new ticket appears in the open inbox without a reload.
    inbox.goto(f"{awn_server}/desk/?view=all")
    inbox.wait_for_timeout(1000)  # the desk socket connects
    create_ticket(
        requester=customer,
        subject="Second problem arrives live",
        body="Hello",
        team=team,
        by=Actor.of(customer),
    )
    inbox.locator("#queue table.tickets").filter(has_text="Second problem arrives live").wait_for(
        timeout=30_000
    )

    # Two agents on the same ticket see each other, and who is writing.
    page.goto(f"{awn_server}/desk/tickets/{ticket.pk}/")
    other.goto(f"{awn_server}/desk/tickets/{ticket.pk}/")
    page.locator(".presence-bar").filter(has_text="Bea Agent").wait_for()
    other.locator(".reply-form textarea").type("I am on it")
    page.locator(".presence-bar.presence-warning").filter(has_text="Bea Agent").wait_for()

    # A customer's new message shows up in the thread of the open page.
    add_customer_message(ticket=ticket, author=customer, body="Any news about my invoice?")
    page.locator(".thread").filter(has_text="Any news about my invoice?").wait_for(timeout=30_000)


def test_a_proactive_message_appears_after_the_visitor_stays_on_a_matching_page(
    new_page, awn_server, website, support
):
    from awn.connectors.chat.models import ProactiveTrigger

    _agent, _team, widget = support
    ProactiveTrigger.objects.create(
        widget=widget,
        path_pattern="/promo*",
        delay_seconds=1,
        message="Questions about the offer? We are here.",
    )
    promo = website("promo-spring.html", awn=awn_server, key=widget.key, title="Spring offer")
    visitor = new_page("en")

    visitor.goto(promo)

    bubble = widget_part(visitor, ".bubble")
    bubble.filter(has_text="Questions about the offer?").wait_for()
    bubble.click()
    assert widget_part(visitor, "#awn-panel").is_visible()
