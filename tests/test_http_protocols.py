"""uvicorn's own error answers (a request it cannot parse) are in the service's one error shape, on a real
loopback server, for both of uvicorn's HTTP implementations; ``twinmatch serve`` uses them."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn
from click.testing import CliRunner
from support.net import serve_in_thread

from service.http_protocols import HTTP_PROTOCOL, JsonErrorsH11

try:
    from service.http_protocols import JsonErrorsHttpTools
    PROTOCOLS: list[type] = [JsonErrorsH11, JsonErrorsHttpTools]
except ImportError:  # pragma: no cover - httptools is a dependency
    PROTOCOLS = [JsonErrorsH11]


async def _ok(scope: dict[str, Any], receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain"),
                                                                        (b"content-length", b"2")]})
    await send({"type": "http.response.body", "body": b"ok"})


@pytest.fixture(params=PROTOCOLS, ids=lambda p: p.__name__)
def port(request: pytest.FixtureRequest) -> Iterator[int]:
    with serve_in_thread(_ok, timeout=20, http=request.param, log_level="critical", lifespan="off") as free:
        yield free


def _exchange(port: int, raw: bytes) -> tuple[str, dict[str, str], bytes]:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(raw)
        data = b""
        while chunk := conn.recv(65536):
            data += chunk
            if b"\r\n\r\n" in data and b"ok" in data.split(b"\r\n\r\n", 1)[1]:
                break
    head, _, body = data.partition(b"\r\n\r\n")
    status, *lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines)}
    return status, headers, body


@pytest.mark.parametrize("raw", [
    b"GARBAGE\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: x\r\nBad Header Name: 1\r\n\r\n",
    b"GET /\x00 HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -3\r\n\r\n",
], ids=["request-line", "header-name", "nul-in-target", "negative-length"])
def test_a_request_uvicorn_cannot_parse_gets_the_one_error_shape(port: int, raw: bytes) -> None:
    status, headers, body = _exchange(port, raw)
    assert status.startswith("HTTP/1.1 400"), status
    assert headers["content-type"] == "application/json"
    assert int(headers["content-length"]) == len(body)
    error = json.loads(body)["error"]
    assert error["code"] == "bad_request" and error["message"] and error["field"] is None


def test_a_good_request_is_untouched(port: int) -> None:
    status, _, body = _exchange(port, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    assert status.startswith("HTTP/1.1 200") and body == b"ok"


@pytest.mark.parametrize("workers", [1, 2])
def test_serve_runs_uvicorn_with_these_protocols(monkeypatch: pytest.MonkeyPatch, workers: int) -> None:
    from service import app as app_module
    from service.cli import serve
    from service.settings import Settings

    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda *a, **kw: calls.append(kw))
    monkeypatch.setattr(app_module, "create_app", lambda settings: object())
    result = CliRunner().invoke(serve, ["--workers", str(workers)])
    assert result.exit_code == 0, result.output
    assert calls and issubclass(calls[0]["http"], HTTP_PROTOCOL)
    assert calls[0]["http"].header_timeout == Settings().header_timeout  # the settings' deadlines
