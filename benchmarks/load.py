"""Load benchmark of the HTTP API: ``GET /authorities/{id}/matches`` under concurrent clients.

Starts a real uvicorn server on loopback (a subprocess, over the shipped catalogue in ``data/`` and the
ranker in ``models/``), waits for ``/ready``, picks real authority ids through the API, then drives the
server from a second process with an asyncio httpx client at ``--concurrency`` concurrent clients,
bounded in count (``--requests``) and time (``--duration``). Two phases are reported:

- ``cold``: each id asked once (every request is a full ranking: engine-bound);
- ``steady``: ``--requests`` requests spread over the same ids (repeat queries, as in real use:
  served from the per-process result cache unless ``--no-cache``; with several workers, each worker
  still misses the ids another worker served in the cold phase);
- ``warm`` (several workers only): the same requests again, every worker's cache warm.

Prints req/s, p50/p90/p99 latency and the error count per phase. Example::

    .venv/bin/python benchmarks/load.py --workers 2 --requests 2000 --concurrency 20
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT / "tests"))
from support.net import free_port


def add_server_options(p: argparse.ArgumentParser) -> None:
    """What ``start_server`` and ``wait_ready`` read: the server's data, ranker, model, patience."""
    p.add_argument("--data-dir", type=Path, default=REPO_ROOT / "data")
    p.add_argument("--ranker", type=Path, default=REPO_ROOT / "models" / "ranker.joblib")
    p.add_argument("--model", default="usem3")
    p.add_argument("--ready-timeout", type=float, default=300.0)


def start_server(args: argparse.Namespace, port: int, db: Path | str, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "TWINMATCH_DB": str(db), "TWINMATCH_DATA_DIR": str(args.data_dir),
           "TWINMATCH_RANKER": str(args.ranker), "TWINMATCH_MODEL": args.model,
           "TWINMATCH_MATCH_CACHE_SIZE": "0" if args.no_cache else "4096",
           "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    cmd = [sys.executable, "-m", "uvicorn", "--factory", "service.app:create_app", "--host", "127.0.0.1",
           "--port", str(port), "--workers", str(args.workers), "--log-level", "warning", "--no-access-log"]
    return subprocess.Popen(cmd, cwd=REPO_ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
                            start_new_session=True)


def wait_ready(base: str, proc: subprocess.Popen[bytes], timeout: float) -> dict[str, Any]:
    import httpx

    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with code {proc.returncode}")
        try:
            r = httpx.get(f"{base}/ready", timeout=2)
            if r.status_code == 200:
                return r.json()
            last = r.text
            if "failed" in last:
                raise SystemExit(f"server failed to load: {last}")
        except httpx.TransportError:
            pass
        time.sleep(0.25)
    raise SystemExit(f"server not ready after {timeout} s: {last}")


def copy_db(db: Path, prefix: str) -> tuple[Path, Path]:
    """(a new temporary folder, a copy of ``db`` in it): benchmarks write keys and profiles into the copy,
    never into the built database."""
    if not db.exists():
        raise SystemExit(f"no database at {db}: build it first (make serve, or any twinmatch command)")
    tmp = Path(tempfile.mkdtemp(prefix=prefix))
    copy = tmp / "twinmatch.db"
    shutil.copy(db, copy)
    return tmp, copy


