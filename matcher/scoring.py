"""The one scoring kernel: features → ranker → score → reasons, for every path that ranks pairs
(``/matches``, events, staff suggestions, evaluation, training on decisions).

Pure: a ``MatchState`` and a ``Query`` in, arrays out. ``rank`` is the two-stage path (the ranker's
linear first stage over every candidate, the full model on a shortlist); ``score_rows`` scores the rows
it is given, all of them; ``explain`` turns scored rows into reasons; ``probability`` is the one
logit → displayed score.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.special import expit

from matcher.arrays import EARTH_RADIUS_KM, KINDS, CatalogueArrays
from matcher.calibration import POOL, TOP_K
from matcher.domain import Profile, Reason
from matcher.explain import ReasonContext, reasons_for
from matcher.features import (
    GATE_FEATURE,
    NEED_Z,
    OFFER_Z,
    Query,
    direction_z,
    distances_km,
    feature_columns,
    mention_shares,
    precompute_corpus_sims,
    stack,
    text_features,
)
from matcher.first_stage import gather, stage_tables, with_text
from matcher.footprint import Footprint, footprint
from matcher.history import NEAR_RADIUS_KM, Shares, country_shares
from matcher.state import MatchState

SHORTLIST = 300
SEMANTIC_NEIGHBOURS = 50
NEARBY_KM = 40.0


@dataclass(frozen=True)
class Scored:
    """Candidate rows with their feature matrix (NaN = missing) and ranker logits, unsorted."""

    rows: np.ndarray
    X: np.ndarray
    logits: np.ndarray
    directions: np.ndarray | None = None  # (n, 2) text match per direction (need, offer), if the query wrote
    footprint: Footprint | None = None  # what a one-row write must reach to change this ranking (``rank(trace=)``)


def probability(logits: np.ndarray | float) -> np.ndarray:
    """The displayed score of a logit: the ranker's probability, rounded to 4 places."""
    return np.round(expit(np.asarray(logits, dtype=np.float64)), 4)


def _shares(state: MatchState, q: Query) -> Shares | None:
    return state.shares(q.country) if not q.exclude_rows else None


def columns(state: MatchState, q: Query, cand: np.ndarray) -> dict[str, np.ndarray]:
    return feature_columns(q, state.arrays, state.history, cand, priority=state.priority,
                           level_compat=state.level_compat, shares=_shares(state, q))


def shortlist(state: MatchState, cols: dict[str, np.ndarray], n: int, size: int = SHORTLIST) -> np.ndarray:
    """Positions (into the candidates) of the first-stage top ``size``, plus the semantic nearest neighbours
    (``cols``: every feature column over the candidates, as ``columns`` gives)."""
    assert state.ranker is not None, "a ranker is needed to score"
    if n <= size:
        return np.arange(n)
    return _top_and_neighbours(state.ranker.prefilter_columns(cols), cols, size)


def _top_and_neighbours(pre: np.ndarray, text_cols: dict[str, np.ndarray], size: int) -> np.ndarray:
    """The first-stage top ``size`` of ``pre``, plus the text neighbours: the few candidates that wrote
    something, best text match first (only they can have a non-zero text score, so only they are sorted)."""
    if len(pre) <= size:
        return np.arange(len(pre))
    top = np.argpartition(-pre, size)[:size]
    names = text_cols["names_mentioned"]
    if not text_cols[GATE_FEATURE][:1].any() and not names.any():
        return top  # the query wrote nothing and no text names it: no text neighbours
    sem = text_cols["text_dense"] + text_cols["text_lex"] + 3.0 * names
    wrote = np.flatnonzero(sem)
    if len(wrote):
        k = min(SEMANTIC_NEIGHBOURS, len(wrote))
        best = wrote[np.argpartition(-sem[wrote], k - 1)[:k]] if k < len(wrote) else wrote
        top = np.union1d(top, best)
    return top


def _directions(cols: dict[str, np.ndarray]) -> np.ndarray | None:
    if NEED_Z not in cols:
        return None
    return np.column_stack([cols[NEED_Z], cols[OFFER_Z]])


def score_rows(state: MatchState, q: Query, rows: np.ndarray) -> Scored:
    """Every row in ``rows`` scored by the full model (no shortlist)."""
    assert state.ranker is not None, "a ranker is needed to score"
    rows = np.asarray(rows, dtype=np.int64)
    cols = columns(state, q, rows)
    X = stack(cols)
    return Scored(rows, X, state.ranker.decision_function(X), _directions(cols))


