"""``kill -9`` (twice) during concurrent writes on a real server: every acknowledged write survives the crash
and the database stays intact (SQLite WAL, one transaction per write, the 201 sent after the commit)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest
from support.api import make_settings
from support.net import free_port, wait_ready

from matcher.store.sqlite import SQLiteStore

pytestmark = pytest.mark.slow
HERE = Path(__file__).resolve().parent


def _start(db: Path, data: Path, ranker: Path, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE.parent), str(HERE)])}
    proc = subprocess.Popen([sys.executable, str(HERE / "crash_server.py"), str(db), str(data), str(ranker), str(port)],
                            env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    wait_ready(base, proc, log, timeout=60, interval=0.1)
    return proc, base


def _writer(base: str, headers: dict[str, str], tag: str, acked: list[str], stop: threading.Event) -> None:
    with httpx.Client(base_url=base, headers=headers, timeout=10) as c:
        i = 0
        while not stop.is_set():
            try:
                r = c.post("/authorities", json={"name": f"Crashville {tag}-{i}", "kind": "commune", "country": "FR",
                                                 "lat": 45.1, "lon": 2.1, "population": 1_000})
            except httpx.TransportError:
                return  # the server is gone
            if r.status_code == 201:
                acked.append(r.json()["authority"]["id"])
            i += 1


def test_acknowledged_writes_survive_kill_9(tmp_path: Path, ranker_file: Path) -> None:
    settings = make_settings(tmp_path, ranker_file)
    with SQLiteStore.open(settings.db, settings.data_dir) as store:
        _, staff = store.create_key("staff", None, "crash test")
    headers = {"Authorization": f"Bearer {staff}"}
    log = tmp_path / "server.log"
    acked: list[str] = []
    for round_ in range(2):
        proc, base = _start(settings.db, settings.data_dir, settings.ranker, log)
        stop = threading.Event()
        writers = [threading.Thread(target=_writer, args=(base, headers, f"{round_}.{w}", acked, stop))
                   for w in range(4)]
        for t in writers:
            t.start()
        target = len(acked) + 10  # kill once this round's writers have 10 acknowledged writes (not after a pause)
        for _ in range(6000):
            if len(acked) >= target or proc.poll() is not None:
                break
            stop.wait(0.01)
        os.kill(proc.pid, signal.SIGKILL)  # mid-write (the writers keep writing): no shutdown, no checkpoint
        proc.wait(10)
        stop.set()
        for t in writers:
            t.join(15)
    print(f"{len(acked)} acknowledged writes across 2 kill -9")
    assert len(acked) >= 20, len(acked)  # the writes did run
    proc, base = _start(settings.db, settings.data_dir, settings.ranker, log)
    try:
        with httpx.Client(base_url=base, headers=headers, timeout=10) as c:
            lost = [pid for pid in acked if c.get(f"/authorities/{pid}").status_code != 200]
        assert lost == [], f"{len(lost)} of {len(acked)} acknowledged writes lost"
    finally:
        proc.terminate()
        proc.wait(15)
    with sqlite3.connect(settings.db) as con:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
