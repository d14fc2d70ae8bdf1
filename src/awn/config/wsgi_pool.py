"""HTTP requests served by Django's WSGI handler on a fixed pool of threads, inside the ASGI server.

Django's own ASGI handler runs each request's synchronous code (every view and middleware here is
synchronous) in a thread of its own, and hops between that thread and the event loop around each synchronous
middleware. A new thread per request also means a new database connection per request: opening SQLite with
its PRAGMAs costs ~3 ms of CPU, a PostgreSQL connection a backend process. Here the event loop only reads the
request body and writes the response; everything in between runs in one of `threads` long-lived threads,
which keep their connections (AWN_DB_CONN_MAX_AGE). API ticket creation, 16 clients, SQLite 100k: 13.6-13.9
ms of server CPU per ticket through Django's ASGI handler, 9.8-10.6 ms through this (docs/performance.md).
Websockets still go to Channels (config/asgi.py).

A response that is not streamed is handed to the loop in one piece; a streamed one (file downloads) chunk by
chunk, the thread waiting for each chunk to be sent, so a slow client holds one thread, never memory.
"""

from __future__ import annotations

import asyncio
import contextvars
import sys
import tempfile
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import IO, Any

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
Headers = list[tuple[bytes, bytes]]


class ThreadPoolHTTP:
    """An ASGI application for `http` scopes: each request runs on `handler` in one of `threads` threads."""

    def __init__(self, handler: Callable[..., Iterable[bytes]] | None = None, *, threads: int) -> None:
        self.handler = handler or WSGIHandler()
        self.executor = ThreadPoolExecutor(max_workers=max(1, threads), thread_name_prefix="awn-http")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            raise ValueError(f"ThreadPoolHTTP serves http, not {scope['type']}")
        body = await read_body(receive)
        if body is None:
            return  # the client went away before sending its whole request
        loop = asyncio.get_running_loop()
        environ = wsgi_environ(scope, body)
        # Each request starts from the loop's context, not from what the thread's last request left in it.
        context = contextvars.copy_context()
        try:
            buffered = await loop.run_in_executor(
                self.executor, context.run, self._respond, environ, loop, send
            )
        finally:
            body.close()
        if buffered is not None:
            status, headers, content = buffered
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": content})

    def _respond(
        self, environ: dict[str, Any], loop: asyncio.AbstractEventLoop, send: Send
    ) -> tuple[int, Headers, bytes] | None:
        """In a pool thread: run the request; return a whole response, or send a streamed one here."""
        started: dict[str, Any] = {}

        def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable:
            started["status"] = int(status.split(" ", 1)[0])
            # Django writes its Set-Cookie values with a leading space (SimpleCookie.output(header="")).
            started["headers"] = [
                (name.strip().lower().encode("latin1"), value.strip().encode("latin1"))
                for name, value in headers
            ]
            return _no_write

        response = self.handler(environ, start_response)
        try:
            if not getattr(response, "streaming", False):
                return started["status"], started["headers"], b"".join(response)

            def deliver(message: dict[str, Any]) -> None:
                asyncio.run_coroutine_threadsafe(send(message), loop).result()

            deliver(
                {"type": "http.response.start", "status": started["status"], "headers": started["headers"]}
            )
            for chunk in response:
                if chunk:
                    deliver({"type": "http.response.body", "body": chunk, "more_body": True})
            deliver({"type": "http.response.body", "body": b""})
            return None
        finally:
            # request_finished: Django closes the connections that are too old or broken, keeps the others.
            close = getattr(response, "close", None)
            if close is not None:
                close()


def _no_write(data: bytes) -> None:
    raise NotImplementedError("write() is not supported; return the body instead")


async def read_body(receive: Receive) -> IO[bytes] | None:
    """The whole request body, in memory up to FILE_UPLOAD_MAX_MEMORY_SIZE and on disk beyond (as Django's
    ASGI handler keeps it); None if the client disconnected first."""
    body = tempfile.SpooledTemporaryFile(max_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE, mode="w+b")  # noqa: SIM115 (the caller closes it)
    loop = asyncio.get_running_loop()
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            body.close()
            return None
        chunk = message.get("body", b"")
        if chunk:
            if getattr(body, "_rolled", False):
                await loop.run_in_executor(None, body.write, chunk)
            else:
                body.write(chunk)
        if not message.get("more_body", False):
            break
    body.seek(0)
    return body


def wsgi_environ(scope: Scope, body: IO[bytes]) -> dict[str, Any]:
    """The WSGI environ of an ASGI http scope: what Django's ASGIRequest would have put in META."""
    root = scope.get("root_path", "")
    path = scope["path"]
    if root and path.startswith(root):
        path = path[len(root) :]
    environ: dict[str, Any] = {
        "REQUEST_METHOD": scope["method"].upper(),
        # WSGI strings are bytes as latin-1; Django decodes them back to UTF-8.
        "SCRIPT_NAME": root.encode("utf-8").decode("latin1"),
        "PATH_INFO": path.encode("utf-8").decode("latin1"),
        "QUERY_STRING": scope.get("query_string", b"").decode("latin1"),
        "SERVER_PROTOCOL": f"HTTP/{scope.get('http_version', '1.1')}",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scope.get("scheme", "http"),
        "wsgi.input": body,
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    server = scope.get("server")
    environ["SERVER_NAME"], environ["SERVER_PORT"] = (
        (server[0], str(server[1])) if server else ("unknown", "0")
    )
    client = scope.get("client")
    if client:
        environ["REMOTE_ADDR"] = environ["REMOTE_HOST"] = client[0]
        environ["REMOTE_PORT"] = str(client[1])
    headers: dict[str, list[str]] = defaultdict(list)
    for raw_name, raw_value in scope.get("headers", []):
        name = raw_name.decode("latin1")
        if "_" in name:
            continue  # as Django's ASGI handler: no spoofing X-Forwarded-For through X_Forwarded_For
        if name == "content-length":
            key = "CONTENT_LENGTH"
        elif name == "content-type":
            key = "CONTENT_TYPE"
        else:
            key = "HTTP_" + name.upper().replace("-", "_")
        headers[key].append(raw_value.decode("latin1"))
    for key, values in headers.items():
        environ[key] = ("; " if key == "HTTP_COOKIE" else ",").join(values)
    return environ
