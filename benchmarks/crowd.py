"""An anonymous crowd and slow clients against a real ``twinmatch serve`` (issue 25, points 2 and 3).

1. ``--clients`` (120) concurrent anonymous ``POST /match``, each with two ~3,900-character texts that no
   other request repeats, for ``--seconds``; meanwhile ``/health`` is polled every 50 ms on its own
   connection (2 s time-out). Printed: the statuses (every one must be 200, or 429/503 with Retry-After),
   ``/health``'s p50/p99/max and time-outs, the server's RSS before, at its peak and after (growth).
   Run twice: with the default anonymous rate limit (one address: most answers are 429) and with the
   limit raised (``--rate-match``), so that admission control alone bounds the work (503 beyond it).
2. ``--stalled`` (150) connections each sending half a header, then nothing: how many the server closed
   within 60 s (and when); ``--stalled-bodies`` (200) bodies of 512 KiB stopping 1 KiB before their end:
   how many closed within 45 s, and the server's RSS meanwhile.

``--tiny`` serves the test suite's tiny world (synthetic ranker, the real embedding model) instead of the
real catalogue: for a worktree whose shipped ranker cannot load.

    python benchmarks/crowd.py [--tiny] [--clients 120] [--seconds 30] [--stalled 150]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import random
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
from support.net import free_port  # the one free-port helper (tests/support/net.py)

from benchmarks._common import SAMPLE_TEXTS, percentiles

TEXT_CHARS = 3900


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def tiny_world(tmp: Path) -> list[str]:
    """The tests' tiny world (catalogue files, profile texts in the database, a synthetic ranker)."""
    sys.path.insert(0, str(ROOT / "tests"))
    from support.api import make_settings
    from support.rankers import synthetic_ranker

    from matcher.ranking.artifact import save_ranker

    save_ranker(synthetic_ranker(), tmp / "ranker.joblib")
    s = make_settings(tmp, tmp / "ranker.joblib")
    return ["--db", str(s.db), "--data-dir", str(s.data_dir), "--ranker", str(s.ranker)]


def start(args: argparse.Namespace, tmp: Path, rate_match: str | None) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    if args.tiny:
        where = tiny_world(tmp / f"world-{port}")
    else:
        db = tmp / "twinmatch.db"
        if not db.exists():
            shutil.copy(ROOT / "data" / "twinmatch.db", db)  # a copy: never another process's database
        where = ["--db", str(db)]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
           "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    if rate_match:
        env["TWINMATCH_RATE_MATCH"] = rate_match
    cmd = [sys.executable, "-c", "from service.cli import main; main()", "serve", "--port", str(port),
           "--log-level", "warning", "--no-access-log", *where]
    log = open(tmp / f"serve-{port}.log", "wb")  # noqa: SIM115 - kept open for the server's life
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 900
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited: see {log.name}")
        try:
            if httpx.get(f"{base}/ready", timeout=5).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    proc.kill()
    raise SystemExit("the server did not become ready")


def long_text(rng: random.Random) -> str:
    """~3,900 characters of the sample sentences in a random order, a random number ending it (unique)."""
    parts: list[str] = []
    while sum(len(p) + 1 for p in parts) < TEXT_CHARS - 20:
        parts.append(rng.choice(SAMPLE_TEXTS))
    return (" ".join(parts) + f" {rng.getrandbits(64):x}")[:TEXT_CHARS]


