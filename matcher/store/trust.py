"""Trust in the catalogue: profile verification, claims of catalogue entries by their town halls, and the
append-only audit trail that records both. ``TrustMixin`` is inherited by ``SQLStoreBase`` (it uses the
store's ``_tx`` / ``_query``); import the records from ``matcher.store.protocol``.

A self-registered profile is *pending* until staff verify it; a claim asks for an owner key to an existing
entry and gets one only when staff approve it (the key is created in the same transaction as the decision,
so an approved claim always has its key and a key never exists for a claim that was not approved).
Claimants' names and e-mails are private: they are returned by the staff methods only.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from matcher.domain import PENDING, REJECTED, STATUSES, VERIFIED, Profile
from matcher.errors import Conflict, InvalidInput, NotFound
from matcher.store.audit import insert_key, utc_now
from matcher.store.changes import ChangeKind
from matcher.store.sql import Connection, Row

CLAIM_STATUSES = ("pending", "approved", "rejected")
#: Every action the audit trail records: the one vocabulary the store writes and the staff journal filters on.
AUDIT_ACTIONS: tuple[str, ...] = ("profile.registered", *(f"profile.{s}" for s in STATUSES), "claim.created",
                                  *(f"claim.{s}" for s in CLAIM_STATUSES if s != "pending"))
_MAX_NOTE = 2000
MAX_PAGE = 200
_NO_CURSOR = 2**62  # ids start at 1: "before this" means from the newest


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    at: str  # ISO 8601 UTC
    actor: str  # key id (never a secret), or "anonymous"
    action: str  # e.g. "profile.verified", "claim.created", "claim.approved"
    subject: str  # the authority id (or claim id) acted on
    note: str


@dataclass(frozen=True, slots=True)
class Claim:
    """A town hall's request to manage its catalogue entry."""

    id: int
    authority_id: str
    name: str  # private: the claimant's name
    role: str  # e.g. "secrétaire général", "chargée des relations internationales"
    email: str  # private: the official e-mail to send the key to
    message: str
    status: str  # pending | approved | rejected
    created_at: str
    decided_at: str | None
    decided_by: str | None
    note: str


def _claim(row: Row) -> Claim:
    return Claim(id=row["id"], authority_id=row["authority_id"], name=row["name"], role=row["role"],
                 email=row["email"], message=row["message"], status=row["status"], created_at=row["created_at"],
                 decided_at=row["decided_at"], decided_by=row["decided_by"], note=row["note"])


def _entry(row: Row) -> AuditEntry:
    return AuditEntry(id=row["id"], at=row["at"], actor=row["actor"], action=row["action"],
                      subject=row["subject"], note=row["note"])


def _page(limit: int) -> None:
    if not 1 <= limit <= MAX_PAGE + 1:  # a page and the one item more that tells whether another follows
        raise InvalidInput(f"limit must be between 1 and {MAX_PAGE}", field="limit")


def _note(note: str) -> str:
    if len(note) > _MAX_NOTE:
        raise InvalidInput(f"note is longer than {_MAX_NOTE} characters", field="note")
    return note


def record(conn: Connection, actor: str, action: str, subject: str, note: str = "") -> None:
    """One audit entry, inside the caller's transaction (``action``: one of ``AUDIT_ACTIONS``)."""
    if action not in AUDIT_ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")  # a programming error, not a user's
    conn.execute("INSERT INTO audit (at, actor, action, subject, note) VALUES (?, ?, ?, ?, ?)",
                 (utc_now(), actor, action, subject, note))


