"""The edges (issue 25, point 5): security headers on every response, forwarded headers believed only from
configured proxies, two Authorization headers refused, dates that are dates, participant cells without NUL
characters and of bounded length."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from profiles_fixture import COUNTRIES, LINKS, PROFILES
from support.api import A, Api, assert_error, make_settings

from matcher.encoding import HashingEncoder
from matcher.errors import FileErrors
from matcher.events.event_records import CatalogueView
from matcher.events.participants import MAX_CELL_CHARS, read_participants
from service.app import create_app
from service.edge import CSP
from service.web.paths import TEMPLATES_DIR

STRICT = {"Content-Security-Policy": CSP, "X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff",
          "Referrer-Policy": "same-origin"}


def assert_secured(r: Any, csp: str = CSP) -> None:
    for name, value in {**STRICT, "Content-Security-Policy": csp}.items():
        assert r.headers.get(name) == value, (r.request.url, name, r.headers.get(name))
    assert len(r.headers.get_list("Content-Security-Policy")) == 1


# ---- security headers ----------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/", "/recherche?q=eau", f"/collectivites/{A}", f"/collectivites/{A}/partenaires",
                                  "/inscription", "/connexion", "/static/css/app.css", "/static/js/search.js",
                                  "/openapi.json", "/health", "/ready", f"/authorities/{A}", "/nowhere",
                                  "/authorities?limit=0", "/collectivites/XX-NOPE"])
def test_every_page_and_response_has_the_security_headers(api: Api, path: str) -> None:
    assert_secured(api.client.get(path, headers={"Accept": "text/html"} if "." not in path else {}))


def test_the_errors_of_every_layer_have_them_too(tmp_path: Path, ranker_file: Path) -> None:
    app = create_app(make_settings(tmp_path, ranker_file, max_body_bytes=10), encoder=HashingEncoder(dim=128))
    assert isinstance(app, FastAPI)

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("unexpected")

    with TestClient(app, raise_server_exceptions=False) as client:
        assert_secured(client.get("/boom"))  # 500 from Starlette's outermost error middleware
        assert_secured(client.post("/match", content=b"x" * 100, headers={"Content-Type": "application/json"}))  # 413
        assert_secured(client.get("/health", headers={"X-Big": "x" * 20_000}))  # 431


def test_the_docs_pages_widen_the_policy_only_as_their_vendored_code_needs(api: Api) -> None:
    for path in ("/docs", "/redoc", "/docs/oauth2-redirect"):
        r = api.client.get(path)
        csp = r.headers["Content-Security-Policy"]
        assert csp.startswith("default-src 'self'") and "frame-ancestors 'none'" in csp, csp
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp and "*" not in csp, csp
        assert_secured(r, csp)
        # every inline script of the page is allowed by its hash, and there is no other inline script
        inline = re.findall(r"<script>(.*?)</script>", r.text, flags=re.DOTALL)
        assert len(inline) == (1 if path.endswith("redirect") else 0)
        assert "<style" not in r.text and " style=" not in r.text


def test_no_template_has_inline_script_style_or_handler() -> None:
    """The pages run under ``default-src 'self'``: an inline script, style or ``on…=`` handler would be
    blocked by the browser (tests/test_browser_flows.py sees it as a console error)."""
    for template in sorted(TEMPLATES_DIR.glob("*.html")):
        text = template.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), template.name
        assert "<style" not in text and not re.search(r"\sstyle=", text), template.name
        assert not re.search(r"\son[a-z]+=", text), template.name
        assert "javascript:" not in text, template.name


# ---- two Authorization headers -------------------------------------------------------------------
def test_two_authorization_headers_are_a_400(api: Api) -> None:
    staff = api.staff["Authorization"]
    for pair in ([staff, "Bearer wrong"], ["Bearer wrong", staff], [staff, staff]):
        r = api.client.get("/verifications", headers=[("Authorization", v) for v in pair])
        err = assert_error(r, 400, "bad_request", "Authorization")
        assert "more than one Authorization header" in str(err["message"])
        assert_secured(r)
    assert api.client.get("/verifications", headers=api.staff).status_code == 200  # one is fine


# ---- forwarded headers ---------------------------------------------------------------------------
def _served(app: FastAPI, options: dict[str, object]) -> Any:
    """The app as ``twinmatch serve`` hands it to uvicorn (its proxy middleware included, or not)."""
    config = uvicorn.Config(app, **options)  # type: ignore[arg-type]
    config.load()
    return config.loaded_app


@pytest.mark.parametrize("trusted", [[], ["127.0.0.1"]])
def test_forwarded_for_is_believed_only_from_configured_proxies(tmp_path: Path, ranker_file: Path,
                                                                 trusted: list[str]) -> None:
    settings = make_settings(tmp_path, ranker_file, rate_auth_failure="3/minute", trusted_proxies=trusted)
    assert settings.proxy_options() == ({"proxy_headers": False} if not trusted else
                                        {"proxy_headers": True, "forwarded_allow_ips": trusted})
    app = create_app(settings, encoder=HashingEncoder(dim=128))
    # A client on the same host as the server (uvicorn's own default trusts 127.0.0.1), writing a new
    # X-Forwarded-For on every request to get a fresh rate-limit window each time.
    with TestClient(_served(app, settings.proxy_options()), client=("127.0.0.1", 40000)) as client:
        statuses = [client.get("/verifications", headers={"Authorization": "Bearer tm_wrong",
                                                          "X-Forwarded-For": f"203.0.113.{i}"}).status_code
                    for i in range(5)]
    if trusted:  # behind a configured proxy: each forwarded address has its own window
        assert statuses == [401] * 5
    else:  # no proxy configured: the connection's address counts, whatever the header says
        assert statuses == [401, 401, 401, 429, 429]


def test_no_proxy_is_trusted_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    from service.settings import Settings

    monkeypatch.delenv("TWINMATCH_TRUSTED_PROXIES", raising=False)
    assert Settings().trusted_proxies == [] and Settings().proxy_options() == {"proxy_headers": False}
    monkeypatch.setenv("TWINMATCH_TRUSTED_PROXIES", '["10.0.0.5", "10.1.0.0/16"]')
    assert Settings().proxy_options() == {"proxy_headers": True, "forwarded_allow_ips": ["10.0.0.5", "10.1.0.0/16"]}


# ---- dates ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("since", ["9999-99-99xx", "2026-02-30", "2026-13-01", "2026-01-01T25:00"])
def test_audit_since_must_be_a_date(api: Api, since: str) -> None:
    err = assert_error(api.client.get("/audit", params={"since": since}, headers=api.staff), 422, "invalid_input",
                       "since")
    assert "valid datetime or date" in str(err["message"])


def test_audit_since_accepts_days_and_instants(api: Api) -> None:
    r = api.client.post("/authorities", json={"name": "Nouvelleville", "kind": "commune", "country": "FR",
                                               "lat": 45.05, "lon": 2.05, "population": 20_000})
    at = api.store.audit_entries(subject=r.json()["authority"]["id"])[0].at  # "2026-…T…Z", UTC
    day, moment = at[:10], datetime.fromisoformat(at)
    paris = moment.astimezone(timezone(timedelta(hours=1))).isoformat()  # the same instant, another offset
    for since, found in ((day, True), (at, True), (paris, True), (at.replace("Z", ""), True),
                         ((moment + timedelta(seconds=1)).isoformat(), False)):
        items = api.client.get("/audit", params={"since": since}, headers=api.staff).json()["items"]
        assert bool(items) == found, (since, items)


def test_the_staff_pages_refuse_a_day_that_does_not_exist(api: Api) -> None:
    from support.web import csrf

    csrf(api)
    api.client.post("/connexion", data={"key": api.staff["Authorization"].split()[1], "csrf": csrf(api)})
    for path in ("/equipe/journal", "/equipe/decisions", "/equipe/decisions.csv"):
        assert api.client.get(path, params={"since": "2026-02-28"}).status_code == 200, path
        r = api.client.get(path, params={"until": "2026-02-30"}, headers={"Accept": "text/html"})
        assert r.status_code == 422, (path, r.status_code)


# ---- participant cells ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def catalogue() -> CatalogueView:
    return CatalogueView.build(PROFILES, {c.code: c for c in COUNTRIES}, LINKS)


def _row_errors(data: bytes, name: str, cat: CatalogueView) -> list[tuple[int, str | None, str]]:
    with pytest.raises(FileErrors) as info:
        read_participants(data, name, cat)
    return [(e.line, e.column, e.key) for e in info.value.errors]


def test_nul_characters_and_overlong_cells_are_refused_with_line_and_column(catalogue: CatalogueView) -> None:
    long = "x" * (MAX_CELL_CHARS + 1)
    fits = "y" * MAX_CELL_CHARS
    csv = (f"name,country,needs_text\nEauville,FR,{fits}\nVil\x00le,FR,ok\nNdiaye,SN,{long}\n"
           f"Thiès,SN,bad\x00\n").encode()
    assert _row_errors(csv, "p.csv", catalogue) == [(3, "name", "nul_character"), (4, "needs_text", "cell_too_long"),
                                                     (5, "needs_text", "nul_character")]
    json_file = f'[{{"name": "A\\u0000", "country": "FR"}}, {{"name": "B", "country": "SN", "needs_text": "{long}"}}]'
    assert _row_errors(json_file.encode(), "p.json", catalogue) == [(1, "name", "nul_character"),
                                                                     (2, "needs_text", "cell_too_long")]


def test_the_api_and_the_fair_page_say_where(api: Api) -> None:
    csv = f"name,country,side\nEauville,FR,fr\nNdi\x00aye,SN,partner\nX,SN,{'z' * 900_000}\n".encode()
    r = api.client.post("/events", files={"file": ("p.csv", csv, "text/csv")}, headers=api.staff)
    assert r.status_code == 422, r.text
    rows = r.json()["error"]["rows"]
    assert [(x["line"], x["column"]) for x in rows] == [(3, "name"), (4, "side")]
    assert "NUL" in rows[0]["reason"] and "900,000 characters: at most 5,000" in rows[1]["reason"]
