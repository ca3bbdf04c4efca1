"""``open_store``: the store at a path or URL, either backend (``PostgresStore`` for a ``postgresql://``
URL, else ``SQLiteStore`` over a file)."""

from __future__ import annotations

from pathlib import Path

from matcher.paths import is_database_url
from matcher.store.base import SQLStoreBase
from matcher.store.postgres import PostgresStore
from matcher.store.sqlite import SQLiteStore


def open_store(target: str | Path, data_dir: Path, *, progress: bool = False,
               reload_if_stale: bool = True) -> SQLStoreBase:
    """The store at ``target``: ``PostgresStore`` for a ``postgresql://`` (or ``postgres://``) URL, else
    ``SQLiteStore`` over that file path."""
    if is_database_url(target):
        return PostgresStore.open(str(target), data_dir, progress=progress, reload_if_stale=reload_if_stale)
    return SQLiteStore.open(Path(target), data_dir, progress=progress, reload_if_stale=reload_if_stale)

