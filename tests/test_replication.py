"""The change log and its follower (``matcher.store.changes``, ``matcher.store.replication``) and the rate-limit
windows in the database (``service.ratelimit.StoreWindowStorage``), on two SQLite stores over one file —
two processes, as the CLI and a server are. The same over PostgreSQL, through two apps:
tests/test_replicas.py."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from limits import parse
from limits.strategies import MovingWindowRateLimiter
from profiles_fixture import PROFILES, write_tiny_data
from support.api import A, B

from matcher.domain import Facet
from matcher.encoding import HashingEncoder
from matcher.ranking.engine import Matcher
from matcher.ranking.loading import load_matcher
from matcher.store.changes import Change
from matcher.store.replication import ChangeFollower, ChangePlan, Replica, plan_changes
from matcher.store.sqlite import SQLiteStore
from service.ratelimit import StoreWindowStorage


@pytest.mark.parametrize("changes, plan", [
    ([], ChangePlan(False, (), (), 5)),
    ([Change(6, "profile", "x", "me")], ChangePlan(False, (), (), 6)),  # one's own: skipped, seq advances
    ([Change(6, "profile", "x", "other"), Change(7, "profile", "y", "other"), Change(9, "profile", "x", "other")],
     ChangePlan(False, ("x", "y"), (), 9)),  # each subject once, in first-seen order; a gap is no matter
    ([Change(6, "event", "e1", "other"), Change(7, "profile", "x", "me"), Change(8, "event", "e1", "other")],
     ChangePlan(False, (), ("e1",), 8)),
    ([Change(6, "profile", "x", "other"), Change(7, "catalogue", "", "other")], ChangePlan(True, ("x",), (), 7)),
    ([Change(6, "catalogue", "", "me")], ChangePlan(False, (), (), 6)),
])
def test_plan_changes(changes: list[Change], plan: ChangePlan) -> None:
    assert plan_changes(changes, 5, "me") == plan


@pytest.fixture()
def two_stores(tmp_path: Path) -> Iterator[tuple[SQLiteStore, SQLiteStore]]:
    data = write_tiny_data(tmp_path / "data")
    writer = SQLiteStore.open(tmp_path / "t.db", data)
    for p in PROFILES:
        if p.has_text:
            writer.update(p)
    reader = SQLiteStore.open(tmp_path / "t.db", data)
    yield writer, reader
    writer.close()
    reader.close()


class Follows:
    """A matcher over ``store`` and its follower, the way the service wires them (service.app)."""

    def __init__(self, store: SQLiteStore, ranker_file: Path, since: int | None = None) -> None:
        self.store, self.ranker_file = store, ranker_file
        self.lock = threading.Lock()
        self.rebuilt = 0
        self.forgotten: list[str] = []
        since = store.last_change() if since is None else since  # read before loading, as the service does
        self.matcher: Matcher = self._load()
        self.follower = ChangeFollower(store, Replica(store, lambda: self.matcher, self.lock, self._rebuild,
                                                      self.forgotten.append), since=since)

    def _load(self) -> Matcher:
        return load_matcher(self.store, encoder=HashingEncoder(dim=128), ranker_path=self.ranker_file)[0]

    def _rebuild(self) -> None:
        self.rebuilt += 1
        self.matcher = self._load()


def test_a_write_by_another_store_is_applied_and_own_writes_are_skipped(
        two_stores: tuple[SQLiteStore, SQLiteStore], ranker_file: Path) -> None:
    writer, reader = two_stores
    f = Follows(reader, ranker_file)
    assert f.follower.step() == 0
    a = writer.get(A)
    writer.update(replace(a, expertise=Facet(text="Gestion des déchets et tri sélectif")))
    row = f.matcher.state.arrays.row(A)
    assert row is not None
    before = f.matcher.state
    assert f.follower.step() == 1
    assert f.matcher.state is not before  # swapped: A's row re-read from the store
    assert f.follower.status().applied == 1 and f.follower.status().in_step
    # The reader's own write is in the log too, but it is not applied again.
    reader.update(replace(reader.get(B), description="x"))
    state = f.matcher.state
    assert f.follower.step() == 1 and f.matcher.state is state and f.follower.status().applied == 1
    assert f.follower.seq == writer.last_change() == reader.last_change()


def test_deletions_verifications_events_and_reloads(two_stores: tuple[SQLiteStore, SQLiteStore],
                                                     ranker_file: Path) -> None:
    writer, reader = two_stores
    f = Follows(reader, ranker_file)
    assert f.matcher.state.arrays.row(B) is not None
    writer.set_status(B, "rejected", actor="staff")  # rejected: matched by nobody
    f.follower.step()
    assert f.matcher.state.arrays.row(B) is None
    writer.set_status(B, "verified", actor="staff")
    f.follower.step()
    assert f.matcher.state.arrays.row(B) is not None
    writer.delete(B)
    f.follower.step()
    assert f.matcher.state.arrays.row(B) is None
    assert writer.delete_event("no-such-event") is False  # nothing deleted: nothing logged
    assert f.follower.step() == 0 and f.forgotten == []
    writer.reload()
    assert f.follower.step() == 1 and f.rebuilt == 1


def test_a_process_that_loads_while_others_write_catches_up(two_stores: tuple[SQLiteStore, SQLiteStore],
                                                             ranker_file: Path) -> None:
    """The follower starts at the seq read before loading: what committed during the load is replayed,
    harmlessly when the load saw it already, and what committed after it is applied."""
    writer, reader = two_stores
    since = reader.last_change()
    writer.delete(B)  # committed after ``since`` was read, and seen by the load
    f = Follows(reader, ranker_file, since=since)
    assert f.matcher.state.arrays.row(B) is None
    writer.set_status(A, "rejected", actor="staff")  # committed after the load
    assert f.matcher.state.arrays.row(A) is not None
    assert f.follower.step() == 2
    assert f.matcher.state.arrays.row(A) is None and f.matcher.state.arrays.row(B) is None


def test_the_follower_thread_applies_and_stops(two_stores: tuple[SQLiteStore, SQLiteStore],
                                              ranker_file: Path) -> None:
    writer, reader = two_stores
    f = Follows(reader, ranker_file)
    f.follower.poll_s = 0.02
    f.follower.start()
    try:
        writer.delete(B)
        for _ in range(6000):  # a bound against a hang, not a time limit
            if f.matcher.state.arrays.row(B) is None:
                break
            threading.Event().wait(0.01)
        assert f.matcher.state.arrays.row(B) is None
    finally:
        f.follower.stop()
    assert f.follower._thread is not None and not f.follower._thread.is_alive()


def test_rate_windows_are_shared_through_the_database(two_stores: tuple[SQLiteStore, SQLiteStore]) -> None:
    one, two = (MovingWindowRateLimiter(StoreWindowStorage(s)) for s in two_stores)
    item = parse("3/minute")
    assert [one.hit(item, "reg", "ip:1"), two.hit(item, "reg", "ip:1"), one.hit(item, "reg", "ip:1")] == [True] * 3
    assert not two.hit(item, "reg", "ip:1") and not two.test(item, "reg", "ip:1")
    assert one.hit(item, "reg", "ip:2")  # another address has its own window
    stats = two.get_window_stats(item, "reg", "ip:1")
    assert stats.remaining == 0 and 0 < stats.reset_time - two_stores[0].rate_window("x", 60)[0] <= 60
    assert two.hit(parse("4/minute"), "reg", "ip:1")  # a refused hit counted nothing: 3 of 4 used
    two.clear(item, "reg", "ip:1")
    assert one.hit(item, "reg", "ip:1")


def test_rate_acquire_expires_and_counts_amounts(two_stores: tuple[SQLiteStore, SQLiteStore]) -> None:
    store = two_stores[0]
    assert store.rate_acquire("k", 3, 10, 2, now=100.0)
    assert not store.rate_acquire("k", 3, 10, 2, now=105.0)  # 2 + 2 > 3: nothing counted
    assert store.rate_acquire("k", 3, 10, 1, now=105.0)
    assert store.rate_window("k", 10, now=106.0) == (100.0, 3)
    assert store.rate_acquire("k", 3, 10, 2, now=110.5)  # the two of t=100 expired
    assert store.rate_window("k", 10, now=111.0) == (105.0, 3)
    assert not store.rate_acquire("k", 3, 10, 4, now=200.0)  # more than the limit at once
