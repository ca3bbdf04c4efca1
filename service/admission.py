"""Admission control: the ranking work of one process, bounded, refused at once beyond a short queue.

Ranking (``/authorities/{id}/matches`` on a cache miss, ``POST /match``, the web shortlist and its
downloads, the staff suggestions, the events' validation, rankings and schedules) is CPU-bound and runs
in worker threads. Left to FastAPI's default, it shares anyio's default thread limiter (40 threads) with
every plain ``def`` route and dependency: a crowd of heavy requests then holds every thread, the memory
of 40 rankings at once, and everything else waits behind them.

Here ranking has its own ``anyio.CapacityLimiter`` (``Settings.ranking_concurrency`` threads) and a short
queue (``Settings.ranking_queue`` requests waiting, without a thread). A request that finds both full is
refused at once: ``Overloaded`` (503, ``Retry-After``, the one error shape). ``/health`` and ``/ready``
never come here: they run on the event loop (``service.routes.meta``), and ``/ready``'s database ping in
a limiter of its own (``probe``).

The counters are only touched on the event loop's thread (one per app), so they need no lock.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable
from typing import TypeVar

import anyio
import anyio.to_thread

from matcher.errors import MatcherError

T = TypeVar("T")


class Overloaded(MatcherError):
    """The process has as much ranking work running and waiting as it takes: retry after ``retry_after`` s."""

    status = 503
    code = "overloaded"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Admission:
    """At most ``limit`` ranking jobs at once and ``queue`` more waiting; beyond, ``Overloaded``."""

    def __init__(self, limit: int, queue: int, retry_after: int = 2) -> None:
        self.limit = limit
        self.queue = queue
        self.retry_after = retry_after
        self._limiters: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, tuple[anyio.CapacityLimiter, anyio.CapacityLimiter]] = weakref.WeakKeyDictionary()
        self.admitted = 0  # running or waiting, now
        self.refused = 0  # since start (benchmarks, tests)

    def _pair(self) -> tuple[anyio.CapacityLimiter, anyio.CapacityLimiter]:
        """(ranking, probes) limiters of the running loop (anyio limiters belong to one loop; tests run
        several apps, each in its own loop)."""
        loop = asyncio.get_running_loop()
        pair = self._limiters.get(loop)
        if pair is None:
            pair = self._limiters[loop] = (anyio.CapacityLimiter(self.limit), anyio.CapacityLimiter(2))
        return pair

    @property
    def busy(self) -> bool:
        """True while every place (running and queued) is taken: the next job would be refused."""
        return self.admitted >= self.limit + self.queue

    async def run(self, fn: Callable[[], T], limiter: anyio.CapacityLimiter | None = None) -> T:
        """``fn()`` in a ranking thread, or ``Overloaded`` at once when the limit and the queue are full.
        ``limiter``: a narrower one of the caller's (the events' one heavy job at a time), counted here too."""
        if self.busy:
            self.refused += 1
            raise Overloaded(f"the service is busy ranking ({self.limit} running, {self.queue} waiting); "
                             f"retry in {self.retry_after} s", self.retry_after)
        self.admitted += 1
        try:
            return await anyio.to_thread.run_sync(fn, limiter=limiter or self._pair()[0])
        finally:
            self.admitted -= 1

    async def probe(self, fn: Callable[[], T]) -> T:
        """``fn()`` (a readiness check's I/O) in a thread of the probes' own small limiter: it never waits
        behind ranking nor behind anyio's default limiter."""
        return await anyio.to_thread.run_sync(fn, limiter=self._pair()[1])
