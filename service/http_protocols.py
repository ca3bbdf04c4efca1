"""uvicorn's HTTP protocols with its own error answers in the service's one error shape.

A request uvicorn cannot parse (a malformed request line or header, an invalid method, a header section
over h11's limit) never reaches the app: uvicorn answers it itself with a plain-text
``400 Invalid HTTP request received.``. These subclasses answer the same status with the JSON body every
other error has (``{"error": {"code": "bad_request", "message": …, "field": null}}``). ``twinmatch
serve`` passes them to uvicorn (``http=``); the rest of the protocols is uvicorn's.

They also cut slow clients off (``SlowClientGuard``), which uvicorn alone does not: a connection must send
its request line and headers within ``header_timeout`` seconds of its first byte (or of its opening), else
it gets a JSON 408 and is closed; a body must keep arriving, at most ``body_timeout`` seconds between two
reads (not counted while the server itself paused reading); beyond ``max_connections`` open connections, a
new one is answered 503 (``overloaded``, ``Retry-After``) and closed. ``protocol(...)`` makes the classes
with those values (``twinmatch serve`` takes them from ``Settings``); the body itself is read into a bounded
buffer by ``service.errors.BodyLimitMiddleware``.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any, ClassVar

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

try:  # uvicorn[standard] brings httptools; uvicorn alone falls back to h11, as its "auto" does
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
except ImportError:  # pragma: no cover - httptools is a dependency
    HttpToolsProtocol = None  # type: ignore[assignment, misc]

from service.errors import error_payload

_CONTENT_TYPE = b"application/json"
HEADER_TIMEOUT = 15.0
BODY_TIMEOUT = 15.0
MAX_CONNECTIONS = 1000
BUSY_RETRY_AFTER = 2


def bad_request_body(msg: str) -> bytes:
    """The 400 body for uvicorn's message ``msg`` (ASCII: uvicorn's messages are, and json escapes)."""
    return json.dumps(error_payload("bad_request", msg.strip() or "Invalid HTTP request received.")).encode("ascii")


def _raw_response(status: int, reason: str, body: bytes, extra: tuple[tuple[bytes, bytes], ...] = ()) -> bytes:
    head = [f"HTTP/1.1 {status} {reason}\r\n".encode("ascii"), b"content-type: " + _CONTENT_TYPE + b"\r\n",
            b"content-length: " + str(len(body)).encode("ascii") + b"\r\n", b"connection: close\r\n"]
    head += [name + b": " + value + b"\r\n" for name, value in extra]
    return b"".join([*head, b"\r\n", body])


def timeout_response() -> bytes:
    body = json.dumps(error_payload("request_timeout", "the request's headers were not received in time"))
    return _raw_response(408, "Request Timeout", body.encode("ascii"))


async def too_many_connections(scope: Any, receive: Any, send: Any) -> None:
    """The ASGI app a connection over ``max_connections`` gets instead of the service's."""
    body = json.dumps(error_payload("overloaded", "too many open connections; retry shortly")).encode("ascii")
    await send({"type": "http.response.start", "status": 503,
                "headers": [(b"content-type", _CONTENT_TYPE), (b"content-length", str(len(body)).encode("ascii")),
                            (b"retry-after", str(BUSY_RETRY_AFTER).encode("ascii")), (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


class SlowClientGuard:
    """The deadlines of one connection (a mixin before uvicorn's protocol class). ``_phase``: ``headers``
    (waiting for a request's headers: one deadline, not reset by data, so a byte every few seconds does not
    keep a connection), ``body`` (an idle timer reset on each read), ``idle`` (no request being read: the app
    is working, or uvicorn's own keep-alive timer runs)."""

    header_timeout: ClassVar[float] = HEADER_TIMEOUT
    body_timeout: ClassVar[float] = BODY_TIMEOUT
    max_connections: ClassVar[int | None] = MAX_CONNECTIONS
    _phase = "idle"
    _timer: asyncio.TimerHandle | None = None
    #: Connections cut off by a deadline, in this process (benchmarks, tests).
    cut_off: ClassVar[dict[str, int]] = {"headers": 0, "body": 0}

    # the attributes uvicorn's protocols have
    loop: asyncio.AbstractEventLoop
    transport: asyncio.Transport
    connections: set[Any]
    app: Any
    flow: Any

    # Both protocols open and close a connection the same way: uvicorn's (next in the MRO), then the guard.
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)  # type: ignore[misc]
        self._guard_open()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm("idle")
        super().connection_lost(exc)  # type: ignore[misc]

    def _arm(self, phase: str) -> None:
        self._disarm()
        self._phase = phase
        delay = self.header_timeout if phase == "headers" else self.body_timeout
        self._timer = self.loop.call_later(delay, self._expired)

    def _disarm(self, phase: str | None = None) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if phase is not None:
            self._phase = phase

    def _guard_open(self) -> None:
        if self.max_connections is not None and len(self.connections) > self.max_connections:
            self.app = too_many_connections  # answered at once (once its headers are in), then closed
        self._arm("headers")

    def _guard_data(self) -> None:
        """Before the parser sees new data: a new request starts its header deadline; a body's timer restarts."""
        if self._phase == "idle":
            self._arm("headers")
        elif self._phase == "body":
            self._arm("body")

    def _expired(self) -> None:
        self._timer = None
        if self.transport.is_closing():
            return
        if self._phase == "body" and self.flow is not None and self.flow.read_paused:
            self._arm("body")  # the server paused reading (the app is slow to read), not the client
            return
        self.cut_off[self._phase] = self.cut_off.get(self._phase, 0) + 1
        if self._phase == "headers":
            self.transport.write(timeout_response())
        self.transport.close()  # a body cut off: the app's receive() sees the disconnect


class JsonErrorsH11(SlowClientGuard, H11Protocol):
    """uvicorn's h11 protocol (pure Python), JSON 400s, slow clients cut off."""

    def data_received(self, data: bytes) -> None:
        self._guard_data()
        super().data_received(data)
        if self.transport.is_closing():
            self._disarm("idle")
            return
        state = self.conn.their_state
        if state is h11.SEND_BODY:
            if self._phase != "body":
                self._arm("body")
        elif state is not h11.IDLE:  # the request is in (DONE), or the connection is ending
            self._disarm("idle")

    def send_400_response(self, msg: str) -> None:
        body = bad_request_body(msg)
        headers = [(b"content-type", _CONTENT_TYPE), (b"content-length", str(len(body)).encode("ascii")),
                   (b"connection", b"close")]
        self.transport.write(self.conn.send(h11.Response(status_code=400, headers=headers, reason=b"Bad Request")))
        self.transport.write(self.conn.send(h11.Data(data=body)))
        self.transport.write(self.conn.send(h11.EndOfMessage()))
        self.transport.close()


#: What ``uvicorn.run(..., http=...)`` gets: httptools when importable (uvicorn's "auto" choice).
HTTP_PROTOCOL: type[asyncio.Protocol] = JsonErrorsH11
if HttpToolsProtocol is not None:

    class JsonErrorsHttpTools(SlowClientGuard, HttpToolsProtocol):
        """uvicorn's httptools protocol (the default when httptools is installed), JSON 400s, slow clients
        cut off."""

        def data_received(self, data: bytes) -> None:
            self._guard_data()
            super().data_received(data)

        def on_headers_complete(self) -> None:
            super().on_headers_complete()
            self._arm("body")  # ended at once by on_message_complete when there is no body

        def on_message_complete(self) -> None:
            super().on_message_complete()
            self._disarm("idle")

        def send_400_response(self, msg: str) -> None:
            body = bad_request_body(msg)
            content = [b"HTTP/1.1 400 Bad Request\r\n"]
            for name, value in self.server_state.default_headers:
                content.extend([name, b": ", value, b"\r\n"])
            content.extend([b"content-type: " + _CONTENT_TYPE + b"\r\n",
                            b"content-length: " + str(len(body)).encode("ascii") + b"\r\n",
                            b"connection: close\r\n", b"\r\n", body])
            self.transport.write(b"".join(content))
            self.transport.close()

    HTTP_PROTOCOL = JsonErrorsHttpTools


def protocol(*, header_timeout: float = HEADER_TIMEOUT, body_timeout: float = BODY_TIMEOUT,
             max_connections: int | None = MAX_CONNECTIONS) -> type[asyncio.Protocol]:
    """``HTTP_PROTOCOL`` with these deadlines and this connection cap (what ``uvicorn.run(http=...)`` gets)."""
    attrs = {"header_timeout": header_timeout, "body_timeout": body_timeout, "max_connections": max_connections}
    return type(f"Guarded{HTTP_PROTOCOL.__name__}", (HTTP_PROTOCOL,), attrs)
