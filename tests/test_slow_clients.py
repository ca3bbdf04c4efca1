"""Slow clients are cut off (issue 25, point 3), on a real loopback server, for both of uvicorn's HTTP
implementations (``service.http_protocols``): half a header, nothing at all, a body stalled before its end,
a second request stalled on a kept-alive connection, and a connection over the cap. What is asserted is
what the client sees (a 408 or 503 in the error shape, then the connection closed by the server), never
how long it took: the sockets wait up to 30 s for what a deadline of a fraction of a second must bring."""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest
from support.net import serve_in_thread, wait_until

from service.http_protocols import HTTP_PROTOCOL, JsonErrorsH11, protocol

try:
    from service.http_protocols import JsonErrorsHttpTools
    PROTOCOLS: list[type] = [JsonErrorsH11, JsonErrorsHttpTools]
except ImportError:  # pragma: no cover - httptools is a dependency
    PROTOCOLS = [JsonErrorsH11]

WAIT = 30.0  # how long a client waits for the server's move (the deadlines below are far shorter)
SEEN: list[str] = []  # what the app saw: "body:<n>" or "disconnect"


async def echo(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Reads the whole body, answers its length; ``/slow`` works a while first (longer than the deadlines)."""
    if scope["type"] != "http":
        return
    if scope["path"] == "/slow":
        await asyncio.sleep(1.5)
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            SEEN.append("disconnect")
            return
        size += len(message.get("body", b""))
        if not message.get("more_body", False):
            break
    SEEN.append(f"body:{size}")
    body = str(size).encode()
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"text/plain"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def serve(base: type, **limits: Any) -> Iterator[int]:
    guarded = type(f"Test{base.__name__}", (base,), limits)
    with serve_in_thread(echo, timeout=20, http=guarded, log_level="critical", lifespan="off") as port:
        yield port


@pytest.fixture(params=PROTOCOLS, ids=lambda p: p.__name__)
def port(request: pytest.FixtureRequest) -> Iterator[int]:
    yield from serve(request.param, header_timeout=0.5, body_timeout=0.5, max_connections=100)


@pytest.fixture(params=PROTOCOLS, ids=lambda p: p.__name__)
def capped(request: pytest.FixtureRequest) -> Iterator[int]:
    yield from serve(request.param, header_timeout=WAIT, body_timeout=WAIT, max_connections=2)


def read_until_closed(conn: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection (a socket timeout fails the test)."""
    conn.settimeout(WAIT)
    data = b""
    try:
        while chunk := conn.recv(65536):
            data += chunk
    except ConnectionResetError:
        pass
    return data


def parse(raw: bytes) -> tuple[int, dict[str, str], bytes]:
    head, _, body = raw.partition(b"\r\n\r\n")
    status, *lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines)}
    return int(status.split()[1]), headers, body


def test_half_a_header_gets_408_and_is_closed(port: int) -> None:
    with socket.create_connection(("127.0.0.1", port)) as conn:
        conn.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Half: ")
        status, headers, body = parse(read_until_closed(conn))
    assert status == 408 and headers["content-type"] == "application/json" and headers["connection"] == "close"
    assert json.loads(body)["error"]["code"] == "request_timeout"


def test_a_connection_that_sends_nothing_is_closed(port: int) -> None:
    with socket.create_connection(("127.0.0.1", port)) as conn:
        status, _, _ = parse(read_until_closed(conn))
    assert status == 408


def test_a_header_sent_a_byte_at_a_time_does_not_keep_the_connection(port: int) -> None:
    """The header deadline is not reset by data: trickling bytes does not buy time."""
    with socket.create_connection(("127.0.0.1", port)) as conn:
        conn.settimeout(0.1)
        closed = False
        for byte in b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 10_000:
            try:
                conn.sendall(bytes([byte]))
                if conn.recv(65536, socket.MSG_PEEK):
                    closed = True
                    break
            except TimeoutError:
                continue
            except (BrokenPipeError, ConnectionResetError):
                closed = True
                break
        assert closed, "10,000 bytes trickled in and the connection stayed open"


def test_a_body_stalled_before_its_end_is_cut_off_and_the_app_sees_a_disconnect(port: int) -> None:
    SEEN.clear()
    with socket.create_connection(("127.0.0.1", port)) as conn:
        conn.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5120\r\n\r\n" + b"x" * 4096)
        assert read_until_closed(conn) == b""  # closed without an answer
    wait_until(lambda: SEEN, timeout=WAIT, what="the app never heard of the connection")
    assert SEEN == ["disconnect"]


def test_a_body_that_keeps_coming_and_a_slow_app_are_not_cut_off(port: int) -> None:
    SEEN.clear()
    with socket.create_connection(("127.0.0.1", port)) as conn:
        conn.sendall(b"POST /slow HTTP/1.1\r\nHost: x\r\nContent-Length: 4000\r\nConnection: close\r\n\r\n")
        for _ in range(4):
            conn.sendall(b"y" * 1000)
            time.sleep(0.1)  # pauses shorter than the body deadline: the timer restarts on each read
        status, _, body = parse(read_until_closed(conn))
    assert status == 200 and body == b"4000" and SEEN == ["body:4000"]


def test_a_kept_alive_connection_stalled_in_its_next_request_is_cut_off(port: int) -> None:
    with socket.create_connection(("127.0.0.1", port)) as conn:
        conn.settimeout(WAIT)
        conn.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        first = b""
        while not first.endswith(b"\r\n\r\n0"):
            first += conn.recv(65536)
        assert parse(first)[0] == 200
        conn.sendall(b"GET / HTTP/1.1\r\nHo")
        status, _, _ = parse(read_until_closed(conn))
    assert status == 408


def test_connections_over_the_cap_get_503_with_retry_after(capped: int) -> None:
    idle = [socket.create_connection(("127.0.0.1", capped)) for _ in range(2)]
    try:
        with socket.create_connection(("127.0.0.1", capped)) as conn:
            conn.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            status, headers, body = parse(read_until_closed(conn))
        assert status == 503 and int(headers["retry-after"]) >= 1
        assert json.loads(body)["error"]["code"] == "overloaded"
    finally:
        for c in idle:
            c.close()

    def served() -> bool:
        with socket.create_connection(("127.0.0.1", capped)) as conn:
            conn.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            return parse(read_until_closed(conn))[0] == 200

    wait_until(served, timeout=WAIT, what="once the idle connections are gone, a new one is served again")


def test_protocol_makes_the_served_class_with_its_limits() -> None:
    made = protocol(header_timeout=3, body_timeout=4, max_connections=5)
    assert issubclass(made, HTTP_PROTOCOL)
    assert (made.header_timeout, made.body_timeout, made.max_connections) == (3, 4, 5)  # type: ignore[attr-defined]