def poll_health(base: str, seconds: float, out: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    """``/health`` every 50 ms on its own connection, in a process of its own (the crowd's client loop must
    not delay the measure): (latencies in ms, time-outs, statuses other than 200)."""
    latencies: list[float] = []
    timeouts = 0
    failures = 0
    stop = time.monotonic() + seconds
    with httpx.Client(base_url=base, timeout=2.0) as client:
        while time.monotonic() < stop:
            t0 = time.perf_counter()
            try:
                r = client.get("/health")
                latencies.append((time.perf_counter() - t0) * 1000)
                failures += r.status_code != 200
            except httpx.TimeoutException:
                timeouts += 1
            time.sleep(0.05)
    out.put((latencies, timeouts, failures))


async def crowd(base: str, clients: int, seconds: float, pid: int) -> None:
    statuses: dict[int, int] = {}
    missing_retry_after = 0
    errors = 0
    rss = [rss_mib(pid)]
    results: multiprocessing.Queue = multiprocessing.Queue()  # type: ignore[type-arg]
    poller = multiprocessing.Process(target=poll_health, args=(base, seconds, results))
    poller.start()
    stop = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async def one_client(i: int, client: httpx.AsyncClient) -> None:
        nonlocal missing_retry_after, errors
        rng = random.Random(i)
        while time.monotonic() < stop:
            body = {"profile": {"kind": "municipality", "country": "SN", "name": f"Crowd {i}",
                                "expertise": {"text": long_text(rng)}, "needs": {"text": long_text(rng)}}}
            try:
                r = await client.post("/match", json=body)
            except httpx.HTTPError:
                errors += 1
                continue
            statuses[r.status_code] = statuses.get(r.status_code, 0) + 1
            if r.status_code in (429, 503):
                if not r.headers.get("retry-after"):
                    missing_retry_after += 1
                await asyncio.sleep(min(float(r.headers.get("retry-after", 1)), 2.0))

    async def memory() -> None:
        while time.monotonic() < stop + 1:
            rss.append(rss_mib(pid))
            await asyncio.sleep(0.5)

    async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as client:
        await asyncio.gather(memory(), *(one_client(i, client) for i in range(clients)))
    health_ms, health_timeouts, health_failures = results.get(timeout=60)
    poller.join(10)
    await asyncio.sleep(3)
    after = rss_mib(pid)
    p50, p99, _ = percentiles(health_ms) if health_ms else (float("nan"),) * 3
    print(f"  answers: {dict(sorted(statuses.items()))}; 429/503 without Retry-After: {missing_retry_after}; "
          f"transport errors: {errors}")
    print(f"  /health (another process): {len(health_ms)} answers, p50 {p50:.1f} ms, p99 {p99:.1f} ms, "
          f"max {max(health_ms, default=float('nan')):.1f} ms, time-outs (> 2 s): {health_timeouts}, "
          f"not 200: {health_failures}")
    print(f"  server RSS: {rss[0]:.0f} MiB before, {max(rss):.0f} MiB at peak (+{max(rss) - rss[0]:.0f}), "
          f"{after:.0f} MiB 3 s after (+{after - rss[0]:.0f})")


def stalled(base: str, count: int, within: float = 60.0) -> None:
    host, port = base.removeprefix("http://").split(":")
    socks = []
    for _ in range(count):
        s = socket.create_connection((host, int(port)))
        s.sendall(b"POST /match HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-Pad: ")
        s.setblocking(False)
        socks.append(s)
    t0 = time.monotonic()
    closed_at: dict[int, float] = {}
    while len(closed_at) < count and time.monotonic() - t0 < within:
        ready, _, _ = select.select([s for i, s in enumerate(socks) if i not in closed_at], [], [], 0.5)
        for s in ready:
            try:
                while s.recv(65536):
                    pass
                closed_at[socks.index(s)] = time.monotonic() - t0  # b"": the server closed it
            except BlockingIOError:
                continue  # an answer (408) came first; the close follows
            except ConnectionResetError:
                closed_at[socks.index(s)] = time.monotonic() - t0
    for s in socks:
        s.close()
    times = sorted(closed_at.values())
    share = len(times) / count
    when = f", the last after {times[-1]:.1f} s" if times else ""
    print(f"  {len(times)} of {count} stalled connections closed by the server within {within:.0f} s "
          f"({share:.0%}){when}")


def stalled_bodies(base: str, count: int, pid: int, size: int = 512 * 1024, within: float = 45.0) -> None:
    """``count`` POST /match whose body stops 1 KiB before its declared end: closed by the server? RSS?"""
    host, port = base.removeprefix("http://").split(":")
    before = rss_mib(pid)
    socks = []
    for _ in range(count):
        s = socket.create_connection((host, int(port)))
        s.sendall(f"POST /match HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  f"Content-Length: {size}\r\n\r\n".encode() + b" " * (size - 1024))
        s.setblocking(False)
        socks.append(s)
    peak = rss_mib(pid)
    t0 = time.monotonic()
    closed: set[int] = set()
    while len(closed) < count and time.monotonic() - t0 < within:
        peak = max(peak, rss_mib(pid))
        ready, _, _ = select.select([s for i, s in enumerate(socks) if i not in closed], [], [], 0.5)
        for s in ready:
            try:
                while s.recv(65536):
                    pass
                closed.add(socks.index(s))
            except BlockingIOError:
                continue
            except ConnectionResetError:
                closed.add(socks.index(s))
    elapsed = time.monotonic() - t0
    for s in socks:
        s.close()
    time.sleep(2)
    print(f"  {len(closed)} of {count} closed by the server within {within:.0f} s (all after {elapsed:.1f} s); "
          f"server RSS {before:.0f} MiB before, {peak:.0f} at peak (+{peak - before:.0f}), "
          f"{rss_mib(pid):.0f} after")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tiny", action="store_true", help="serve the tests' tiny world, not the real catalogue")
    ap.add_argument("--clients", type=int, default=120)
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--stalled", type=int, default=150)
    ap.add_argument("--stalled-bodies", type=int, default=200)
    ap.add_argument("--rate-match", default="100000/minute", help="the raised limit of the second run")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="twinmatch-crowd-") as tmp_name:
        tmp = Path(tmp_name)
        print(f"world: {'tiny (tests), synthetic ranker, real embedding model' if args.tiny else 'real catalogue'}")
        for label, rate in (("default anonymous rate limit", None), (f"rate limit raised to {args.rate_match}",
                                                                     args.rate_match)):
            proc, base = start(args, tmp, rate)
            try:
                print(f"{args.clients} concurrent anonymous POST /match, two {TEXT_CHARS}-character texts, "
                      f"{args.seconds:.0f} s ({label}):")
                asyncio.run(crowd(base, args.clients, args.seconds, proc.pid))
                if rate is None:
                    print(f"{args.stalled} connections sending half a header:")
                    stalled(base, args.stalled)
                    print(f"{args.stalled_bodies} POST bodies of 512 KiB stalled 1 KiB before their end:")
                    stalled_bodies(base, args.stalled_bodies, proc.pid)
            finally:
                proc.terminate()
                proc.wait(30)


if __name__ == "__main__":
    main()
