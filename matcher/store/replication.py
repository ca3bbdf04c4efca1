"""Keeping a process's in-memory state in step with writes that *other* processes commit to the same
database: the replicas of the service over one PostgreSQL server, or the CLI writing to the SQLite file
a server is serving.

Every such write appends a row to the store's change log in its own transaction
(``matcher.store.changes``). ``ChangeFollower`` reads the log after the last ``seq`` it applied — woken by
the store's ``wait_for_change`` (PostgreSQL: ``LISTEN``; SQLite: a poll every ``POLL_S``) — and hands each
batch to its ``Replica`` (what the process keeps in memory). ``plan_changes`` (pure) turns a batch into what to redo: a catalogue reload
rebuilds everything; otherwise each profile named is read again *from the store* (the log names what
changed, never the new value) and written into, or deleted from, the matcher; each event named is
forgotten. Re-reading makes a change applied twice, late or out of order harmless, which is what lets a
process start following at the ``seq`` it read *before* loading: it replays what committed during its
load.

A process skips the changes it wrote itself (its store's ``origin``): it applied them when it wrote them.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass

from matcher.errors import MatcherError, NotFound
from matcher.ranking.engine import Matcher
from matcher.store.changes import CHANGE_RETENTION_S, Change
from matcher.store.protocol import ProfileStore

log = logging.getLogger("twinmatch.replication")

#: Seconds between two reads of the log when no notification arrives (SQLite's latency bound; a safety
#: net on PostgreSQL, where a NOTIFY wakes the follower at once).
POLL_S = 0.25
#: A follower that could not read the log for this long reports itself out of step.
STALE_AFTER_S = 5.0


@dataclass(frozen=True)
class ChangePlan:
    """What a batch of changes asks of this process, each subject once, in first-seen order."""

    rebuild: bool  # the catalogue was reloaded: build the whole matcher again
    profiles: tuple[str, ...]  # profile ids to read again (written, verified, rejected or deleted)
    events: tuple[str, ...]  # event ids to drop from memory (deleted)
    last_seq: int  # the newest seq in the batch (own changes included): where to continue


def plan_changes(changes: Sequence[Change], since: int, origin: str) -> ChangePlan:
    """The plan for ``changes`` (oldest first), skipping those written by ``origin``. Pure."""
    profiles: dict[str, None] = {}
    events: dict[str, None] = {}
    rebuild = False
    last = since
    for change in changes:
        last = max(last, change.seq)
        if change.origin == origin:
            continue
        if change.kind == "catalogue":
            rebuild = True
        elif change.kind == "profile":
            profiles[change.subject] = None
        elif change.kind == "event":
            events[change.subject] = None
    return ChangePlan(rebuild, tuple(profiles), tuple(events), last)


@dataclass
class Replica:
    """What applying a plan touches in a process. ``matcher`` returns the current one (a rebuild replaces
    it); ``lock`` is the lock the process's own writes hold, so that a re-read profile and a local write of
    it cannot interleave; ``rebuild`` builds and installs a new matcher (holding ``lock``);
    ``event_deleted`` drops an event from the process's caches."""

    store: ProfileStore
    matcher: Callable[[], Matcher | None]
    lock: AbstractContextManager[object]
    rebuild: Callable[[], None]
    event_deleted: Callable[[str], None]

    def apply(self, plan: ChangePlan) -> None:
        for event_id in plan.events:
            self.event_deleted(event_id)
        if plan.rebuild:
            self.rebuild()  # reads every profile: the batch's profile changes are in it
            return
        for profile_id in plan.profiles:
            with self.lock:
                matcher = self.matcher()
                if matcher is None:
                    return  # not loaded yet: the load reads the store after these changes
                try:
                    profile = self.store.get(profile_id)
                except NotFound:
                    if matcher.state.arrays.row(profile_id) is not None:
                        matcher.profile_deleted(profile_id)
                    continue
                matcher.profile_written(profile)


@dataclass(frozen=True)
class FollowStatus:
    seq: int  # the last change applied (or skipped as this process's own)
    in_step: bool  # the log was read and applied less than STALE_AFTER_S ago
    error: str | None  # why the last attempt failed, if it did
    applied: int  # changes from other processes applied since start


class ChangeFollower:
    """A daemon thread applying the changes other processes commit (``start`` / ``stop``); ``step`` is one
    read-and-apply, callable directly (tests)."""

    def __init__(self, store: ProfileStore, replica: Replica, *, since: int, poll_s: float = POLL_S,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.store = store
        self.replica = replica
        self.seq = since
        self.poll_s = poll_s
        self._clock = clock
        self._last_ok = clock()
        self._error: str | None = None
        self._applied = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def step(self) -> int:
        """Apply the changes committed since ``seq``; how many there were (own ones included)."""
        if self._clock() - self._last_ok > CHANGE_RETENTION_S / 2:
            # Asleep for days (a suspended machine): the log may have been pruned past ``seq``.
            self.replica.apply(ChangePlan(True, (), (), self.seq))
            self.seq = self.store.last_change()
        total = 0
        while True:
            changes = self.store.changes_since(self.seq)
            if not changes:
                break
            plan = plan_changes(changes, self.seq, self.store.origin)
            self.replica.apply(plan)
            self._applied += sum(c.origin != self.store.origin for c in changes)
            self.seq = plan.last_seq
            total += len(changes)
        self._last_ok = self._clock()
        self._error = None
        return total

    def status(self) -> FollowStatus:
        in_step = self._error is None or self._clock() - self._last_ok < STALE_AFTER_S
        return FollowStatus(self.seq, in_step, self._error, self._applied)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.step()
            except Exception as exc:  # noqa: BLE001 - the database is down, or a change failed: retried, shown by /ready
                message = exc.message if isinstance(exc, MatcherError) else f"{type(exc).__name__}: {exc}"
                if message != self._error:
                    log.warning("following the change log failed (retrying): %s", message)
                self._error = message
                self._stop.wait(self.poll_s * 4)
                continue
            self.store.wait_for_change(self.poll_s)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="twinmatch-follow", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self.store.wake()
        if self._thread is not None:
            self._thread.join(timeout)
