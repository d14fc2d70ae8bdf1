"""uvicorn's HTTP protocol (httptools), with the writes of one turn of the event loop sent together.

uvicorn writes a response's status line and headers to the socket when the application sends
`http.response.start`, and its body with the `http.response.body` that follows: two send() calls, two TCP
segments and two wake-ups of the client for every response, though Awn's thread pool hands both over at once
(config/wsgi_pool.py). On two cores each send costs more than parsing the request did: sampled with py-spy
(`--gil`) under 16 clients creating tickets, the two writes were a fifth of a web process's time. Here the
transport only collects what is written during one turn of the loop and sends it in one call right after, so a
buffered response leaves in one piece; chunks of a streamed one go as they come, each a turn later at most.

A websocket upgrade gets the socket's own transport: a socket's messages are written one by one already.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


class CoalescingTransport:
    """A transport whose writes made in one turn of the loop go to `transport` in one write, soon after."""

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self.transport = transport
        self._loop = loop
        self._pending: list[bytes] = []
        self._scheduled = False

    def write(self, data: bytes) -> None:
        if not data:
            return
        self._pending.append(data)
        if not self._scheduled:
            self._scheduled = True
            self._loop.call_soon(self.flush)

    def writelines(self, lines: Iterable[bytes]) -> None:
        for data in lines:
            self.write(data)

    def flush(self) -> None:
        """Send what was written so far (called once per turn, and before the connection closes)."""
        self._scheduled = False
        if not self._pending:
            return
        data = self._pending[0] if len(self._pending) == 1 else b"".join(self._pending)
        self._pending.clear()
        if not self.transport.is_closing():
            self.transport.write(data)

    def close(self) -> None:
        self.flush()
        self.transport.close()

    def write_eof(self) -> None:
        self.flush()
        self.transport.write_eof()

    def abort(self) -> None:
        self._pending.clear()
        self.transport.abort()

    def get_write_buffer_size(self) -> int:
        return self.transport.get_write_buffer_size() + sum(map(len, self._pending))

    def __getattr__(self, name: str) -> Any:  # the rest (reading, extra info, flow control) is the socket's
        return getattr(self.transport, name)


class CoalescingHttpToolsProtocol(HttpToolsProtocol):
    """`awn run`'s HTTP protocol (uvicorn's `http` option)."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(CoalescingTransport(transport, self.loop))  # type: ignore[arg-type]

    def handle_websocket_upgrade(self) -> None:
        coalescing = self.transport
        if isinstance(coalescing, CoalescingTransport):
            coalescing.flush()
            self.transport = coalescing.transport
        super().handle_websocket_upgrade()


HTTP_PROTOCOL = f"{__name__}:{CoalescingHttpToolsProtocol.__qualname__}"
