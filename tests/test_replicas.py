"""Several processes over one database (``matcher.store.replication``): two apps, each with its own store
connection, matcher and caches, on one PostgreSQL database of the throw-away server — what two replicas
of ``twinmatch serve`` are, minus the sockets (tests/test_replicas_serve.py runs real servers). A write
on A reaches B's matches, B forgets an event A deleted, rate limits count across both, and a database
restart makes both answer 503 on /ready, then recover by themselves."""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest
from fastapi.testclient import TestClient
from pg_support import PgServer, find_bindir, pg_server  # noqa: F401 - the server fixture
from profiles_fixture import PROFILES, write_tiny_data
from test_api_authorities import NEW
from test_api_events import CSV_FILE
from test_api_support import B, bearer

from matcher.encoding import HashingEncoder
from matcher.store.backends import open_store
from service.app import create_app
from service.settings import Settings

pytest_plugins = ["test_api_support"]  # ranker_file
T = TypeVar("T")
GENEROUS = {f"rate_{rule}": "10000/minute" for rule in ("registration", "claim", "write", "upload", "auth_failure", "match")}


def eventually(probe: Callable[[], T], *, timeout: float = 10.0) -> T:
    """``probe()`` once it is truthy (polled); fails with its last value after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value or time.monotonic() > deadline:
            assert value, f"still {value!r} after {timeout} s"
            return value
        time.sleep(0.02)


@dataclass
class Replicas:
    a: TestClient
    b: TestClient
    staff: dict[str, str]
    url: str

    def top_ids(self, client: TestClient, authority_id: str, k: int = 10) -> list[str]:
        r = client.get(f"/authorities/{authority_id}/matches", params={"k": k})
        assert r.status_code == 200, r.text
        return [m["id"] for m in r.json()["matches"]]


def tiny_database(url: str, tmp: Path) -> Path:
    data = write_tiny_data(tmp / "data")
    with open_store(url, data) as store:
        for p in PROFILES:
            if p.has_text:
                store.update(p)
    return data


@pytest.fixture()
def make_replicas(tmp_path: Path, ranker_file: Path, pg_server: PgServer  # noqa: F811
                  ) -> Iterator[Callable[..., Replicas]]:
    with ExitStack() as stack:
        def make(server: PgServer = pg_server, **settings: Any) -> Replicas:
            url = server.new_database()
            data = tiny_database(url, tmp_path / url.rsplit("/", 1)[1].split("?")[0])
            apps = [create_app(Settings(db=url, data_dir=data, ranker=ranker_file, background_load=False,
                                        **{**GENEROUS, **settings}), encoder=HashingEncoder(dim=128))
                    for _ in range(2)]
            a, b = (stack.enter_context(TestClient(app)) for app in apps)
            assert apps[0].state.resources.store.origin != apps[1].state.resources.store.origin
            _, staff = apps[0].state.resources.store.create_key("staff", None, "Alice (staff)")
            return Replicas(a, b, bearer(staff), url)

        yield make


def test_a_staff_write_on_a_is_in_b_search_and_changes_b_matches(make_replicas: Callable[..., Replicas]) -> None:
    r = make_replicas()
    before = r.top_ids(r.b, B)
    created = r.a.post("/authorities", headers=r.staff, json=NEW)
    assert created.status_code == 201, created.text
    new_id = created.json()["authority"]["id"]
    # B's search reads the database: the new authority is there at once.
    found = r.b.get("/authorities", params={"q": "nova"}).json()["items"]
    assert [i["id"] for i in found] == [new_id]
    # B's matches come from B's in-memory arrays: they change once B applied A's change (Registreville needs
    # what Nova offers and offers what it needs: near the top, as on one process).
    after = eventually(lambda: [ids for ids in [r.top_ids(r.b, B)] if ids != before])[0]
    assert new_id not in before and after.index(new_id) <= 1
    # An edit and a deletion travel the same way.
    patched = r.a.patch(f"/authorities/{new_id}", headers=r.staff, json={"needs": {"text": "", "themes": []},
                                                                         "expertise": {"text": ""}})
    assert patched.status_code == 200, patched.text
    eventually(lambda: new_id not in r.top_ids(r.b, B)[:2])
    assert r.a.delete(f"/authorities/{new_id}", headers=r.staff).status_code == 204
    eventually(lambda: new_id not in r.top_ids(r.b, B, k=50))
    # Both applied every change: B applied A's three, A none of its own, and they stand at the same place.
    ready_a, ready_b = r.a.get("/ready").json(), r.b.get("/ready").json()
    assert ready_b["changes_applied"] == 3 and ready_a["changes_applied"] == 0
    assert ready_a["authorities"] == ready_b["authorities"]
    eventually(lambda: r.a.get("/ready").json()["change_seq"] == r.b.get("/ready").json()["change_seq"])


def test_a_verification_on_b_reaches_a(make_replicas: Callable[..., Replicas]) -> None:
    """A self-registration on A is pending (matched by nobody); staff verify it on B; A's matches get it."""
    r = make_replicas()
    body = r.a.post("/authorities", json=NEW).json()
    new_id = body["authority"]["id"]
    assert new_id not in r.top_ids(r.a, B)
    v = r.b.post(f"/verifications/{new_id}", headers=r.staff, json={"decision": "approve"})
    assert v.status_code == 200, v.text
    assert eventually(lambda: new_id in r.top_ids(r.a, B)[:2])
    # The owner key issued by A works on B (keys are in the database).
    key = bearer(body["owner_key"]["secret"])
    assert r.b.patch(f"/authorities/{new_id}", headers=key, json={"description": "x"}).status_code == 200


