"""The one scoring kernel: features → ranker → score → reasons, for every path that ranks pairs
(``/matches``, events, staff suggestions, evaluation, training on decisions).

Pure: a ``MatchState`` and a ``Query`` in, arrays out. ``rank`` is the two-stage path (the ranker's
linear first stage over every candidate, the full model on a shortlist); ``score_rows`` scores the rows
it is given, all of them; ``explain`` turns scored rows into reasons. The order of a list as users see it
is ``matcher.ranking.listing``'s; what a score reads as, ``matcher.ranking.score_scale``'s.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from matcher.domain import Profile, Reason, size_band
from matcher.explain.contributions import ReasonContext, reasons_for
from matcher.explain.reasons.context import DIRECTION_MATCH_Z
from matcher.geo import km_from_dot
from matcher.ranking.arrays import KINDS, QUOTED_FIELDS, CatalogueArrays
from matcher.ranking.calibration import calibration_group
from matcher.ranking.features import (
    BY_C,
    BY_Q,
    FEATURES,
    GATE_FEATURE,
    NEED_Z,
    OFFER_Z,
    Query,
    direction_z,
    distances_km,
    feature_columns,
    mention_shares,
    precompute_corpus_sims,
    query_wrote,
    stack,
    text_features,
)
from matcher.ranking.first_stage import gather, stage_tables, with_text
from matcher.ranking.footprint import Footprint, footprint
from matcher.ranking.geo_prior import ThemeCount, strongest_theme, tables_for
from matcher.ranking.history import NEAR_RADIUS_KM, Shares, country_shares, source_weights
from matcher.ranking.partnership_types import TYPE_ORDER
from matcher.ranking.shared_words import shared
from matcher.ranking.state import MatchState
from matcher.ranking.text_corpus import OTHER_SIDE, field_text

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
    foreign_query: bool = False  # the query is not French (its pairs are calibrated as such)
    #: (n, 2) how surely the query's texts name each row and its texts the query (``features.mention_shares``)
    mentions: np.ndarray | None = None


def calibrated(state: MatchState, scored: Scored) -> np.ndarray:
    """(n,) each scored pair's logit on the calibrated scale of the model that scored it (``PairRanker.modes``):
    comparable across a list that mixes pairs where both sides wrote, one did, or neither."""
    assert state.ranker is not None
    return state.ranker.calibrated_logit(scored.logits, calibration_group(state.ranker.modes(scored.X),
                                                                           scored.foreign_query))


def prepared(state: MatchState, q: Query) -> Query:
    """``q`` with the theme → geography prior of its text (``matcher.ranking.geo_prior``) over ``state``'s cooperation
    cases: every scoring function starts here, so each path reads the same prior."""
    if q.geo is not None or not len(state.cooperation) or not query_wrote(q):
        return q
    tables = tables_for(state.cooperation, state.arrays, query_bits=int(q.exp_themes | q.need_themes),
                        is_french=q.is_french, exclude_rows=q.exclude_rows,
                        query_vec=q.emb.get("expertise" if q.is_french else "needs"))
    return q if tables is None else replace(q, geo=tables)


def _shares(state: MatchState, q: Query) -> Shares | None:
    return state.shares(q.country) if not q.exclude_rows else None


def columns(state: MatchState, q: Query, cand: np.ndarray) -> dict[str, np.ndarray]:
    q = prepared(state, q)
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


def _mentions(cols: dict[str, np.ndarray]) -> np.ndarray | None:
    return np.column_stack([cols[BY_Q], cols[BY_C]]) if BY_Q in cols else None


def score_rows(state: MatchState, q: Query, rows: np.ndarray) -> Scored:
    """Every row in ``rows`` scored by the full model (no shortlist)."""
    assert state.ranker is not None, "a ranker is needed to score"
    q = prepared(state, q)
    rows = np.asarray(rows, dtype=np.int64)
    cols = columns(state, q, rows)
    X = stack(cols)
    return Scored(rows, X, state.ranker.decision_function(X), _directions(cols), foreign_query=not q.is_french,
                  mentions=_mentions(cols))


def score_many(state: MatchState, items: Sequence[tuple[Query, np.ndarray]]) -> list[Scored]:
    """``score_rows`` for many queries with ONE ranker call: the model is row-wise, and its per-call
    overhead is larger than the arithmetic on a few hundred rows (events: thousands of queries)."""
    assert state.ranker is not None, "a ranker is needed to score"
    queries = precompute_corpus_sims([prepared(state, q) for q, _ in items], state.arrays)
    all_cols = [columns(state, q, np.asarray(r, dtype=np.int64)) for q, (_, r) in zip(queries, items)]
    if not all_cols:
        return []
    # One matrix, each query's rows a block of it (``np.vstack`` of per-query matrices copied 100,000 rows a call).
    ends = np.cumsum([len(r) for _, r in items])
    whole = np.empty((int(ends[-1]), len(FEATURES)))
    mats = [stack(c, out=whole[end - len(r):end]) for c, (_, r), end in zip(all_cols, items, ends.tolist())]
    z = state.ranker.decision_function(whole)
    out, off = [], 0
    for (q, r), X, cols in zip(items, mats, all_cols):
        out.append(Scored(np.asarray(r, dtype=np.int64), X, z[off:off + len(X)], _directions(cols),
                          foreign_query=not q.is_french, mentions=_mentions(cols)))
        off += len(X)
    return out


def rank(state: MatchState, q: Query, cand: np.ndarray, *, size: int = SHORTLIST, trace: bool = False) -> Scored:
    """The two-stage ranking: the linear first stage over every candidate (``matcher.ranking.first_stage``, the
    same scores as ``shortlist`` without a column per feature), the full model on its shortlist.
    ``trace``: also the ranking's ``Footprint`` (what a later one-row write must reach to change it)."""
    ranker = state.ranker
    assert ranker is not None, "a ranker is needed to score"
    q = prepared(state, q)
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
    return Scored(rows, X, ranker.decision_function(X), _directions(cols), fp, foreign_query=not q.is_french,
                  mentions=_mentions(cols))


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
    named = scored.mentions[positions] if scored.mentions is not None else None
    ctxs = reason_contexts(state, q, profile, rows, distances_km(q, state.arrays, rows), X, audience=audience,
                           directions=given, mentions=named)
    avg = state.ranker.average_pair_
    return [reasons_for(X[m], contrib[m], ctxs[m], average=avg) for m in range(len(positions))]


