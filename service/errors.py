"""One JSON error shape for every failure: ``{"error": {"code", "message", "field"}}``.

- ``MatcherError`` (raised by the core and by the service) -> its own status and code.
- FastAPI's ``RequestValidationError`` -> 422 with ``field`` = the dotted location (without the
  ``body``/``query``/``path`` prefix); a body that is not JSON -> 400.
- Starlette's ``HTTPException`` (unknown route, wrong method) -> its status, same shape.
- Anything else -> logged with its traceback, 500, same shape (and no detail leaked).
- ``BodyLimitMiddleware``: 413 when Content-Length or the streamed body exceeds the limit.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from traceback import format_exception
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from matcher.errors import MatcherError
from matcher.paths import scrub

log = logging.getLogger("twinmatch.service")

_HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
               405: "method_not_allowed", 406: "not_acceptable", 409: "conflict", 413: "payload_too_large",
               415: "unsupported_media_type", 422: "invalid_input", 429: "too_many_requests",
               431: "request_header_fields_too_large",
               503: "unavailable"}


class NotReady(MatcherError):
    """The store or the matcher is still loading (or failed to load): try again later."""

    status = 503
    code = "not_ready"


def error_payload(code: str, message: str, field: str | None = None) -> dict[str, dict[str, str | None]]:
    return {"error": {"code": code, "message": message, "field": field}}


def error_response(status: int, code: str, message: str, field: str | None = None,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(error_payload(code, message, field), status_code=status, headers=headers)


#: Renders an error as an HTML page for the web app: (request, status, code, message, field) -> Response.
HtmlError = Callable[[Request, int, str, str, "str | None"], Response]


def _answer(request: Request, status: int, code: str, message: str, field: str | None = None,
            headers: dict[str, str] | None = None) -> Response:
    """The one error shape; for a web page (``request.state.html``, set by the pages' dependency) the same
    error as an HTML page when the app has a renderer (``app.state.html_error``)."""
    render: HtmlError | None = getattr(request.app.state, "html_error", None)
    if render is not None and getattr(request.state, "html", False):
        response = render(request, status, code, message, field)
        for name, value in (headers or {}).items():
            response.headers[name] = value
        return response
    return error_response(status, code, message, field, headers)


def _dotted(loc: Sequence[Any]) -> str | None:
    parts = list(loc)
    if parts and parts[0] in ("body", "query", "path", "header", "cookie"):
        parts = parts[1:]
    return ".".join(str(p) for p in parts) or None


def validation_message(errors: Sequence[Any]) -> str:
    msgs = []
    for e in errors[:5]:
        where = _dotted(e.get("loc", ()))
        msgs.append(f"{where}: {e.get('msg', 'invalid')}" if where else str(e.get("msg", "invalid")))
    more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
    return "; ".join(msgs) + more


async def _matcher_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, MatcherError)
    if exc.status >= 500 and not isinstance(exc, NotReady):  # not-ready is expected while loading: no noise
        log.error("%s on %s %s: %s", exc.code, request.method, request.url.path, exc.detail or exc.message)
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
    retry_after = getattr(exc, "retry_after", None)
    if exc.status in (429, 503) and retry_after is not None:
        headers = {"Retry-After": str(int(retry_after))}
    return _answer(request, exc.status, exc.code, exc.message, exc.field, headers)


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    if any(e.get("type") == "json_invalid" for e in errors):
        # Not a value problem but an unreadable body: the client sent something that is not JSON.
        return error_response(400, "invalid_json", "the request body is not valid JSON", None)
    first = errors[0] if errors else {}
    return _answer(request, 422, "invalid_input", validation_message(errors), _dotted(first.get("loc", ())))


def allowed_methods(request: Request) -> str:
    """Every method some route serves at this path. Starlette's own 405 names only the first route
    matching the path, while GET and POST of one resource are often two routes."""
    methods: set[str] = set()
    for route in request.app.router.routes:
        match, _ = route.matches(request.scope)
        if match is not Match.NONE:
            methods |= set(getattr(route, "methods", None) or ())
    return ", ".join(sorted(methods))


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    message = exc.detail if isinstance(exc.detail, str) else json.dumps(exc.detail)
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = allowed_methods(request)
    return _answer(request, exc.status_code, code, message, None, headers or None)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    resources = getattr(request.app.state, "resources", None)
    trace = "".join(format_exception(exc))
    if resources is not None:  # a driver's error may quote the connection string: no password in the log
        trace = scrub(trace, resources.settings.db)
    log.error("unhandled error on %s %s\n%s", request.method, request.url.path, trace)
    return error_response(500, "internal_error", "internal server error", None)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(MatcherError, _matcher_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)


class HeaderLimitMiddleware:
    """431 when the request's headers (names and values) add up to more than ``max_bytes``: the server
    parsed them already, but nothing of the app (authentication, routing) runs on an 8 MiB header."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and sum(len(k) + len(v) for k, v in scope["headers"]) > self.max_bytes:
            response = error_response(431, "request_header_fields_too_large",
                                      f"request headers are larger than {self.max_bytes} bytes", None,
                                      {"Connection": "close"})
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


#: A browser form's body over the limit is read up to this much (and dropped) before the error page is sent.
DRAIN_BYTES = 64 * 1024 * 1024


def _from_a_browser_form(scope: Scope) -> bool:
    """A form posted by a browser (which shows an HTML page, never JSON): a form body, HTML accepted."""
    headers = dict(scope["headers"])
    media = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
    return (media in (b"multipart/form-data", b"application/x-www-form-urlencoded")
            and b"text/html" in headers.get(b"accept", b""))


async def _drain(receive: Receive, limit: int) -> None:
    read = 0
    while read <= limit:
        message = await receive()
        if message["type"] == "http.disconnect":
            return
        read += len(message.get("body", b""))
        if not message.get("more_body", False):
            return


async def _no_body() -> Message:
    return {"type": "http.disconnect"}


class BodyLimitMiddleware:
    """413 for bodies over ``max_bytes``: at once from Content-Length, else while the body streams in.

    The body (at most ``max_bytes``, 1 MiB by default) is buffered here and replayed to the app, so a
    chunked upload without Content-Length is cut off before the app reads a byte of it.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS", "DELETE"):
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None:
            try:
                size = int(declared)
            except ValueError:
                await self._reject(scope, send, 400, "bad_request", "invalid Content-Length header")
                return
            if size > self.max_bytes:
                await self._too_large(scope, send, receive)
                return
        chunks: list[bytes] = []
        total = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            total += len(chunk)
            if total > self.max_bytes:
                await self._too_large(scope, send, receive if message.get("more_body", False) else None)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()  # after the body: wait for the disconnect, as Starlette expects

        await self.app(scope, replay, send)

    async def _too_large(self, scope: Scope, send: Send, receive: Receive | None = None) -> None:
        message = f"request body is larger than {self.max_bytes} bytes"
        if _from_a_browser_form(scope):
            render: HtmlError | None = getattr(getattr(scope.get("app"), "state", None), "html_error", None)
            if render is not None:
                # A browser shows a response only once it has sent its body: read the rest (bounded) first.
                if receive is not None:
                    await _drain(receive, DRAIN_BYTES)
                request = Request(scope)
                response = render(request, 413, "payload_too_large", message, "file")
                response.headers["Connection"] = "close"
                await response(scope, _no_body, send)
                return
        await self._reject(scope, send, 413, "payload_too_large", message)

    @staticmethod
    async def _reject(scope: Scope, send: Send, status: int, code: str, message: str) -> None:
        response = error_response(status, code, message, None, {"Connection": "close"})

        async def no_body() -> Message:
            return {"type": "http.disconnect"}

        await response(scope, no_body, send)
