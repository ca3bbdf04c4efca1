"""Shared set-up for the API tests (no tests here): the real app over a tiny world.

The app is built the way ``twinmatch serve`` builds it — a real SQLite file created from
``write_tiny_data``, a ranker saved with ``save_ranker`` and loaded back — except for the encoder,
which is the deterministic ``HashingEncoder``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import synthetic_ranker
from fastapi import FastAPI
from fastapi.testclient import TestClient
from profiles_fixture import PROFILES, write_tiny_data

from matcher.encoding import HashingEncoder
from matcher.ranking.ranker import save_ranker
from matcher.store.protocol import ProfileStore
from matcher.store.sqlite import SQLiteStore
from service.app import create_app
from service.settings import Settings

A = "FR-COM-00001"  # Eauville: water utility that needs tourism
B = "FR-COM-00002"  # Registreville: civil registry


@dataclass
class Api:
    app: FastAPI
    client: TestClient
    store: ProfileStore
    staff: dict[str, str]
    owner_a: dict[str, str]
    owner_b: dict[str, str]
    settings: Settings

    def headers(self, who: str) -> dict[str, str]:
        return {"public": {}, "owner_a": self.owner_a, "owner_b": self.owner_b, "staff": self.staff}[who]


@pytest.fixture(scope="session")
def ranker_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("models") / "ranker.joblib"
    save_ranker(synthetic_ranker(), path)
    return path


def make_settings(tmp: Path, ranker: Path, **kw: object) -> Settings:
    """Settings over a tiny world: catalogue files written by ``write_tiny_data``, and a database in which
    the fixture's profile texts (which the catalogue files do not carry) were saved through the store."""
    data = write_tiny_data(tmp / "data")
    db = tmp / "twinmatch.db"
    with SQLiteStore.open(db, data) as store:
        for p in PROFILES:
            if p.has_text:
                store.update(p)
    # Tests make many writes from one address: generous limits here; tests/test_api_limits.py uses the defaults.
    for rule in ("registration", "claim", "write", "upload", "auth_failure", "match"):
        kw.setdefault(f"rate_{rule}", "10000/minute")
    kw.setdefault("suggestion_precompute", False)  # deterministic: tests compute when they need it
    return Settings(db=db, data_dir=data, ranker=ranker, background_load=False, **kw)  # type: ignore[arg-type]


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture()
def api(tmp_path: Path, ranker_file: Path) -> Iterator[Api]:
    settings = make_settings(tmp_path, ranker_file)
    app = create_app(settings, encoder=HashingEncoder(dim=128))
    with TestClient(app) as client:
        store = app.state.resources.store
        _, staff = store.create_key("staff", None, "Alice (staff)")
        _, owner_a = store.create_key("owner", A, "Eauville")
        _, owner_b = store.create_key("owner", B, "Registreville")
        yield Api(app, client, store, bearer(staff), {"X-API-Key": owner_a}, bearer(owner_b), settings)


def assert_error(resp: object, status: int, code: str | None = None, field: str | None = "*") -> dict[str, object]:
    """The one error shape, with the expected status (and code / field when given)."""
    r: Any = resp  # an httpx Response
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "field"}, body
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    if code is not None:
        assert body["error"]["code"] == code, body
    if field != "*":
        assert body["error"]["field"] == field, body
    return body["error"]
