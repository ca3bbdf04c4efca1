"""Replicas on one PostgreSQL database: how fast a write on one reaches another, whether a ``kill -9`` loses
acknowledged writes, and what a second replica adds under load.

Starts a throw-away PostgreSQL server (``tests/support/pg.py: PgServer``: Debian's ``postgresql`` binaries,
``initdb`` into a temporary directory; durable: fsync and synchronous commit on), loads the shipped
catalogue (``data/``) into a new database, and serves it with real replicas (``uvicorn`` over
``service.app:create_app``, the real model and ``models/ranker.joblib``):

1. **visibility** — staff writes on replica A, each a new authority with the place, kind and size of the
   first candidate in B's matches of a different query, until ``--writes`` of them entered that query's
   top 10: the time from A's acknowledgement until B's search finds it and until B's matches list it (B
   polled every 5 ms); p50 / p99 / max (a write not in B's list after 3 s and not in A's either cannot
   change the list: counted apart);
2. **kills** — ``--kills`` rounds: a client registers authorities on one replica (A, B, A...) as fast as
   it answers; that replica gets ``kill -9`` after ``--kill-after`` acknowledgements; every acknowledged id
   is then looked up on the other replica (lost = not found); the killed one is started again and must
   reach the other's ``change_seq`` (the catch-up time is printed);
3. **load** — ``benchmarks/load.py``'s cold and steady phases against 1 and then 2 replicas (uvicorn
   ``--workers``: two processes, each with its own matcher, following the log, on one port).

Example: ``.venv/bin/python benchmarks/replicas.py --writes 100 --kills 5``
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import _common  # noqa: F401 - repository root on sys.path, HF_HUB_OFFLINE
import httpx
import load

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from support.pg import PgServer, find_bindir

from matcher.store.backends import open_store


class Replica:
    def __init__(self, args: argparse.Namespace, url: str, tmp: Path, name: str) -> None:
        self.args, self.url, self.tmp, self.name = args, url, tmp, name
        self.start()

    def start(self) -> None:
        self.port = load.free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        t0 = time.monotonic()
        self.proc = load.start_server(self.args, self.port, self.url, self.tmp / f"{self.name}.log")
        self.ready = load.wait_ready(self.base, self.proc, self.args.ready_timeout)
        self.start_seconds = time.monotonic() - t0

    def status(self) -> dict[str, Any]:
        return dict(httpx.get(f"{self.base}/ready", timeout=5).json())

    def kill9(self) -> None:
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(30)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(30)


def ms(values: list[float]) -> str:
    v = sorted(values)
    q = statistics.quantiles(v, n=100, method="inclusive") if len(v) > 1 else [v[0]] * 99
    return f"p50 {q[49] * 1000:.0f} ms, p99 {q[98] * 1000:.0f} ms, max {v[-1] * 1000:.0f} ms"


def visibility(a: Replica, b: Replica, staff: dict[str, str], ids: list[str], writes: int) -> None:
    """Each write: staff register on A a new authority with the place, kind and size of the first candidate
    C in B's matches of a query Q (a merged entry, say) and a text; measured: until B's search finds it by
    name, and until B's matches of Q list it (k=10; a twin of C ranks beside C)."""
    search_s: list[float] = []
    matches_s: list[float] = []
    unlisted = 0
    with httpx.Client(timeout=30) as client:
        for i, query in enumerate(ids):
            if len(matches_s) >= writes:
                break
            first = client.get(f"{b.base}/authorities/{query}/matches", params={"k": 10}).json()["matches"]
            if not first or first[0]["lat"] is None:
                continue
            c = first[0]
            name = f"{c['name'][:150]} réplique {i}"
            body = {"name": name, "kind": c["kind"], "country": c["country"], "lat": c["lat"], "lon": c["lon"],
                    "expertise": {"text": "Gestion de l'eau potable et de l'assainissement"},
                    **({"population": c["population"]} if c["population"] else {})}
            r = client.post(f"{a.base}/authorities", headers=staff, json=body)
            if r.status_code != 201:
                raise SystemExit(f"write {i} refused: {r.status_code} {r.text}")
            acked = time.perf_counter()
            new_id = r.json()["authority"]["id"]
            seen_search = seen_matches = None
            while seen_search is None or seen_matches is None:
                now = time.perf_counter() - acked
                if seen_search is None:
                    items = client.get(f"{b.base}/authorities", params={"q": name, "limit": 5}).json()["items"]
                    if any(x["id"] == new_id for x in items):
                        seen_search = time.perf_counter() - acked  # when the answer that shows it arrived
                if seen_matches is None:
                    got = client.get(f"{b.base}/authorities/{query}/matches", params={"k": 10}).json()["matches"]
                    if any(m["id"] == new_id for m in got):
                        seen_matches = time.perf_counter() - acked
                if now > 3:  # not on B after 3 s: is it in A's list at all?
                    on_a = client.get(f"{a.base}/authorities/{query}/matches", params={"k": 10}).json()["matches"]
                    if any(m["id"] == new_id for m in on_a):
                        raise SystemExit(f"write {i}: in A's matches of {query} but not in B's after 3 s")
                    unlisted += 1  # not in the top 10 on A either: this write cannot show there
                    break
                time.sleep(0.005)
            if seen_search is not None:
                search_s.append(seen_search)
            if seen_matches is not None:
                matches_s.append(seen_matches)
    print(f"visibility of {len(search_s)} staff writes on A (a new authority beside the first candidate of a "
          f"query), until {writes} changed the query's top 10:")
    print(f"  in B's search:  {len(search_s)} writes, {ms(search_s)}")
    print(f"  in B's matches: {len(matches_s)} writes, {ms(matches_s)}; within 1 s: "
          f"{sum(s <= 1.0 for s in matches_s)}/{len(matches_s)}; {unlisted} not in the top 10 on A either")