@contextmanager
def serving(args: argparse.Namespace, db: Path, tmp: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """The app served on ``db`` (``start_server``), ready; (base URL, server process). On exit the server's
    process group is stopped and ``tmp`` removed."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(args, port, db, tmp / "server.log")
    try:
        wait_ready(base, server, args.ready_timeout)
        yield base, server
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        shutil.rmtree(tmp, ignore_errors=True)


def pick_ids(base: str, n: int) -> list[str]:
    """Half French authorities, half foreign municipalities, largest first (real, varied queries)."""
    import httpx

    ids: list[str] = []
    for params in ({"country": "FR"}, {"kind": "municipality"}):
        cursor: str | None = None
        want = n // 2 if not ids else n - len(ids)
        got: list[str] = []
        while len(got) < want:
            q: dict[str, Any] = {**params, "limit": 100, **({"cursor": cursor} if cursor else {})}
            body = httpx.get(f"{base}/authorities", params=q, timeout=10).json()
            got += [i["id"] for i in body["items"]]
            cursor = body["next_cursor"]
            if not cursor:
                break
        ids += got[:want]
    return ids


async def _drive(base: str, urls: list[str], concurrency: int, duration: float) -> dict[str, Any]:
    import httpx

    latencies: list[float] = []
    errors: dict[str, int] = {}
    queue = iter(urls)
    deadline = time.monotonic() + duration
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
        async def worker() -> None:
            for url in queue:  # a shared iterator: each URL is taken by exactly one worker
                if time.monotonic() > deadline:
                    return
                t0 = time.perf_counter()
                try:
                    r = await client.get(url)
                    ok = r.status_code == 200 and r.json()["matches"] is not None
                    if not ok:
                        errors[str(r.status_code)] = errors.get(str(r.status_code), 0) + 1
                except (httpx.HTTPError, ValueError, KeyError) as exc:
                    errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
                latencies.append(time.perf_counter() - t0)

        t0 = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        wall = time.perf_counter() - t0
    return {"latencies": latencies, "errors": errors, "wall": wall}


def drive_process(base: str, urls: list[str], concurrency: int, duration: float, out: Any) -> None:
    """Entry point of the client process (a separate process: the client must not share the server's CPU
    accounting, nor its event loop)."""
    out.put(asyncio.run(_drive(base, urls, concurrency, duration)))


def run_phase(base: str, urls: list[str], concurrency: int, duration: float) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    proc = ctx.Process(target=drive_process, args=(base, urls, concurrency, duration, out))
    proc.start()
    result: dict[str, Any] = out.get(timeout=duration + 120)
    proc.join(30)
    return result


def run_wrk(base: str, urls: list[str], concurrency: int, duration: float) -> str:
    """The same request mix driven by wrk (a C client, 1 thread): the Python client costs more CPU per
    request than the server's cached path, and it shares the 2 cores with the server."""
    import shutil

    if shutil.which("wrk") is None:
        raise SystemExit("wrk not found: apt-get install wrk (or use --client httpx)")
    lua = Path(tempfile.mkdtemp(prefix="twinmatch-wrk-")) / "urls.lua"
    lua.write_text("local urls = {" + ",".join(f'"{u}"' for u in urls) + "}\nlocal n = 0\n"
                   "request = function()\n  n = n + 1\n  return wrk.format('GET', urls[(n % #urls) + 1])\nend\n")
    out = subprocess.run(["wrk", "-t1", f"-c{concurrency}", f"-d{int(duration)}s", "--latency", "-s", str(lua), base],
                         capture_output=True, text=True, check=True).stdout
    keep = [line.strip() for line in out.splitlines()
            if line.strip().startswith(("50%", "90%", "99%", "Requests/sec", "Non-2xx", "Socket errors"))
            or "requests in" in line]
    if not any(k.startswith(("Non-2xx", "Socket errors")) for k in keep):
        keep.append("errors 0")  # wrk prints these lines only when there are errors
    return " | ".join(keep)


def summary(name: str, result: dict[str, Any]) -> str:
    lat = sorted(result["latencies"])
    n = len(lat)
    if not n:
        return f"{name}: no requests completed"
    q = statistics.quantiles(lat, n=100, method="inclusive") if n > 1 else [lat[0]] * 99
    errors = sum(result["errors"].values())
    return (f"{name:<7} {n:>6} req in {result['wall']:6.2f} s  {n / result['wall']:8.1f} req/s  "
            f"p50 {q[49] * 1000:7.1f} ms  p90 {q[89] * 1000:7.1f} ms  p99 {q[98] * 1000:7.1f} ms  "
            f"errors {errors}" + (f" {json.dumps(result['errors'])}" if errors else ""))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--requests", type=int, default=2000, help="requests in the steady phase")
    p.add_argument("--duration", type=float, default=60.0, help="time cap of each phase (s)")
    p.add_argument("--concurrency", type=int, default=20)
    p.add_argument("--ids", type=int, default=200, help="distinct authorities queried")
    p.add_argument("--k", type=int, default=10)
    p.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    p.add_argument("--no-cache", action="store_true", help="turn the result cache off (engine-bound)")
    p.add_argument("--client", choices=["httpx", "wrk"], default="httpx",
                   help="load generator for the steady phase: asyncio httpx (Python) or wrk (Debian package)")
    p.add_argument("--db", default=None, help="SQLite file or postgresql:// URL (default: a fresh SQLite file in a "
                                         "temp dir)")
    add_server_options(p)
    args = p.parse_args()
    if not args.ranker.exists():
        raise SystemExit(f"no ranker at {args.ranker} (run `twinmatch train`, or pass --ranker)")

    tmp = Path(tempfile.mkdtemp(prefix="twinmatch-load-"))
    db: Path | str = args.db or tmp / "twinmatch.db"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp / "server.log"
    t0 = time.monotonic()
    server = start_server(args, port, db, log)
    try:
        ready = wait_ready(base, server, args.ready_timeout)
        print(f"server ready in {time.monotonic() - t0:.1f} s ({args.workers} worker(s), cache "
              f"{'off' if args.no_cache else 'on'}): {ready['authorities']} authorities, {ready['links']} links, "
              f"{ready['texts']} texts; model {ready['model']}; log {log}")
        ids = pick_ids(base, args.ids)
        urls = [f"/authorities/{i}/matches?k={args.k}" for i in ids]
        print(f"{len(ids)} ids, {args.concurrency} concurrent clients, cap {args.duration:.0f} s per phase")
        print(summary("cold", run_phase(base, urls, args.concurrency, args.duration)))
        steady = [urls[i % len(urls)] for i in range(args.requests)]
        if args.client == "wrk":
            print(f"steady (wrk, {args.concurrency} connections, {args.duration:.0f} s): "
                  + run_wrk(base, urls, args.concurrency, min(args.duration, 20)))
            return
        print(summary("steady", run_phase(base, steady, args.concurrency, args.duration)))
        if args.workers > 1 and not args.no_cache:  # each worker has its own cache: a second pass is all hits
            print(summary("warm", run_phase(base, steady, args.concurrency, args.duration)))
    finally:
        os.killpg(server.pid, signal.SIGTERM)  # our own session: uvicorn and its worker processes
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


if __name__ == "__main__":
    main()
