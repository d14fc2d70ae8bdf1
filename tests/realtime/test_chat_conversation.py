"""A whole chat over the two sockets: visitor and agent, through the real ASGI application."""

import pytest
from asgiref.sync import async_to_sync, sync_to_async

from awn.connectors.chat.models import ChatSession
from awn.connectors.chat.services import set_availability
from awn.tickets.models import Channel, Ticket
from tests.chat.factories import ChatWidgetFactory
from tests.realtime.conftest import desk_socket, hello, receive_until, visitor_socket

pytestmark = pytest.mark.django_db(transaction=True)


def run(scenario):
    return async_to_sync(scenario)()


def test_a_visitor_and_an_agent_chat_with_typing_and_read_receipts(team, agent):
    widget = ChatWidgetFactory(team=team)
    set_availability(user=agent, availability="online")
    desk, visitor = desk_socket(agent), visitor_socket(widget)
    seen = {}

    async def scenario():
        await desk.connect()
        await hello(visitor)
        await visitor.send_json_to({"type": "message", "text": "Hi, my parcel is late"})
        ack = await receive_until(visitor, "ack")
        seen["offered"] = await receive_until(desk, "chat")
        ticket, session = ack["session"]["ticket"], ack["session"]["id"]
        await desk.send_json_to({"type": "view", "ticket": ticket})
        seen["viewing"] = await receive_until(desk, "viewing")

        await visitor.send_json_to({"type": "typing", "on": True})
        seen["visitor_typing"] = await receive_until(desk, "typing")
        await desk.send_json_to({"type": "typing", "ticket": ticket, "on": True, "public": True})
        seen["agent_typing"] = await receive_until(visitor, "typing")

        await desk.send_json_to(
            {"type": "reply", "session": session, "text": "Sorry! Let me check.", "ref": "r1"}
        )
        seen["agent_ack"] = await receive_until(desk, "ack")
        seen["joined"] = await receive_until(visitor, "session")
        seen["answer"] = await receive_until(visitor, "message")
        while seen["answer"]["message"]["from"] != "agent":
            seen["answer"] = await receive_until(visitor, "message")

        await visitor.send_json_to({"type": "read", "upto": seen["answer"]["message"]["id"]})
        seen["visitor_read"] = await receive_until(desk, "read")
        await visitor.send_json_to({"type": "message", "text": "Thanks"})
        thanks = (await receive_until(visitor, "ack"))["message"]["id"]
        await desk.send_json_to({"type": "read", "ticket": ticket, "upto": thanks})
        seen["agent_read"] = await receive_until(visitor, "read")

        await visitor.send_json_to(
            {"type": "page", "url": "https://shop.example/orders/7", "title": "Order 7"}
        )
        seen["page"] = await receive_until(desk, "visitor")
        await visitor.send_json_to({"type": "end"})
        seen["ended"] = await receive_until(visitor, "session")
        while seen["ended"]["session"]["state"] != "ended":
            seen["ended"] = await receive_until(visitor, "session")
        await visitor.disconnect()
        await desk.disconnect()
        return ticket

    ticket_id = run(scenario)
    assert seen["offered"]["state"] == "assigned" and seen["offered"]["agent"] == agent.pk
    assert seen["viewing"]["chat"]["online"] is True
    assert seen["visitor_typing"] == {**seen["visitor_typing"], "who": "visitor", "on": True}
    assert seen["agent_typing"]["on"] is True and seen["agent_typing"]["name"] == "Ada"
    assert seen["answer"]["message"]["html"] == "<p>Sorry! Let me check.</p>"
    assert seen["answer"]["message"]["name"] == "Ada"
    assert seen["visitor_read"]["upto"] == seen["answer"]["message"]["id"]
    assert seen["agent_read"]["upto"] > seen["answer"]["message"]["id"]
    assert seen["page"]["page"]["url"] == "https://shop.example/orders/7"
    ticket = Ticket.objects.get(pk=ticket_id)
    assert ticket.channel == Channel.CHAT and ticket.assignee == agent
    assert [m.body for m in ticket.messages.order_by("id")] == [
        "Hi, my parcel is late",
        "Sorry! Let me check.",
        "Thanks",
    ]
    assert ChatSession.objects.get().state == ChatSession.State.ENDED


def test_a_waiting_visitor_sees_their_place_in_the_queue_move(team, agent):
    widget = ChatWidgetFactory(team=team)
    first, second = visitor_socket(widget), visitor_socket(widget)

    async def scenario():
        await hello(first)
        await hello(second)
        await first.send_json_to({"type": "message", "text": "First"})
        await receive_until(first, "ack")
        await second.send_json_to({"type": "message", "text": "Second"})
        waiting = (await receive_until(second, "ack"))["session"]["position"]
        await first.send_json_to({"type": "end"})
        moved = await receive_until(second, "queue")
        while moved["position"] != 1:
            moved = await receive_until(second, "queue")
        await sync_to_async(set_availability)(user=agent, availability="online")
        offered = await receive_until(second, "session")
        return waiting, moved, offered

    waiting, moved, offered = run(scenario)
    assert waiting == 2
    assert offered["session"]["state"] == "assigned"


def test_an_agent_outside_the_team_cannot_answer_over_the_socket(team):
    from tests.factories import AgentFactory, TeamFactory

    widget = ChatWidgetFactory(team=team)
    outsider = AgentFactory()
    TeamFactory(members=[outsider])
    visitor, desk = visitor_socket(widget), desk_socket(outsider)

    async def scenario():
        await hello(visitor)
        await visitor.send_json_to({"type": "message", "text": "Hello"})
        session = (await receive_until(visitor, "ack"))["session"]["id"]
        await desk.connect()
        await desk.send_json_to({"type": "reply", "session": session, "text": "Hijacked"})
        return await receive_until(desk, "error")

    assert run(scenario)["code"] == "forbidden"
    assert not Ticket.objects.get().messages.filter(body="Hijacked").exists()