class TrustMixin:
    """Verification, claims and the audit trail over the store's connection."""

    #: ``ChangesMixin.log_change`` (the store's change log), inside the write transaction.
    log_change: Callable[[Connection, ChangeKind, str], None]

    def _tx(self) -> AbstractContextManager[Connection]:  # pragma: no cover - provided by the store
        raise NotImplementedError

    def _query(self, sql: str, params: Any = ()) -> list[Row]:  # pragma: no cover
        raise NotImplementedError

    def get(self, profile_id: str) -> Profile:  # pragma: no cover - provided by the store
        raise NotImplementedError

    # --- verification ------------------------------------------------------------------------------
    def set_status(self, profile_id: str, status: str, *, actor: str, note: str = "") -> Profile:
        """Verify or reject a profile (audit-logged in the same transaction); ``NotFound`` if absent."""
        if status not in STATUSES:
            raise InvalidInput(f"status must be one of {', '.join(STATUSES)}", field="status")
        note = _note(note)
        with self._tx() as conn:
            cur = conn.execute("UPDATE profiles SET status = ?, updated_at = ? WHERE id = ?",
                               (status, utc_now(), profile_id))
            if cur.rowcount == 0:
                raise NotFound(f"no authority with id {profile_id!r}", field="id")
            record(conn, actor, f"profile.{status}", profile_id, note)
            self.log_change(conn, "profile", profile_id)
        return self.get(profile_id)

    def pending_ids(self, *, limit: int = 50, cursor: int | None = None) -> list[tuple[int, str]]:
        """(sequence number, id) of the profiles waiting for verification, oldest registration first.
        ``cursor``: the sequence number of the last one of the previous page (ids of self-registered
        profiles are random, so pages follow insertion order; a verified one leaves no gap to skip)."""
        _page(limit)
        rows = self._query("SELECT rowid, id FROM profiles WHERE status = ? AND rowid > ? ORDER BY rowid LIMIT ?",
                           (PENDING, cursor or 0, limit))
        return [(int(r["rowid"]), r["id"]) for r in rows]

    def count_by_status(self) -> dict[str, int]:
        counts = {s: 0 for s in STATUSES}
        counts.update({r[0]: r[1] for r in self._query("SELECT status, count(*) FROM profiles GROUP BY status")})
        return counts

    # --- claims ----------------------------------------------------------------------------------------
    def add_claim(self, authority_id: str, *, name: str, role: str, email: str, message: str = "",
                  actor: str = "anonymous") -> Claim:
        """Record a claim on an existing, verified entry. ``Conflict`` if a claim on it is already
        waiting (one at a time keeps staff from approving two claimants by mistake)."""
        with self._tx() as conn:
            row = conn.execute("SELECT status FROM profiles WHERE id = ?", (authority_id,)).fetchone()
            if row is None or row[0] != VERIFIED:
                raise NotFound(f"no authority with id {authority_id!r}", field="authority_id")
            if conn.execute("SELECT 1 FROM claims WHERE authority_id = ? AND status = 'pending'",
                            (authority_id,)).fetchone():
                raise Conflict("a claim on this authority is already waiting for staff", field="authority_id")
            claim_id = int(conn.execute(
                "INSERT INTO claims (authority_id, name, role, email, message, created_at) VALUES (?, ?, ?, ?, ?, ?) "
                "RETURNING id", (authority_id, name, role, email, _note(message), utc_now())).fetchall()[0][0])
            record(conn, actor, "claim.created", authority_id, f"claim {claim_id}")
        return self.claim(claim_id)

    def claim(self, claim_id: int) -> Claim:
        rows = self._query("SELECT * FROM claims WHERE id = ?", (claim_id,))
        if not rows:
            raise NotFound(f"no claim with id {claim_id}", field="claim_id")
        return _claim(rows[0])

    def claims(self, *, status: str | None = "pending", limit: int = 50, cursor: int | None = None) -> list[Claim]:
        """Newest first; ``cursor``: the id of the last claim of the previous page."""
        _page(limit)
        if status is not None and status not in CLAIM_STATUSES:
            raise InvalidInput(f"status must be one of {', '.join(CLAIM_STATUSES)}", field="status")
        rows = self._query(
            "SELECT * FROM claims WHERE (? IS NULL OR status = ?) AND id < ? ORDER BY id DESC LIMIT ?",
            (status, status, cursor if cursor is not None else _NO_CURSOR, limit))
        return [_claim(r) for r in rows]

    def decide_claim(self, claim_id: int, *, approve: bool, actor: str, note: str = "") -> tuple[Claim, str | None]:
        """Approve (an owner key for the authority is created in the same transaction; its secret is
        returned, once) or reject a waiting claim. ``Conflict`` if it was already decided."""
        note = _note(note)
        secret = None
        with self._tx() as conn:
            row = conn.execute("SELECT * FROM claims WHERE id = ?", (claim_id,)).fetchone()
            if row is None:
                raise NotFound(f"no claim with id {claim_id}", field="claim_id")
            if row["status"] != "pending":
                raise Conflict(f"claim {claim_id} was already {row['status']}", field="claim_id")
            status = "approved" if approve else REJECTED
            conn.execute("UPDATE claims SET status = ?, decided_at = ?, decided_by = ?, note = ? WHERE id = ?",
                         (status, utc_now(), actor, note, claim_id))
            if approve:
                _, secret = insert_key(conn, "owner", row["authority_id"], f"claim {claim_id}")
            record(conn, actor, f"claim.{status}", row["authority_id"], note or f"claim {claim_id}")
        return self.claim(claim_id), secret

    # --- the audit trail ------------------------------------------------------------------------------
    def record_audit(self, actor: str, action: str, subject: str, note: str = "") -> None:
        """One audit entry in its own transaction (e.g. ``profile.registered``, written after the profile)."""
        with self._tx() as conn:
            record(conn, actor, action, subject, _note(note))

    def audit_entries(self, *, subject: str | None = None, action: str | None = None, since: str | None = None,
                      until: str | None = None, limit: int = 50, cursor: int | None = None) -> list[AuditEntry]:
        """Newest first, optionally for one authority, one action (prefix, e.g. ``claim.``) and dates
        ``since`` ≤ at < ``until`` (ISO 8601, compared as text: ``2026-12-01`` works)."""
        _page(limit)
        rows = self._query(
            "SELECT * FROM audit WHERE (:s IS NULL OR subject = :s) AND (:a IS NULL OR substr(action, 1, "
            "length(:a)) = :a) AND (:since IS NULL OR at >= :since) AND (:until IS NULL OR at < :until) "
            "AND id < :c ORDER BY id DESC LIMIT :lim",
            {"s": subject, "a": action, "since": since, "until": until,
             "c": cursor if cursor is not None else _NO_CURSOR, "lim": limit})
        return [_entry(r) for r in rows]
