"""The outermost layer of every response (issue 25, point 5): security headers, and requests refused before
anything else reads them.

- ``SECURITY_HEADERS`` on every response — pages, API, static files, docs, and the errors of every layer
  (``EdgeMiddleware`` wraps Starlette's own error middleware too: ``TwinmatchApp``). The CSP allows this
  origin only: no inline script or style anywhere (the score bars are SVG attributes, the docs pages load
  their start-up code from ``/static``), no framing (``frame-ancestors 'none'`` and ``X-Frame-Options``).
  A response that sets its own ``Content-Security-Policy`` keeps it (``service.routes.docs``'s OAuth2
  redirect page: the hash of its one script added).
- Two ``Authorization`` headers: 400 in the one error shape (which one would count? neither).
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.errors import error_response

#: What every response carries. ``form-action 'self'``: forms post to this origin only; ``base-uri``:
#: an injected ``<base>`` cannot re-point relative URLs.
CSP = "default-src 'self'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'; object-src 'none'"
SECURITY_HEADERS: dict[str, str] = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    # Links to other sites (a partner's website) do not tell them which page of ours the user was on.
    "Referrer-Policy": "same-origin",
}
_RAW = [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in SECURITY_HEADERS.items()]


def csp_with(*, script_hashes: tuple[str, ...] = (), style_hashes: tuple[str, ...] = (),
             data_images: bool = False, blob_workers: bool = False) -> str:
    """``CSP`` widened for one page: inline scripts or styles allowed by their ``sha256-...`` hashes,
    ``data:`` images (the vendored Swagger UI draws its icons so), ``blob:`` workers (ReDoc's search index
    runs in one it makes from its own code). Nothing else inline, nothing from elsewhere."""
    extra = ""
    if script_hashes:
        extra += "; script-src 'self' " + " ".join(f"'{h}'" for h in script_hashes)
    if style_hashes:
        extra += "; style-src 'self' " + " ".join(f"'{h}'" for h in style_hashes)
    if data_images:
        extra += "; img-src 'self' data:"
    if blob_workers:
        extra += "; worker-src 'self' blob:"
    return CSP.replace("default-src 'self'", "default-src 'self'" + extra, 1)


class EdgeMiddleware:
    """Adds ``SECURITY_HEADERS`` to every HTTP response (those it already has are kept) and refuses a request
    with two ``Authorization`` headers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(name, value) for name, value in _RAW if name not in present]
                message = {**message, "headers": headers}
            await send(message)

        if sum(1 for name, _ in scope["headers"] if name == b"authorization") > 1:
            response = error_response(400, "bad_request", "more than one Authorization header: send one",
                                      "Authorization")
            await response(scope, receive, send_with_headers)
            return
        await self.app(scope, receive, send_with_headers)


class TwinmatchApp(FastAPI):
    """FastAPI with ``EdgeMiddleware`` outside everything, Starlette's error middleware included (a
    middleware added with ``add_middleware`` runs inside it, so an unexpected 500 would lack the headers)."""

    def build_middleware_stack(self) -> ASGIApp:
        return EdgeMiddleware(super().build_middleware_stack())
