"""``SQLiteStore``: the ``ProfileStore`` over one SQLite file (WAL mode), with the SQLite schema and its
migrations (PostgreSQL's are in ``matcher.store.pg_schema``). The SQL is ``matcher.store.base.SQLStoreBase``'s;
this module adds the connection, its lock and transactions. Nothing outside ``matcher.store`` imports
``sqlite3`` for the store.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from matcher.errors import DataBuildError
from matcher.store.base import SQLStoreBase
from matcher.store.changes import CHANGES_SCHEMA, new_origin
from matcher.store.events import EVENTS_SCHEMA, legacy_events_path
from matcher.store.sql import Connection
from matcher.store.web import WEB_SCHEMA

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS profiles (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, name_norm TEXT NOT NULL, names_norm TEXT NOT NULL,
    kind TEXT NOT NULL, country TEXT NOT NULL, population INTEGER, lat REAL, lon REAL,
    source TEXT NOT NULL DEFAULT '', updated_at TEXT NOT NULL DEFAULT '', data TEXT NOT NULL DEFAULT '{}',
    status TEXT NOT NULL DEFAULT 'verified'
);
CREATE INDEX IF NOT EXISTS profiles_country_kind ON profiles (country, kind);
CREATE INDEX IF NOT EXISTS profiles_kind ON profiles (kind);
CREATE INDEX IF NOT EXISTS profiles_name_norm ON profiles (name_norm);
CREATE TABLE IF NOT EXISTS countries (code TEXT PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS links (
    a TEXT NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    b TEXT NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    kind TEXT NOT NULL, source TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS links_a ON links (a);
CREATE INDEX IF NOT EXISTS links_b ON links (b);
CREATE TABLE IF NOT EXISTS embeddings (
    model_id TEXT NOT NULL, text_hash TEXT NOT NULL, dim INTEGER NOT NULL, vector BLOB NOT NULL,
    PRIMARY KEY (model_id, text_hash)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS decisions (
    id INTEGER PRIMARY KEY AUTOINCREMENT, french_id TEXT NOT NULL, partner_id TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('proposed', 'contacted', 'accepted', 'rejected')),
    note TEXT NOT NULL DEFAULT '', actor TEXT NOT NULL DEFAULT '', created_at TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS decisions_no_update BEFORE UPDATE ON decisions
    BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END;
CREATE TRIGGER IF NOT EXISTS decisions_no_delete BEFORE DELETE ON decisions
    BEGIN SELECT RAISE(ABORT, 'decisions are append-only'); END;
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
    subject TEXT NOT NULL, note TEXT NOT NULL DEFAULT ''
);
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TABLE IF NOT EXISTS claims (
    id INTEGER PRIMARY KEY AUTOINCREMENT, authority_id TEXT NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    name TEXT NOT NULL, role TEXT NOT NULL, email TEXT NOT NULL, message TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
    created_at TEXT NOT NULL, decided_at TEXT, decided_by TEXT, note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS claims_status ON claims (status, id);
CREATE TABLE IF NOT EXISTS api_keys (
    id TEXT PRIMARY KEY, role TEXT NOT NULL CHECK (role IN ('staff', 'owner', 'organiser')), authority_id TEXT,
    label TEXT NOT NULL DEFAULT '', salt BLOB NOT NULL, hash BLOB NOT NULL, created_at TEXT NOT NULL,
    revoked_at TEXT, CHECK ((role = 'owner') = (authority_id IS NOT NULL))
);
"""

_OLD_ROLES = "CHECK (role IN ('staff', 'owner'))"
_NEW_ROLES = "CHECK (role IN ('staff', 'owner', 'organiser'))"


