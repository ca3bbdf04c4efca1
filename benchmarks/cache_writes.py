"""Repeat-query throughput while verified profiles are written (issue H: "writes invalidate what they change").

Starts the service (uvicorn, one worker, result cache on) on a copy of the built database (``--db``,
default ``data/twinmatch.db``; copied so the staff key made here does not stay), picks ``--ids`` real
authorities, asks each once (the cache fills), then runs the same repeat-query load (``--requests``
spread over those ids, ``--concurrency`` clients) twice: without writes, and while a staff client makes
``--writes-per-second`` verified writes: alternately a new municipality next to a random foreign catalogue
entry (``POST /authorities``) and a new needs text on a random catalogue authority (``PATCH``); the
targets are drawn from the whole catalogue. Prints req/s and
latency percentiles of both runs, their ratio, and the writes done. Usage::

    .venv/bin/python benchmarks/cache_writes.py [--requests 6000] [--writes-per-second 1]
"""

from __future__ import annotations

import argparse
import random
import threading
import time
from pathlib import Path

from load import REPO_ROOT, add_server_options, copy_db, pick_ids, run_phase, serving, summary

NEEDS = ["Gestion des déchets et recyclage", "Eau potable et assainissement en milieu rural",
         "Numérisation de l'état civil", "Tourisme culturel et patrimoine", "Formation des agents municipaux"]


def writer(base: str, secret: str, targets: list[dict[str, object]], rate: float, stop: threading.Event,
           done: list[int]) -> None:
    import httpx

    rng = random.Random(7)
    headers = {"Authorization": f"Bearer {secret}"}
    with httpx.Client(base_url=base, timeout=60, headers=headers) as c:
        i = 0
        next_at = time.monotonic()
        while not stop.is_set():
            t = rng.choice(targets)
            if i % 2 == 0 and t["country"] != "FR":
                r = c.post("/authorities", json={
                    "name": f"Bench-ville {i}", "kind": "municipality", "country": t["country"],
                    "population": rng.randint(2_000, 80_000), "lat": float(t["lat"]) + 0.01,  # type: ignore[arg-type]
                    "lon": float(t["lon"]) + 0.01})  # type: ignore[arg-type]
            else:
                r = c.patch(f"/authorities/{t['id']}", json={"needs": {"text": rng.choice(NEEDS) + f" ({i})"}})
            done[0 if r.status_code < 300 else 1] += 1
            i += 1
            next_at += 1.0 / rate
            stop.wait(max(0.0, next_at - time.monotonic()))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--db", type=Path, default=REPO_ROOT / "data" / "twinmatch.db")
    p.add_argument("--ids", type=int, default=200)
    p.add_argument("--requests", type=int, default=6000)
    p.add_argument("--concurrency", type=int, default=20)
    p.add_argument("--duration", type=float, default=60.0, help="time cap of each run (s)")
    p.add_argument("--writes-per-second", type=float, default=1.0)
    add_server_options(p)
    args = p.parse_args()
    args.workers, args.no_cache = 1, False
    from matcher.store.sqlite import SQLiteStore

    tmp, db = copy_db(args.db, "twinmatch-writes-")
    rng = random.Random(3)
    with SQLiteStore.open(db, args.data_dir) as store:
        _, secret = store.create_key("staff", None, "cache-writes benchmark")
        # Write targets drawn from the whole catalogue (as owners and staff edit any entry), with a place.
        pool = [p for p in store.all_profiles(verified_only=True) if p.lat is not None]
        targets = [{"id": p.id, "country": p.country, "lat": p.lat, "lon": p.lon} for p in rng.sample(pool, 400)]
    with serving(args, db, tmp) as (base, _):
        queried = pick_ids(base, args.ids)
        targets = [t for t in targets if t["id"] not in set(queried)]
        urls = [f"/authorities/{i}/matches?k=10" for i in queried]
        steady = [urls[i % len(urls)] for i in range(args.requests)]
        print(f"{len(queried)} ids queried, {len(targets)} write targets, {args.concurrency} clients")
        print(summary("cold", run_phase(base, urls, args.concurrency, args.duration)))
        quiet = run_phase(base, steady, args.concurrency, args.duration)
        print(summary("no writes", quiet))
        stop, done = threading.Event(), [0, 0]
        w = threading.Thread(target=writer, args=(base, secret, targets, args.writes_per_second, stop, done))
        w.start()
        busy = run_phase(base, steady, args.concurrency, args.duration)
        stop.set()
        w.join()
        print(summary("writes", busy))
        ratio = (len(busy["latencies"]) / busy["wall"]) / (len(quiet["latencies"]) / quiet["wall"])
        print(f"{done[0]} verified writes ({done[1]} refused) at {args.writes_per_second:g}/s; throughput with "
              f"writes = {ratio:.0%} of without")


if __name__ == "__main__":
    main()
