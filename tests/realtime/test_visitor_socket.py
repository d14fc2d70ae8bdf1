"""The widget's socket against the real ASGI application."""

import json

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.core.cache import cache
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from awn.connectors.chat import presence
from awn.connectors.chat.identity import identity_signature
from awn.connectors.chat.models import ChatVisitor
from awn.realtime.consumers import visitor as visitor_consumer
from awn.tickets.models import Message
from tests.chat.factories import ChatWidgetFactory
from tests.realtime.conftest import hello, receive_until, visitor_socket

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def widget(team):
    return ChatWidgetFactory(team=team)


def run(scenario):
    return async_to_sync(scenario)()


def test_a_page_on_another_site_gets_an_error_and_the_socket_closes(widget):
    socket = visitor_socket(widget, origin="https://evil.example")

    async def scenario():
        connected, _ = await socket.connect()
        error = await socket.receive_json_from()
        closed = await socket.receive_output()
        return connected, error, closed

    _connected, error, closed = run(scenario)
    assert error["code"] == "origin_not_allowed"
    assert closed == {"type": "websocket.close", "code": 4403}
    assert not ChatVisitor.objects.exists()


def test_hello_returns_a_token_and_an_empty_conversation(widget):
    socket = visitor_socket(widget)

    async def scenario():
        welcome = await hello(socket)
        await socket.disconnect()
        return welcome

    welcome = run(scenario)
    assert welcome["token"] and welcome["session"] is None and welcome["messages"] == []
    visitor = ChatVisitor.objects.get()
    assert visitor.current_url == "https://shop.example/pricing"
    assert visitor.page_views.count() == 1


def test_the_token_brings_the_conversation_back_on_the_next_page(widget):
    first, second = visitor_socket(widget), visitor_socket(widget)

    async def scenario():
        welcome = await hello(first)
        await first.send_json_to({"type": "message", "text": "Hello from page one"})
        await receive_until(first, "ack")
        await first.disconnect(timeout=10)
        return await hello(second, token=welcome["token"])

    again = run(scenario)
    assert [m["html"] for m in again["messages"]] == ["<p>Hello from page one</p>"]
    assert again["session"]["state"] == "queued"
    assert ChatVisitor.objects.count() == 1


def test_a_signed_identity_is_verified_and_a_bad_one_is_reported(widget, customer):
    good, bad = visitor_socket(widget), visitor_socket(widget)
    signature = identity_signature(widget.secret, customer.email)

    async def scenario():
        verified = await hello(good, identity={"email": customer.email, "signature": signature})
        rejected = await hello(bad, identity={"email": customer.email, "signature": "0" * 64})
        return verified, rejected

    verified, rejected = run(scenario)
    assert verified["visitor"]["verified"] and verified["visitor"]["email"] == customer.email
    assert rejected["identity_rejected"] and not rejected["visitor"]["verified"]


def test_a_message_comes_back_sanitized(widget):
    socket = visitor_socket(widget)

    async def scenario():
        await hello(socket)
        await socket.send_json_to({"type": "message", "text": "<script>alert(1)</script>", "ref": "a1"})
        return await receive_until(socket, "ack")

    ack = run(scenario)
    assert ack["ref"] == "a1"
    assert ack["message"]["html"] == "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"


BAD_FRAMES = [
    ("not json at all", "bad_frame"),
    ("[1, 2, 3]", "bad_frame"),
    ('{"no": "type"}', "bad_frame"),
    ('{"type": 42}', "bad_frame"),
    ('{"type": "launch_missiles"}', "unknown_type"),
    ('{"type": "message", "text": {"nested": true}}', "validation_error"),
    ('{"type": "read", "upto": "yesterday"}', "bad_frame"),
    ('{"type": "page", "url": "javascript:alert(1)"}', "bad_frame"),
    ('{"type": "contact", "email": "nope"}', "validation_error"),
    ('{"type": "hello"}', "already_greeted"),
]


