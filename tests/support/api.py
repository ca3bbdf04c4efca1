"""Shared set-up for the API tests (no tests here): the real app over a tiny world. Its fixtures (``ranker_file``,
``api``) are registered for every test by ``tests/conftest.py``.

The app is built the way ``twinmatch serve`` builds it — a real SQLite file created from
``write_tiny_data``, a ranker saved with ``save_ranker`` and loaded back — except for the encoder,
which is the deterministic ``HashingEncoder``.

A test module that sets ``API_BACKENDS = ("sqlite", "postgres")`` has its tests whose only argument is ``api``
(and that carry no mark, e.g. ``sqlite_only`` for a test that reads the SQLite file itself) run on both: the
``api`` fixture is then parametrized, its PostgreSQL side a fresh database of the throw-away server
(``support.pg.pg_server``: skipped without PostgreSQL unless ``TWINMATCH_REQUIRE_POSTGRES`` is set).
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from profiles_fixture import PROFILES, write_tiny_data

from matcher.encoding import HashingEncoder
from matcher.ranking.artifact import save_ranker
from matcher.store.backends import open_store
from matcher.store.protocol import ProfileStore
from matcher.store.sqlite import SQLiteStore
from service.app import create_app
from service.settings import Settings
from support.rankers import synthetic_ranker

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "events"
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


def make_settings(tmp: Path, ranker: Path, *, db_url: str | None = None, **kw: object) -> Settings:
    """Settings over a tiny world: catalogue files written by ``write_tiny_data``, and a database in which
    the fixture's profile texts (which the catalogue files do not carry) were saved through the store: a
    SQLite file in ``tmp``, or the (PostgreSQL) database at ``db_url``."""
    db: Path | str
    if db_url is not None:
        db, data = db_url, tiny_database(db_url, tmp)
    else:
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


def tiny_database(url: str, tmp: Path) -> Path:
    """The tiny world in the database at ``url`` (a PostgreSQL URL too): its catalogue files written to
    ``tmp``/data (returned), loaded, and the fixture's profile texts saved through the store."""
    data = write_tiny_data(tmp / "data")
    with open_store(url, data) as store:
        for p in PROFILES:
            if p.has_text:
                store.update(p)
    return data


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture()
def api(request: pytest.FixtureRequest, tmp_path: Path, ranker_file: Path) -> Iterator[Api]:
    """The app over the tiny world with keys for staff and both owners; on SQLite, or on PostgreSQL when
    parametrized so (``pytest_generate_tests``)."""
    backend = getattr(request, "param", "sqlite")
    url = request.getfixturevalue("pg_server").new_database() if backend == "postgres" else None
    settings = make_settings(tmp_path, ranker_file, db_url=url)
    app = create_app(settings, encoder=HashingEncoder(dim=128))
    with TestClient(app) as client:
        store = app.state.resources.store
        assert type(store).__name__ == {"sqlite": "SQLiteStore", "postgres": "PostgresStore"}[backend]
        _, staff = store.create_key("staff", None, "Alice (staff)")
        _, owner_a = store.create_key("owner", A, "Eauville")
        _, owner_b = store.create_key("owner", B, "Registreville")
        yield Api(app, client, store, bearer(staff), {"X-API-Key": owner_a}, bearer(owner_b), settings)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """The ``api`` tests of a module with ``API_BACKENDS`` run on each backend (see the module docstring)."""
    backends = getattr(metafunc.module, "API_BACKENDS", None)
    fn = metafunc.function
    if backends and list(inspect.signature(fn).parameters) == ["api"] and not getattr(fn, "pytestmark", None):
        metafunc.parametrize("api", backends, indirect=True)


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


# ---- request bodies and calls shared by the API tests --------------------------------------------------
#: A new authority's registration (a Brazilian municipality with needs, expertise and a contact).
NEW: dict[str, Any] = {
    "name": "Nova", "kind": "municipality", "country": "BR", "lat": -10.0, "lon": -40.0, "population": 20000,
    "needs": {"themes": ["état civil"], "text": "Modernisation de l'état civil, numérisation des registres "
                                               "d'état civil"},
    "expertise": {"text": "Coopération jeunesse et échanges scolaires"},
    "contact": {"name": "Ana Souza", "email": "ana@nova.br"}}

#: A claim of an authority by its staff.
CLAIM = {"name": "Claire Martin", "role": "DGS", "email": "dgs@registreville.fr", "message": "notre fiche"}

#: The example participant file of an event (tests/fixtures/events/participants.csv).
CSV_FILE = (FIXTURES / "participants.csv").read_bytes()


def fake(i: int, **kw: Any) -> dict[str, Any]:
    """A fake town next to Eauville (45.0, 2.0), as large as the fixture allows a commune to be."""
    return {"name": f"Fausseville {i}", "kind": "commune", "country": "FR", "lat": 45.0 + i / 1000, "lon": 2.0,
            "population": 70_000, "expertise": {"text": "Tourisme culturel et artisanat local"}, **kw}


def upload(api: Api, data: bytes, filename: str = "participants.csv", media: str = "text/csv",
           who: str = "staff") -> Any:
    """Uploads a participant file to ``POST /events`` as ``who``; the response."""
    return api.client.post("/events", files={"file": (filename, data, media)}, headers=api.headers(who))
