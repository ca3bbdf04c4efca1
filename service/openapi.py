"""The OpenAPI document, completed with what every route can answer besides its own statuses.

Routes document their own outcomes (201, 404, 409...). What the layers around them add is documented
here once, so the spec says what the server does (issue H): every error is the one shape
(``service.errors``: ``{"error": {"code", "message", "field"}}``) — FastAPI's own 422 schema is replaced
by it; an operation that reads a key can answer 401 (malformed, unknown or revoked key) and 429 (too
many failed authentications); one with a body 400 (not JSON) and 413 (too large); every operation
431 (headers too large) and, but for the probes, 503 (still loading). An operation that a key only
widens (anonymous use allowed) declares its security as optional (``{}`` first).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel

#: Operations that work without a key too (a key shows more: the owner's or staff's view).
OPTIONAL_KEY = frozenset({
    ("get", "/authorities"), ("post", "/authorities"), ("get", "/authorities/{authority_id}"),
    ("get", "/authorities/{authority_id}/matches"), ("post", "/authorities/{authority_id}/claims"),
    ("post", "/match"),
})
PROBES = frozenset({"/health", "/ready"})
COUNTRY_MARK = "x-twinmatch-enum"


class ErrorBody(BaseModel):
    code: str
    message: str
    field: str | None


class Error(BaseModel):
    """Every error the service answers."""

    error: ErrorBody


COMMON = {
    "400": "The body is not valid JSON, or its Content-Length is invalid",
    "401": "Malformed, unknown or revoked API key",
    "413": "Request body larger than the limit",
    "429": "Too many requests (registrations, claims, writes, uploads, failed authentications or anonymous "
           "ad-hoc rankings); see Retry-After",
    "431": "Request headers larger than the limit",
    "503": "The service is still loading (or failed to load), its database cannot be reached, or (`overloaded`) "
           "it is already ranking as much as it takes; retry shortly (Retry-After, when given)",
}


RETRY_AFTER = {"description": "Seconds to wait before retrying (always on 429 and on a busy 503)",
               "schema": {"type": "integer", "minimum": 1}}


def install_openapi(app: FastAPI, countries: Callable[[], Collection[str]]) -> None:
    """Replace ``app.openapi`` by the completed document. ``countries``: the catalogue's country codes;
    while they are not known yet (the store still opening) the document is built without caching it."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        spec = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes,
                           tags=app.openapi_tags)
        codes = countries()
        complete(spec, codes)
        if codes:
            app.openapi_schema = spec
        return spec

    app.openapi = openapi  # type: ignore[method-assign]


def _enumerate_countries(node: Any, ref: dict[str, str]) -> Any:
    """``node`` with every schema marked ``x-twinmatch-enum: countries`` replaced by ``ref``."""
    if isinstance(node, dict):
        if node.get(COUNTRY_MARK) == "countries":
            return dict(ref)
        return {k: _enumerate_countries(v, ref) for k, v in node.items()}
    if isinstance(node, list):
        return [_enumerate_countries(v, ref) for v in node]
    return node


def _error_content(response: dict[str, Any]) -> dict[str, Any]:
    """The one error shape for a 4xx/5xx (a route's own error model, such as the events' ``FileErrorOut``,
    only adds to it), keeping the examples the route documents: a rule that refuses a schema-valid request
    says so with its example."""
    own = response.get("content", {}).get("application/json", {})
    kept = {k: v for k, v in own.items() if k in ("example", "examples")}
    return {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}, **kept}}


def complete(spec: dict[str, Any], countries: Collection[str] = ()) -> None:
    """Add the common statuses and the error schema to every operation of ``spec`` (in place); with
    ``countries``, country codes become the enum of those codes."""
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    if countries:
        codes = sorted(countries)
        # Each code once, upper case: the server upper-cases what it gets (a lower-case code is taken too),
        # but an enum listing both cases is one that client generators refuse (duplicate members).
        schemas["CountryCode"] = {"type": "string", "title": "CountryCode",
                                  "description": "ISO 3166-1 alpha-2 code of a country of the catalogue "
                                                 "(lower case is taken too)",
                                  "enum": codes}
        spec["paths"] = _enumerate_countries(spec.get("paths", {}), {"$ref": "#/components/schemas/CountryCode"})
        for name in list(schemas):
            if name != "CountryCode":
                schemas[name] = _enumerate_countries(schemas[name], {"$ref": "#/components/schemas/CountryCode"})
    schemas["ErrorBody"] = ErrorBody.model_json_schema()
    schemas["Error"] = Error.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas["Error"].pop("$defs", None)
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    for path, ops in spec.get("paths", {}).items():
        for method, op in ops.items():
            responses = op.setdefault("responses", {})
            extra = ["431"] + ([] if path in PROBES else ["503"])
            if op.get("security"):
                extra += ["401", "429"]
                if (method, path) in OPTIONAL_KEY:
                    op["security"] = [{}, *op["security"]]
            if "requestBody" in op:
                extra += ["400", "413"]
            for status in extra:
                responses.setdefault(status, {"description": COMMON[status]})
            for status, response in responses.items():
                if status[0] in "45":
                    response["content"] = _error_content(response)
                if status in ("429", "503"):
                    response.setdefault("headers", {})["Retry-After"] = RETRY_AFTER
