"""The events' catalogue view: built once, swapped after writes, never half-built."""

from __future__ import annotations

import threading

from support.api import Api

from matcher.events.event_records import CatalogueView
from matcher.events.view import LiveCatalogueView


def test_built_once_then_rebuilt_in_the_background_after_a_write() -> None:
    built: list[int] = []
    gate = threading.Event()

    def build() -> CatalogueView:
        built.append(len(built))
        if len(built) > 1:
            gate.wait(120)  # a slow rebuild (held until the test sets the gate): readers keep the old view meanwhile
        return CatalogueView(countries={}, profiles={"n": len(built)})  # type: ignore[dict-item]

    live = LiveCatalogueView(build)
    live.invalidate()  # nothing built yet: nothing to do
    first = live.get()
    assert live.get() is first and built == [0]
    live.invalidate()
    live.invalidate()  # a second write during the rebuild: one more rebuild after it
    assert live.get() is first
    gate.set()
    assert live.wait_idle()
    assert live.get() is not first and len(built) == 3


def test_uploads_share_one_view_and_a_write_refreshes_it(api: Api) -> None:
    csv = b"id,name,country,side\neau,Eauville,France,fr\nndi,Ndiaye,Senegal,partner\n"
    for _ in range(2):
        r = api.client.post("/events", files={"file": ("p.csv", csv, "text/csv")}, headers=api.staff)
        assert r.status_code == 201, r.text
    view = api.app.state.resources.catalogue_view
    assert view.builds == 1
    r = api.client.patch("/authorities/FR-COM-00003", json={"description": "Ville de test"}, headers=api.staff)
    assert r.status_code == 200, r.text
    assert view.wait_idle() and view.builds == 2


def test_warm_builds_in_the_background_and_a_write_during_the_first_build_is_not_lost() -> None:
    built: list[int] = []
    started = threading.Event()
    release = threading.Event()

    def build() -> CatalogueView:
        built.append(len(built))
        if len(built) == 1:
            started.set()
            assert release.wait(30)
        return CatalogueView(countries={}, profiles={"n": len(built)})  # type: ignore[dict-item]

    live = LiveCatalogueView(build)
    live.warm()  # returns at once: the build runs in its own thread
    assert started.wait(30) and live.builds == 0
    live.invalidate()  # a write while the first view is being built (it may have read the store before it)
    release.set()
    assert live.get() is not None  # the first view (or already the second)
    for _ in range(3000):  # built again in the background, with the write
        if live.builds == 2 and live.wait_idle():
            break
        threading.Event().wait(0.01)
    assert built == [0, 1] and live.get().profiles == {"n": 2}


def test_a_rebuild_that_fails_leaves_no_stale_view_and_no_thread_error() -> None:
    """The store closed under a background rebuild (shutdown) or failed: the next upload builds the view
    afresh, rather than one missing the writes since (and the thread ends without an unhandled error)."""
    calls: list[int] = []

    def build() -> CatalogueView:
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("Cannot operate on a closed database.")
        return CatalogueView(countries={}, profiles={"n": len(calls)})  # type: ignore[dict-item]

    live = LiveCatalogueView(build)
    first = live.get()
    live.invalidate()  # the rebuild fails
    assert live.wait_idle()
    again = live.get()  # built afresh, not the first view
    assert again is not first and len(calls) == 3