def kills(replicas: list[Replica], staff: dict[str, str], rounds: int, after: int) -> None:
    lost_total = acked_total = 0
    for k in range(rounds):
        victim, other = replicas[k % 2], replicas[(k + 1) % 2]
        acked: list[str] = []
        stop = threading.Event()

        def write(base: str = victim.base, round_: int = k, acked: list[str] = acked,
                  stop: threading.Event = stop) -> None:
            with httpx.Client(base_url=base, headers=staff, timeout=10) as client:
                i = 0
                while not stop.is_set():
                    i += 1
                    body = {"name": f"Essai {round_}-{i}", "kind": "municipality", "country": "SN",
                            "lat": 14.7, "lon": -17.4, "population": 20000,
                            "needs": {"text": "Gestion de l'eau potable"}}
                    try:
                        r = client.post("/authorities", json=body)
                    except httpx.TransportError:
                        return  # no answer: not acknowledged
                    if r.status_code == 201:
                        acked.append(r.json()["authority"]["id"])

        writers = [threading.Thread(target=write, daemon=True) for _ in range(4)]
        for w in writers:
            w.start()
        while len(acked) < after:
            time.sleep(0.01)
        victim.kill9()
        stop.set()
        for w in writers:
            w.join(15)
        with httpx.Client(timeout=10) as client:
            lost = [i for i in acked if client.get(f"{other.base}/authorities/{i}").status_code != 200]
        t0 = time.monotonic()
        victim.start()
        target = other.status()["change_seq"]
        while victim.status()["change_seq"] < target:
            time.sleep(0.05)
        caught = time.monotonic() - t0
        lost_total += len(lost)
        acked_total += len(acked)
        print(f"  kill {k + 1}: {victim.name} killed after {len(acked)} acknowledged writes, {len(lost)} lost; "
              f"restarted and in step in {caught:.1f} s")
    print(f"kill -9: {rounds} kills, {acked_total} acknowledged writes, {lost_total} lost")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--writes", type=int, default=100)
    p.add_argument("--kills", type=int, default=5)
    p.add_argument("--kill-after", type=int, default=30, help="acknowledged writes before each kill")
    p.add_argument("--requests", type=int, default=2000, help="requests in each load run's steady phase")
    p.add_argument("--duration", type=float, default=60.0)
    p.add_argument("--concurrency", type=int, default=20)
    p.add_argument("--ids", type=int, default=200)
    p.add_argument("--skip-load", action="store_true")
    load.add_server_options(p)
    args = p.parse_args()
    args.no_cache, args.workers = False, 1
    bindir = find_bindir()
    if bindir is None:
        raise SystemExit("no PostgreSQL server binaries: `make postgres` installs them")
    root = Path(tempfile.mkdtemp(prefix="twinmatch-replicas-"))
    root.chmod(0o755)  # the server may run as another user (root cannot run initdb)
    server = PgServer(bindir, root, durable=True)
    server.start()
    replicas: list[Replica] = []
    try:
        url = server.new_database()
        t0 = time.monotonic()
        with open_store(url, args.data_dir, progress=True) as store:
            _, secret = store.create_key("staff", None, "benchmark (staff)")
            print(f"catalogue loaded into PostgreSQL in {time.monotonic() - t0:.1f} s: {store.count()} profiles")
        staff = {"Authorization": f"Bearer {secret}"}
        replicas = [Replica(args, url, root, name) for name in ("A", "B")]
        print(f"replicas ready in {replicas[0].start_seconds:.1f} s and {replicas[1].start_seconds:.1f} s; "
              f"PostgreSQL {server.bindir.parent.name}, {os.cpu_count()} cores")
        ids = load.pick_ids(replicas[1].base, max(args.ids, 3 * args.writes))  # not every write enters a list
        visibility(replicas[0], replicas[1], staff, ids, args.writes)
        kills(replicas, staff, args.kills, args.kill_after)
        for r in replicas:
            r.stop()
        replicas = []
        if not args.skip_load:
            urls = [f"/authorities/{i}/matches?k=10" for i in ids[:args.ids]]
            steady = [urls[i % len(urls)] for i in range(args.requests)]
            for workers in (1, 2):
                args.workers = workers
                rep = Replica(args, url, root, f"load{workers}")
                try:
                    print(f"load, {workers} replica(s), {args.concurrency} concurrent clients, {len(urls)} ids:")
                    print("  " + load.summary("cold", load.run_phase(rep.base, urls, args.concurrency, args.duration)))
                    print("  " + load.summary("steady", load.run_phase(rep.base, steady, args.concurrency,
                                                                       args.duration)))
                    if workers > 1:  # each replica has its own cache: a second pass is all hits
                        print("  " + load.summary("warm", load.run_phase(rep.base, steady, args.concurrency,
                                                                         args.duration)))
                finally:
                    rep.stop()
    finally:
        for r in replicas:
            r.stop()
        try:
            server.stop()
        except (RuntimeError, subprocess.SubprocessError):
            pass


if __name__ == "__main__":
    main()
