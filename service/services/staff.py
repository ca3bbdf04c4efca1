"""What the staff routes (``service.routes.suggestions``) and the staff pages (``service.web.staff``,
``service.web.staff_log``) do: a page of suggestions with both sides' profiles, reasons and latest
decision; a decision on a pair; the decisions filtered; the journal (the audit trail of registrations,
verifications and claims merged with the decisions). Plain functions over the store and the matcher,
returning core records: the route turns them into JSON, the pages into HTML, and neither calls the other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from matcher.domain import Profile, Reason
from matcher.errors import InvalidInput, NotFound
from matcher.ranking.engine import Matcher
from matcher.ranking.suggestions import IdPair, SuggestionFilters, pair_reasons, visible
from matcher.store.audit import ApiKey, Decision
from matcher.store.codec import search_key
from matcher.store.protocol import ProfileStore
from service.auth import actor_of
from service.deps import Resources
from service.schemas.matching import DecisionIn

#: How much of the decision log is read to filter/annotate suggestions (newest first).
MAX_DECISIONS_READ = 10_000
#: What the journal shows at most (newest first).
JOURNAL_LIMIT = 200


# ---- suggestions ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SuggestedPair:
    french: Profile
    partner: Profile
    pair: IdPair
    last_decision: str | None
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class SuggestionsPage:
    items: list[SuggestedPair]
    next_cursor: int | None
    complete: bool
    refreshing: bool
    considered: int
    total: int


def suggestions_page(res: Resources, store: ProfileStore, matcher: Matcher, f: SuggestionFilters, *,
                     min_score: float = 0.0, include_decided: bool = False, limit: int = 20,
                     cursor: int | None = None) -> SuggestionsPage:
    """One page of the ranked suggestions (``matcher.ranking.suggestions``), pairs whose side has left the matcher
    since the list was computed left out, with reasons computed on the current state."""
    s = res.settings
    found = res.suggestions.suggestions(matcher, f, max_sources=s.suggestion_sources,
                                        per_source=s.suggestion_per_source, budget_seconds=s.suggestion_budget_seconds)
    state = matcher.state
    a = state.arrays
    latest = store.latest_decisions(max_read=MAX_DECISIONS_READ)
    shown = [(p, last) for p, last in visible(found.pairs, latest, min_score=min_score, include_decided=include_decided)
             if a.row(p.french_id) is not None and a.row(p.partner_id) is not None]
    offset = cursor or 0
    page = shown[offset:offset + limit]
    profiles = {p.id: p for p in store.get_many([x.french_id for x, _ in page] + [x.partner_id for x, _ in page])}
    items = []
    for pair, last in page:
        fr, pa = profiles.get(pair.french_id), profiles.get(pair.partner_id)
        reasons = pair_reasons(state, pair)
        if fr is None or pa is None or reasons is None:  # deleted since (by another process)
            continue
        items.append(SuggestedPair(fr, pa, pair, last, reasons))
    more = offset + limit < len(shown)
    return SuggestionsPage(items, offset + limit if more else None, found.complete, found.refreshing,
                           found.considered, found.total)


# ---- decisions ------------------------------------------------------------------------------------------
def add_decision(body: DecisionIn, key: ApiKey, store: ProfileStore) -> Decision:
    """Record what happened to a suggested pair (French authority, foreign authority), in the audit trail."""
    for field, pid, french in (("french_id", body.french_id, True), ("partner_id", body.partner_id, False)):
        found = store.get_many([pid])
        if not found:
            raise NotFound(f"no authority with id {pid!r}", field=field)
        if found[0].is_french != french:
            raise InvalidInput(f"{pid!r} is {'not ' if french else ''}a French authority", field=field)
    return store.add_decision(body.french_id, body.partner_id, body.status, body.note, actor_of(key))


def day_after(day: str) -> str:
    """``2026-12-07`` -> ``2026-12-08``: an inclusive "until" date as the exclusive bound the store takes."""
    return (date.fromisoformat(day[:10]) + timedelta(days=1)).isoformat()


def authority_ids(store: ProfileStore, text: str) -> list[str] | None:
    """What an "authority" filter means: None for no filter; an id as it is; else the authorities whose
    name is that text (accents and case aside), whatever their status (staff see them all)."""
    text = text.strip()
    if not text:
        return None
    if store.exists(text):
        return [text]
    hits, _ = store.search(text, limit=50, statuses=None)
    return [h.id for h in hits if search_key(h.name) == search_key(text) or
            search_key(h.name_fr) == search_key(text)] or [h.id for h in hits[:20]]


def decisions(store: ProfileStore, *, status: str | None = None, authority: str = "", since: str = "",
              until: str = "", limit: int = 500) -> list[Decision]:
    """Decisions newest first, filtered; ``since``/``until`` are days, both included."""
    return store.decisions(limit=limit, status=status or None, authority_ids=authority_ids(store, authority),
                           since=since or None, until=day_after(until) if until else None)


# ---- the journal ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class JournalEntry:
    at: str  # ISO 8601 UTC
    action: str  # an audit action ("profile.registered", "claim.created"…) or "decision.<status>"
    actor: str  # key id, or "anonymous"
    subjects: tuple[str, ...]  # the authority, or the pair (French, partner)
    note: str


def journal(store: ProfileStore, *, authority: str = "", action: str = "", since: str = "", until: str = "",
            limit: int = JOURNAL_LIMIT) -> list[JournalEntry]:
    """The audit trail and the decisions merged, newest first. ``action``: an audit action or prefix
    (``claim.``), ``decision`` (every decision) or ``decision.<status>``."""
    ids = authority_ids(store, authority)
    if ids == []:
        return []
    until_x = day_after(until) if until else None
    out: list[JournalEntry] = []
    if not action.startswith("decision"):
        subjects: list[str | None] = list(ids[:20]) if ids else [None]
        for subject in subjects:
            for e in store.audit_entries(subject=subject, action=action or None, since=since or None,
                                         until=until_x, limit=limit):
                out.append(JournalEntry(e.at, e.action, e.actor, (e.subject,), e.note))
    if not action or action.startswith("decision"):
        status = action.partition(".")[2] or None
        for d in store.decisions(limit=min(limit, 1000), status=status, authority_ids=ids, since=since or None,
                                 until=until_x):
            out.append(JournalEntry(d.created_at, f"decision.{d.status}", d.actor, (d.french_id, d.partner_id),
                                    d.note))
    out.sort(key=lambda e: e.at, reverse=True)
    return out[:limit]


def names_of(store: ProfileStore, ids: Sequence[str], lang: str) -> dict[str, str]:
    """id -> the name a page in ``lang`` shows (the catalogue's French name on French pages)."""
    return {p.id: p.display_name(lang) for p in store.get_many(sorted(set(ids)))}
