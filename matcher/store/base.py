"""``SQLStoreBase``: the ``ProfileStore`` written once in the SQL both backends accept (see
``matcher.store.sql``): profiles, search, reference data, the embedding cache, the schema version and the
catalogue (re)load, plus the mixins for decisions and keys (``audit``), verification and claims (``trust``),
uploaded events (``events``), the web app (``web``) and the change log (``changes``). A backend
(``sqlite.SQLiteStore``, ``postgres.PostgresStore``) provides the connection and a few dialect hooks.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, ClassVar, Self

import numpy as np

from matcher.catalogue import files
from matcher.catalogue.files import Country
from matcher.domain import DEFAULT_LEVEL, VERIFIED, Kind, Level, Link, Profile
from matcher.errors import Conflict, DataBuildError, InvalidInput, NotFound
from matcher.store.audit import AuditMixin, utc_now
from matcher.store.changes import ChangesMixin
from matcher.store.codec import search_key
from matcher.store.events import EventsMixin
from matcher.store.load import load_catalogue, source_hashes
from matcher.store.rows import (
    INSERT_PROFILE,
    PROFILE_COLS,
    UPDATE_PROFILE,
    USER_OWNED,
    check_profile,
    chunks,
    profile_params,
    row_profile,
)
from matcher.store.sql import Connection, Row, insert_sql
from matcher.store.trust import TrustMixin
from matcher.store.web import WebMixin

SCHEMA_VERSION = 6


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
        rows = self._query(f"SELECT {PROFILE_COLS} FROM profiles WHERE id = ?", (profile_id,))
        if not rows:
            raise NotFound(f"no authority with id {profile_id!r}", field="id")
        return row_profile(rows[0])

    def get_many(self, ids: Iterable[str]) -> list[Profile]:
        wanted = list(dict.fromkeys(ids))
        found: dict[str, Profile] = {}
        for chunk in chunks(wanted):
            marks = ",".join("?" * len(chunk))
            for row in self._query(f"SELECT {PROFILE_COLS} FROM profiles WHERE id IN ({marks})", chunk):
                found[row["id"]] = row_profile(row)
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
            rows = self._query(f"SELECT {PROFILE_COLS} FROM profiles WHERE id > ? {only} ORDER BY id LIMIT 5000",
                               (last,))
            if not rows:
                return
            for row in rows:
                yield row_profile(row)
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
        sql = (f"SELECT {PROFILE_COLS} FROM profiles {'WHERE ' + ' AND '.join(where) if where else ''} "
               f"ORDER BY {rank}population IS NULL, population DESC, name_norm, id LIMIT :lim OFFSET :off")
        rows = self._query(sql, params)
        page = [row_profile(r) for r in rows[:limit]]
        more = len(rows) > limit
        return page, offset + limit if more else None

    def add(self, profile: Profile) -> Profile:
        """Insert a new profile (``updated_at`` is stamped); ``Conflict`` if the id is taken."""
        check_profile(profile)
        stored = profile.with_changes(updated_at=utc_now())
        try:
            with self._tx() as conn:
                conn.execute(INSERT_PROFILE, profile_params(stored))
                self.log_change(conn, "profile", stored.id)
        except self.integrity_error:
            raise Conflict(f"an authority with id {profile.id!r} already exists", field="id") from None
        return stored

    def update(self, profile: Profile) -> Profile:
        """Replace a stored profile (``updated_at`` is stamped); ``NotFound`` if absent."""
        check_profile(profile)
        stored = profile.with_changes(updated_at=utc_now())
        with self._tx() as conn:
            if conn.execute(UPDATE_PROFILE, profile_params(stored)).rowcount == 0:
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
            "user_profiles": self._query(f"SELECT count(*) FROM profiles WHERE {USER_OWNED}")[0][0],
            "links": self._query("SELECT count(*) FROM links")[0][0],
            "link_resolution": report,
            "loaded_at": self._meta("loaded_at"),
            "last_load": json.loads(self._meta("last_load") or "null"),
        }

    # --- embedding cache --------------------------------------------------------------------------
    def get_embeddings(self, model_id: str, hashes: list[str]) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        for chunk in chunks(list(dict.fromkeys(hashes))):
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
