"""The change log and the shared rate-limit windows: what several replicas over one database share beyond
the data itself. ``ChangesMixin`` is inherited by both stores (it uses their ``_tx`` / ``_query``).

**The change log.** Every committed write that other processes keep in memory — a profile written,
deleted, verified or rejected, an event deleted, the catalogue reloaded — appends a ``changes`` row *in
the same transaction* (so a change is logged if and only if it committed). Its ``seq`` grows in commit
order: every write transaction holds the backend's single-writer lock (SQLite's ``BEGIN IMMEDIATE``,
PostgreSQL's ``WRITE_LOCK``) from before the row is numbered until it commits, so a reader that has seen
``seq`` n has seen every change below it (rolled-back transactions only leave gaps). Replicas follow it
(``matcher.store.replication``): a row names *what* changed, never the new value, which the follower reads
from the store, so applying a change twice or late is harmless. ``origin`` is the store instance that
wrote it (a replica skips its own: it applied them when it wrote them). Rows older than
``CHANGE_RETENTION_S`` are pruned; a follower that read nothing for half that long rebuilds its matcher.

**Rate-limit windows.** ``rate_hits`` holds one row per counted request (a moving window: the hits of the
last ``expiry`` seconds), so that limits hold across replicas (``service.ratelimit.StoreWindowStorage``
puts the ``limits`` library's moving-window strategy on it).
"""

from __future__ import annotations

import threading
import time
import uuid
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from matcher.store.audit import utc_now
from matcher.store.sql import Connection, Row

ChangeKind = Literal["profile", "event", "catalogue"]
CHANGE_RETENTION_S = 7 * 24 * 3600
#: Hits older than this are pruned whatever their key (the longest window the service accepts).
RATE_RETENTION_S = 24 * 3600
_PRUNE_EVERY = 1000  # changes between two prunes of the log

CHANGES_SCHEMA = """
CREATE TABLE IF NOT EXISTS changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, subject TEXT NOT NULL, origin TEXT NOT NULL,
    at TEXT NOT NULL, at_epoch REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS rate_hits (key TEXT NOT NULL, at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS rate_hits_key ON rate_hits (key, at);
"""


@dataclass(frozen=True)
class Change:
    """One logged change: ``kind`` and ``subject`` (a profile id, an event id, "" for the catalogue)."""

    seq: int
    kind: ChangeKind
    subject: str
    origin: str


def new_origin() -> str:
    return uuid.uuid4().hex


class ChangesMixin:
    """The change log and the rate-limit windows over the store's connection."""

    #: This store instance's name in the change log (set by the backend's ``__init__``).
    origin: str
    #: Set by ``wake`` (made by the backend's ``__init__``, beside ``origin``).
    _wakeup: threading.Event
    #: Changes appended since the last prune (per instance; pruning is an optimisation, not a contract).
    _since_prune: int = 0
    _rate_hits: int = 0  # rate_acquire calls (per instance), for the same occasional prune
    #: Called inside the writing transaction after the row is added (PostgreSQL: NOTIFY the followers).
    notify_sql: ClassVar[str | None] = None

    def _tx(self) -> AbstractContextManager[Connection]:  # pragma: no cover - provided by the backend
        raise NotImplementedError

    def _query(self, sql: str, params: Any = ()) -> list[Row]:  # pragma: no cover - provided by the backend
        raise NotImplementedError

    # --- the change log ---------------------------------------------------------------------------
    def log_change(self, conn: Connection, kind: ChangeKind, subject: str) -> None:
        """Append a change inside the caller's write transaction ``conn``."""
        now = time.time()
        conn.execute("INSERT INTO changes (kind, subject, origin, at, at_epoch) VALUES (?, ?, ?, ?, ?)",
                     (kind, subject, self.origin, utc_now(), now))
        if self.notify_sql is not None:
            conn.execute(self.notify_sql)
        self._since_prune += 1
        if self._since_prune >= _PRUNE_EVERY:
            self._since_prune = 0
            conn.execute("DELETE FROM changes WHERE at_epoch < ?", (now - CHANGE_RETENTION_S,))

    def changes_since(self, seq: int, *, limit: int = 1000) -> list[Change]:
        """The changes after ``seq``, oldest first (at most ``limit``)."""
        rows = self._query("SELECT seq, kind, subject, origin FROM changes WHERE seq > ? ORDER BY seq LIMIT ?",
                           (seq, limit))
        return [Change(int(r[0]), r[1], r[2], r[3]) for r in rows]

    def last_change(self) -> int:
        """The newest change's ``seq`` (0 if none): where a process that loads now starts following."""
        return int(self._query("SELECT COALESCE(MAX(seq), 0) FROM changes")[0][0])

    def wait_for_change(self, timeout: float) -> None:
        """Until another process may have committed a change, ``wake`` is called, or ``timeout`` seconds.
        Here: the timeout or ``wake`` (a backend without notifications is polled; PostgreSQL's store also
        returns on a ``NOTIFY``)."""
        if self._wakeup.wait(timeout):
            self._wakeup.clear()

    def wake(self) -> None:
        """End the current ``wait_for_change`` now (a follower stopping)."""
        self._wakeup.set()

    def ping(self) -> None:
        """One round trip to the database (raises if it cannot be reached)."""
        self._query("SELECT 1")

    # --- rate-limit windows -----------------------------------------------------------------------
    def rate_acquire(self, key: str, limit: int, expiry: float, amount: int = 1, *,
                     now: float | None = None) -> bool:
        """Count ``amount`` hits on ``key`` unless that would make more than ``limit`` in the last ``expiry``
        seconds (then count nothing). Atomic across processes: one write transaction."""
        now = time.time() if now is None else now
        if amount > limit:
            return False
        with self._tx() as conn:
            self._rate_hits += 1
            if self._rate_hits % _PRUNE_EVERY == 0:  # keys not hit again keep their rows until this
                conn.execute("DELETE FROM rate_hits WHERE at <= ?", (now - RATE_RETENTION_S,))
            conn.execute("DELETE FROM rate_hits WHERE key = ? AND at <= ?", (key, now - expiry))
            count = int(conn.execute("SELECT COUNT(*) FROM rate_hits WHERE key = ?", (key,)).fetchone()[0])
            if count + amount > limit:
                return False
            conn.executemany("INSERT INTO rate_hits (key, at) VALUES (?, ?)", [(key, now)] * amount)
        return True

    def rate_window(self, key: str, expiry: float, *, now: float | None = None) -> tuple[float, int]:
        """(time of the oldest hit in the window, hits in the window); (now, 0) when empty."""
        now = time.time() if now is None else now
        row = self._query("SELECT MIN(at), COUNT(*) FROM rate_hits WHERE key = ? AND at > ?", (key, now - expiry))[0]
        return (float(row[0]) if row[0] is not None else now, int(row[1]))

    def rate_clear(self, key: str | None = None) -> int:
        """Forget the hits on ``key`` (every key if None); how many were dropped."""
        with self._tx() as conn:
            if key is None:
                return int(conn.execute("DELETE FROM rate_hits").rowcount)
            return int(conn.execute("DELETE FROM rate_hits WHERE key = ?", (key,)).rowcount)
