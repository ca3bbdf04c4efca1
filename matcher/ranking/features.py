"""Pair features for one query against many candidates, vectorised: pure functions on arrays.

Every feature is a column over the candidate rows; ``FEATURES`` fixes the order the ranker sees.
Text features (``matcher.ranking.text_channel``: standardised dense and lexical similarity both ways, names
mentioned, themes) are zero where a side has no text; a value that needs an unknown fact (a distance
without coordinates, a size without a population) is NaN, which the ranker reads as "no contribution".
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from matcher.geo import km_from_dot
from matcher.ranking.arrays import CatalogueArrays
from matcher.ranking.derived import once
from matcher.ranking.geo_prior import GeoTables
from matcher.ranking.geo_prior import column as geo_column
from matcher.ranking.history import (
    HISTORY_FEATURES,
    HistoryIndex,
    Shares,
    country_shares,
    history_features,
    source_weights,
)
from matcher.ranking.levels import UNITS
from matcher.ranking.names import TextNames, weight
from matcher.ranking.places_named import PLACE_FEATURES, named_rows, place_columns
from matcher.ranking.preferences import preference_columns
from matcher.ranking.text_channel import standardise
from matcher.ranking.text_corpus import FIELDS
from matcher.ranking.word_overlap import WordSets, word_columns

#: The text channel (``matcher.ranking.text_channel``): standardised dense and lexical similarity summed over both
#: directions (my needs ↔ your expertise, your needs ↔ my expertise), names mentioned, declared or detected
#: themes, description similarity. Zero where nobody wrote: a missing text adds nothing.
#: ``theme_geo`` (``matcher.ranking.geo_prior``) and ``region_named``, ``country_named`` (``places_named``): where
#: the query's text says such partners are, what a silent candidate can have. ``words_shared``, ``names_shared``:
#: the rare words both texts use, and the names among them (``matcher.ranking.word_overlap``).
TEXT_FEATURES = ("text_dense", "text_lex", "names_mentioned", "theme_need", "theme_offer", "desc_sem", "theme_geo",
                 "words_shared", "names_shared", *PLACE_FEATURES)
STRUCTURAL_FEATURES = (
    "log_distance", "same_continent", "preferred", "types_shared", "development_country", "size_preferred",
    "priority_zone",
    "shared_language", "francophone",
    "pop_ratio", "level_compat", "size", "size_gap", "size_far",
)
HISTORY_COLUMNS = HISTORY_FEATURES  # the priors of matcher.ranking.history, in the order history_features returns
#: 1 when the query wrote something (a text or themes): the ranker's gate between its structural model
#: and its text model (``PairRanker``). Never weighed itself.
GATE_FEATURE = "query_text"
#: 1 when the candidate wrote something: with ``query_text`` it picks the model that scores a pair (both
#: wrote: the text model; only the query: the one-sided model; see ``PairRanker``). Never weighed itself.
CAND_GATE = "cand_text"
FEATURES = TEXT_FEATURES + STRUCTURAL_FEATURES + HISTORY_COLUMNS + (GATE_FEATURE, CAND_GATE)
#: Features the known links cannot teach (they carry no free text and no stated preferences): the text
#: weights are learned from the cooperation cases (``PairRanker.fit_text``), ``preferred`` is a prior.
#: ``level_compat`` is one too: the level gate (``matcher.ranking.levels``) leaves the training queries, nearly
#: all communes, with towns only, so the value barely varies there and a weight fitted on it is noise
#: (fitted, it came out negative). It is a log-lift, a log odds ratio: it enters the logit as it is.
PRIOR_FEATURES = (*TEXT_FEATURES, "preferred", "types_shared", "development_country", "size_preferred",
                  "level_compat")
#: Stated preferences (countries and continents, partnership types: ``matcher.ranking.partnership_types``,
#: partner sizes: ``matcher.ranking.preferences``; the region and country a text says: ``places_named``): priors
#: added outside every model, so no model's weight scales them away.
PREFERENCE_FEATURES = ("preferred", "types_shared", "development_country", "size_preferred", *PLACE_FEATURES)
#: Never weighed: they pick the model that scores a pair.
GATES = (GATE_FEATURE, CAND_GATE)
LEARNED_FEATURES = tuple(f for f in STRUCTURAL_FEATURES + HISTORY_COLUMNS if f not in PRIOR_FEATURES)
FEATURE_INDEX = {f: i for i, f in enumerate(FEATURES)}

#: Logit weights of the PRIOR_FEATURES until ``fit_text`` learns the text ones from the cooperation cases.
#: A stated preferred country or continent is worth 8 logits. It was 3 (×20 odds: on five real queries with no
#: partner there, 1 to 9 of the top-10 came from that country), but once the catalogue holds the real cases'
#: texts, a commune that writes and says "Sénégal" met the writers of every country first (3 of its top 10 in
#: Senegal with +3): a town hall that states where it wants partners expects to see them there. Still a
#: preference: an exceptional match elsewhere (a text naming it) keeps its place; the ``country`` filter is
#: the hard one.
DEFAULT_PRIOR_WEIGHTS: dict[str, float] = {
    "text_dense": 0.5, "text_lex": 0.5, "names_mentioned": 2.0, "theme_need": 0.5, "theme_offer": 0.5,
    "desc_sem": 1.0, "theme_geo": 0.5, "preferred": 8.0, "words_shared": 0.05, "names_shared": 0.1,
    # Where a text says its partners are weighs what a ticked country does (a region says its country: +16 there):
    # "nous cherchons un partenaire au Maroc" put 3 Moroccan towns in Pont-Aven's top 10 at +5, 7 at +8
    # (`benchmarks/places_named.py`; docs/benchmarks.md, "Places a text names").
    "region_named": 8.0, "country_named": 8.0,
    # A stated partnership type is a softer wish than a stated country: ×4.5 odds (no data to learn it from).
    "types_shared": 1.5, "development_country": 1.5,
    # A ticked partner size too: Pont-Aven writing, preferring Africa and ticking "under 5,000" met 0, 0, 1, 9 such
    # towns in its top 10 at +1.5, 3, 5, 8 (`benchmarks/preferences.py`; docs/benchmarks.md, "Stated preferences").
    "size_preferred": 8.0,
    # A log-lift (matcher.ranking.levels) is a log odds ratio: one logit per unit.
    "level_compat": 1.0,
}
#: Text features ``fit_text`` learns (``desc_sem`` keeps its prior: the cases carry no descriptions to learn from).
TEXT_LEARNED = ("text_dense", "text_lex", "names_mentioned", "theme_need", "theme_offer", "theme_geo", "words_shared",
                "names_shared")
#: What the one-sided model weighs beside the structural logit: what a silent candidate can still have.
ONE_SIDED_LEARNED = ("names_mentioned", "theme_geo")
BINARY_FEATURES = frozenset({"same_continent", "preferred", "types_shared", "development_country", "size_preferred",
                             "priority_zone", "shared_language", "francophone"})
LOG1P_FEATURES = ("direct", "near", "admin1", "near_global", "degree")  # heavy-tailed counts: seen as log1p
SHARE_FLOORS = {"country": 1e-2, "country_global": 1e-3, "admin1_global": 1e-4}  # log10(share + floor): smoothing for unseen countries
#: Missing is missing: a feature that needs an unknown value (a distance without coordinates, a size without a
#: population) is NaN here; the ranker reads NaN as the average pair: it adds nothing and gives no reason.
MISSING = float("nan")
#: The only columns that can hold MISSING (they need a distance or a population).
MAY_BE_MISSING = frozenset({"log_distance", "pop_ratio", "size", "size_gap", "size_far"})


@dataclass(frozen=True)
class Query:
    """What the scoring path needs about the query authority (stored or ad hoc)."""

    row: int | None  # its row in the catalogue arrays, if stored
    country: int  # index into arrays.country_codes (-1 unknown)
    admin1: int
    admin2: int
    xyz: np.ndarray | None
    log_pop: float  # nan if unknown
    level: int  # index in domain.LEVELS
    lang_mask: int
    exp_themes: int
    need_themes: int
    emb: dict[str, np.ndarray | None] = field(default_factory=dict)  # field -> (d,) or None
    lex: dict[str, sp.csr_matrix | None] = field(default_factory=dict)  # field -> (1, D) TF-IDF or None
    tokens: sp.csr_matrix | None = None  # (1, D) hashed candidate phrases of its texts (``matcher.ranking.names``)
    name_row: sp.csr_matrix | None = None  # (1, D) hashed phrases that mention it
    text_names: TextNames | None = None  # what its texts may name (the exact check of the hits)
    name_phrases: tuple[str, ...] = ()  # the phrases that mention it
    population: int = 0  # 0 unknown: how namesakes are weighed
    preferred_countries: frozenset[int] = frozenset()
    preferred_continents: frozenset[int] = frozenset()
    types: frozenset[str] = frozenset()  # the partnership types it seeks
    sizes: frozenset[str] = frozenset()  # the partner sizes it seeks (``domain.SizeBand`` values)
    pages_only: bool = False  # its texts all come from public pages: the places they name are no wish (places_named)
    is_french: bool = False
    exclude_rows: tuple[int, ...] = ()  # leave-one-out: links touching these rows are ignored
    #: Similarities of its texts to the whole corpus, computed for many queries at once (``precompute_corpus_sims``):
    #: (q_field, c_field, kind) -> (corpus size,). Absent: computed per query.
    corpus_sims: dict[tuple[str, str, str], np.ndarray] = field(default_factory=dict)
    #: The theme → geography prior of its text (``matcher.ranking.geo_prior``), filled by ``scoring.prepared``.
    geo: GeoTables | None = None
    #: The words and cited names of its needs and expertise (``matcher.ranking.word_overlap``).
    words: dict[str, WordSets] = field(default_factory=dict)


def _popcount(x: np.ndarray) -> np.ndarray:
    return np.bitwise_count(np.asarray(x, dtype=np.uint32))


#: Prior spread of CSLS similarities for the z-scores (``text_channel.standardise``), measured on the
#: cooperation cases (USE: sd 0.08 of cosines; character TF-IDF: 0.04): it only matters while the
#: corpus of the other side has few texts.
PRIOR_SD = {"dense": 0.08, "lex": 0.04}


NEED_Z, OFFER_Z = "_need_z", "_offer_z"  # per-direction text match, carried beside the features
#: How surely the query's texts name each candidate, and each candidate's texts the query (``mention_shares``):
#: carried beside the features too, so the reasons say who named whom without a second search.
BY_Q, BY_C = "_named_by_query", "_names_query"


def direction_z(q: Query, a: CatalogueArrays, cand: np.ndarray, q_field: str, c_field: str, kind: str
               ) -> np.ndarray:
    """Standardised similarity of q's ``q_field`` to each candidate's ``c_field`` (0 where either is empty)."""
    out = np.zeros(len(cand))
    qv = q.emb.get(q_field) if kind == "dense" else q.lex.get(q_field)
    if qv is None:
        return out
    corpus, pos, hub, vectors = a.corpus(c_field, kind)
    if not len(corpus):
        return out
    sims = q.corpus_sims.get((q_field, c_field, kind))
    if sims is None:
        sims = vectors @ qv if kind == "dense" else a.dot_row(f"lex:{c_field}", qv)[corpus]
    csls = sims - hub
    z = standardise(csls, csls, PRIOR_SD[kind])
    tr = a.text_row[cand]
    at = np.where(tr >= 0, pos[np.maximum(tr, 0)], -1)
    ok = at >= 0
    out[ok] = z[at[ok]]
    return out


DIRECTIONS = (("needs", "expertise"), ("expertise", "needs"))


def precompute_corpus_sims(queries: list[Query], a: CatalogueArrays) -> list[Query]:
    """The queries with their corpus similarities filled in, one matrix product per direction and kind for
    all of them (an event's thousand queries: one BLAS call instead of a thousand mat-vecs)."""
    from dataclasses import replace

    sims: list[dict[tuple[str, str, str], np.ndarray]] = [dict(q.corpus_sims) for q in queries]
    for q_field, c_field in DIRECTIONS:
        for kind in ("dense", "lex"):
            corpus, _, _, vectors = a.corpus(c_field, kind)
            have = [i for i, q in enumerate(queries)
                    if (q.emb if kind == "dense" else q.lex).get(q_field) is not None]
            if not have or not len(corpus):
                continue
            if kind == "dense":
                dense_corpus: np.ndarray = vectors  # type: ignore[assignment]
                S = np.stack([np.asarray(queries[i].emb[q_field]) for i in have]) @ dense_corpus.T
            else:
                Q = sp.vstack([queries[i].lex[q_field] for i in have], format="csr")
                S = np.asarray((Q @ a.lex[c_field][corpus].T).toarray())
            for row, i in enumerate(have):
                sims[i][(q_field, c_field, kind)] = S[row]
    return [replace(q, corpus_sims=d) for q, d in zip(queries, sims)]


def mention_shares(q: Query, a: CatalogueArrays, cand: np.ndarray,
                   named: tuple[np.ndarray, np.ndarray] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(how surely q's texts name each candidate, how surely each candidate's texts name q): the
    ``matcher.ranking.names`` weight, 0 where not named. The sparse product finds the few rows a text may name;
    only those are checked exactly. ``named``: ``places_named.named_rows`` of q's texts, if already known."""
    by_q, by_c = np.zeros(len(cand)), np.zeros(len(cand))
    stats = a.name_stats
    rows, weights = named_rows(q.tokens, q.text_names, a) if named is None else named
    if len(rows):  # most texts name no catalogue authority: skip the gather over all candidates
        every = np.zeros(a.n)
        every[rows] = weights
        by_q = every[cand]
    if q.name_row is not None and q.name_row.nnz and a.tokens is not None and a.tokens.shape[0]:
        hits = np.flatnonzero(a.dot_row("tokens", q.name_row))
        if len(hits):  # and most authorities are named by no text
            code = a.country_codes[q.country] if q.country >= 0 else ""
            per_text = np.zeros(a.tokens.shape[0])
            per_text[hits] = [weight(stats, q.name_phrases, q.level, code, float(q.population), a.text_names[t])
                              for t in hits.tolist()]
            tr = a.text_row[cand]
            by_c = np.where(tr >= 0, per_text[np.maximum(tr, 0)], 0.0)
    return by_q, by_c


def query_wrote(q: Query) -> bool:
    return any(v is not None for v in q.emb.values()) or bool(q.need_themes or q.exp_themes)


def text_features(q: Query, a: CatalogueArrays, cand: np.ndarray) -> dict[str, np.ndarray]:
    """The text columns, the two gates, and ``preferred`` (the models mix on it: it stays outside the
    weight that scales structure, see ``PairRanker``)."""
    zero = np.zeros(len(cand))
    named = named_rows(q.tokens, q.text_names, a)
    by_q, by_c = mention_shares(q, a, cand, named)
    names = np.maximum(by_q, by_c)
    cand_text = (a.text_row[cand] >= 0).astype(float)
    pref = preference_columns(q, a, cand)
    if not query_wrote(q):
        # Most catalogue queries have no text: only a candidate's text naming the query can count.
        return {**{f: zero for f in TEXT_FEATURES}, "names_mentioned": names, GATE_FEATURE: zero,
                CAND_GATE: cand_text, **pref, BY_Q: by_q, BY_C: by_c}
    need_d, need_l = (direction_z(q, a, cand, "needs", "expertise", k) for k in ("dense", "lex"))
    offer_d, offer_l = (direction_z(q, a, cand, "expertise", "needs", k) for k in ("dense", "lex"))
    desc = np.zeros(len(cand))
    qd = q.emb.get("description")
    if qd is not None:
        tr = a.text_row[cand]
        ok = tr >= 0
        ok[ok] = a.has_field["description"][tr[ok]]
        desc[ok] = np.clip(a.emb["description"][tr[ok]] @ qd, 0, 1)
    words_shared, names_shared = word_columns(q.words, a, cand)
    q_need, q_exp = int(q.need_themes), int(q.exp_themes)
    c_need, c_exp = a.need_themes[cand], a.exp_themes[cand]
    n_qn, n_qe = q_need.bit_count(), q_exp.bit_count()
    theme_need = _popcount(c_exp & np.uint32(q_need)) / n_qn if n_qn else zero
    theme_offer = _popcount(c_need & np.uint32(q_exp)) / n_qe if n_qe else zero
    return {
        "text_dense": need_d + offer_d, "text_lex": need_l + offer_l, "names_mentioned": names,
        "theme_need": np.asarray(theme_need, dtype=float), "theme_offer": np.asarray(theme_offer, dtype=float),
        "desc_sem": desc, GATE_FEATURE: np.ones(len(cand)), CAND_GATE: cand_text, **pref,
        "theme_geo": geo_column(q.geo, a, cand) if q.geo is not None else zero,
        "words_shared": words_shared, "names_shared": names_shared,
        **place_columns(q.text_names, *named, a, cand, q.country, q.pages_only),
        # Not features: how well each direction matches (what the reasons say), kept for the explained rows.
        NEED_Z: need_d + need_l, OFFER_Z: offer_d + offer_l, BY_Q: by_q, BY_C: by_c,
    }


def distances_km(q: Query, a: CatalogueArrays, cand: np.ndarray) -> np.ndarray:
    """Great-circle km to each candidate; NaN where either side has no coordinates."""
    if q.xyz is None:
        return np.full(len(cand), MISSING)
    # One product over all rows, then a gather: cheaper than gathering (n, 3) rows first.
    dots = (a.xyz @ q.xyz)[cand] if len(cand) > a.n // 4 else a.xyz[cand] @ q.xyz
    km = km_from_dot(dots)
    km[~a.has_coord[cand]] = MISSING
    return km


def candidate_log_pop(a: CatalogueArrays, cand: np.ndarray) -> np.ndarray:
    """log10 population of each candidate as the size features use it: NaN (no contribution, no reason)
    where unknown, and for admin-1/admin-2 units. Sizes are compared between towns only: the size
    features are learned from town partnerships, and a unit's population is known in one country
    (Morocco's census), so weighing units by size would put Morocco's provinces first for every région."""
    def build() -> np.ndarray:
        per_row = a.log_pop.astype(float)
        per_row[UNITS[a.level]] = np.nan
        return per_row

    return once(a, "_town_log_pop", build)[cand]


def structural_features(q: Query, a: CatalogueArrays, cand: np.ndarray, *, priority: np.ndarray,
                        level_compat: np.ndarray) -> dict[str, np.ndarray]:
    """``priority``: (n_countries,) bool, the country is in France's priority zones. ``level_compat``:
    the learned (levels x levels) log-lift of partnering (``matcher.ranking.levels``).

    Country-level features are looked up in per-country tables made for this query (a few hundred
    countries), so each costs one gather over the candidates. The stated preferences are not here:
    ``text_features`` gives them (the models mix on them), and ``feature_columns`` merges both."""
    km = distances_km(q, a, cand)
    c_country = a.country[cand]
    q_cont = a.country_continent[q.country] if q.country >= 0 else -2
    # One table per query over countries: (same continent, priority zone, francophone).
    table = np.stack([(a.country_continent == q_cont).astype(float),
                      (priority & q.is_french).astype(float), a.country_francophone.astype(float)], axis=1)
    per_c = table[c_country]
    shared_lang = (a.lang_mask[cand] & np.uint64(q.lang_mask)) != 0
    c_pop = candidate_log_pop(a, cand)
    gap = c_pop - q.log_pop  # NaN where either population is unknown
    level_lift = level_compat[q.level][a.level[cand]]
    log_km = np.log1p(km)
    return {
        "log_distance": log_km,
        "same_continent": per_c[:, 0],
        "priority_zone": per_c[:, 1],
        "shared_language": shared_lang.astype(float),
        "francophone": per_c[:, 2],
        "pop_ratio": np.abs(gap),
        "level_compat": level_lift,
        # Larger towns take part in more partnerships, whatever the query.
        "size": c_pop,
        # Signed: towns twin upwards more than downwards (a small commune with a larger town).
        "size_gap": gap,
        # Size matters more with distance: a commune twins with a small town next door, but across a
        # continent with a city. One product term keeps the model additive (and its reasons exact).
        "size_far": c_pop * log_km,
    }


def history_block(q: Query, a: CatalogueArrays, history: HistoryIndex, cand: np.ndarray,
                  shares: Shares | None = None) -> dict[str, np.ndarray]:
    w = source_weights(history, a, q_xyz=q.xyz, q_admin2=q.admin2, q_admin1=q.admin1,
                       exclude_rows=q.exclude_rows)
    if shares is None:
        shares = country_shares(history, a, q.country, q.exclude_rows)
    h = history_features(history, a, w, q_country=q.country, country_share=shares, candidates=cand,
                         exclude_rows=q.exclude_rows)
    # Counts are heavy-tailed: the ranker sees log1p of them.
    for k in LOG1P_FEATURES:
        h[k] = np.log1p(h[k])
    # Shares act multiplicatively on the odds of a partnership: the linear ranker sees their logs.
    for k, floor in SHARE_FLOORS.items():
        h[k] = np.log10(h[k] + floor)
    return h


def feature_columns(q: Query, a: CatalogueArrays, history: HistoryIndex, cand: np.ndarray, *,
                    priority: np.ndarray, level_compat: np.ndarray, shares: Shares | None = None,
                    text: dict[str, np.ndarray] | None = None) -> dict[str, np.ndarray]:
    """Every feature as a column over ``cand``. ``text``: ``text_features`` of these rows, if already
    computed (they are standardised over the whole corpus, so they do not depend on the rows asked)."""
    return {**(text if text is not None else text_features(q, a, cand)),
            **structural_features(q, a, cand, priority=priority, level_compat=level_compat),
            **history_block(q, a, history, cand, shares)}


def stack(cols: dict[str, np.ndarray], rows: np.ndarray | slice = slice(None), out: np.ndarray | None = None
          ) -> np.ndarray:
    """The (n, len(FEATURES)) matrix of some rows of the columns (written into ``out`` if given: a block of a
    larger matrix, so many queries' rows are scored in one call without stacking copies)."""
    first = np.asarray(cols[FEATURES[0]])[rows]
    X = np.empty((len(first), len(FEATURES))) if out is None else out
    for j, f in enumerate(FEATURES):
        X[:, j] = np.asarray(cols[f])[rows]
    return X


def pair_features(q: Query, a: CatalogueArrays, history: HistoryIndex, cand: np.ndarray, *,
                  priority: np.ndarray, level_compat: np.ndarray, shares: Shares | None = None) -> np.ndarray:
    """The (len(cand), len(FEATURES)) feature matrix."""
    return stack(feature_columns(q, a, history, cand, priority=priority, level_compat=level_compat,
                                 shares=shares))


__all__ = [
    "FEATURES",
    "FIELDS",
    "HISTORY_COLUMNS",
    "LEARNED_FEATURES",
    "PRIOR_FEATURES",
    "STRUCTURAL_FEATURES",
    "TEXT_FEATURES",
    "Query",
    "pair_features",
]
