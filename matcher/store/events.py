"""Uploaded events in the main database: the ``EventRecord`` and the ``EventsMixin`` that ``SQLStoreBase``
inherits (it uses the store's ``_tx`` / ``_query``). Import the record from ``matcher.store.protocol``.

What is kept of an event is the uploaded file itself (bytes, name) and a summary, never derived data: the
service reads the file again after a restart, with the same validation as the upload, against the
catalogue of the moment. At most ``MAX_STORED_EVENTS`` are kept, the oldest deleted beyond that (in the
transaction that adds the new one).

Earlier versions kept events in a SQLite file of their own beside the catalogue (``twinmatch.db`` ->
``twinmatch.events.db``); ``import_legacy_events`` moves such a file's events in once, then renames it
(``….imported``) so that an event deleted later does not come back.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
from collections.abc import Callable
from contextlib import AbstractContextManager, closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from matcher.errors import Conflict, NotFound
from matcher.store.changes import ChangeKind
from matcher.store.sql import Connection, Row

MAX_STORED_EVENTS = 500
_COLUMNS = "id, filename, participants, sides, catalogue_participants, created_at, created_by, data"
#: An event's row with its name and options (``event_options``: a table of its own since schema version 6,
#: so that a database of any earlier version gets it from the schema script).
_SELECT = ("SELECT e.id, e.filename, e.participants, e.sides, e.catalogue_participants, e.created_at, "
           "e.created_by, e.data, coalesce(o.name, ''), coalesce(o.options, '{}') FROM events e "
           "LEFT JOIN event_options o ON o.id = e.id")

EVENTS_SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    id TEXT PRIMARY KEY, filename TEXT NOT NULL, participants INTEGER NOT NULL, sides TEXT NOT NULL,
    catalogue_participants INTEGER NOT NULL, created_at TEXT NOT NULL, created_by TEXT NOT NULL,
    data BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS events_created ON events (created_at);
CREATE INDEX IF NOT EXISTS events_created_by ON events (created_by);
CREATE TABLE IF NOT EXISTS event_options (
    id TEXT PRIMARY KEY, name TEXT NOT NULL DEFAULT '', options TEXT NOT NULL DEFAULT '{}'
);
"""


@dataclass(frozen=True)
class EventRecord:
    """What is stored of an event: the uploaded file and a summary."""

    id: str
    filename: str
    participants: int
    sides: tuple[str, ...]
    catalogue_participants: int
    created_at: str  # ISO 8601 UTC
    created_by: str  # API key id (never a secret)
    data: bytes = field(default=b"", repr=False)
    name: str = ""  # the organiser's name for the event (empty: none given)
    options: str = "{}"  # the organiser's planning options, JSON (``matcher.events.options``)

    @property
    def title(self) -> str:
        """The name, else the uploaded file's stem."""
        return self.name or Path(self.filename).stem or self.id


def _params(r: EventRecord) -> tuple[object, ...]:
    return (r.id, r.filename, r.participants, json.dumps(list(r.sides)), r.catalogue_participants,
            r.created_at, r.created_by, r.data)


def _record(row: Row) -> EventRecord:
    return EventRecord(id=row[0], filename=row[1], participants=int(row[2]), sides=tuple(json.loads(row[3])),
                       catalogue_participants=int(row[4]), created_at=row[5], created_by=row[6],
                       data=bytes(row[7]) if row[7] is not None else b"", name=row[8] if len(row) > 8 else "",
                       options=row[9] if len(row) > 9 else "{}")


def legacy_events_path(db_path: Path) -> Path:
    """``data/twinmatch.db`` -> ``data/twinmatch.events.db`` (where events were kept before)."""
    return db_path.with_name(f"{db_path.stem}.events{db_path.suffix or '.db'}")