def test_an_event_deleted_on_a_is_forgotten_by_b(make_replicas: Callable[..., Replicas]) -> None:
    r = make_replicas()
    up = r.a.post("/events", files={"file": ("participants.csv", CSV_FILE, "text/csv")}, headers=r.staff)
    assert up.status_code == 201, up.text
    event_id = up.json()["id"]
    assert r.b.get(f"/events/{event_id}/rankings", headers=r.staff).status_code == 200  # now loaded in B
    # The organiser's options set on A are B's too (B forgets its loaded copy and reads the store again).
    put = r.a.put(f"/events/{event_id}/options", json={"rounds": 2, "slot_minutes": 45}, headers=r.staff)
    assert put.status_code == 200, put.text
    eventually(lambda: r.b.get(f"/events/{event_id}/options", headers=r.staff).json()["slot_minutes"] == 45)
    assert r.a.delete(f"/events/{event_id}", headers=r.staff).status_code == 204
    eventually(lambda: r.b.get(f"/events/{event_id}/rankings", headers=r.staff).status_code == 404)


def test_rate_limits_hold_across_replicas(make_replicas: Callable[..., Replicas]) -> None:
    r = make_replicas(rate_registration="3/hour")
    statuses = [client.post("/authorities", json={**NEW, "name": f"Nova {i}"}).status_code
                for i, client in enumerate([r.a, r.b, r.a, r.b])]
    assert statuses == [201, 201, 201, 429]
    refused = r.a.post("/authorities", json={**NEW, "name": "Nova 5"})
    assert refused.status_code == 429 and 1 <= int(refused.headers["Retry-After"]) <= 3600


@pytest.fixture()
def own_server(pg_server: PgServer) -> Iterator[PgServer]:  # noqa: F811
    """A server of this test's own, to be stopped without disturbing the others."""
    bindir = find_bindir()
    assert bindir is not None  # pg_server would have skipped or failed
    root = Path(tempfile.mkdtemp(prefix="twinmatch-pg-restart-"))  # not under pytest's 0700 directory
    server = PgServer(bindir, root, durable=True)  # what committed before the restart is still there
    try:
        server.start()
        yield server
    finally:
        if (server.data / "postmaster.pid").exists():
            server.stop()
        shutil.rmtree(root, ignore_errors=True)


def test_a_database_restart_is_503_on_ready_then_recovers(make_replicas: Callable[..., Replicas],
                                                          own_server: PgServer) -> None:
    r = make_replicas(own_server)
    assert r.a.get("/ready").status_code == 200 and r.b.get("/ready").status_code == 200
    own_server.stop()
    for client in (r.a, r.b):
        down = client.get("/ready")
        assert down.status_code == 503 and down.json()["error"]["code"] == "database_unavailable", down.text
        write = client.post("/authorities", headers=r.staff, json=NEW)  # not a 500, nothing half-written
        assert write.status_code == 503, write.text
    own_server.resume()
    for client in (r.a, r.b):
        eventually(lambda c=client: c.get("/ready").status_code == 200)  # type: ignore[misc]
    created = r.a.post("/authorities", headers=r.staff, json=NEW)
    assert created.status_code == 201, created.text
    new_id = created.json()["authority"]["id"]
    eventually(lambda: new_id in r.top_ids(r.b, B)[:2])  # B's follower listens again
    found = r.b.get("/authorities", params={"q": "nova"}).json()["items"]
    assert [i["id"] for i in found] == [new_id]  # the two writes refused while it was down left nothing
