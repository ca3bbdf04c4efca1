"""Profile storage: the ``ProfileStore`` protocol, its SQL implementation over SQLite (``SQLiteStore``)
and PostgreSQL (``matcher.store.postgres.PostgresStore``), and ``open_store`` that picks one from a path or URL.

The SQLite database is a real file (WAL mode), the PostgreSQL one an existing (possibly empty) database;
either is filled on first use from the processed catalogue files under ``data/``; every write is one
transaction. Storage is split in modules private to it (nothing else imports ``sqlite3`` or ``psycopg``):
``store`` (the protocol, ``SQLStoreBase`` with the SQL both backends share, ``SQLiteStore``),
``store_pg`` / ``store_pg_schema`` (``PostgresStore``, its DDL), ``store_sql`` (the SQL subset the shared
code is written in), ``store_audit`` (``Decision``/``ApiKey`` and the decisions
and API-key tables), ``store_trust`` (verification, claims, the audit trail), ``store_events`` (uploaded
events), ``store_web`` (web sessions, interest messages), ``store_load`` (the catalogue load) and ``store_codec`` (pure helpers: the Profile <-> JSON
codec, search keys, key hashing). Their records are re-exported here.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, ClassVar, Protocol, Self

import numpy as np

from matcher.catalogue import files
from matcher.catalogue.files import Country
from matcher.domain import DEFAULT_LEVEL, VERIFIED, Kind, Level, Link, Profile
from matcher.errors import Conflict, DataBuildError, InvalidInput, NotFound
from matcher.paths import is_database_url
from matcher.store.audit import ApiKey, AuditMixin, Decision, utc_now
from matcher.store.changes import CHANGES_SCHEMA, Change, ChangesMixin, new_origin
from matcher.store.codec import (
    SCALAR_FIELDS,
    join_profile,
    name_keys,
    search_key,
    split_profile,
)
from matcher.store.events import EVENTS_SCHEMA, EventRecord, EventsMixin, legacy_events_path
from matcher.store.sql import Connection, Row, insert_sql
from matcher.store.trust import AuditEntry, Claim, TrustMixin
from matcher.store.web import WEB_SCHEMA, Interest, WebMixin


class ProfileStore(Protocol):
    """What the engine, CLI and service need from storage."""

    # --- profiles -----------------------------------------------------------------------------
    def get(self, profile_id: str) -> Profile: ...  # raises NotFound
    def get_many(self, ids: Iterable[str]) -> list[Profile]: ...  # unknown ids skipped
    def exists(self, profile_id: str) -> bool: ...
    def all_profiles(self, *, verified_only: bool = False) -> Iterator[Profile]: ...
    def count(self) -> int: ...
    def search(
        self, text: str = "", *, country: str | None = None, kind: str | None = None,
        limit: int = 20, cursor: int | None = None, statuses: tuple[str, ...] | None = (VERIFIED,),
        own: str | None = None,
    ) -> tuple[list[Profile], int | None]: ...  # (page, next cursor or None)
    def add(self, profile: Profile) -> Profile: ...  # raises Conflict if the id exists
    def update(self, profile: Profile) -> Profile: ...  # replaces the stored profile; NotFound if absent
    def delete(self, profile_id: str) -> None: ...  # NotFound if absent; also removes its links

    # --- reference data ---------------------------------------------------------------------
    def countries(self) -> dict[str, Country]: ...
    def links(self) -> list[Link]: ...
    def stats(self) -> dict[str, object]: ...

    # --- embedding cache, keyed by (model id, text hash) ---------------------------------------
    def get_embeddings(self, model_id: str, hashes: list[str]) -> dict[str, np.ndarray]: ...
    def put_embeddings(self, model_id: str, vectors: dict[str, np.ndarray]) -> None: ...

    # --- staff decisions ----------------------------------------------------------------------
    def add_decision(self, french_id: str, partner_id: str, status: str, note: str, actor: str) -> Decision: ...
    def decisions(self, *, limit: int = 100, cursor: int | None = None, status: str | None = None,
                  authority_ids: Sequence[str] | None = None, since: str | None = None,
                  until: str | None = None) -> list[Decision]: ...

    # --- API keys (only hashes are stored) ------------------------------------------------------
    def create_key(self, role: str, authority_id: str | None, label: str = "") -> tuple[ApiKey, str]: ...
    def key_for_secret(self, secret: str) -> ApiKey | None: ...
    def revoke_key(self, key_id: str) -> None: ...
    def list_keys(self) -> list[ApiKey]: ...

    # --- verification, claims, audit trail (matcher.store.trust) -------------------------------
    def set_status(self, profile_id: str, status: str, *, actor: str, note: str = "") -> Profile: ...
    def pending_ids(self, *, limit: int = 50, cursor: int | None = None) -> list[tuple[int, str]]: ...
    def count_by_status(self) -> dict[str, int]: ...
    def add_claim(self, authority_id: str, *, name: str, role: str, email: str, message: str = "",
                  actor: str = "anonymous") -> Claim: ...
    def claim(self, claim_id: int) -> Claim: ...
    def claims(self, *, status: str | None = "pending", limit: int = 50, cursor: int | None = None
               ) -> list[Claim]: ...
    def decide_claim(self, claim_id: int, *, approve: bool, actor: str, note: str = "") -> tuple[Claim, str | None]: ...
    # uploaded events (matcher.store.events)
    def add_event(self, record: EventRecord) -> EventRecord: ...  # Conflict if the id exists
    def get_event(self, event_id: str) -> EventRecord | None: ...
    def delete_event(self, event_id: str) -> bool: ...
    def list_events(self, *, created_by: str | None = None, limit: int = 500) -> list[EventRecord]: ...
    def set_event_options(self, event_id: str, *, name: str | None = None, options: str | None = None) -> None: ...
    def event_link_secret(self) -> str: ...  # made once, kept in the meta table
    # the web app (matcher.store.web)
    def create_session(self, key: ApiKey) -> str: ...
    def session_key(self, token: str) -> ApiKey | None: ...
    def delete_session(self, token: str) -> None: ...
    def add_interest(self, sender_id: str, recipient_id: str, message: str, *, actor: str,
                     reply_to: int | None = None) -> Interest: ...
    def interest(self, interest_id: int) -> Interest: ...
    def interests(self, *, authority_id: str | None = None, limit: int = 200) -> list[Interest]: ...

    def audit_entries(self, *, subject: str | None = None, action: str | None = None, since: str | None = None,
                      until: str | None = None, limit: int = 50, cursor: int | None = None) -> list[AuditEntry]: ...
    def record_audit(self, actor: str, action: str, subject: str, note: str = "") -> None: ...

    # --- what replicas share beyond the data (matcher.store.changes) ----------------------------
    origin: str  # this store instance's name in the change log
    def changes_since(self, seq: int, *, limit: int = 1000) -> list[Change]: ...
    def last_change(self) -> int: ...
    def ping(self) -> None: ...  # raises StoreUnavailable when the database cannot be reached
    def wait_for_change(self, timeout: float) -> None: ...  # returns on a committed change, wake() or timeout
    def wake(self) -> None: ...
    def rate_acquire(self, key: str, limit: int, expiry: float, amount: int = 1, *,
                     now: float | None = None) -> bool: ...
    def rate_window(self, key: str, expiry: float, *, now: float | None = None) -> tuple[float, int]: ...
    def rate_clear(self, key: str | None = None) -> int: ...


# ==================================================================================================
# The SQL implementation (the SQLite schema is here, PostgreSQL's in matcher.store.pg_schema)
# ==================================================================================================

SCHEMA_VERSION = 6
#: Files whose content defines the catalogue; their sha256 tells whether the database is stale.
#: The real cooperation cases (``matcher.catalogue.case_pairs``): their index and the case files it names.
SOURCE_FILES = (files.AUTHORITIES_FILE, files.COUNTRIES_FILE, files.LINKS_FILE, "cooperation/case_pairs.csv",
                "cooperation/cooperation_dev.csv", "cooperation/cooperation_more.csv")
#: Profile fields that come from the catalogue files (a reload refreshes them on edited profiles).
CATALOGUE_FIELDS = tuple(c for c in files.AUTHORITY_COLUMNS if c != "id")
_CHUNK = 500  # ids per IN (...) query
_BATCH = 20_000  # rows per executemany during a catalogue load

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

_PROFILE_COLS = ", ".join(SCALAR_FIELDS) + ", data"
#: The columns of a profile row, in the order of ``profile_row`` (the catalogue load's bulk insert).
PROFILE_COLUMNS = ("id", "name", "name_norm", "names_norm", "kind", "country", "population", "lat", "lon",
                   "source", "updated_at", "data", "status")
_INSERT_PROFILE = (
    "INSERT INTO profiles (id, name, name_norm, names_norm, kind, country, population, lat, lon, source, "
    "updated_at, data, status) VALUES (:id, :name, :name_norm, :names_norm, :kind, :country, :population, :lat, "
    ":lon, :source, :updated_at, :data, :status)"
)
_UPDATE_PROFILE = (
    "UPDATE profiles SET name = :name, name_norm = :name_norm, names_norm = :names_norm, kind = :kind, "
    "country = :country, population = :population, lat = :lat, lon = :lon, source = :source, "
    "updated_at = :updated_at, data = :data, status = :status WHERE id = :id"
)
_USER_OWNED = "(source = 'user' OR updated_at != '')"  # created or edited through the store


def source_hashes(data_dir: Path) -> dict[str, str | None]:
    """sha256 of each catalogue source file in ``data_dir`` (None when absent)."""
    out: dict[str, str | None] = {}
    for name in SOURCE_FILES:
        path = data_dir / name
        out[name] = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None
    return out


def _profile_params(p: Profile) -> dict[str, Any]:
    scalars, rest = split_profile(p)
    name_norm, names_norm = name_keys(p.name, p.alt_names)
    return {**scalars, "name_norm": name_norm, "names_norm": names_norm, "data": rest}


def profile_row(p: Profile) -> tuple[Any, ...]:
    """The values of ``PROFILE_COLUMNS`` for ``p``."""
    params = _profile_params(p)
    return tuple(params[c] for c in PROFILE_COLUMNS)


def _row_profile(row: Row) -> Profile:
    return join_profile({k: row[k] for k in SCALAR_FIELDS}, row["data"])


def _check_profile(p: Profile) -> None:
    if not p.id.strip():
        raise InvalidInput("an authority needs an id", field="id")
    if not p.name.strip():
        raise InvalidInput("an authority needs a name", field="name")
    if not isinstance(p.kind, Kind):
        raise InvalidInput(f"unknown kind {p.kind!r}", field="kind")
    if len(p.country) != 2 or not p.country.isalpha() or not p.country.isupper():
        raise InvalidInput(f"country must be an upper-case ISO alpha-2 code, got {p.country!r}", field="country")


def _chunks(items: list[str], size: int = _CHUNK) -> Iterator[list[str]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def open_store(target: str | Path, data_dir: Path, *, progress: bool = False,
               reload_if_stale: bool = True) -> SQLStoreBase:
    """The store at ``target``: ``PostgresStore`` for a ``postgresql://`` (or ``postgres://``) URL, else
    ``SQLiteStore`` over that file path."""
    if is_database_url(target):
        from matcher.store.postgres import PostgresStore

        return PostgresStore.open(str(target), data_dir, progress=progress, reload_if_stale=reload_if_stale)
    return SQLiteStore.open(Path(target), data_dir, progress=progress, reload_if_stale=reload_if_stale)


class SQLStoreBase(AuditMixin, TrustMixin, EventsMixin, WebMixin, ChangesMixin):
    """``ProfileStore`` in the SQL both backends accept (see ``matcher.store.sql``). A backend provides the
    connection (``_tx``, ``_query``, ``close``), its migrations, and the few dialect hooks below."""

    #: Schema migrations of this backend (see ``MIGRATIONS``).
    migrations: ClassVar[Mapping[int, Sequence[str | Callable[[Connection], None]]]]
    #: The driver's exception for a violated constraint (unique, check, foreign key) and its base error.
    integrity_error: ClassVar[type[Exception]]
    database_error: ClassVar[type[Exception]]
    data_dir: Path

    @property
    def location(self) -> str:
        """Where the database is, for messages (never a password)."""
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _tx(self) -> AbstractContextManager[Connection]:  # pragma: no cover - provided by the backend
        raise NotImplementedError

    def _query(self, sql: str, params: Any = ()) -> list[Row]:  # pragma: no cover - provided by the backend
        raise NotImplementedError

    def _unindexed(self, column: str) -> str:
        """``column`` in a form the planner will not answer with an index (SQLite needs it spelled)."""
        return column

    def _bulk_insert(self, conn: Connection, table: str, columns: tuple[str, ...],
                     rows: list[tuple[Any, ...]]) -> None:
        """Insert many rows inside the caller's transaction (the catalogue load)."""
        conn.executemany(insert_sql(table, columns), rows)

    def _meta(self, key: str) -> str | None:
        rows = self._query("SELECT value FROM meta WHERE key = ?", (key,))
        return rows[0]["value"] if rows else None

    def _check_version(self) -> None:
        with self._tx() as conn:
            conn.execute("INSERT INTO meta VALUES ('schema_version', ?) ON CONFLICT (key) DO NOTHING",
                         (str(SCHEMA_VERSION),))
            found = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0]
            for version in range(int(found) if str(found).isdigit() else 0, SCHEMA_VERSION):
                for sql in self.migrations.get(version, ()):  # one transaction: migrated whole or not at all
                    if callable(sql):
                        sql(conn)
                    else:
                        conn.execute(sql)
                conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(version + 1),))
            conn.execute("CREATE INDEX IF NOT EXISTS profiles_status ON profiles (status)")
        found = self._meta("schema_version")
        if found != str(SCHEMA_VERSION):
            raise DataBuildError(f"database {self.location} has schema version {found}, "
                                 f"this code expects {SCHEMA_VERSION}")

    def is_stale(self) -> bool:
        """True when the catalogue files in ``data_dir`` differ from the ones loaded. A missing
        ``authorities.csv.gz`` never makes the database stale (it would empty the catalogue)."""
        current = source_hashes(self.data_dir)
        if current[files.AUTHORITIES_FILE] is None:
            return False
        return json.dumps(current, sort_keys=True) != self._meta("sources")

    def reload(self, *, progress: bool = False, only_if_stale: bool = False) -> bool:
        """(Re)load the catalogue in one transaction, keeping user-created and edited profiles (edited
        catalogue profiles get the new catalogue fields), decisions, keys and embeddings.
        Returns False when nothing was done (``only_if_stale`` and another process already loaded it)."""
        from matcher.store.load import load_catalogue

        with self._tx() as conn:
            hashes = json.dumps(source_hashes(self.data_dir), sort_keys=True)
            if only_if_stale and self._meta("sources") == hashes:
                return False
            counts = load_catalogue(conn, self.data_dir, progress=progress, bulk=self._bulk_insert)
            self.log_change(conn, "catalogue", "")
            conn.executemany("INSERT INTO meta VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                             [("sources", hashes), ("loaded_at", utc_now()), ("last_load", json.dumps(counts))])
        return True

    # --- profiles ---------------------------------------------------------------------------------
    def get(self, profile_id: str) -> Profile:
        rows = self._query(f"SELECT {_PROFILE_COLS} FROM profiles WHERE id = ?", (profile_id,))
        if not rows:
            raise NotFound(f"no authority with id {profile_id!r}", field="id")
        return _row_profile(rows[0])

    def get_many(self, ids: Iterable[str]) -> list[Profile]:
        wanted = list(dict.fromkeys(ids))
        found: dict[str, Profile] = {}
        for chunk in _chunks(wanted):
            marks = ",".join("?" * len(chunk))
            for row in self._query(f"SELECT {_PROFILE_COLS} FROM profiles WHERE id IN ({marks})", chunk):
                found[row["id"]] = _row_profile(row)
        return [found[i] for i in wanted if i in found]

    def exists(self, profile_id: str) -> bool:
        return bool(self._query("SELECT 1 FROM profiles WHERE id = ?", (profile_id,)))

    def all_profiles(self, *, verified_only: bool = False) -> Iterator[Profile]:
        """Every profile (``verified_only``: the verified ones, what is matched) in id order, read in
        chunks (the lock is not held between chunks)."""
        last = ""
        # "+status": the filter must not make SQLite walk the status index and sort each chunk by id.
        only = f"AND {self._unindexed('status')} = 'verified'" if verified_only else ""
        while True:
            rows = self._query(f"SELECT {_PROFILE_COLS} FROM profiles WHERE id > ? {only} ORDER BY id LIMIT 5000",
                               (last,))
            if not rows:
                return
            for row in rows:
                yield _row_profile(row)
            last = rows[-1]["id"]

    def count(self) -> int:
        return int(self._query("SELECT count(*) FROM profiles")[0][0])

    def search(
        self, text: str = "", *, country: str | None = None, kind: str | None = None,
        limit: int = 20, cursor: int | None = None, statuses: tuple[str, ...] | None = (VERIFIED,),
        own: str | None = None,
    ) -> tuple[list[Profile], int | None]:
        """Name search, accent/case/punctuation-insensitive, over names and alternative names.

        Ranking: exact name, exact alternative name, name prefix, word start in the name, prefix or word
        start in an alternative name, anywhere; ties by population (largest first), then name and id.
        Only profiles of ``statuses`` (None: all) are found, plus ``own`` (the caller's own profile, whatever
        its status). ``cursor`` is the position of the page's first hit (the previous page's ``next``): any
        position is a page, empty past the end."""
        if not 1 <= limit <= 100:
            raise InvalidInput("limit must be between 1 and 100", field="limit")
        q = search_key(text)
        country = country.strip().upper() or None if country else None
        if kind:
            try:
                kind = Kind(kind.strip().lower()).value
            except ValueError:
                raise InvalidInput(f"unknown kind {kind!r}; expected one of "
                                   f"{', '.join(k.value for k in Kind)}", field="kind") from None
        offset = cursor or 0
        if offset < 0:
            raise InvalidInput("cursor must not be negative", field="cursor")
        where, params = [], {"q": q, "country": country, "kind": kind, "lim": limit + 1, "off": offset,
                             "own": own}
        if statuses is not None:
            marks = ", ".join(f":st{i}" for i in range(len(statuses)))
            where.append(f"({self._unindexed('status')} IN ({marks}) OR id = :own)" if statuses else "id = :own")
            params.update({f"st{i}": st for i, st in enumerate(statuses)})
        if q:
            where.append("instr(names_norm, :q) > 0")
        if country:
            where.append("country = :country")
        if kind:
            where.append("kind = :kind")
        rank = (
            "CASE WHEN name_norm = :q THEN 0 WHEN instr(names_norm, '|' || :q || '|') > 0 THEN 1 "
            "WHEN substr(name_norm, 1, length(:q)) = :q THEN 2 WHEN instr(' ' || name_norm, ' ' || :q) > 0 THEN 3 "
            "WHEN instr(names_norm, '|' || :q) > 0 OR instr(names_norm, ' ' || :q) > 0 THEN 4 ELSE 5 END, "
            if q else ""
        )
        sql = (f"SELECT {_PROFILE_COLS} FROM profiles {'WHERE ' + ' AND '.join(where) if where else ''} "
               f"ORDER BY {rank}population IS NULL, population DESC, name_norm, id LIMIT :lim OFFSET :off")
        rows = self._query(sql, params)
        page = [_row_profile(r) for r in rows[:limit]]
        more = len(rows) > limit
        return page, offset + limit if more else None

    def add(self, profile: Profile) -> Profile:
        """Insert a new profile (``updated_at`` is stamped); ``Conflict`` if the id is taken."""
        _check_profile(profile)
        stored = profile.with_changes(updated_at=utc_now())
        try:
            with self._tx() as conn:
                conn.execute(_INSERT_PROFILE, _profile_params(stored))
                self.log_change(conn, "profile", stored.id)
        except self.integrity_error:
            raise Conflict(f"an authority with id {profile.id!r} already exists", field="id") from None
        return stored

    def update(self, profile: Profile) -> Profile:
        """Replace a stored profile (``updated_at`` is stamped); ``NotFound`` if absent."""
        _check_profile(profile)
        stored = profile.with_changes(updated_at=utc_now())
        with self._tx() as conn:
            if conn.execute(_UPDATE_PROFILE, _profile_params(stored)).rowcount == 0:
                raise NotFound(f"no authority with id {profile.id!r}", field="id")
            self.log_change(conn, "profile", stored.id)
        return stored

    def delete(self, profile_id: str) -> None:
        """Delete a profile, its links (cascade) and revoke the owner keys bound to it."""
        with self._tx() as conn:
            conn.execute("UPDATE api_keys SET revoked_at = ? WHERE authority_id = ? AND revoked_at IS NULL",
                         (utc_now(), profile_id))
            if conn.execute("DELETE FROM profiles WHERE id = ?", (profile_id,)).rowcount == 0:
                raise NotFound(f"no authority with id {profile_id!r}", field="id")
            self.log_change(conn, "profile", profile_id)

    # --- reference data ---------------------------------------------------------------------------
    def countries(self) -> dict[str, Country]:
        out: dict[str, Country] = {}
        for row in self._query("SELECT code, data FROM countries ORDER BY code"):
            d = json.loads(row["data"])
            out[row["code"]] = Country(**{**d, "languages": tuple(d["languages"])})
        return out

    def links(self) -> list[Link]:
        return [Link(a=r["a"], b=r["b"], kind=r["kind"], source=r["source"])
                for r in self._query("SELECT a, b, kind, source FROM links ORDER BY rowid")]

    def stats(self) -> dict[str, object]:
        """Counts by kind and country, coordinate coverage, links, and the link-resolution report."""
        def coverage(where: str) -> dict[str, object]:
            total, with_coords = self._query(
                "SELECT count(*), coalesce(sum(CASE WHEN lat IS NOT NULL AND lon IS NOT NULL THEN 1 ELSE 0 END), 0) "
                f"FROM profiles {where}")[0]
            return {"total": total, "with_coordinates": with_coords,
                    "share": round(with_coords / total, 4) if total else 0.0}

        def counts(col: str) -> dict[str, int]:
            return {r[0]: r[1] for r in self._query(
                f"SELECT {col}, count(*) AS n FROM profiles GROUP BY {col} ORDER BY n DESC, {col}")}

        by_level = {lv.value: 0 for lv in (Level.ADMIN1, Level.ADMIN2, Level.TOWN)}
        for kind_value, stated, n in self._query(
                "SELECT kind, json_extract(data, '$.level'), count(*) FROM profiles WHERE country != 'FR' "
                "GROUP BY 1, 2"):
            level = Level(stated) if stated else DEFAULT_LEVEL[Kind(kind_value)]
            by_level[level.value] = by_level.get(level.value, 0) + n
        report_path = self.data_dir / files.LINK_REPORT_FILE
        report = json.loads(report_path.read_text(encoding="utf-8")) if report_path.is_file() else None
        return {
            "profiles": self.count(),
            "by_kind": counts("kind"),
            "by_country": counts("country"),
            "foreign_by_level": by_level,
            "coordinates": {"all": coverage(""), "french": coverage("WHERE country = 'FR'")},
            "user_profiles": self._query(f"SELECT count(*) FROM profiles WHERE {_USER_OWNED}")[0][0],
            "links": self._query("SELECT count(*) FROM links")[0][0],
            "link_resolution": report,
            "loaded_at": self._meta("loaded_at"),
            "last_load": json.loads(self._meta("last_load") or "null"),
        }

    # --- embedding cache --------------------------------------------------------------------------
    def get_embeddings(self, model_id: str, hashes: list[str]) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        for chunk in _chunks(list(dict.fromkeys(hashes))):
            marks = ",".join("?" * len(chunk))
            for row in self._query(f"SELECT text_hash, dim, vector FROM embeddings WHERE model_id = ? "
                                   f"AND text_hash IN ({marks})", [model_id, *chunk]):
                vec = np.frombuffer(row["vector"], dtype="<f4")
                if vec.size == row["dim"]:
                    out[row["text_hash"]] = vec.astype(np.float32)  # a writable copy
        return out

    def put_embeddings(self, model_id: str, vectors: dict[str, np.ndarray]) -> None:
        rows = []
        for h, v in vectors.items():
            arr = np.asarray(v, dtype="<f4")
            if arr.ndim != 1:
                raise InvalidInput(f"embedding {h!r} must be a 1-d vector, got shape {arr.shape}")
            rows.append((model_id, h, int(arr.size), arr.tobytes()))
        with self._tx() as conn:
            conn.executemany("INSERT INTO embeddings VALUES (?, ?, ?, ?) ON CONFLICT (model_id, text_hash) "
                             "DO UPDATE SET dim = excluded.dim, vector = excluded.vector", rows)


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
