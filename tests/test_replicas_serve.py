"""Two real ``twinmatch serve`` replicas (the real embedding model, uvicorn, a port each) on one database of
the throw-away PostgreSQL server: a staff write on A is in B's matches; ``kill -9`` of A under writes loses
no acknowledged write; A started again while B takes writes catches up with all of them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from support.api import NEW, B, bearer, tiny_database
from support.net import free_port, wait_ready, wait_until
from support.pg import PgServer

from matcher.store.backends import open_store

pytestmark = pytest.mark.slow
TWINMATCH = Path(sys.executable).with_name("twinmatch")


class Replica:
    def __init__(self, url: str, data: Path, ranker: Path, log: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
               **{f"TWINMATCH_RATE_{r.upper()}": "100000/minute" for r in ("registration", "write")}}
        self.log = log
        self.proc = subprocess.Popen(
            [str(TWINMATCH), "serve", "--db", url, "--data-dir", str(data), "--ranker", str(ranker),
             "--port", str(self.port), "--log-level", "warning", "--no-access-log"],
            env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT)

    def ready(self, timeout: float = 120) -> dict[str, object]:
        return wait_ready(self.base, self.proc, self.log, timeout=timeout)

    def top_ids(self, authority_id: str, k: int = 10) -> list[str]:
        r = httpx.get(f"{self.base}/authorities/{authority_id}/matches", params={"k": k}, timeout=10)
        assert r.status_code == 200, r.text
        return [m["id"] for m in r.json()["matches"]]

    def kill(self) -> None:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)


class Writer(threading.Thread):
    """Registers authorities on one replica as fast as it answers; keeps the ids of the 201s."""

    def __init__(self, base: str, staff: dict[str, str], prefix: str, *, limit: int = 30,
                 pause: float = 0.0) -> None:
        super().__init__(daemon=True)
        self.base, self.staff, self.prefix, self.limit, self.pause = base, staff, prefix, limit, pause
        self.acked: list[str] = []
        self.stop = threading.Event()

    def run(self) -> None:
        with httpx.Client(base_url=self.base, headers=self.staff, timeout=10) as client:
            i = 0
            while not self.stop.is_set() and i < self.limit:
                i += 1
                time.sleep(self.pause)
                try:
                    r = client.post("/authorities", json={**NEW, "name": f"{self.prefix} {i}"})
                except httpx.TransportError:
                    return  # the replica died: a request without an answer is not an acknowledged write
                if r.status_code == 201:
                    self.acked.append(r.json()["authority"]["id"])


def test_two_served_replicas(tmp_path: Path, ranker_file: Path, pg_server: PgServer) -> None:
    url = pg_server.new_database()
    data = tiny_database(url, tmp_path)
    with open_store(url, data) as store:
        _, secret = store.create_key("staff", None, "Alice (staff)")
    staff = bearer(secret)
    a, b = (Replica(url, data, ranker_file, tmp_path / f"{name}.log") for name in "ab")
    try:
        a.ready()
        b.ready()
        # A staff write on A changes B's matches (Registreville needs what Nova offers).
        before = b.top_ids(B)
        r = httpx.post(f"{a.base}/authorities", headers=staff, json=NEW, timeout=10)
        assert r.status_code == 201, r.text
        nova = r.json()["authority"]["id"]
        assert nova not in before
        wait_until(lambda: nova in b.top_ids(B)[:2])

        # kill -9 of A while it takes writes: every acknowledged write is in the database (read on B).
        writer = Writer(a.base, staff, "Killed", limit=10**6)
        writer.start()
        wait_until(lambda: len(writer.acked) >= 20, timeout=60)
        a.kill()
        writer.join(10)
        acked = list(writer.acked)
        for authority_id in acked:
            got = httpx.get(f"{b.base}/authorities/{authority_id}", timeout=10)
            assert got.status_code == 200, (authority_id, got.text)

        # A started again while B takes writes: it catches up with everything B wrote, during and after.
        writer = Writer(b.base, staff, "During", limit=30, pause=0.3)  # spans A's start (~10 s)
        writer.start()
        a = Replica(url, data, ranker_file, tmp_path / "a2.log")
        a.ready()
        writer.join(60)
        assert len(writer.acked) == 30
        # Writes after A is up reach it through the change log (not through its load): made here, after
        # ready(), so the test does not depend on how long A's start takes (a loaded machine: all 30 above
        # may land before A has loaded).
        after = Writer(b.base, staff, "After", limit=3)
        after.run()
        assert len(after.acked) == 3
        wait_until(lambda: a.ready()["changes_applied"] > 0)
        wait_until(lambda: a.ready()["change_seq"] == b.ready()["change_seq"])
        assert a.ready()["authorities"] == b.ready()["authorities"]
        # In step: every candidate is in both (the order of equal scores may differ: rows are in another order).
        assert len(a.top_ids(B, k=100)) < 100
        assert set(a.top_ids(B, k=100)) == set(b.top_ids(B, k=100))
    finally:
        a.kill()
        b.kill()
