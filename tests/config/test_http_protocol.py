"""`awn run`'s HTTP protocol (awn/config/http_protocol.py) on a real uvicorn server and real sockets: a
response's headers and body leave in one write; keep-alive, streaming, closing and websockets still work."""

import asyncio
import http.client
import socket
import threading
import time

import pytest
import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from websockets.sync.client import connect

from awn.config.http_protocol import CoalescingHttpToolsProtocol

WRITES: list[bytes] = []  # what reached the socket's transport, write by write


class Recording:
    """The socket's transport, noting each write it is given (everything else is the transport's own)."""

    def __init__(self, transport):
        self._transport = transport

    def write(self, data):
        WRITES.append(bytes(data))
        self._transport.write(data)

    def __getattr__(self, name):
        return getattr(self._transport, name)


class RecordedAwnProtocol(CoalescingHttpToolsProtocol):
    def connection_made(self, transport):
        super().connection_made(Recording(transport))


class RecordedUvicornProtocol(HttpToolsProtocol):
    def connection_made(self, transport):
        super().connection_made(Recording(transport))


async def app(scope, receive, send):
    if scope["type"] == "websocket":
        await receive()  # websocket.connect
        await send({"type": "websocket.accept"})
        while (message := await receive())["type"] == "websocket.receive":
            await send({"type": "websocket.send", "text": f"echo {message['text']}"})
        return
    await receive()
    if scope["path"] == "/stream":
        await send({"type": "http.response.start", "status": 200, "headers": []})  # chunked
        for part in (b"one ", b"two ", b"three"):
            await send({"type": "http.response.body", "body": part, "more_body": True})
            await asyncio.sleep(0.05)
        await send({"type": "http.response.body", "body": b""})
        return
    body = f"hello {scope['path']}".encode()
    headers = [(b"content-type", b"text/plain"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _serve(protocol):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, lifespan="off", log_level="warning", http=protocol
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started
    return server, thread, port


@pytest.fixture
def served(request):
    WRITES.clear()
    server, thread, port = _serve(request.param)
    yield port
    server.should_exit = True
    thread.join(timeout=10)


@pytest.mark.parametrize("served", [RecordedAwnProtocol], indirect=True)
def test_a_response_leaves_in_one_write_and_the_connection_is_kept_for_the_next(served):
    client = http.client.HTTPConnection("127.0.0.1", served, timeout=5)
    answers = []
    for path in ("/first", "/second"):
        client.request("GET", path)
        response = client.getresponse()
        answers.append((response.status, response.read()))

    assert answers == [(200, b"hello /first"), (200, b"hello /second")]
    assert len(WRITES) == 2  # one per response: status line, headers and body together
    assert WRITES[0].startswith(b"HTTP/1.1 200 OK\r\n") and WRITES[0].endswith(b"\r\n\r\nhello /first")
    client.close()


@pytest.mark.parametrize("served", [RecordedUvicornProtocol], indirect=True)
def test_uvicorns_own_protocol_writes_a_response_in_two(served):
    client = http.client.HTTPConnection("127.0.0.1", served, timeout=5)
    client.request("GET", "/first")
    assert client.getresponse().read() == b"hello /first"

    assert len(WRITES) == 2 and WRITES[1] == b"hello /first"  # what the protocol above saves
    client.close()


@pytest.mark.parametrize("served", [RecordedAwnProtocol], indirect=True)
def test_a_streamed_response_goes_out_chunk_by_chunk(served):
    client = http.client.HTTPConnection("127.0.0.1", served, timeout=5)
    client.request("GET", "/stream")
    response = client.getresponse()

    assert response.getheader("transfer-encoding") == "chunked"
    assert response.read() == b"one two three"
    assert len(WRITES) >= 3  # not held back until the end: the chunks came 50 ms apart
    client.close()


def exchange(port: int, request: bytes) -> bytes:
    """Send raw bytes; everything the server answers until it closes the connection."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
        raw.sendall(request)
        received = b""
        while chunk := raw.recv(65536):
            received += chunk
    return received


@pytest.mark.parametrize("served", [RecordedAwnProtocol], indirect=True)
def test_a_connection_the_client_closes_gets_its_whole_response_first(served):
    received = exchange(served, b"GET /bye HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")

    assert received.startswith(b"HTTP/1.1 200 OK\r\n")
    assert received.endswith(b"\r\n\r\nhello /bye")


@pytest.mark.parametrize("served", [RecordedAwnProtocol], indirect=True)
def test_a_websocket_upgraded_from_it_works(served):
    with connect(f"ws://127.0.0.1:{served}/ws", open_timeout=5) as websocket:
        websocket.send("hi")
        first = websocket.recv(timeout=5)
        websocket.send("again")
        second = websocket.recv(timeout=5)

    assert (first, second) == ("echo hi", "echo again")


@pytest.mark.parametrize("served", [RecordedAwnProtocol], indirect=True)
def test_a_malformed_request_gets_uvicorns_400_before_the_connection_closes(served):
    received = exchange(served, b"GET /\x00bad HTTP/1.1\r\nHost: x\r\n\r\n")

    assert received.startswith(b"HTTP/1.1 400 Bad Request\r\n")
    assert received.endswith(b"Invalid HTTP request received.")
