"""Sockets and waiting, for the tests and the benchmarks (the one copy of each in the repository).

* ``free_port``: a loopback TCP port free when asked (the kernel's pick).
* ``wait_until``: polls a probe until it answers something truthy, within a timeout that is a hang guard,
  never a measurement (no test asserts on the wall clock).
* ``serve_in_thread``: an ASGI app served by uvicorn on a free loopback port in a daemon thread, for as long
  as the ``with`` block runs (a browser, a generated client or a raw socket needs a real socket, which
  TestClient does not open).
* ``wait_ready``: a server started in another process, polled on ``/ready`` until it answers 200.
"""

from __future__ import annotations

import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(probe: Callable[[], T | None], *, timeout: float = 10.0, interval: float = 0.02,
               what: str | Callable[[], str] | None = None) -> T:
    """``probe()``'s first truthy value, polled every ``interval`` seconds; an ``AssertionError`` after
    ``timeout`` seconds naming ``what`` (a string, or a function called then, e.g. to read a log) and the last
    value. The probe may raise to stop waiting at once (a dead server process)."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            said = what() if callable(what) else what
            raise AssertionError(f"{said or 'the condition'}: still {value!r} after {timeout} s")
        time.sleep(interval)


@contextmanager
def serve_in_thread(app: Any, *, timeout: float = 60.0, **config: Any) -> Iterator[int]:
    """``app`` served by uvicorn on a free loopback port (yielded) in a daemon thread; stopped (the app's
    lifespan exit run) when the block ends. ``config``: more ``uvicorn.Config`` arguments (``http``,
    ``log_level``, ``lifespan``…)."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, **{"log_level": "warning", **config}))
    thread = threading.Thread(target=server.run, name=f"uvicorn-{port}", daemon=True)
    thread.start()

    def started() -> bool:
        if not thread.is_alive() and not server.started:
            raise AssertionError("the test server stopped before it started")
        return bool(server.started)

    try:
        wait_until(started, timeout=timeout, what="the test server did not start")
        yield port
    finally:
        server.should_exit = True
        thread.join(15)


def wait_ready(base_url: str, proc: subprocess.Popen[bytes], log: Path, *, timeout: float = 120.0,
               interval: float = 0.2) -> dict[str, Any]:
    """The body of the first 200 from ``base_url``/ready, polled while ``proc`` runs (its exit, or a load
    that says it failed, ends the wait with the end of ``log``)."""
    import httpx

    def tail() -> str:
        return log.read_text(errors="replace")[-3000:] if log.is_file() else ""

    def ready() -> dict[str, Any] | None:
        if proc.poll() is not None:
            raise AssertionError(f"the server exited ({proc.returncode}):\n{tail()}")
        try:
            r = httpx.get(f"{base_url}/ready", timeout=2)
        except httpx.TransportError:
            return None  # not listening yet
        if r.status_code == 200:
            return dict(r.json())
        if "failed" in r.text:
            raise AssertionError(f"the server failed to load: {r.text}\n{tail()}")
        return None

    return wait_until(ready, timeout=timeout, interval=interval, what=lambda: f"the server is not ready:\n{tail()}")
