import pytest
from django.core import mail
from django.urls import reverse

from awn.connectors.chat.models import AgentChatStatus, ChatSession, ChatWidget
from awn.connectors.chat.services import greet_visitor, post_visitor_message, request_transcript
from awn.outbox.models import OutboxItem
from awn.outbox.services import deliver_due
from awn.routing.models import AgentProfile
from tests.factories import AgentFactory, CustomerFactory, TeamFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def chat(widget):
    visitor = greet_visitor(widget=widget).visitor
    session, _ = post_visitor_message(visitor=visitor, text="Where is my order?")
    return session


def test_the_console_lists_the_waiting_chat(client, agent, chat):
    client.force_login(agent)

    response = client.get(reverse("chat:console"))

    assert response.status_code == 200
    assert "Where is my order?" in response.content.decode()


def test_the_console_is_for_staff_only(client, chat):
    client.force_login(CustomerFactory())

    assert client.get(reverse("chat:console")).status_code == 403


def test_the_console_asks_anonymous_people_to_sign_in(client):
    response = client.get(reverse("chat:console"))

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_chat_outside_the_agents_teams_is_not_found(client, chat):
    outsider = AgentFactory()
    TeamFactory(members=[outsider])
    client.force_login(outsider)

    assert client.get(reverse("chat:conversation", args=[chat.pk])).status_code == 404
    assert client.post(reverse("chat:accept", args=[chat.pk])).status_code == 404
    chat.refresh_from_db()
    assert chat.state == ChatSession.State.QUEUED


def test_an_agent_accepts_and_answers_from_the_console(client, agent, chat):
    client.force_login(agent)

    client.post(reverse("chat:accept", args=[chat.pk]))
    client.post(reverse("chat:reply", args=[chat.pk]), {"text": "It ships tomorrow."})

    chat.refresh_from_db()
    assert chat.state == ChatSession.State.ACTIVE and chat.agent == agent
    assert chat.ticket.messages.filter(author=agent, body="It ships tomorrow.").exists()


def test_the_conversation_shows_the_visitors_pages(client, agent, widget):
    from awn.connectors.chat.services.visitors import Page

    visitor = greet_visitor(
        widget=widget, page=Page(url="https://shop.example/pricing", title="Pricing")
    ).visitor
    session, _ = post_visitor_message(visitor=visitor, text="Hi")
    client.force_login(agent)

    body = client.get(reverse("chat:conversation", args=[session.pk])).content.decode()

    assert "https://shop.example/pricing" in body


def test_an_agent_sets_availability_and_capacity(client, agent):
    client.force_login(agent)

    client.post(reverse("chat:availability"), {"availability": "online", "capacity": "4"})

    assert AgentChatStatus.objects.get(user=agent).capacity == 4
    assert AgentProfile.objects.get(user=agent).availability == "online"


def test_the_ticket_page_of_a_chat_shows_the_chat_panel(client, agent, chat):
    client.force_login(agent)

    body = client.get(reverse("desk:ticket", args=[chat.ticket_id])).content.decode()

    assert "chat-panel" in body


def test_only_admins_manage_widgets(client, agent, admin_user, widget):
    client.force_login(agent)
    assert client.get(reverse("chat:widgets")).status_code == 403

    client.force_login(admin_user)
    assert client.get(reverse("chat:widgets")).status_code == 200


def test_an_admin_creates_a_widget_with_its_allowed_origins(client, admin_user, team):
    client.force_login(admin_user)

    response = client.post(
        reverse("chat:widget_new"),
        {
            "name": "Docs site",
            "team": team.pk,
            "brand_colour": "#aa3300",
            "position": "end",
            "language": "",
            "prechat": "optional",
            "allowed_origins": "https://docs.example.com/\nhttps://WWW.example.com",
            "offline_mode": "on",
            "active": "on",
            "triggers-TOTAL_FORMS": "1",
            "triggers-INITIAL_FORMS": "0",
            "triggers-0-path_pattern": "/pricing",
            "triggers-0-delay_seconds": "30",
            "triggers-0-message": "Need a hand?",
            "triggers-0-active": "on",
        },
    )

    assert response.status_code == 302
    widget = ChatWidget.objects.get(name="Docs site")
    assert widget.allowed_origins == ["https://docs.example.com", "https://www.example.com"]
    assert widget.triggers.get().message == "Need a hand?"


def test_an_origin_with_a_path_is_refused(client, admin_user):
    client.force_login(admin_user)

    response = client.post(
        reverse("chat:widget_new"),
        {
            "name": "Bad",
            "brand_colour": "#aa3300",
            "position": "end",
            "prechat": "off",
            "allowed_origins": "https://shop.example/some/page",
            "triggers-TOTAL_FORMS": "0",
            "triggers-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 400
    assert not ChatWidget.objects.filter(name="Bad").exists()


def test_the_transcript_is_mailed_to_the_visitor(chat):
    request_transcript(visitor=chat.visitor, email="lina@example.com")

    deliver_due()

    item = OutboxItem.objects.get(kind="chat.transcript")
    assert item.status == OutboxItem.Status.SENT
    sent = [m for m in mail.outbox if m.to == ["lina@example.com"]]
    assert sent and "Where is my order?" in sent[-1].body
    assert f"[#{chat.ticket_id}]" in sent[-1].subject
