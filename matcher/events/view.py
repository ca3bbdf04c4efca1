"""The catalogue view that reading a participants file needs, built once and swapped on writes.

Building it (every profile, the name resolver) takes seconds on the real catalogue; an upload must not
pay that. ``LiveCatalogueView.get`` returns the current view (building the first one if none exists
yet; ``warm`` starts that first build in a background thread, at start-up); ``invalidate`` (called after
every profile write) rebuilds it in a background thread and swaps it in when done, so readers never wait
for a rebuild and never see a half-built view. Writes that arrive during a rebuild trigger one more
rebuild after it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from matcher.events.event_records import CatalogueView

log = logging.getLogger("twinmatch.events")


class LiveCatalogueView:
    def __init__(self, build: Callable[[], CatalogueView]) -> None:
        self._build = build
        self._view: CatalogueView | None = None
        self._lock = threading.Lock()  # guards the fields below
        self._first = threading.Lock()  # one first build at a time
        self._rebuilding = False
        self._dirty = False
        self._stale = False  # a write during the first build
        self.builds = 0

    def get(self) -> CatalogueView:
        view = self._view
        if view is not None:
            return view
        with self._first:
            if self._view is None:
                with self._lock:
                    self._stale = False
                built = self._build()
                with self._lock:
                    self._view = built
                    self.builds += 1
                    stale = self._stale
                if stale:  # a write came while the first view was being built: build again, in the background
                    self.invalidate()
            return self._view

    def warm(self) -> None:
        """Build the first view now in a background thread (an upload meanwhile waits for that build)."""
        if self._view is None:
            threading.Thread(target=self._warm, name="twinmatch-catalogue-view", daemon=True).start()

    def _warm(self) -> None:
        try:
            self.get()
        except Exception:  # the store closed under it (shutdown), or unreadable: the first upload builds it
            log.warning("the events' catalogue view could not be built ahead", exc_info=True)

    def invalidate(self) -> None:
        """A profile changed: rebuild in the background (until a first view exists, only noted: a first build
        under way then builds again)."""
        with self._lock:
            if self._view is None:
                self._stale = True  # a first build may be under way: it builds again once done
                return
            if self._rebuilding:
                self._dirty = True
                return
            self._rebuilding = True
        threading.Thread(target=self._rebuild_loop, name="twinmatch-catalogue-view", daemon=True).start()

    def _rebuild_loop(self) -> None:
        while True:
            try:
                view = self._build()
            except Exception:  # the store closed under it (shutdown), or unreadable: the view is out of date,
                log.warning("the events' catalogue view could not be rebuilt", exc_info=True)
                with self._lock:  # so the next upload builds it afresh (and says why if it cannot)
                    self._view = None
                    self._rebuilding = self._dirty = False
                return
            with self._lock:
                self._view = view
                self.builds += 1
                if not self._dirty:
                    self._rebuilding = False
                    return
                self._dirty = False

    def wait_idle(self, timeout: float = 30.0) -> bool:
        """For tests and benchmarks: wait until no rebuild is running."""
        import time

        end = time.monotonic() + timeout
        while time.monotonic() < end:
            with self._lock:
                if not self._rebuilding:
                    return True
            time.sleep(0.01)
        return False
