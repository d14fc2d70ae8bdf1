"""The broadcast side: what a ticket event costs, and that a chat message's broadcast built from what the
service wrote is the one built from the database."""

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import get_channel_layer
from django.db import transaction

from awn.connectors.chat.services import greet_visitor, post_visitor_message, set_availability
from awn.core.events import DomainEvent
from awn.realtime.events import on_ticket_event
from awn.realtime.groups import DESK_ALL
from awn.realtime.written import handed_to_broadcast, recall, remember
from tests.chat.factories import ChatWidgetFactory
from tests.realtime.conftest import desk_socket, hello, receive_until, visitor_socket

pytestmark = pytest.mark.django_db


def test_a_ticket_event_reads_nothing_while_no_socket_is_open_in_this_process(
    ticket, django_assert_num_queries
):
    event = DomainEvent(name="ticket.updated", ticket_id=ticket.pk, data={"changed": ["status"]})

    with django_assert_num_queries(0):
        on_ticket_event(event)


def test_a_chat_message_the_service_remembered_is_broadcast_without_reading_it_back(
    team, agent, django_assert_num_queries
):
    widget = ChatWidgetFactory(team=team)
    visitor = greet_visitor(widget=widget).visitor
    post_visitor_message(visitor=visitor, text="Hello")
    session, message = post_visitor_message(visitor=visitor, text="Where is my parcel?")
    async_to_sync(get_channel_layer().group_add)(DESK_ALL, "desk-test-channel")
    remember(message, session)
    event = DomainEvent(
        name="ticket.message_added",
        ticket_id=session.ticket_id,
        data={"message_id": message.pk, "internal": False, "from_staff": False},
    )

    with django_assert_num_queries(0):
        on_ticket_event(event)


@pytest.mark.django_db(transaction=True)
def test_a_chat_exchange_is_broadcast_as_the_database_has_it(team, agent):
    widget = ChatWidgetFactory(team=team)
    set_availability(user=agent, availability="online")
    desk, visitor = desk_socket(agent), visitor_socket(widget)
    seen: dict = {}

    async def rebroadcast(message_id: int, ticket_id: int, *, from_staff: bool) -> None:
        # The same event again, with nothing remembered: the handler reads the message from the database.
        event = DomainEvent(
            name="ticket.message_added",
            ticket_id=ticket_id,
            data={"message_id": message_id, "internal": False, "from_staff": from_staff},
        )
        await sync_to_async(on_ticket_event)(event)

    async def from_visitor(kind: str) -> dict:
        """The next desk notice of `kind` about a visitor's message: the agent's own answer's come too, and
        the status change its answer made may arrive after the answer's ack (on a busy machine)."""
        while True:
            frame = await receive_until(desk, kind)
            if not frame["from_staff"] and frame["name"] == "ticket.message_added":
                return frame

    async def scenario():
        await desk.connect()
        await hello(visitor)
        await visitor.send_json_to({"type": "message", "text": "Hi, my parcel is late"})
        ack = await receive_until(visitor, "ack")
        ticket, session = ack["session"]["ticket"], ack["session"]["id"]
        await desk.send_json_to({"type": "view", "ticket": ticket})
        await receive_until(desk, "viewing")

        await desk.send_json_to({"type": "reply", "session": session, "text": "Sorry! <b>Let me</b> check."})
        seen["answer"] = await receive_until(visitor, "message")
        while seen["answer"]["message"]["from"] != "agent":  # the visitor's own first message came back too
            seen["answer"] = await receive_until(visitor, "message")
        await receive_until(desk, "ack")  # the reply's thread is done with the database
        await rebroadcast(seen["answer"]["message"]["id"], ticket, from_staff=True)
        seen["answer_read_back"] = await receive_until(visitor, "message")

        await visitor.send_json_to({"type": "message", "text": "Thanks, Ada & co"})
        seen["notice"] = await from_visitor("ticket")
        seen["page"] = await from_visitor("ticket.page")
        await receive_until(visitor, "ack")
        await rebroadcast(seen["page"]["message"]["id"], ticket, from_staff=False)
        seen["notice_read_back"] = await from_visitor("ticket")
        seen["page_read_back"] = await from_visitor("ticket.page")
        await visitor.disconnect()
        await desk.disconnect()

    async_to_sync(scenario)()

    assert seen["answer"]["message"]["html"] == "<p>Sorry! &lt;b&gt;Let me&lt;/b&gt; check.</p>"
    assert seen["answer"] == seen["answer_read_back"]
    assert seen["page"]["message"]["html"] == "<p>Thanks, Ada &amp; co</p>"
    assert seen["notice"] == seen["notice_read_back"]
    assert seen["page"] == seen["page_read_back"]


def test_a_chat_message_is_handed_to_the_broadcasts_of_its_commit_only(
    team, agent, django_capture_on_commit_callbacks
):
    widget = ChatWidgetFactory(team=team)
    visitor = greet_visitor(widget=widget).visitor
    post_visitor_message(visitor=visitor, text="Hello")
    session, message = post_visitor_message(visitor=visitor, text="Where is my parcel?")
    during_commit = []

    with (
        django_capture_on_commit_callbacks(execute=True),
        transaction.atomic(),
        handed_to_broadcast() as keep,
    ):
        keep(message, session)
        transaction.on_commit(lambda: during_commit.append(recall(message.pk)))
    after_commit = recall(message.pk)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        with handed_to_broadcast() as keep:
            keep(message, session)
        transaction.set_rollback(True)

    assert during_commit == [(message, session)]
    assert after_commit is None
    assert recall(message.pk) is None  # a rolled-back write hands nothing over
