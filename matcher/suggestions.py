"""Catalogue-wide pairing suggestions for staff: (French authority, foreign authority) pairs with no
partnership yet, highest reciprocal score first.

Why not "every French authority against every foreign one": ~35k French authorities × ~60k foreign
ones is two billion pairs, and each French side costs one full ranking (tens of ms on the real
catalogue). So, pragmatically and boundedly:

- **Sources.** Only French authorities worth a staff member's attention: first those that wrote a
  profile (expertise, needs or description: they asked for partners), then the most active ones
  (most known partnerships), capped at ``Settings.suggestion_sources``. ``french_region`` restricts the
  sources; ``theme`` puts sources working on that theme first.
- **Forward.** Each source is ranked like ``/matches`` (same eligibility: other countries, existing
  partners excluded; ``country``/``theme`` as candidate filters) and keeps its top
  ``suggestion_per_source`` candidates, without explanations (cheap path of the engine).
- **Reciprocal.** For each kept pair (f, p), the partner's side p → f is scored with the same ranker on
  that one candidate (features for a single pair: cheap). The pair's score is the geometric mean of the
  two probabilities, so a pair only ranks high when both sides would want it.
- **Lazy, incremental, cached.** Results are cached per filter set (LRU) and tied to the matcher state
  they were computed on: any profile write swaps the state and empties the cache. A request spends at
  most ``suggestion_budget_seconds`` extending the cached list, then answers from it; ``complete``
  says whether every source has been scored (until then, later calls grow the list and page
  boundaries may shift). Staff decisions filter and annotate the list at read time (no recompute).

Cost on the real catalogue (~100k authorities, 2 cores): one source is one full forward ranking
(~30 ms) plus its partners' single-pair features and one batched ranker call (~20-40 ms), so a call
extends the list by ~15-30 sources; the default 200 sources are complete after ~10 calls, and a
``french_region`` or ``country`` filter needs fewer. A request costs at most the budget plus the
explanations of one page (~0.1 s).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from scipy.special import expit

from matcher.domain import Filters, Reason
from matcher.engine import Matcher
from matcher.errors import InvalidInput
from matcher.scoring import Scored, calibrated, explain, listed, rank, score_many, score_rows
from matcher.state import MatchState, eligible_rows, query_from_row
from matcher.themes import fold

#: Decisions that take a pair out of the suggestions (it happened, or staff said no).
CLOSED_STATUSES = frozenset({"accepted", "rejected"})


@dataclass(frozen=True)
class SuggestionFilters:
    french_region: str | None = None  # admin-1 code ("84") or name of the French side's région
    country: str | None = None  # partner country (ISO alpha-2)
    theme: str | None = None  # theme code: in either side's expertise or needs


@dataclass(frozen=True)
class Pair:
    french_row: int
    partner_row: int
    forward: float  # P(partner fits french), from the French side
    backward: float  # from the partner's side
    score: float  # geometric mean


@dataclass
class _Entry:
    state: MatchState
    sources: list[int]
    done: int = 0
    pairs: list[Pair] = field(default_factory=list)
    sorted_upto: int = -1
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def complete(self) -> bool:
        return self.done >= len(self.sources)

    def ranked(self) -> list[Pair]:
        if self.sorted_upto != len(self.pairs):
            self.pairs.sort(key=lambda p: (-p.score, p.french_row, p.partner_row))
            self.sorted_upto = len(self.pairs)
        return self.pairs


def _sig(x: float) -> float:
    """Six significant digits: twinning probabilities are small (1e-5), so fixed decimals would lose them."""
    return float(f"{float(x):.6g}")


#: INSEE codes and names of France's régions and overseas collectivities with a code of their own (the
#: catalogue's admin-1 units of France): what ``french_region`` accepts, by code or name.
FRENCH_REGIONS: dict[str, str] = {
    "01": "Guadeloupe", "02": "Martinique", "03": "Guyane", "04": "La Réunion", "06": "Mayotte",
    "11": "Île-de-France", "24": "Centre-Val de Loire", "27": "Bourgogne-Franche-Comté", "28": "Normandie",
    "32": "Hauts-de-France", "44": "Grand Est", "52": "Pays de la Loire", "53": "Bretagne",
    "75": "Nouvelle-Aquitaine", "76": "Occitanie", "84": "Auvergne-Rhône-Alpes",
    "93": "Provence-Alpes-Côte d'Azur", "94": "Corse", "975": "Saint-Pierre-et-Miquelon", "977": "Saint-Barthélemy",
    "978": "Saint-Martin", "986": "Wallis et Futuna", "987": "Polynésie française", "988": "Nouvelle-Calédonie",
}


def french_region_code(value: str) -> str:
    """The INSEE code of a région given by code or name (case and accents ignored); ``InvalidInput``
    otherwise."""
    v = value.strip()
    if v in FRENCH_REGIONS:
        return v
    folded = fold(v)
    for code, name in FRENCH_REGIONS.items():
        if fold(name) == folded:
            return code
    raise InvalidInput(f"unknown French region {value!r} (give its code, e.g. 84, or its name)", field="french_region")


def select_sources(state: MatchState, f: SuggestionFilters, limit: int) -> list[int]:
    """French rows to rank from, best first (see the module docstring), at most ``limit``."""
    a = state.arrays
    fr = a.country_index("FR")
    if fr < 0:
        return []
    rows = np.flatnonzero(a.country == fr)
    if f.french_region:
        code = french_region_code(f.french_region)
        wanted = [i for i, k in enumerate(a.admin1_keys) if k == f"FR:{code}"]
        rows = rows[np.isin(a.admin1[rows], wanted)]  # none when the catalogue lacks that région
    has_text = a.text_row[rows] >= 0
    degree = state.history.degree[rows]
    on_theme = np.zeros(len(rows), dtype=bool)
    if f.theme:
        bit = np.uint32(a.theme_bits([f.theme]))
        on_theme = ((a.exp_themes[rows] | a.need_themes[rows]) & bit) != 0
    keep = has_text | (degree > 0)
    rows, has_text, degree, on_theme = rows[keep], has_text[keep], degree[keep], on_theme[keep]
    # lexsort: last key is primary. On-theme first, then profiles with text, then activity, then row.
    order = np.lexsort((rows, -degree, ~has_text, ~on_theme))
    return [int(r) for r in rows[order][:limit]]


def _extend(entry: _Entry, f: SuggestionFilters, per_source: int, deadline: float) -> None:
    """Score sources of ``entry`` until all are done or ``deadline`` (monotonic) has passed."""
    s = entry.state
    a = s.arrays
    assert s.ranker is not None
    theme_bit = np.uint32(a.theme_bits([f.theme])) if f.theme else np.uint32(0)
    first = True
    while not entry.complete and (first or time.monotonic() < deadline):  # at least one source per call
        first = False
        src = entry.sources[entry.done]
        entry.done += 1
        q = query_from_row(a, src)
        on_theme = bool((int(a.exp_themes[src]) | int(a.need_themes[src])) & int(theme_bit))
        filters = Filters(countries=(f.country,) if f.country else (),
                          themes=(f.theme,) if f.theme and not on_theme else ())
        cand = eligible_rows(s, q, None, filters)
        if len(cand) == 0:
            continue
        scored = rank(s, q, cand)
        shown = listed(s, scored, per_source)  # as the French side's own list shows them
        top = shown.positions
        partners = scored.rows[top]
        # Each partner's side: the single pair (p -> src), all of them in one ranker call.
        back_scored = score_many(s, [(query_from_row(a, int(p)), np.array([src])) for p in partners])
        fwd = shown.scores  # as the French side's list shows them
        back = expit(np.array([calibrated(s, b)[0] for b in back_scored]))
        for p_row, f_p, b_p in zip(partners, fwd, back):
            entry.pairs.append(Pair(src, int(p_row), _sig(f_p), _sig(b_p), _sig(np.sqrt(f_p * b_p))))


class SuggestionCache:
    """Per-filter lazily extended suggestion lists (LRU), valid for one matcher state."""

    def __init__(self, max_entries: int = 32) -> None:
        self._entries: OrderedDict[SuggestionFilters, _Entry] = OrderedDict()
        self._lock = threading.Lock()
        self.max_entries = max_entries

    def _entry(self, state: MatchState, f: SuggestionFilters, max_sources: int) -> _Entry:
        with self._lock:
            if any(e.state is not state for e in self._entries.values()):
                self._entries.clear()  # a profile write swapped the state: every list is stale
            entry = self._entries.get(f)
            if entry is None:
                entry = _Entry(state=state, sources=select_sources(state, f, max_sources))
                self._entries[f] = entry
                while len(self._entries) > self.max_entries:
                    self._entries.popitem(last=False)
            self._entries.move_to_end(f)
            return entry

    def suggestions(self, matcher: Matcher, f: SuggestionFilters, *, max_sources: int, per_source: int,
                    budget_seconds: float) -> tuple[list[Pair], bool, int, int]:
        """(ranked pairs so far, complete, sources considered, sources total), after at most
        ``budget_seconds`` of extra scoring."""
        state = matcher.state
        entry = self._entry(state, f, max_sources)
        deadline = time.monotonic() + budget_seconds
        # Waiting for another request that is extending the same list is bounded by the budget too.
        if entry.lock.acquire(timeout=budget_seconds):
            try:
                _extend(entry, f, per_source, deadline)
                pairs = list(entry.ranked())
            finally:
                entry.lock.release()
        else:
            pairs = sorted(entry.pairs, key=lambda p: (-p.score, p.french_row, p.partner_row))
        return pairs, entry.complete, entry.done, len(entry.sources)


def pair_reasons(state: MatchState, pair: Pair) -> tuple[Reason, ...]:
    """Explanations of one pair from the French side, for staff: third person, naming both sides
    (computed for the returned page only)."""
    q = query_from_row(state.arrays, pair.french_row)
    scored: Scored = score_rows(state, q, np.array([pair.partner_row]))
    return explain(state, q, None, scored, np.array([0]), audience="staff")[0]


# ---- read-time filtering and cursors ------------------------------------------------------------
def visible(pairs: list[Pair], state: MatchState, decided: Mapping[tuple[str, str], str], *, min_score: float,
            include_decided: bool) -> list[tuple[Pair, str | None]]:
    ids = state.arrays.ids
    out = []
    for p in pairs:
        if p.score < min_score:
            break  # ranked by score: nothing below passes either
        last = decided.get((str(ids[p.french_row]), str(ids[p.partner_row])))
        if last in CLOSED_STATUSES and not include_decided:
            continue
        out.append((p, last))
    return out