def score_many(state: MatchState, items: Sequence[tuple[Query, np.ndarray]]) -> list[Scored]:
    """``score_rows`` for many queries with ONE ranker call: the model is row-wise, and its per-call
    overhead is larger than the arithmetic on a few hundred rows (events: thousands of queries)."""
    assert state.ranker is not None, "a ranker is needed to score"
    queries = precompute_corpus_sims([q for q, _ in items], state.arrays)
    all_cols = [columns(state, q, np.asarray(r, dtype=np.int64)) for q, (_, r) in zip(queries, items)]
    mats = [stack(c) for c in all_cols]
    if not mats:
        return []
    z = state.ranker.decision_function(np.vstack(mats))
    out, off = [], 0
    for (_, r), X, cols in zip(items, mats, all_cols):
        out.append(Scored(np.asarray(r, dtype=np.int64), X, z[off:off + len(X)], _directions(cols)))
        off += len(X)
    return out


def rank(state: MatchState, q: Query, cand: np.ndarray, *, size: int = SHORTLIST, trace: bool = False) -> Scored:
    """The two-stage ranking: the linear first stage over every candidate (``matcher.first_stage``, the
    same scores as ``shortlist`` without a column per feature), the full model on its shortlist.
    ``trace``: also the ranking's ``Footprint`` (what a later one-row write must reach to change it)."""
    ranker = state.ranker
    assert ranker is not None, "a ranker is needed to score"
    a = state.arrays
    text = text_features(q, a, cand)
    tables = None
    pre = None
    if len(cand) <= size:
        pos = np.arange(len(cand))
    else:
        tables = stage_tables(ranker, q, a, state.history, priority=state.priority, level_compat=state.level_compat,
                              shares=_shares(state, q))
        pre = with_text(ranker, gather(ranker, tables, q, a, cand), text)
        pos = _top_and_neighbours(pre, text, size)
    rows = cand[pos]
    cols = feature_columns(q, a, state.history, rows, priority=state.priority, level_compat=state.level_compat,
                           shares=_shares(state, q), text={k: np.asarray(v)[pos] for k, v in text.items()})
    X = stack(cols)
    fp = None
    if trace:
        if tables is None:
            tables = stage_tables(ranker, q, a, state.history, priority=state.priority,
                                  level_compat=state.level_compat, shares=_shares(state, q))
        fp = footprint(tables, q, cand, pre, pos, text, size, SEMANTIC_NEIGHBOURS, tables.link_w)
    return Scored(rows, X, ranker.decision_function(X), _directions(cols), fp)


