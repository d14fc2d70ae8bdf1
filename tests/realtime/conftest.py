"""Websocket tests drive the real ASGI application (awn.config.asgi) with Channels' communicators.

They run as ordinary synchronous tests: each scenario is a coroutine run with async_to_sync, so the
consumers' database calls come back to the test's thread and see its data. Real-time messages are sent after
commit, hence transactional tests.
"""

from __future__ import annotations

import json
import sys
import types

import pytest
from channels.layers import channel_layers

try:
    import daphne.testing  # noqa: F401
except ImportError:
    # channels.testing imports its live-server test case, which needs the optional Daphne server, at package
    # import time. These tests only use WebsocketCommunicator; give that import the name it looks for.
    _daphne = types.ModuleType("daphne")
    _daphne_testing = types.ModuleType("daphne.testing")
    _daphne_testing.DaphneProcess = None  # type: ignore[attr-defined]
    sys.modules.setdefault("daphne", _daphne)
    sys.modules.setdefault("daphne.testing", _daphne_testing)

from channels.testing import WebsocketCommunicator  # noqa: E402
from django.test import Client

from awn.config.asgi import application

SHOP = "https://shop.example"


@pytest.fixture(autouse=True)
def _fresh_channel_layer():
    """Each test gets a new in-memory layer (its queues belong to the test's event loop)."""
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


def visitor_socket(widget, *, origin: str = SHOP, client=("203.0.113.5", 40000)) -> WebsocketCommunicator:
    headers = [(b"origin", origin.encode())] if origin else []
    communicator = WebsocketCommunicator(application, f"/ws/chat/{widget.key}/", headers=headers)
    communicator.scope["client"] = client
    return communicator


def desk_socket(user, *, origin: str = "http://localhost") -> WebsocketCommunicator:
    client = Client()
    client.force_login(user)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    return WebsocketCommunicator(
        application, "/ws/desk/", headers=[(b"origin", origin.encode()), (b"cookie", cookie.encode())]
    )


async def receive_until(communicator: WebsocketCommunicator, kind: str, *, timeout: float = 20.0) -> dict:
    """The next frame of type `kind`, skipping others (presence, notices)."""
    while True:
        frame = json.loads(await communicator.receive_from(timeout=timeout))
        if frame.get("type") == kind:
            return frame


async def hello(communicator: WebsocketCommunicator, **extra) -> dict:
    connected, _ = await communicator.connect()
    assert connected
    await communicator.send_json_to(
        {"type": "hello", "page": {"url": "https://shop.example/pricing", "title": "Pricing"}, **extra}
    )
    return await receive_until(communicator, "welcome")