def widen_key_roles(conn: Connection) -> None:
    """Let ``api_keys.role`` be ``organiser``: SQLite cannot alter a CHECK, and rebuilding the table would
    cascade-delete the web sessions that reference it (foreign keys are on, and cannot be switched off in
    a transaction), so the table's stored definition is edited in place, the procedure SQLite documents for
    changes that do not touch the stored rows ("Making Other Kinds Of Table Schema Changes"); bumping
    ``schema_version`` makes every connection re-read the schema."""
    version = int(conn.execute("PRAGMA schema_version").fetchone()[0])
    conn.execute("PRAGMA writable_schema = ON")
    try:
        conn.execute("UPDATE sqlite_master SET sql = replace(sql, ?, ?) WHERE type = 'table' AND name = 'api_keys'",
                     (_OLD_ROLES, _NEW_ROLES))
        conn.execute(f"PRAGMA schema_version = {version + 1}")
    finally:
        conn.execute("PRAGMA writable_schema = OFF")


#: Schema migrations: version -> the statements that take a database from it to the next version (the
#: tables new in that version are created by ``_SCHEMA``, which runs first).
MIGRATIONS: dict[int, tuple[str | Callable[[Connection], None], ...]] = {
    1: ("ALTER TABLE profiles ADD COLUMN status TEXT NOT NULL DEFAULT 'verified'",),
    2: (),  # the events table (matcher.store.events), created by the schema script
    3: (),  # web sessions and interest messages (matcher.store.web), created by the schema script
    4: (),  # the change log and the rate-limit windows (matcher.store.changes), created by the schema script
    5: (widen_key_roles,),  # organiser keys; events' names and options (event_options, by the schema script)
}


def _wal(conn: sqlite3.Connection, timeout: float = 30.0) -> None:
    """Switch to WAL. On a brand-new file opened by several processes at once (workers starting together)
    the switch can fail at once with "database is locked": SQLite does not call the busy handler for it.
    Retried here for up to ``timeout`` seconds, like every other statement's busy wait."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


class SQLiteStore(SQLStoreBase):
    """``ProfileStore`` over one SQLite file. One connection shared by threads behind a lock."""

    migrations = MIGRATIONS
    integrity_error = sqlite3.IntegrityError
    database_error = sqlite3.DatabaseError

    def __init__(self, conn: sqlite3.Connection, db_path: Path, data_dir: Path) -> None:
        self._conn = conn
        self._lock = threading.RLock()
        self.db_path = db_path
        self.data_dir = data_dir
        self.origin, self._wakeup = new_origin(), threading.Event()

    # --- lifecycle --------------------------------------------------------------------------------
    @classmethod
    def open(cls, db_path: Path, data_dir: Path, *, progress: bool = False,
             reload_if_stale: bool = True) -> SQLiteStore:
        """Open (or create) the database; load the catalogue from ``data_dir`` on first use, and reload
        it when the source files changed (unless ``reload_if_stale`` is False)."""
        db_path, data_dir = Path(db_path), Path(data_dir)
        db_path.parent.mkdir(parents=True, exist_ok=True)
        try:
            conn = sqlite3.connect(db_path, timeout=30, isolation_level=None, check_same_thread=False)
            conn.row_factory = sqlite3.Row
            _wal(conn)
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
            conn.executescript(_SCHEMA + EVENTS_SCHEMA + WEB_SCHEMA + CHANGES_SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise DataBuildError(f"cannot open database {db_path}: {exc}") from exc
        store = cls(conn, db_path, data_dir)
        try:
            store._check_version()
            store.import_legacy_events(legacy_events_path(db_path))
            if store._meta("sources") is None or (reload_if_stale and store.is_stale()):
                store.reload(progress=progress, only_if_stale=True)
        except BaseException:
            conn.close()
            raise
        return store

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    @property
    def location(self) -> str:
        return str(self.db_path)

    def _unindexed(self, column: str) -> str:
        return f"+{column}"  # SQLite's unary plus: no index on that term

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (BEGIN IMMEDIATE ... COMMIT, ROLLBACK on any error)."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def _query(self, sql: str, params: Any = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._conn.execute(sql, params).fetchall()