def test_bad_frames_get_error_frames_and_the_connection_lives_on(widget):
    socket = visitor_socket(widget)

    async def scenario():
        await hello(socket)
        codes = []
        for frame, _expected in BAD_FRAMES:
            await socket.send_to(text_data=frame)
            codes.append((await receive_until(socket, "error"))["code"])
        await socket.send_to(bytes_data=b"\x00\x01binary")
        codes.append((await receive_until(socket, "error"))["code"])
        await socket.send_json_to({"type": "ping"})
        pong = await receive_until(socket, "pong")
        return codes, pong

    codes, pong = run(scenario)
    assert codes == [expected for _frame, expected in BAD_FRAMES] + ["bad_frame"]
    assert pong == {"type": "pong"}


def test_a_frame_before_hello_is_refused(widget):
    socket = visitor_socket(widget)

    async def scenario():
        await socket.connect()
        await socket.send_json_to({"type": "message", "text": "hi"})
        return await receive_until(socket, "error")

    assert run(scenario)["code"] == "hello_first"
    assert not Message.objects.exists()


@override_settings(AWN_CHAT_MAX_FRAME_CHARS=100)
def test_an_oversized_frame_is_refused(widget):
    socket = visitor_socket(widget)

    async def scenario():
        await hello(socket)
        await socket.send_json_to({"type": "message", "text": "x" * 200})
        return await receive_until(socket, "error")

    assert run(scenario)["code"] == "frame_too_large"
    assert not Message.objects.exists()


@override_settings(AWN_CHAT_FRAMES_PER_SECOND=2)
def test_a_flood_of_frames_is_rate_limited(widget):
    socket = visitor_socket(widget)

    async def scenario():
        await hello(socket)
        for _ in range(8):
            await socket.send_json_to({"type": "ping"})
        frames = [json.loads(await socket.receive_from()) for _ in range(8)]
        return [f.get("code", f["type"]) for f in frames]

    answers = run(scenario)
    assert "rate_limited" in answers and "pong" in answers


@override_settings(AWN_CHAT_CONNECTIONS_PER_MINUTE=2)
def test_too_many_connections_from_one_address_are_refused(widget):
    sockets = [visitor_socket(widget) for _ in range(3)]

    async def scenario():
        for socket in sockets[:2]:
            await hello(socket)
        await sockets[2].connect()
        return await sockets[2].receive_json_from()

    assert run(scenario)["code"] == "rate_limited"


frames = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=10,
)
typed_frames = st.fixed_dictionaries(
    {
        "type": st.sampled_from(
            [
                "hello",
                "message",
                "typing",
                "read",
                "page",
                "contact",
                "offline",
                "transcript",
                "end",
                "ping",
                "nonsense",
            ]
        )
    },
    optional={
        "text": frames,
        "upto": frames,
        "url": frames,
        "email": frames,
        "on": frames,
        "token": frames,
        "identity": frames,
        "pages": frames,
        "page": frames,
    },
)


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(typed_frames | frames, min_size=1, max_size=6))
def test_no_frame_whatsoever_ends_the_connection(widget, sequence):
    socket = visitor_socket(widget)

    async def scenario():
        await hello(socket)
        for frame in sequence:
            await socket.send_json_to(frame)
        await socket.send_json_to({"type": "ping"})
        await receive_until(socket, "pong", timeout=5)
        await socket.disconnect()

    run(scenario)


def test_a_ping_is_answered_and_a_due_heartbeat_counts_the_visitor_connected_again(widget, monkeypatch):
    monkeypatch.setattr(visitor_consumer, "HEARTBEAT_SECONDS", 0.0)  # every ping is due
    socket = visitor_socket(widget)
    seen = {}

    async def scenario():
        await hello(socket)
        visitor = await sync_to_async(ChatVisitor.objects.get)()
        await sync_to_async(cache.clear)()  # the count expired (a cache restart, a long-throttled tab)
        seen["before"] = await sync_to_async(presence.visitor_is_live)(visitor.pk)
        await socket.send_json_to({"type": "ping"})
        seen["pong"] = await receive_until(socket, "pong")
        seen["after"] = await sync_to_async(presence.visitor_is_live)(visitor.pk)
        await socket.disconnect()

    run(scenario)
    assert seen == {"before": False, "pong": {"type": "pong"}, "after": True}
