"""What the web app keeps: sign-in sessions and the interest messages relayed between authorities. The
``WebMixin`` is inherited by ``SQLStoreBase`` (it uses the store's ``_tx`` / ``_query``); import the
records from ``matcher.store.protocol``.

Sessions. Signing in with an API key creates a session: a random token goes to the browser (a cookie),
only its SHA-256 is stored, with the key id it stands for. The key is checked again on every use (a
revoked key ends its sessions), sessions expire (``SESSION_DAYS``), signing out deletes the row.

Interest. From a match, an authority's owner sends a short message to the other authority; the platform
relays it (an inbox per authority, a view for staff): the sender never sees the recipient's contacts.
Messages and their replies are kept (append-only, like the audit trail): an expressed interest and a
reply are feedback the next ``twinmatch train`` can read.
"""

from __future__ import annotations

import hashlib
import secrets
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from matcher.errors import InvalidInput, NotFound
from matcher.store.audit import ApiKey, key_from_row, utc_now
from matcher.store.sql import Connection, Row

SESSION_DAYS = 14
MAX_MESSAGE = 2000
MAX_INBOX = 200

WEB_SCHEMA = """
CREATE TABLE IF NOT EXISTS web_sessions (
    token_hash BLOB PRIMARY KEY, key_id TEXT NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL, expires_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS interests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    sender_id TEXT NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    recipient_id TEXT NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    reply_to INTEGER REFERENCES interests (id) ON DELETE CASCADE,
    message TEXT NOT NULL, actor TEXT NOT NULL, created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS interests_recipient ON interests (recipient_id, id);
CREATE INDEX IF NOT EXISTS interests_sender ON interests (sender_id, id);
CREATE TRIGGER IF NOT EXISTS interests_no_update BEFORE UPDATE ON interests
    BEGIN SELECT RAISE(ABORT, 'interest messages are append-only'); END;
"""


@dataclass(frozen=True, slots=True)
class Interest:
    """One relayed message: an interest expressed from a match, or a reply to one."""

    id: int
    sender_id: str  # authority ids: the platform relays, nobody sees the other side's contacts
    recipient_id: str
    reply_to: int | None
    message: str
    actor: str  # key id of who wrote it (never a secret)
    created_at: str


def _interest(row: Row) -> Interest:
    return Interest(id=row["id"], sender_id=row["sender_id"], recipient_id=row["recipient_id"],
                    reply_to=row["reply_to"], message=row["message"], actor=row["actor"],
                    created_at=row["created_at"])


def _token_hash(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8")).digest()


class WebMixin:
    """Sessions and interest messages over the store's connection."""

    def _tx(self) -> AbstractContextManager[Connection]:  # pragma: no cover - provided by the store
        raise NotImplementedError

    def _query(self, sql: str, params: Any = ()) -> list[Row]:  # pragma: no cover
        raise NotImplementedError

    def exists(self, profile_id: str) -> bool:  # pragma: no cover - provided by the store
        raise NotImplementedError

    # --- sessions --------------------------------------------------------------------------------
    def create_session(self, key: ApiKey) -> str:
        """A new session for a live key; its token (given to the browser once, only a hash is kept)."""
        token = secrets.token_urlsafe(32)
        now = datetime.now(UTC)
        expires = (now + timedelta(days=SESSION_DAYS)).isoformat(timespec="seconds").replace("+00:00", "Z")
        with self._tx() as conn:
            conn.execute("DELETE FROM web_sessions WHERE expires_at < ?", (utc_now(),))
            conn.execute("INSERT INTO web_sessions VALUES (?, ?, ?, ?)", (_token_hash(token), key.id, utc_now(),
                                                                          expires))
        return token

    def session_key(self, token: str) -> ApiKey | None:
        """The live key of an unexpired session, else None (unknown token, expired, key revoked, or an
        owner key whose authority is gone)."""
        if not token or len(token) > 200:
            return None
        rows = self._query("SELECT k.* FROM web_sessions s JOIN api_keys k ON k.id = s.key_id "
                           "WHERE s.token_hash = ? AND s.expires_at >= ?", (_token_hash(token), utc_now()))
        if not rows or rows[0]["revoked_at"] is not None:
            return None
        key = key_from_row(rows[0])
        if key.authority_id is not None and not self.exists(key.authority_id):
            return None
        return key

    def delete_session(self, token: str) -> None:
        with self._tx() as conn:
            conn.execute("DELETE FROM web_sessions WHERE token_hash = ?", (_token_hash(token),))

    # --- interest messages -----------------------------------------------------------------------
    def add_interest(self, sender_id: str, recipient_id: str, message: str, *, actor: str,
                     reply_to: int | None = None) -> Interest:
        message = message.strip()
        if not message:
            raise InvalidInput("the message is empty", field="message")
        if len(message) > MAX_MESSAGE:
            raise InvalidInput(f"the message is longer than {MAX_MESSAGE} characters", field="message")
        if sender_id == recipient_id:
            raise InvalidInput("an authority cannot write to itself", field="recipient_id")
        for field, pid in (("sender_id", sender_id), ("recipient_id", recipient_id)):
            if not self.exists(pid):
                raise NotFound(f"no authority with id {pid!r}", field=field)
        with self._tx() as conn:
            if reply_to is not None:
                row = conn.execute("SELECT sender_id, recipient_id FROM interests WHERE id = ?",
                                   (reply_to,)).fetchone()
                if row is None or {row[0], row[1]} != {sender_id, recipient_id}:
                    raise NotFound(f"no message {reply_to} between these authorities", field="reply_to")
            new_id = int(conn.execute(
                "INSERT INTO interests (sender_id, recipient_id, reply_to, message, actor, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?) RETURNING id", (sender_id, recipient_id, reply_to, message, actor,
                                                           utc_now())).fetchall()[0][0])
        return self.interest(new_id)

    def interest(self, interest_id: int) -> Interest:
        rows = self._query("SELECT * FROM interests WHERE id = ?", (interest_id,))
        if not rows:
            raise NotFound(f"no message {interest_id}", field="id")
        return _interest(rows[0])

    def interests(self, *, authority_id: str | None = None, limit: int = MAX_INBOX) -> list[Interest]:
        """Newest first: the messages to or from ``authority_id`` (its inbox and sent box), or all (staff)."""
        if authority_id is None:
            rows = self._query("SELECT * FROM interests ORDER BY id DESC LIMIT ?", (limit,))
        else:
            rows = self._query("SELECT * FROM interests WHERE recipient_id = ? OR sender_id = ? "
                               "ORDER BY id DESC LIMIT ?", (authority_id, authority_id, limit))
        return [_interest(r) for r in rows]
