"""HTTP through the thread pool serving Django inside the ASGI server (awn/config/wsgi_pool.py)."""

import asyncio
import json
import threading

import pytest

from awn.config.wsgi_pool import ThreadPoolHTTP


def http_scope(path="/", *, method="GET", headers=(), root_path="", query=b""):
    return {
        "type": "http",
        "http_version": "1.1",
        "method": method,
        "scheme": "https",
        "path": path,
        "raw_path": path.encode(),
        "root_path": root_path,
        "query_string": query,
        "headers": [(name.encode("latin1"), value.encode("latin1")) for name, value in headers],
        "client": ("203.0.113.9", 51000),
        "server": ("helpdesk.example", 443),
    }


def call(app, scope, body_chunks=(b"",)):
    """Run one request through the ASGI app; returns (status, headers, [body chunks])."""
    sent = []

    async def run():
        chunks = list(body_chunks)

        async def receive():
            chunk = chunks.pop(0)
            return {"type": "http.request", "body": chunk, "more_body": bool(chunks)}

        async def send(message):
            sent.append(message)

        await app(scope, receive, send)

    asyncio.run(run())
    start = sent[0]
    assert start["type"] == "http.response.start"
    return start["status"], start["headers"], [m["body"] for m in sent[1:]]


def echo(environ, start_response):
    """A WSGI application answering with what it was given."""
    seen = {
        key: environ[key]
        for key in (
            "REQUEST_METHOD",
            "SCRIPT_NAME",
            "PATH_INFO",
            "QUERY_STRING",
            "REMOTE_ADDR",
            "SERVER_NAME",
            "SERVER_PORT",
            "wsgi.url_scheme",
        )
    }
    seen["headers"] = {k: v for k, v in environ.items() if k.startswith("HTTP_") or k.startswith("CONTENT_")}
    seen["body"] = environ["wsgi.input"].read().decode()
    seen["thread"] = threading.current_thread().name
    start_response(
        "201 Created", [("Content-Type", "application/json"), ("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")]
    )
    return [json.dumps(seen).encode()]


def test_a_request_reaches_the_wsgi_application_as_django_would_see_it():
    app = ThreadPoolHTTP(echo, threads=2)
    scope = http_scope(
        "/desk/تذكرة/",
        method="post",
        root_path="/desk",
        query=b"q=1",
        headers=[
            ("content-type", "text/plain"),
            ("x-forwarded-for", "198.51.100.1"),
            ("x_forwarded_for", "spoofed"),
            ("cookie", "a=1"),
            ("cookie", "b=2"),
        ],
    )

    status, headers, chunks = call(app, scope, [b"first ", b"second"])

    seen = json.loads(b"".join(chunks))
    assert status == 201
    assert headers.count((b"set-cookie", b"a=1")) == 1 and (b"set-cookie", b"b=2") in headers
    assert seen["REQUEST_METHOD"] == "POST"
    assert (seen["SCRIPT_NAME"], seen["PATH_INFO"]) == ("/desk", "/تذكرة/".encode().decode("latin1"))
    assert (seen["QUERY_STRING"], seen["REMOTE_ADDR"], seen["wsgi.url_scheme"]) == (
        "q=1",
        "203.0.113.9",
        "https",
    )
    assert (seen["SERVER_NAME"], seen["SERVER_PORT"]) == ("helpdesk.example", "443")
    assert seen["headers"]["HTTP_X_FORWARDED_FOR"] == "198.51.100.1"  # the underscored copy is dropped
    assert seen["headers"]["HTTP_COOKIE"] == "a=1; b=2"
    assert seen["body"] == "first second"
    assert seen["thread"].startswith("awn-http")


def test_every_request_runs_on_one_of_the_pools_threads():
    app = ThreadPoolHTTP(echo, threads=1)

    threads = {json.loads(b"".join(call(app, http_scope())[2]))["thread"] for _ in range(3)}

    assert len(threads) == 1


class Streamed:
    """What Django's streaming responses look like to a WSGI server: an iterable that says it streams."""

    streaming = True

    def __init__(self):
        self.closed = False

    def __iter__(self):
        yield b"one,"
        yield b""
        yield b"two"

    def close(self):
        self.closed = True


def test_a_streamed_response_is_sent_chunk_by_chunk_and_closed():
    response = Streamed()

    def stream(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/csv")])
        return response

    status, headers, chunks = call(ThreadPoolHTTP(stream, threads=1), http_scope())

    assert status == 200 and (b"content-type", b"text/csv") in headers
    assert chunks == [b"one,", b"two", b""]
    assert response.closed


def test_a_client_that_leaves_before_its_body_arrives_gets_nothing():
    called = []
    app = ThreadPoolHTTP(lambda environ, start_response: called.append(1) or [], threads=1)
    sent = []

    async def run():
        async def receive():
            return {"type": "http.disconnect"}

        async def send(message):
            sent.append(message)

        await app(http_scope(method="POST"), receive, send)

    asyncio.run(run())

    assert not called and not sent


@pytest.mark.django_db
def test_django_serves_a_page_through_the_pool():
    from awn.config.asgi import http_application

    status, headers, chunks = call(
        http_application, http_scope("/accounts/login/", headers=[("host", "localhost")])
    )

    assert status == 200
    assert any(name == b"set-cookie" and value.startswith(b"csrftoken=") for name, value in headers)
    assert b"<form" in b"".join(chunks)


@pytest.mark.django_db
def test_the_first_request_hands_request_threads_broadcasts_to_the_servers_loop(monkeypatch):
    """Before any websocket connects (an API-only process), a broadcast made in a request thread is still
    sent from the server's loop, over the process's one channel-layer connection, not on a loop of its own."""
    from channels.layers import get_channel_layer

    from awn.config.asgi import application
    from awn.realtime import broadcast

    monkeypatch.setattr(broadcast, "_server_loop", None)
    monkeypatch.setattr(broadcast, "_outbox", None)
    own_loops = []
    monkeypatch.setattr(broadcast, "async_to_sync", lambda f: own_loops.append(f) or (lambda *a: None))

    async def run():
        layer = get_channel_layer()
        channel = await layer.new_channel()
        await layer.group_add("probe", channel)
        sent = []

        async def receive():
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message):
            sent.append(message)

        await application(http_scope("/accounts/login/", headers=[("host", "localhost")]), receive, send)
        assert sent[0]["status"] == 200
        assert broadcast._server_loop is asyncio.get_running_loop()

        loop = asyncio.get_running_loop()
        batch = [("probe", {"type": "probe.event", "n": 1})]
        await loop.run_in_executor(None, broadcast.send_to_groups, batch)
        message = await asyncio.wait_for(layer.receive(channel), 5)
        await layer.group_discard("probe", channel)
        return message

    assert asyncio.run(run())["n"] == 1
    assert own_loops == []
