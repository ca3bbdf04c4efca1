"""No secret in any response (issue 25, point 1): database URLs are redacted wherever they are printed —
``user:password@`` and a ``password=`` in the query string alike —, clients read a generic sentence, the
server log a redacted detail."""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from fastapi.testclient import TestClient
from profiles_fixture import write_tiny_data
from support.net import free_port

from matcher.encoding import HashingEncoder
from matcher.errors import StoreUnavailable
from matcher.paths import db_secrets, redact_db, scrub
from matcher.store.postgres import PostgresStore
from service.app import create_app
from service.settings import Settings

PASSWORD = "Hunter2-s3cr%21t"  # percent-encoded in the URL: "Hunter2-s3cr!t" once decoded
DECODED = "Hunter2-s3cr!t"


@pytest.mark.parametrize(("url", "redacted"), [
    ("postgresql://tm@/twinmatch?host=/run/pg&port=5432&password=" + PASSWORD,
     "postgresql://tm@/twinmatch?host=/run/pg&port=5432&password=***"),
    ("postgresql://tm:" + PASSWORD + "@db.example:5432/twinmatch",
     "postgresql://tm:***@db.example:5432/twinmatch"),
    ("postgres://tm:" + PASSWORD + "@db.example/twinmatch?sslmode=require&sslpassword=" + PASSWORD,
     "postgres://tm:***@db.example/twinmatch?sslmode=require&sslpassword=***"),
    ("postgresql://tm:@db.example/twinmatch?application_name=x&password=" + PASSWORD + "&port=1",
     "postgresql://tm:***@db.example/twinmatch?application_name=x&password=***&port=1"),
    ("postgresql://db.example/twinmatch", "postgresql://db.example/twinmatch"),
    ("host=/run/pg dbname=twinmatch password=" + DECODED, "password=*** dbname=twinmatch host=/run/pg"),
    ("/var/lib/twinmatch/twinmatch.db", "/var/lib/twinmatch/twinmatch.db"),
])
def test_every_password_form_is_redacted(url: str, redacted: str) -> None:
    assert redact_db(url) == redacted
    assert PASSWORD not in redact_db(url) and DECODED not in redact_db(url)
    has_secret = redacted != url
    message = f"cannot open {url}: refused" + (f" (password={DECODED!r})" if has_secret else "")
    cleaned = scrub(message, url)
    assert PASSWORD not in cleaned and DECODED not in cleaned
    assert bool(db_secrets(url)) == has_secret
    if not has_secret:
        assert cleaned == message


def test_a_path_is_never_parsed_as_a_connection_string() -> None:
    assert redact_db(Path("/tmp/a=b.db")) == "/tmp/a=b.db"
    assert db_secrets(Path("/tmp/a=b.db")) == []


def _unreachable_urls(tmp_path: Path) -> list[str]:
    socket_dir = tmp_path / "no-server-here"  # a socket directory in which nothing listens
    return [f"postgresql://tm@/twinmatch?host={socket_dir}&port={free_port()}&password={PASSWORD}",
            f"postgresql://tm:{PASSWORD}@127.0.0.1:{free_port()}/twinmatch?connect_timeout=3"]


PUBLIC_GETS = ["/ready", "/authorities/FR-COM-35238", "/authorities?q=rennes", "/authorities/FR-COM-35238/matches",
               "/", "/recherche?q=rennes", "/collectivites/FR-COM-35238", "/collectivites/FR-COM-35238/partenaires",
               "/inscription", "/connexion"]


@pytest.mark.parametrize("which", ["socket", "tcp"])
def test_an_unreachable_database_leaks_nothing(tmp_path: Path, ranker_file: Path, which: str,
                                               caplog: pytest.LogCaptureFixture) -> None:
    url = _unreachable_urls(tmp_path)[["socket", "tcp"].index(which)]
    socket_dir = str(tmp_path / "no-server-here")
    settings = Settings(db=url, data_dir=write_tiny_data(tmp_path / "data"), ranker=ranker_file,
                        background_load=True, suggestion_precompute=False)
    app = create_app(settings, encoder=HashingEncoder(dim=128))
    caplog.set_level(logging.INFO, logger="twinmatch.service")
    with TestClient(app) as client:
        for loader in [t for t in threading.enumerate() if t.name == "twinmatch-load"]:
            loader.join(30)  # an unreachable server fails at once (refused, or no such socket)
        assert app.state.resources.stage == "failed"
        responses: list[Any] = [client.get(path) for path in PUBLIC_GETS]
        responses.append(client.post("/match", json={"country": "FR", "kind": "commune", "name": "X",
                                                     "lat": 48.1, "lon": -1.7}))
        responses.append(client.get("/ready", headers={"Accept": "text/html"}))
        for r in responses:
            # the API paths need the store (503); a static page such as the home page still answers
            assert r.status_code == 503 or not r.request.url.path.startswith(("/ready", "/authorities", "/match")), (
                r.request.url, r.status_code, r.text)
            assert r.status_code in (200, 503), (r.request.url, r.status_code, r.text)
            for secret in (PASSWORD, DECODED, socket_dir, "postgresql://", "127.0.0.1", "Hunter2"):
                assert secret not in r.text, (r.request.url, secret, r.text)
            assert all(secret not in value for value in r.headers.values() for secret in (PASSWORD, DECODED))
        ready = responses[0].json()["error"]
        assert ready["code"] == "not_ready" and ready["message"] == (
            "loading failed: opening the database failed (the server log says why)")
    logged = "\n".join(rec.getMessage() for rec in caplog.records)
    assert "loading failed while opening the database" in logged
    assert "password=***" in logged or "tm:***@" in logged  # the log names the database, redacted
    assert PASSWORD not in logged and DECODED not in logged


def test_a_database_gone_after_start_is_a_generic_503_with_a_redacted_log(tmp_path: Path) -> None:
    url = _unreachable_urls(tmp_path)[0]
    dead = SimpleNamespace(broken=True, closed=True)  # the connection the server dropped
    store = PostgresStore(dead, url, tmp_path)  # type: ignore[arg-type]
    with pytest.raises(StoreUnavailable) as caught:
        store.ping()  # reconnects, and fails: nothing listens there
    assert caught.value.message == "the database is unavailable; retry shortly"
    detail = caught.value.detail or ""
    assert "password=***" in detail
    assert PASSWORD not in detail and DECODED not in detail
    assert store.location == redact_db(url)
