"""The service over PostgreSQL (``TWINMATCH_DB=postgresql://...``): the API tests of the modules below that
need only the ``api`` fixture are run again with the app's store in a fresh PostgreSQL database of the
throw-away server (``pg_support.pg_server``; skipped without PostgreSQL, like the store's contract tests,
unless ``TWINMATCH_REQUIRE_POSTGRES`` is set)."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import test_api_auth
import test_api_authorities
import test_api_events
import test_api_matches
import test_api_suggestions
import test_api_trust
from fastapi.testclient import TestClient
from pg_support import PgServer, pg_server  # noqa: F401 - the server fixture
from profiles_fixture import PROFILES, write_tiny_data
from test_api_support import A, Api, B, bearer

from matcher.encoding import HashingEncoder
from matcher.store.backends import open_store
from service.app import create_app
from service.settings import Settings

pytest_plugins = ["test_api_support"]  # ranker_file


def _api_only(module: Any) -> list[tuple[str, Callable[[Api], None]]]:
    """The module's tests whose only argument is ``api``, not parametrized or marked, and not reading the
    SQLite file itself."""
    functions = {name: fn for name, fn in vars(module).items()
                 if inspect.isfunction(fn) and fn.__module__ == module.__name__}
    sqlite_only = {"sqlite3", *(name for name, fn in functions.items() if "sqlite3" in inspect.getsource(fn))}
    out = []
    for name, fn in functions.items():
        source = inspect.getsource(fn)
        if name.startswith("test_") and not hasattr(fn, "pytestmark") \
                and list(inspect.signature(fn).parameters) == ["api"] \
                and not any(helper in source for helper in sqlite_only if helper != name):
            out.append((f"{module.__name__}.{name}", fn))
    return out


CASES = [case for module in (test_api_auth, test_api_authorities, test_api_events, test_api_matches,
                             test_api_suggestions, test_api_trust) for case in _api_only(module)]


@pytest.fixture()
def pg_api(tmp_path: Path, ranker_file: Path, pg_server: PgServer) -> Iterator[Api]:  # noqa: F811
    url = pg_server.new_database()
    data = write_tiny_data(tmp_path / "data")
    with open_store(url, data) as store:
        for p in PROFILES:
            if p.has_text:
                store.update(p)
    limits = {f"rate_{rule}": "10000/minute" for rule in ("registration", "claim", "write", "upload", "auth_failure", "match")}
    settings = Settings(db=url, data_dir=data, ranker=ranker_file, background_load=False,  # as make_settings:
                        suggestion_precompute=False, **limits)  # type: ignore[arg-type]
    assert settings.db == url
    app = create_app(settings, encoder=HashingEncoder(dim=128))
    with TestClient(app) as client:
        store = app.state.resources.store
        assert type(store).__name__ == "PostgresStore"
        _, staff = store.create_key("staff", None, "Alice (staff)")
        _, owner_a = store.create_key("owner", A, "Eauville")
        _, owner_b = store.create_key("owner", B, "Registreville")
        yield Api(app, client, store, bearer(staff), {"X-API-Key": owner_a}, bearer(owner_b), settings)


@pytest.mark.parametrize("case", [fn for _, fn in CASES], ids=[name for name, _ in CASES])
def test_the_api_over_postgres(pg_api: Api, case: Callable[[Api], None]) -> None:
    case(pg_api)