def reason_contexts(state: MatchState, q: Query, profile: Profile | None, rows: np.ndarray, km: np.ndarray,
                    X: np.ndarray | None = None, *, audience: str = "query", directions: np.ndarray | None = None,
                    mentions: np.ndarray | None = None) -> list[ReasonContext]:
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
        d = km_from_dot(a.xyz[h.src] @ q.xyz)
        ok = (d <= NEARBY_KM) & a.has_coord[h.src] & ~np.isin(h.src, ex)
        nearby = np.bincount(h.dst[ok], minlength=a.n)
    country_links = _country_links_nearby(state, q, rows)
    theme_labels = [(get_theme(t).label("fr"), get_theme(t).label("en")) for t in a.theme_codes]

    def labels(bits: int) -> tuple[tuple[str, str], ...]:
        return tuple(theme_labels[i] for i in range(len(theme_labels)) if bits >> i & 1)

    q = prepared(state, q)
    geo = [strongest_theme(state.cooperation, a, query_bits=int(q.exp_themes | q.need_themes), is_french=q.is_french,
                           row=r, exclude_rows=q.exclude_rows) if q.geo is not None else None
           for r in rows.tolist()]
    matched = text_directions(q, a, rows) if directions is None else [
        tuple(d for d, v in zip(("need", "offer"), pair) if v >= DIRECTION_MATCH_Z) for pair in directions.tolist()]
    area = area_counts(state, q)
    by_q, by_c = mention_shares(q, a, rows) if mentions is None else (mentions[:, 0], mentions[:, 1])
    if profile is not None:
        q_name, q_kind, q_pop = profile.name, profile.kind.value, profile.population
        q_name_fr = profile.name_fr
    elif q.row is not None:
        q_name, q_kind = str(a.names[q.row]), KINDS[int(a.kind[q.row])].value
        q_pop = int(a.population[q.row]) or None
        q_name_fr = a.names_fr.get(str(a.ids[q.row]), "")
    else:
        q_name, q_kind, q_pop, q_name_fr = "", "", None, ""
    q_texts = _query_texts(a, q, profile)
    out: list[ReasonContext] = []
    for r, dist in zip(rows.tolist(), np.asarray(km, dtype=float).tolist()):
        code = a.country_codes[a.country[r]]
        country = state.countries.get(code)
        common = int(a.lang_mask[r]) & q.lang_mask
        a1 = a.admin1[r]
        out.append(ReasonContext(
            candidate_name=str(a.names[r]), candidate_name_fr=a.names_fr.get(str(a.ids[r]), ""),
            country_name_fr=country.name_fr if country else code, country_name_en=country.name if country else code,
            distance_km=None if np.isnan(dist) else dist, q_population=q_pop,
            c_population=int(a.population[r]) or None,
            nearby_partner_count=int(nearby[r]), nearby_km=NEARBY_KM, c_degree=int(h.degree[r]),
            shared_languages=tuple(lang for i, lang in enumerate(a.languages) if common >> i & 1) if common else (),
            need_themes=labels(int(a.exp_themes[r]) & q.need_themes),
            offer_themes=labels(int(a.need_themes[r]) & q.exp_themes),
            admin1_name=a.admin1_names.get(a.admin1_keys[a1], "") if a1 >= 0 else "",
            country_links_nearby=int(country_links[len(out)]), country_links_km=NEAR_RADIUS_KM,
            q_kind=q_kind, q_name=q_name, q_name_fr=q_name_fr, audience=audience, text_directions=matched[len(out)],
            shared_terms=_shared_terms(a, q_texts, r, matched[len(out)]),
            c_kind=KINDS[int(a.kind[r])].value, c_page_years=a.page_years.get(str(a.ids[r]), ((), ())),
            mention=_mention(float(by_q[len(out)]), float(by_c[len(out)])),
            **_geo_fields(geo[len(out)], theme_labels, a),  # type: ignore[arg-type]
            french_status=country.french_status if country else "",
            q_country_code=a.country_codes[q.country] if q.country >= 0 else "", c_country_code=code,
            shared_types=tuple(t for t in TYPE_ORDER if t in q.types and t in a.types.get(str(a.ids[r]), ())),
            size_band=band if (band := size_band(int(a.population[r]))) in q.sizes else "",
            area_scope=area.scope, area_links=area.links, area_links_in_country=int(area.by_country[a.country[r]]),
            area_partners_in_country=int(area.partners_by_country[a.country[r]]),
            country_pair_links=int(area.country_pair[a.country[r]]),
        ))
    return out


