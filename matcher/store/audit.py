"""Staff decisions (append-only audit trail) and API keys (only salted hashes stored): the ``Decision``
and ``ApiKey`` records and the ``AuditMixin`` that ``SQLStoreBase`` inherits. Import the records from
``matcher.store.protocol``.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from matcher.errors import InvalidInput, NotFound
from matcher.store.codec import hash_secret, key_id_of, new_secret, secret_matches
from matcher.store.sql import Connection, Row

DECISION_STATUSES = ("proposed", "contacted", "accepted", "rejected")
KEY_ROLES = ("staff", "owner", "organiser")
_MAX_NOTE = 4000
_MAX_LABEL = 200
_DUMMY_SALT = secrets.token_bytes(16)
_DUMMY_HASH = hash_secret("", _DUMMY_SALT)


def utc_now() -> str:
    """Current UTC time, ISO 8601 with a ``Z`` (seconds)."""
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass(frozen=True, slots=True)
class Decision:
    """What happened to one staff suggestion (audit trail; accepted/rejected become training labels)."""

    id: int
    french_id: str
    partner_id: str
    status: str  # proposed | contacted | accepted | rejected
    note: str
    actor: str  # key id / label of who recorded it (never a secret)
    created_at: str  # ISO 8601 UTC


@dataclass(frozen=True, slots=True)
class ApiKey:
    id: str  # public key id (prefix), safe to show
    role: str  # staff | owner | organiser
    authority_id: str | None
    label: str
    created_at: str
    revoked: bool


def key_from_row(row: Row) -> ApiKey:
    return ApiKey(id=row["id"], role=row["role"], authority_id=row["authority_id"], label=row["label"],
                  created_at=row["created_at"], revoked=row["revoked_at"] is not None)


def _decision(row: Row) -> Decision:
    return Decision(id=row["id"], french_id=row["french_id"], partner_id=row["partner_id"],
                    status=row["status"], note=row["note"], actor=row["actor"], created_at=row["created_at"])


def insert_key(conn: Connection, role: str, authority_id: str | None, label: str) -> tuple[ApiKey, str]:
    """A new key row inside the caller's transaction; (the key, its secret: shown once)."""
    created = utc_now()
    for _ in range(5):  # a 48-bit key id collision is astronomically unlikely, but cheap to handle
        key_id, secret = new_secret()
        if conn.execute("SELECT 1 FROM api_keys WHERE id = ?", (key_id,)).fetchone():
            continue
        salt = secrets.token_bytes(16)
        conn.execute("INSERT INTO api_keys (id, role, authority_id, label, salt, hash, created_at) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?)",
                     (key_id, role, authority_id, label, salt, hash_secret(secret, salt), created))
        return ApiKey(key_id, role, authority_id, label, created, False), secret
    raise RuntimeError("could not allocate a key id")  # pragma: no cover