class EventsMixin:
    """Event records over the store's connection."""

    max_events: int = MAX_STORED_EVENTS
    integrity_error: ClassVar[type[Exception]]  # the backend's (provided by the store)

    #: ``ChangesMixin.log_change`` (the store's change log), inside the write transaction.
    log_change: Callable[[Connection, ChangeKind, str], None]

    def _tx(self) -> AbstractContextManager[Connection]:  # pragma: no cover - provided by the store
        raise NotImplementedError

    def _query(self, sql: str, params: Any = ()) -> list[Row]:  # pragma: no cover
        raise NotImplementedError

    def add_event(self, record: EventRecord) -> EventRecord:
        """Store ``record`` (Conflict if its id exists) and drop the oldest beyond ``max_events``."""
        with self._tx() as conn:
            try:
                conn.execute(f"INSERT INTO events ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", _params(record))
            except self.integrity_error as exc:
                raise Conflict(f"event {record.id} already exists", field="id") from exc
            conn.execute("INSERT INTO event_options (id, name, options) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE "
                         "SET name = excluded.name, options = excluded.options",
                         (record.id, record.name, record.options))
            conn.execute("DELETE FROM events WHERE id NOT IN "
                         "(SELECT id FROM events ORDER BY created_at DESC, rowid DESC LIMIT ?)", (self.max_events,))
            conn.execute("DELETE FROM event_options WHERE id NOT IN (SELECT id FROM events)")
        return record

    def get_event(self, event_id: str) -> EventRecord | None:
        rows = self._query(f"{_SELECT} WHERE e.id = ?", (event_id,))
        return _record(rows[0]) if rows else None

    def list_events(self, *, created_by: str | None = None, limit: int = MAX_STORED_EVENTS) -> list[EventRecord]:
        """Events newest first, without their files (``data`` empty); ``created_by``: one key's only."""
        where = "WHERE e.created_by = ? " if created_by is not None else ""
        params: tuple[object, ...] = (created_by, limit) if created_by is not None else (limit,)
        rows = self._query(f"{_SELECT.replace('e.data', 'NULL')} {where}ORDER BY e.created_at DESC, e.rowid DESC "
                           "LIMIT ?", params)
        return [_record(r) for r in rows]

    def set_event_options(self, event_id: str, *, name: str | None = None, options: str | None = None) -> None:
        """Change an event's name or options (``NotFound`` if there is no such event)."""
        with self._tx() as conn:
            if not conn.execute("SELECT 1 FROM events WHERE id = ?", (event_id,)).fetchone():
                raise NotFound(f"no event with id {event_id!r}", field="id")
            conn.execute("INSERT INTO event_options (id) VALUES (?) ON CONFLICT (id) DO NOTHING", (event_id,))
            if name is not None:
                conn.execute("UPDATE event_options SET name = ? WHERE id = ?", (name, event_id))
            if options is not None:
                conn.execute("UPDATE event_options SET options = ? WHERE id = ?", (options, event_id))
            self.log_change(conn, "event", event_id)

    def event_link_secret(self) -> str:
        """The key that signs participants' wish links (``service.services.events.link_token``): made at
        random on first use and kept in the ``meta`` table, so links survive restarts and work on every
        replica. Never shown; ``TWINMATCH_EVENT_LINK_SECRET`` overrides it."""
        with self._tx() as conn:
            conn.execute("INSERT INTO meta VALUES ('event_link_secret', ?) ON CONFLICT (key) DO NOTHING",
                         (secrets.token_hex(32),))
            return str(conn.execute("SELECT value FROM meta WHERE key = 'event_link_secret'").fetchone()[0])

    def delete_event(self, event_id: str) -> bool:
        """True if the event existed."""
        with self._tx() as conn:
            conn.execute("DELETE FROM event_options WHERE id = ?", (event_id,))
            found = conn.execute("DELETE FROM events WHERE id = ?", (event_id,)).rowcount > 0
            if found:
                self.log_change(conn, "event", event_id)
            return found

    def count_events(self) -> int:
        return int(self._query("SELECT COUNT(*) FROM events")[0][0])

    def import_legacy_events(self, legacy: Path) -> int:
        """Move the events of an old ``twinmatch.events.db`` in (ids already here are kept as they are), in
        one transaction, then rename the file; the number imported. No file: 0."""
        if not legacy.is_file():
            return 0
        with closing(sqlite3.connect(f"file:{legacy}?mode=ro", uri=True)) as old:
            try:
                rows = old.execute(f"SELECT {_COLUMNS} FROM events ORDER BY created_at, rowid").fetchall()
            except sqlite3.DatabaseError:
                return 0  # not an events file: left alone
        with self._tx() as conn:
            imported = sum(conn.execute(f"INSERT INTO events ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                                        "ON CONFLICT (id) DO NOTHING", _params(_record(r))).rowcount
                           for r in rows)
        legacy.rename(legacy.with_name(legacy.name + ".imported"))
        return imported