def _query_texts(a: CatalogueArrays, q: Query, profile: Profile | None) -> dict[str, str]:
    """The query's needs and expertise texts: its profile's, else its stored row's."""
    if profile is not None:
        return {f: field_text(profile, f) for f in QUOTED_FIELDS}
    return {f: a.text_at(q.row, f) for f in QUOTED_FIELDS}


def _shared_terms(a: CatalogueArrays, q_texts: Mapping[str, str], r: int, directions: Sequence[str]
                  ) -> tuple[str, ...]:
    """The words the matched texts share (``shared_words``): my needs and your expertise ("need"), my
    expertise and your needs ("offer"), at most three, rarest first."""
    out: list[str] = []
    for d in directions:
        mine = "needs" if d == "need" else "expertise"
        other = a.text_at(r, OTHER_SIDE[mine])
        if q_texts.get(mine) and other:
            out += [w for w in shared(q_texts[mine], other, a.word_df, a.n_texts) if w not in out]
    return tuple(out[:3])


def _geo_fields(g: ThemeCount | None, theme_labels: list[tuple[str, str]], a: CatalogueArrays
                ) -> dict[str, object]:
    if g is None:
        return {}
    return {"geo_theme": theme_labels[a.theme_codes.index(g.theme)], "geo_here": g.here, "geo_total": g.total,
            "geo_place": g.place}


@dataclass(frozen=True)
class AreaCounts:
    """The query area's known partnerships as the history sentences count them (``ReasonContext``)."""

    scope: str  # "region", "department" or "" (only the radius)
    links: int  # link ends in the area (a link between two places of the area counts twice)
    by_country: np.ndarray  # (n_countries,) of them going to each country
    partners_by_country: np.ndarray  # (n_countries,) distinct partners in each country
    country_pair: np.ndarray  # (n_countries,) links between the query's country and each country


def area_counts(state: MatchState, q: Query) -> AreaCounts:
    """Counts over the query's area: the link ends ``source_weights`` gives a weight (its région or
    département, ``QUERY_RADIUS_KM`` around it; links touching ``exclude_rows`` left out)."""
    a, h = state.arrays, state.history
    nc = len(a.country_codes)
    w = source_weights(h, a, q_xyz=q.xyz, q_admin2=q.admin2, q_admin1=q.admin1, exclude_rows=q.exclude_rows)
    dst = h.dst[w > 0]
    partners = np.unique(dst)
    pair = np.zeros(nc, dtype=np.int64)
    if q.country >= 0 and len(h.src):
        mask = a.country[h.src] == q.country
        if len(q.exclude_rows):
            ex = np.asarray(q.exclude_rows)
            mask &= ~(np.isin(h.src, ex) | np.isin(h.dst, ex))
        pair = np.bincount(a.country[h.dst[mask]], minlength=nc)
    scope = "region" if q.admin1 >= 0 else "department" if q.admin2 >= 0 else ""
    return AreaCounts(scope=scope, links=len(dst), by_country=np.bincount(a.country[dst], minlength=nc),
                      partners_by_country=np.bincount(a.country[partners], minlength=nc), country_pair=pair)


def text_directions(q: Query, a: CatalogueArrays, rows: np.ndarray) -> list[tuple[str, ...]]:
    """Per row, the directions in which the texts match clearly better than usual for this query
    (standardised dense + lexical similarity at least ``DIRECTION_MATCH_Z``): "need" (their expertise, my needs), "offer" (my expertise, their
    needs)."""
    need = direction_z(q, a, rows, "needs", "expertise", "dense") + direction_z(q, a, rows, "needs", "expertise", "lex")
    offer = (direction_z(q, a, rows, "expertise", "needs", "dense")
             + direction_z(q, a, rows, "expertise", "needs", "lex"))
    return [tuple(d for d, v in (("need", n), ("offer", o)) if v >= DIRECTION_MATCH_Z) for n, o in zip(need, offer)]


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
    km = km_from_dot(a.xyz[ends] @ a.xyz[rows].T)  # (endpoints, rows)
    near = (km <= NEAR_RADIUS_KM) & (ends[:, None] != rows[None, :]) & a.has_coord[rows][None, :]
    return (counts @ near).round().astype(np.int64)