def ranking_scores(state: MatchState, q: Query, cand: np.ndarray, *, size: int = SHORTLIST,
                   listed_head: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """(a score per candidate that orders them exactly as ``rank`` does, with the rest after the
    shortlist in first-stage order; the full feature matrix). For evaluation, where every candidate's
    place is needed. ``listed_head``: order as users see it (``listed``: the size-fitted head first)."""
    assert state.ranker is not None, "a ranker is needed to score"
    cols = columns(state, q, cand)
    X = stack(cols)
    pos = shortlist(state, cols, len(cand), size)
    full = state.ranker.prefilter_score(X)
    full = full - full.max() - 1e6
    full[pos] = state.ranker.decision_function(X[pos])
    if listed_head:
        full = head_keys(state, Scored(cand, X, full))
    return full, X


def diversify(scores: np.ndarray, countries: np.ndarray, k: int, diversity: float) -> np.ndarray:
    """Greedy MMR over countries: each pick lowers the others of its country by ``diversity`` per pick.

    Returns positions into ``scores`` (best first). ``diversity=0`` is a plain sort.
    """
    order = np.argsort(-scores, kind="stable")
    if diversity <= 0 or len(scores) <= 1:
        return order[:k]
    picked: list[int] = []
    seen: dict[int, int] = {}
    remaining = list(order)
    while remaining and len(picked) < k:
        best_i, best_v = 0, -np.inf
        for j, pos in enumerate(remaining):
            v = scores[pos] - diversity * seen.get(int(countries[pos]), 0)
            if v > best_v:
                best_i, best_v = j, v
        pos = remaining.pop(best_i)
        picked.append(pos)
        seen[int(countries[pos])] = seen.get(int(countries[pos]), 0) + 1
    return np.array(picked, dtype=int)


@dataclass(frozen=True)
class Listed:
    """The top of a list in the order users see it."""

    positions: np.ndarray  # into the Scored, best first
    logits: np.ndarray  # the ranker's logit of each: a pair's score is the same on every path and list


def head_keys(state: MatchState, scored: Scored) -> np.ndarray:
    """An ordering key for every candidate of ``scored``: the first ``calibration.TOP_K`` are chosen among
    the best ``calibration.POOL`` by logit + size offset (``matcher.calibration``: so a list's sizes look
    like real partners'), in that order; everything after them keeps the ranker's order and logit gaps.
    The offsets order the head of a list only: applied to every candidate they cost retrieval (twins
    HR@50 0.156 -> 0.112), and a pair's score stays the ranker's whatever list it is in."""
    assert state.ranker is not None
    logits = np.asarray(scored.logits, dtype=np.float64)
    n = len(logits)
    adjustment = state.ranker.size_adjustment(scored.X) if n else np.zeros(0)
    if not n or not adjustment.any():
        return logits.copy()
    order = np.argsort(-logits, kind="stable")
    pool = order[:POOL]
    head = pool[np.argsort(-(logits[pool] + adjustment[pool]), kind="stable")[:TOP_K]]
    key = logits.copy()
    key[head] = logits[head] + adjustment[head]
    rest = np.ones(n, dtype=bool)
    rest[head] = False
    if rest.any():
        key[rest] -= max(0.0, float(key[rest].max() - key[head].min()) + 1e-6)
    return key


def listed(state: MatchState, scored: Scored, k: int, diversity: float = 0.0) -> Listed:
    """The top ``k`` of ``scored`` as shown: size-fitted head, then the country diversity re-ranking."""
    pos = diversify(head_keys(state, scored), state.arrays.country[scored.rows], k, diversity)
    return Listed(positions=pos, logits=np.asarray(scored.logits)[pos])


def explain(state: MatchState, q: Query, profile: Profile | None, scored: Scored, positions: np.ndarray, *,
            audience: str = "query") -> list[tuple[Reason, ...]]:
    """Reasons of the candidates at ``positions`` of ``scored`` (the ranker's exact contributions)."""
    assert state.ranker is not None
    positions = np.asarray(positions, dtype=np.int64)
    if not len(positions):
        return []
    X = scored.X[positions]
    rows = scored.rows[positions]
    contrib = state.ranker.contributions(X)
    given = scored.directions[positions] if scored.directions is not None else None
    ctxs = reason_contexts(state, q, profile, rows, distances_km(q, state.arrays, rows), X, audience=audience,
                           directions=given)
    avg = state.ranker.average_pair_
    return [reasons_for(X[m], contrib[m], ctxs[m], average=avg) for m in range(len(positions))]


def reason_contexts(state: MatchState, q: Query, profile: Profile | None, rows: np.ndarray, km: np.ndarray,
                    X: np.ndarray | None = None, *, audience: str = "query", directions: np.ndarray | None = None
                    ) -> list[ReasonContext]:
    """The facts behind the reasons of several candidates of one query: what depends on the query alone
    (nearby partner counts, theme labels) is computed once, not per candidate. Shares are not here: the
    reasons read them back from the feature values the ranker saw. ``audience="staff"``: third-person
    sentences (staff look at a pair, they are neither side)."""
    from matcher.themes import get_theme

    a, h = state.arrays, state.history
    rows = np.asarray(rows, dtype=np.int64)
    nearby = np.zeros(a.n, dtype=np.int64)
    if q.xyz is not None and len(h.src):
        ex = list(q.exclude_rows) + ([q.row] if q.row is not None else [])
        d = np.arccos(np.clip(a.xyz[h.src] @ q.xyz, -1, 1)) * 6371.0
        ok = (d <= NEARBY_KM) & a.has_coord[h.src] & ~np.isin(h.src, ex)
        nearby = np.bincount(h.dst[ok], minlength=a.n)
    country_links = _country_links_nearby(state, q, rows)
    theme_labels = [(get_theme(t).label("fr"), get_theme(t).label("en")) for t in a.theme_codes]

    def labels(bits: int) -> tuple[tuple[str, str], ...]:
        return tuple(theme_labels[i] for i in range(len(theme_labels)) if bits >> i & 1)

    matched = text_directions(q, a, rows) if directions is None else [
        tuple(d for d, v in zip(("need", "offer"), pair) if v > 0) for pair in directions.tolist()]
    by_q, by_c = mention_shares(q, a, rows)
    if profile is not None:
        q_name, q_kind, q_pop = profile.name, profile.kind.value, profile.population
    elif q.row is not None:
        q_name, q_kind = str(a.names[q.row]), KINDS[int(a.kind[q.row])].value
        q_pop = int(a.population[q.row]) or None
    else:
        q_name, q_kind, q_pop = "", "", None
    out: list[ReasonContext] = []
    for r, dist in zip(rows.tolist(), np.asarray(km, dtype=float).tolist()):
        code = a.country_codes[a.country[r]]
        country = state.countries.get(code)
        common = int(a.lang_mask[r]) & q.lang_mask
        a1 = a.admin1[r]
        out.append(ReasonContext(
            candidate_name=str(a.names[r]),
            country_name_fr=country.name_fr if country else code, country_name_en=country.name if country else code,
            distance_km=None if np.isnan(dist) else dist, q_population=q_pop,
            c_population=int(a.population[r]) or None,
            nearby_partner_count=int(nearby[r]), nearby_km=NEARBY_KM, c_degree=int(h.degree[r]),
            shared_languages=tuple(lang for i, lang in enumerate(a.languages) if common >> i & 1) if common else (),
            need_themes=labels(int(a.exp_themes[r]) & q.need_themes),
            offer_themes=labels(int(a.need_themes[r]) & q.exp_themes),
            admin1_name=a.admin1_names.get(a.admin1_keys[a1], "") if a1 >= 0 else "",
            country_links_nearby=int(country_links[len(out)]), country_links_km=NEAR_RADIUS_KM,
            q_kind=q_kind, q_name=q_name, audience=audience, text_directions=matched[len(out)],
            mention=_mention(float(by_q[len(out)]), float(by_c[len(out)])),
        ))
    return out


def text_directions(q: Query, a: CatalogueArrays, rows: np.ndarray) -> list[tuple[str, ...]]:
    """Per row, the directions in which the texts match better than usual for this query (standardised
    dense + lexical similarity above 0): "need" (their expertise, my needs), "offer" (my expertise, their
    needs)."""
    need = direction_z(q, a, rows, "needs", "expertise", "dense") + direction_z(q, a, rows, "needs", "expertise", "lex")
    offer = (direction_z(q, a, rows, "expertise", "needs", "dense")
             + direction_z(q, a, rows, "expertise", "needs", "lex"))
    return [tuple(d for d, v in (("need", n), ("offer", o)) if v > 0) for n, o in zip(need, offer)]


def _mention(by_q: float, by_c: float) -> str:
    q_names, c_names = by_q > 0, by_c > 0
    return "both" if q_names and c_names else "query_names_candidate" if q_names else (
        "candidate_names_query" if c_names else "")


def _country_links_nearby(state: MatchState, q: Query, rows: np.ndarray) -> np.ndarray:
    """For each row, the links from the query's country ending within NEAR_RADIUS_KM of it (not at it):
    the count behind ``near_global``, whose kernel reaches exactly that far. Distances to the few
    thousand link endpoints are cheaper here than slicing the kernel by column."""
    a, h = state.arrays, state.history
    out = np.zeros(len(rows), dtype=np.int64)
    if q.country < 0 or not len(rows) or not len(h.endpoints):
        return out
    shares = state.shares(q.country) if not q.exclude_rows else country_shares(h, a, q.country, q.exclude_rows)
    ep = np.flatnonzero(shares.endpoint_links)
    ends = h.endpoints[ep]
    ok = a.has_coord[ends]
    ends, counts = ends[ok], shares.endpoint_links[ep][ok]
    km = np.arccos(np.clip(a.xyz[ends] @ a.xyz[rows].T, -1, 1)) * EARTH_RADIUS_KM  # (endpoints, rows)
    near = (km <= NEAR_RADIUS_KM) & (ends[:, None] != rows[None, :]) & a.has_coord[rows][None, :]
    return (counts @ near).round().astype(np.int64)
