"""``PostgresStore``: the ``ProfileStore`` over a PostgreSQL database (psycopg 3), selected by a
``postgresql://`` URL (``matcher.store.backends.open_store``).

It is ``SQLStoreBase`` (the SQL shared with ``SQLiteStore``) over one connection behind a lock, like
``SQLiteStore``. The shared SQL is written with ``?`` / ``:name`` placeholders; ``PgConnection`` turns them
into psycopg's ``%s`` / ``%(name)s`` (string literals left alone) and binds parameters client-side (like
the sqlite3 module, so that ``? IS NULL`` needs no declared type). Rows are indexable by name and by
position, like ``sqlite3.Row``. Every write transaction takes one advisory lock (``WRITE_LOCK``): writers
are serialised across processes as on SQLite. The catalogue load inserts with ``COPY``. The schema and
the other PostgreSQL-only statements are in ``matcher.store.pg_schema``.
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar, Self

import psycopg
from psycopg import sql as pgsql

from matcher.errors import DataBuildError, StoreUnavailable
from matcher.paths import redact_db as redact
from matcher.paths import scrub
from matcher.store.base import SQLStoreBase
from matcher.store.changes import new_origin
from matcher.store.pg_schema import CHANGES_CHANNEL, MIGRATIONS, NOTIFY_CHANGE, SCHEMA, WRITE_LOCK

CONNECT_TIMEOUT_S = 5

# A string literal (kept), a ``?``, a ``:name`` (not a ``::cast``), or a ``%`` (doubled for psycopg).
_TOKEN = re.compile(r"'(?:[^']|'')*'|\?|(?<![:\w]):([A-Za-z_]\w*)|%")


@functools.lru_cache(maxsize=512)
def to_psycopg(sql: str) -> str:
    """SQLite-style placeholders -> psycopg's (``?`` -> ``%s``, ``:name`` -> ``%(name)s``, ``%`` -> ``%%``)."""
    def sub(m: re.Match[str]) -> str:
        token = m.group(0)
        if token.startswith("'"):
            return token
        if token == "?":
            return "%s"
        if token == "%":
            return "%%"
        return f"%({m.group(1)})s"

    return _TOKEN.sub(sub, sql)


class Row(tuple[Any, ...]):
    """A result row indexable by position and by column name, like ``sqlite3.Row``."""

    _index: ClassVar[dict[str, int]] = {}

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            return tuple.__getitem__(self, self._index[key])
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self._index)


@functools.lru_cache(maxsize=256)
def _row_class(names: tuple[str, ...]) -> type[Row]:
    return type("Row", (Row,), {"_index": {n: i for i, n in enumerate(names)}, "__slots__": ()})


def _row_factory(cursor: Any) -> Any:
    """psycopg row factory: ``Row`` instances for the cursor's columns."""
    description = cursor.description
    if description is None:
        return tuple
    return _row_class(tuple(d.name for d in description))


def connect(url: str, **kwargs: Any) -> psycopg.Connection[Any]:
    """An autocommit connection to ``url`` that gives up after ``CONNECT_TIMEOUT_S`` unless the URL says."""
    if "connect_timeout" not in url:
        kwargs["connect_timeout"] = CONNECT_TIMEOUT_S
    return psycopg.connect(url, autocommit=True, **kwargs)


class PgConnection:
    """The sqlite3-like face of a psycopg connection that the shared store code uses (``execute``,
    ``executemany``, cursors with ``fetchone`` / ``fetchall`` / ``rowcount``)."""

    def __init__(self, raw: psycopg.Connection[Any]) -> None:
        self.raw = raw

    def execute(self, sql: str, params: Any = ()) -> psycopg.Cursor[Any]:
        cur = self.raw.cursor()
        if params:
            cur.execute(to_psycopg(sql), params)
        else:
            cur.execute(sql)  # no parameters: sent as it is (``%`` is not special)
        return cur

    def executemany(self, sql: str, params: Iterable[Any]) -> psycopg.Cursor[Any]:
        cur = self.raw.cursor()
        cur.executemany(to_psycopg(sql), list(params))
        return cur