class AuditMixin:
    """Decisions and API keys over the store's connection (``_tx`` / ``_query`` come from the store)."""

    def _tx(self) -> AbstractContextManager[Connection]:  # pragma: no cover - provided by the store
        raise NotImplementedError

    def _query(self, sql: str, params: Any = ()) -> list[Row]:  # pragma: no cover
        raise NotImplementedError

    def exists(self, profile_id: str) -> bool:  # pragma: no cover
        raise NotImplementedError

    # --- decisions --------------------------------------------------------------------------------
    def add_decision(self, french_id: str, partner_id: str, status: str, note: str, actor: str) -> Decision:
        """Append one decision. ``InvalidInput`` for a bad status or an over-long note; ``NotFound`` for
        an unknown authority id."""
        if status not in DECISION_STATUSES:
            raise InvalidInput(f"unknown status {status!r}; expected one of {', '.join(DECISION_STATUSES)}",
                               field="status")
        if len(note) > _MAX_NOTE:
            raise InvalidInput(f"note is longer than {_MAX_NOTE} characters", field="note")
        for field, pid in (("french_id", french_id), ("partner_id", partner_id)):
            if not self.exists(pid):
                raise NotFound(f"no authority with id {pid!r}", field=field)
        created = utc_now()
        with self._tx() as conn:
            new_id = int(conn.execute(
                "INSERT INTO decisions (french_id, partner_id, status, note, actor, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?) RETURNING id", (french_id, partner_id, status, note, actor, created)
            ).fetchall()[0][0])
        return Decision(new_id, french_id, partner_id, status, note, actor, created)

    def latest_decisions(self, *, max_read: int | None = None) -> dict[tuple[str, str], str]:
        """(French id, partner id) -> status of the latest decision on that pair: every decision read, newest
        first (or the newest ``max_read``: a page's bound)."""
        out: dict[tuple[str, str], str] = {}
        cursor: int | None = None
        read = 0
        while max_read is None or read < max_read:
            page = self.decisions(limit=1000, cursor=cursor)
            for d in page:  # newest first: the first status seen for a pair is its latest
                out.setdefault((d.french_id, d.partner_id), d.status)
            read += len(page)
            if len(page) < 1000:
                break
            cursor = page[-1].id
        return out

    def decisions(self, *, limit: int = 100, cursor: int | None = None, status: str | None = None,
                  authority_ids: Sequence[str] | None = None, since: str | None = None,
                  until: str | None = None) -> list[Decision]:
        """Newest first; ``cursor`` is the id of the last decision of the previous page. Filters: one
        ``status``; pairs with one of ``authority_ids`` on either side; ``since`` ≤ date < ``until`` (ISO 8601
        compared as text: ``2026-12-01`` works; ``until`` is exclusive)."""
        if not 1 <= limit <= 1000:
            raise InvalidInput("limit must be between 1 and 1000", field="limit")
        if status is not None and status not in DECISION_STATUSES:
            raise InvalidInput(f"unknown status {status!r}; expected one of {', '.join(DECISION_STATUSES)}",
                               field="status")
        where: list[str] = ["id < ?"]
        params: list[int | str] = [cursor if cursor is not None else 2**62]
        if status is not None:
            where.append("status = ?")
            params.append(status)
        if authority_ids is not None:
            ids = list(authority_ids)[:500]
            if not ids:
                return []
            marks = ", ".join("?" * len(ids))
            where.append(f"(french_id IN ({marks}) OR partner_id IN ({marks}))")
            params += ids + ids
        for op, value in ((">=", since), ("<", until)):
            if value:
                where.append(f"created_at {op} ?")
                params.append(value)
        rows = self._query(f"SELECT * FROM decisions WHERE {' AND '.join(where)} ORDER BY id DESC LIMIT ?",
                           (*params, limit))
        return [_decision(r) for r in rows]

    # --- API keys ---------------------------------------------------------------------------------
    def create_key(self, role: str, authority_id: str | None, label: str = "") -> tuple[ApiKey, str]:
        """A new key and its secret (shown once; only a salted hash is stored). ``owner`` keys need an
        existing ``authority_id``; ``staff`` and ``organiser`` keys must not have one."""
        if role not in KEY_ROLES:
            raise InvalidInput(f"unknown role {role!r}; expected staff, owner or organiser", field="role")
        if role == "owner" and not authority_id:
            raise InvalidInput("an owner key needs an authority id", field="authority_id")
        if role == "owner" and not self.exists(str(authority_id)):
            raise InvalidInput(f"no authority with id {authority_id!r}", field="authority_id")
        if role != "owner" and authority_id:
            raise InvalidInput(f"a {role} key is not bound to an authority", field="authority_id")
        if len(label) > _MAX_LABEL:
            raise InvalidInput(f"label is longer than {_MAX_LABEL} characters", field="label")
        with self._tx() as conn:
            return insert_key(conn, role, authority_id, label)

    def key_for_secret(self, secret: str) -> ApiKey | None:
        """The live key whose secret this is (constant-time comparison), else None (unknown, revoked, or
        an owner key whose authority no longer exists)."""
        key_id = key_id_of(secret)
        rows = self._query("SELECT * FROM api_keys WHERE id = ?", (key_id,)) if key_id else []
        if not rows:
            secret_matches(secret, _DUMMY_SALT, _DUMMY_HASH)  # same work whether or not the id exists
            return None
        row = rows[0]
        if not secret_matches(secret, row["salt"], row["hash"]) or row["revoked_at"] is not None:
            return None
        if row["authority_id"] is not None and not self.exists(row["authority_id"]):
            return None
        return key_from_row(row)

    def revoke_key(self, key_id: str) -> None:
        """Revoke a key (idempotent); ``NotFound`` if there is no such key."""
        with self._tx() as conn:
            cur = conn.execute("UPDATE api_keys SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?",
                               (utc_now(), key_id))
            if cur.rowcount == 0:
                raise NotFound(f"no API key with id {key_id!r}", field="key_id")

    def list_keys(self) -> list[ApiKey]:
        return [key_from_row(r) for r in self._query("SELECT * FROM api_keys ORDER BY rowid")]
