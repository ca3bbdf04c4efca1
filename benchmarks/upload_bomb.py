"""The XLSX upload bomb of issue H against a real server: a half-megabyte .xlsx of a million rows.

Starts ``twinmatch serve``'s app (uvicorn, one worker) on a copy of the built database (``--db``, default
``data/twinmatch.db``, copied so the staff key made here does not stay), uploads the bomb to
``POST /events`` with a staff key while a second client polls ``/health`` every 50 ms, and prints: the
upload's status and time, the server's resident memory before and after (VmRSS / peak VmHWM), and the
``/health`` latency percentiles during the upload. Then the same for the largest sheet the unpacked-size
cap lets through (100,000 rows). Usage::

    .venv/bin/python benchmarks/upload_bomb.py
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from pathlib import Path

from load import REPO_ROOT, add_server_options, copy_db, serving
from serve_footprint import memory_mib

sys.path.insert(0, str(REPO_ROOT / "tests"))
from xlsx_bomb import xlsx_rows

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def children(pid: int) -> list[int]:
    """Child processes of ``pid`` (the spreadsheet parser's, service.upload_parsing), from /proc."""
    out: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        out += [int(x) for x in text]
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--db", type=Path, default=REPO_ROOT / "data" / "twinmatch.db")
    add_server_options(p)
    args = p.parse_args()
    args.workers, args.no_cache = 1, False
    import httpx

    from matcher.store.sqlite import SQLiteStore

    tmp, db = copy_db(args.db, "twinmatch-bomb-")
    with SQLiteStore.open(db, args.data_dir) as store:
        _, secret = store.create_key("staff", None, "upload bomb benchmark")
    with serving(args, db, tmp) as (base, server):
        for label, rows in (("bomb: 1,000,000 rows", 1_000_000), ("largest accepted sheet: 100,000 rows", 100_000)):
            body = xlsx_rows(rows)
            health: list[float] = []
            done = threading.Event()

            def poll(health: list[float], done: threading.Event) -> None:
                with httpx.Client(base_url=base, timeout=30) as c:
                    while not done.is_set():
                        t0 = time.perf_counter()
                        c.get("/health")
                        health.append((time.perf_counter() - t0) * 1000)
                        time.sleep(0.05)

            before = memory_mib(server.pid)
            poller = threading.Thread(target=poll, args=(health, done))
            poller.start()
            t0 = time.perf_counter()
            r = httpx.post(f"{base}/events", headers={"Authorization": f"Bearer {secret}"},
                           files={"file": ("participants.xlsx", body, XLSX)}, timeout=120)
            elapsed = time.perf_counter() - t0
            time.sleep(0.3)
            done.set()
            poller.join()
            after = memory_mib(server.pid)
            hs = sorted(health)
            p99 = hs[min(len(hs) - 1, int(0.99 * len(hs)))] if hs else float("nan")
            print(f"{label} ({len(body) / 1024:,.0f} KiB): HTTP {r.status_code} in {elapsed:.2f} s "
                  f"({r.json().get('error', {}).get('message', '')[:80]})")
            kids = [memory_mib(c) for c in children(server.pid)]
            kid = (f"; parser process RSS {sum(k['VmRSS'] for k in kids):,.0f} MiB, peak "
                   f"{sum(k['VmHWM'] for k in kids):,.0f}" if kids else "")
            print(f"  RSS {before['VmRSS']:,.0f} -> {after['VmRSS']:,.0f} MiB ({after['VmRSS'] - before['VmRSS']:+,.0f}; "
                  f"peak {after['VmHWM']:,.0f}{kid}); /health during the upload: n={len(hs)}, "
                  f"p50 {statistics.median(hs) if hs else float('nan'):.1f} ms, p99 {p99:.1f} ms")


if __name__ == "__main__":
    main()