class PostgresStore(SQLStoreBase):
    """``ProfileStore`` over one PostgreSQL database. One connection shared by threads behind a lock."""

    migrations = MIGRATIONS
    integrity_error = psycopg.IntegrityError
    database_error = psycopg.DatabaseError
    notify_sql = NOTIFY_CHANGE

    def __init__(self, raw: psycopg.Connection[Any], url: str, data_dir: Path) -> None:
        self._raw = raw
        self._conn = PgConnection(raw)
        self._lock = threading.RLock()
        self._closed = False
        self.url = url
        self.data_dir = data_dir
        self.origin, self._wakeup = new_origin(), threading.Event()
        #: The LISTEN connection of ``wait_for_change`` (opened on first wait; only the follower waits).
        self._listener: psycopg.Connection[Any] | None = None

    @staticmethod
    def _connect(url: str) -> psycopg.Connection[Any]:
        try:
            return connect(url, cursor_factory=psycopg.ClientCursor, row_factory=_row_factory)
        except psycopg.Error as exc:
            raise DataBuildError(scrub(f"cannot open database {redact(url)}: {exc}".strip(), url)) from exc

    def _live(self) -> PgConnection:
        """The connection, re-opened if the server dropped it (a restart): the failed statement raised
        ``StoreUnavailable``, a later one works again once the server is back. Called with the lock held."""
        if (self._raw.broken or self._raw.closed) and not self._closed:
            try:
                self._raw = self._connect(self.url)
            except DataBuildError as exc:
                raise StoreUnavailable(StoreUnavailable.MESSAGE, detail=exc.message) from exc
            self._conn = PgConnection(self._raw)
        return self._conn

    # --- lifecycle --------------------------------------------------------------------------------
    @classmethod
    def open(cls, url: str, data_dir: Path, *, progress: bool = False, reload_if_stale: bool = True) -> Self:
        """Connect to the database at ``url`` (which must exist; it may be empty), create or migrate the
        schema, and load the catalogue from ``data_dir`` on first use or when the source files changed
        (unless ``reload_if_stale`` is False), like ``SQLiteStore.open``."""
        data_dir = Path(data_dir)
        raw = cls._connect(url)
        store = cls(raw, url, data_dir)
        try:
            try:
                with store._tx() as conn:
                    conn.execute("SET LOCAL client_min_messages = warning")  # no NOTICE per IF NOT EXISTS
                    conn.execute(SCHEMA)
            except psycopg.Error as exc:
                raise DataBuildError(scrub(f"cannot create the schema in {redact(url)}: {exc}", url)) from exc
            store._check_version()
            if store._meta("sources") is None or (reload_if_stale and store.is_stale()):
                store.reload(progress=progress, only_if_stale=True)
        except BaseException:
            store.close()
            raise
        return store

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._raw.close()
            if self._listener is not None:
                self._listener.close()

    def wait_for_change(self, timeout: float) -> None:
        """Until another process commits a change (its ``NOTIFY``) or ``timeout`` seconds pass. The
        follower reads the change log after each wait, so a notification lost while the listening connection
        was down only delays a change to the next timeout; a dropped connection is re-opened on the next
        wait (meanwhile this sleeps, so a database that is down is not polled in a tight loop)."""
        try:
            listener = self._listener
            if listener is None or listener.closed or listener.broken:
                listener = self._listener = connect(self.url)
                listener.execute(f"LISTEN {CHANGES_CHANNEL}")
                return  # changes committed before LISTEN are in the log, which the follower reads now
            if self._wakeup.is_set():
                self._wakeup.clear()
                return
            if any(True for _ in listener.notifies(timeout=timeout, stop_after=1)):
                for _ in listener.notifies(timeout=0):  # the rest of a burst: one read of the log covers it
                    pass
        except psycopg.Error:
            if self._listener is not None:
                self._listener.close()
            self._listener = None
            self._wakeup.wait(timeout)

    @property
    def location(self) -> str:
        return redact(self.url)

    @contextmanager
    def _tx(self) -> Iterator[PgConnection]:
        """One write transaction (COMMIT, or ROLLBACK on any error), holding ``WRITE_LOCK``."""
        with self._lock:
            try:
                conn = self._live()
                with conn.raw.transaction():
                    conn.execute(WRITE_LOCK)
                    yield conn
            except psycopg.OperationalError as exc:  # the server went away: nothing was committed
                raise self._unavailable(exc) from exc

    def _query(self, sql: str, params: Any = ()) -> list[Any]:
        with self._lock:
            try:
                return self._live().execute(sql, params).fetchall()
            except psycopg.OperationalError as exc:
                raise self._unavailable(exc) from exc

    def _unavailable(self, exc: psycopg.OperationalError) -> StoreUnavailable:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return StoreUnavailable(StoreUnavailable.MESSAGE,
                                detail=scrub(f"the database {redact(self.url)} is unavailable ({first})", self.url))

    def _bulk_insert(self, conn: Any, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
        """``COPY ... FROM STDIN``: the fastest way in, inside the caller's transaction."""
        statement = pgsql.SQL("COPY {} ({}) FROM STDIN").format(
            pgsql.Identifier(table), pgsql.SQL(", ").join(map(pgsql.Identifier, columns)))
        with conn.raw.cursor().copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
