"""Start-up time and memory of ``twinmatch serve`` on the real catalogue.

Starts the service (uvicorn, one worker, as ``twinmatch serve`` does) over an already built database
(``--db``, default ``data/twinmatch.db``: build it once with ``make serve`` or any ``twinmatch`` command),
times start-up to the first 200 of ``/ready``, then asks ``--queries`` different authorities for their
matches and prints the resident memory (VmRSS, and its peak VmHWM) of the server process after start-up
and after the queries. Usage::

    .venv/bin/python benchmarks/serve_footprint.py [--queries 200]
"""

from __future__ import annotations

import argparse
import os
import signal
import tempfile
import time
from pathlib import Path

from load import REPO_ROOT, add_server_options, free_port, pick_ids, start_server, wait_ready


def memory_mib(pid: int) -> dict[str, float]:
    """VmRSS and VmHWM of one process, in MiB (Linux /proc)."""
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = int(value.split()[0]) / 1024
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--db", type=Path, default=REPO_ROOT / "data" / "twinmatch.db")
    p.add_argument("--queries", type=int, default=200)
    add_server_options(p)
    args = p.parse_args()
    if not args.db.exists():
        raise SystemExit(f"no database at {args.db}: build it first (make serve, or any twinmatch command)")
    args.workers, args.no_cache = 1, False
    import httpx

    tmp = Path(tempfile.mkdtemp(prefix="twinmatch-footprint-"))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    t0 = time.monotonic()
    server = start_server(args, port, args.db, tmp / "server.log")
    try:
        ready = wait_ready(base, server, args.ready_timeout)
        startup = time.monotonic() - t0
        after_start = memory_mib(server.pid)
        print(f"start-up to /ready: {startup:.1f} s ({ready['authorities']:,} authorities, {ready['links']:,} links)")
        print(f"RSS after start-up: {after_start['VmRSS']:,.0f} MiB")
        ids = pick_ids(base, args.queries)
        t1 = time.monotonic()
        with httpx.Client(base_url=base, timeout=60) as client:
            for pid in ids:
                r = client.get(f"/authorities/{pid}/matches", params={"k": 10})
                r.raise_for_status()
        after = memory_mib(server.pid)
        print(f"{len(ids)} match queries in {time.monotonic() - t1:.1f} s; RSS after them: "
              f"{after['VmRSS']:,.0f} MiB (peak {after['VmHWM']:,.0f} MiB)")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
