"""The SQL surface the store's mixins are written against, shared by both backends (no driver here).

The mixins (``audit``, ``trust``, ``events``, ``web``, ``changes``), ``load``, ``rows`` and
``SQLStoreBase`` write their SQL once, in the subset that SQLite (3.35+) and PostgreSQL both accept:
``?`` or ``:name`` placeholders, ``INSERT ... ON CONFLICT (...) DO NOTHING / DO UPDATE SET c = excluded.c``,
``INSERT ... RETURNING id`` for new ids, a ``rowid`` column for insertion order (SQLite's own; an identity
column on PostgreSQL), ``instr`` and ``json_extract`` (functions defined by the PostgreSQL schema). Rows are
indexable by column name and by position (``sqlite3.Row`` on SQLite, ``postgres.Row`` on PostgreSQL).

What cannot be written once is asked of the store (see ``SQLStoreBase``): the driver's exception for a
violated constraint, the unindexed form of a column, the bulk insert of the catalogue load.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Protocol

#: A result row: ``row["name"]`` or ``row[0]``.
Row = Any


class Connection(Protocol):
    """What the store code uses of a connection, inside a transaction opened by the store's ``_tx``."""

    def execute(self, sql: str, parameters: Any = ..., /) -> Any: ...  # a cursor: fetchone, fetchall, rowcount
    def executemany(self, sql: str, parameters: Iterable[Any], /) -> Any: ...


def insert_sql(table: str, columns: Sequence[str]) -> str:
    """``INSERT INTO table (a, b) VALUES (?, ?)``."""
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
