"""Admission control (issue 25, point 2): ranking bounded per process, refused at once beyond a short queue
(503 + Retry-After), the probes never behind it; anonymous ``POST /match`` rate limited; ad-hoc texts in a
bounded memory cache, never in the database.

Rankings are held with events (a ranking that waits for the test to release it), never with sleeps: the
tests assert what answered while the ranking work was saturated, not how fast."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import anyio
import pytest
from fastapi.testclient import TestClient
from support.api import A, assert_error, bearer, make_settings

from matcher.encoding import CachedEncoder, HashingEncoder, MemoryCache, QueryEncoder
from matcher.ranking.engine import Matcher
from service.admission import Admission, Overloaded
from service.app import create_app

ADHOC = {"name": "Testville", "kind": "commune", "country": "FR", "population": 5000,
         "expertise": {"text": "gestion de l'eau potable et assainissement"},
         "needs": {"text": "tourisme culturel et patrimoine"}}


class Gate:
    """Makes ``Matcher.recommend`` wait until released, telling when each call has started."""

    def __init__(self, matcher: Matcher) -> None:
        self.release = threading.Event()
        self.started = threading.Semaphore(0)
        self.real = matcher.recommend
        self.calls = 0

        def held(*args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            self.started.release()
            assert self.release.wait(60), "the test never released the ranking"
            return self.real(*args, **kwargs)

        matcher.recommend = held  # type: ignore[method-assign]


def served(tmp_path: Path, ranker: Path, **settings: object) -> tuple[TestClient, Any]:
    app = create_app(make_settings(tmp_path, ranker, **settings), encoder=HashingEncoder(dim=128))
    return TestClient(app), app.state.resources


@pytest.fixture()
def busy(tmp_path: Path, ranker_file: Path) -> Iterator[tuple[TestClient, Any]]:
    """One ranking at a time, one waiting."""
    client, res = served(tmp_path, ranker_file, ranking_concurrency=1, ranking_queue=1)
    with client:
        yield client, res


def test_beyond_the_limit_and_the_queue_ranking_is_refused_at_once_and_the_probes_answer(
        busy: tuple[TestClient, Any]) -> None:
    client, res = busy
    gate = Gate(res.matcher)
    with ThreadPoolExecutor(2) as pool:
        running: Future[Any] = pool.submit(client.post, "/match", json={"profile": ADHOC})
        assert gate.started.acquire(timeout=30)  # the first ranking holds the only ranking thread
        queued: Future[Any] = pool.submit(client.post, "/match", json={"profile": ADHOC, "k": 3})
        while res.admission.admitted < 2:  # the second one waits in the queue (no thread)
            assert not queued.done()
            threading.Event().wait(0.01)
        # Full: refused at once, in the one error shape, with Retry-After; every ranking route alike.
        r = client.post("/match", json={"profile": ADHOC})
        err = assert_error(r, 503, "overloaded")
        assert int(r.headers["Retry-After"]) >= 1 and "busy" in str(err["message"])
        assert_error(client.get("/authorities/FR-COM-00002/matches", params={"k": 7}), 503, "overloaded")
        # The probes never wait behind ranking.
        assert client.get("/health").status_code == 200
        ready = client.get("/ready")
        assert ready.status_code == 200 and ready.json()["ready"] is True
        assert not running.done() and not queued.done() and gate.calls == 1
        gate.release.set()
        assert running.result(timeout=60).status_code == 200
        assert queued.result(timeout=60).status_code == 200
    assert res.admission.admitted == 0 and res.admission.refused == 2
    assert client.post("/match", json={"profile": ADHOC}).status_code == 200  # free again


def test_the_web_shortlist_goes_through_the_same_bound(busy: tuple[TestClient, Any]) -> None:
    client, res = busy
    gate = Gate(res.matcher)
    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(client.post, "/match", json={"profile": ADHOC})
        assert gate.started.acquire(timeout=30)
        second = pool.submit(client.post, "/match", json={"profile": ADHOC})
        while res.admission.admitted < 2:
            threading.Event().wait(0.01)
        page = client.get(f"/collectivites/{A}/partenaires", headers={"Accept": "text/html"})
        assert page.status_code == 503 and page.headers["Retry-After"] and "text/html" in page.headers["content-type"]
        gate.release.set()
        assert first.result(60).status_code == 200 and second.result(60).status_code == 200
    assert client.get(f"/collectivites/{A}/partenaires").status_code == 200


def test_ranking_has_its_own_threads_not_anyios_default_limiter(busy: tuple[TestClient, Any]) -> None:
    """With anyio's default thread limiter fully taken (every plain ``def`` route would queue), ranking still
    runs and the probes still answer."""
    client, _ = busy
    holding = threading.Event()
    taken = threading.Semaphore(0)
    lock = threading.Lock()
    held = [0]  # threads of the default limiter held now

    async def exhaust() -> int:
        limiter = anyio.to_thread.current_default_thread_limiter()
        tokens = int(limiter.total_tokens)

        def hold() -> None:
            with lock:
                held[0] += 1
            taken.release()
            holding.wait(60)
            with lock:
                held[0] -= 1

        async with anyio.create_task_group() as tg:
            for _ in range(tokens):
                tg.start_soon(anyio.to_thread.run_sync, hold)
        return tokens

    assert client.portal is not None
    with ThreadPoolExecutor(1) as pool:
        done = pool.submit(client.portal.call, exhaust)
        try:
            for _ in range(40):
                assert taken.acquire(timeout=30)
            assert client.get("/health").status_code == 200
            assert client.get("/ready").status_code == 200
            assert client.post("/match", json={"profile": ADHOC}).status_code == 200
            assert held[0] == 40  # all answered while every default thread was still taken
        finally:
            holding.set()
        assert done.result(60) >= 40


def test_anonymous_adhoc_matching_is_rate_limited_per_address(tmp_path: Path, ranker_file: Path) -> None:
    client, res = served(tmp_path, ranker_file, rate_match="3/minute")
    with client:
        statuses = [client.post("/match", json={"profile": ADHOC}).status_code for _ in range(5)]
        assert statuses == [200, 200, 200, 429, 429]
        r = client.post("/match", json={"profile": ADHOC})
        assert_error(r, 429, "too_many_requests")
        assert int(r.headers["Retry-After"]) >= 1
        _, staff = res.store.create_key("staff", None, "Alice")
        assert client.post("/match", json={"profile": ADHOC}, headers=bearer(staff)).status_code == 200


def _embedding_rows(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT COUNT(*) FROM embeddings").fetchone()[0])


def test_adhoc_texts_are_kept_in_memory_and_never_written_to_the_database(tmp_path: Path,
                                                                          ranker_file: Path) -> None:
    client, res = served(tmp_path, ranker_file, adhoc_embedding_cache=3)
    with client:
        db = res.settings.db
        before = _embedding_rows(db)
        query = res.matcher.query_encoder
        assert isinstance(query, QueryEncoder)
        for i in range(6):
            body = {"profile": {**ADHOC, "expertise": {"text": f"texte nouveau numéro {i}"}}}
            assert client.post("/match", json=body).status_code == 200
        assert _embedding_rows(db) == before  # nothing stored
        assert query.cached == 3  # bounded: the LRU keeps the 3 most recent texts
        sent = query.encoded_count
        body = {"profile": {**ADHOC, "expertise": {"text": "texte nouveau numéro 5"}}}
        assert client.post("/match", json=body).status_code == 200
        assert query.encoded_count == sent  # a recent text is not encoded again
        # A stored profile's edit still goes through the database's embedding cache.
        _, staff = res.store.create_key("staff", None, "Alice")
        r = client.patch(f"/authorities/{A}", json={"description": "Une description toute neuve"},
                         headers=bearer(staff))
        assert r.status_code == 200, r.text
        assert _embedding_rows(db) == before + 1


def test_the_query_encoder_reads_the_model_not_the_store() -> None:
    store = MemoryCache()
    inner = HashingEncoder(dim=16)
    query = QueryEncoder(CachedEncoder(inner, store), size=2)
    vecs = query.encode(["a b c", "d e f", "a b c"])
    assert (vecs == inner.encode(["a b c", "d e f", "a b c"])).all()
    assert query.encoded_count == 2 and query.cached == 2
    assert store.get_embeddings(inner.model_id, ["x"]) == {} and not store._data  # never written


def test_admission_counts_running_and_waiting_jobs() -> None:
    async def main() -> None:
        admission = Admission(limit=1, queue=1, retry_after=3)
        release = threading.Event()
        started = threading.Event()

        def job() -> int:
            started.set()
            release.wait(30)
            return 7

        results: list[int] = []

        async def run() -> None:
            results.append(await admission.run(job))

        async with anyio.create_task_group() as tg:
            tg.start_soon(run)
            tg.start_soon(run)
            await anyio.to_thread.run_sync(started.wait, 30)
            assert admission.admitted == 2 and admission.busy
            with pytest.raises(Overloaded) as refused:
                await admission.run(job)
            assert refused.value.status == 503 and refused.value.retry_after == 3
            release.set()
        assert results == [7, 7] and admission.admitted == 0 and not admission.busy

    anyio.run(main)
