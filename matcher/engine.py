"""The one place that wires the steps of a match:
eligibility filter → features over all candidates → cheap first stage → learned ranker on the
shortlist → diversity re-ranking → explanations.

``recommend`` is a function of its inputs (a profile, the loaded ``MatchState``, an encoder for texts
that are not in the catalogue yet); ``Matcher`` keeps the state current when profiles are written.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from matcher.arrays import (
    CONTINENTS,
    EARTH_RADIUS_KM,
    FIELDS,
    CatalogueArrays,
    facet_themes,
    field_text,
    lexical_vectors,
    profile_texts,
    with_profile,
    without,
)
from matcher.catalogue.files import Country
from matcher.domain import KIND_TIER, Filters, Link, Match, Profile
from matcher.encoding import Encoder
from matcher.errors import InvalidInput, NotFound
from matcher.explain import ReasonContext, reasons_for
from matcher.features import Query, distances_km, feature_columns, stack
from matcher.geo import PRIORITY_ZONES, priority_countries
from matcher.history import NEAR_RADIUS_KM, HistoryIndex, Shares, country_shares
from matcher.ranker import PairRanker

SHORTLIST = 300
SEMANTIC_NEIGHBOURS = 50
NEARBY_KM = 40.0


@dataclass
class MatchState:
    """Everything a match reads, loaded once: catalogue arrays, link history, ranker, country facts."""

    arrays: CatalogueArrays
    history: HistoryIndex
    ranker: PairRanker | None  # None only while building training data
    countries: Mapping[str, Country]
    priority: np.ndarray  # (n_countries,) bool
    links: tuple[Link, ...] = ()
    partners: dict[int, frozenset[int]] = field(default_factory=dict)  # row -> partner rows
    _shares: dict[int, Shares] = field(default_factory=dict)

    @classmethod
    def build(cls, arrays: CatalogueArrays, links: Sequence[Link], ranker: PairRanker | None,
              countries: Mapping[str, Country], *, zones: Iterable[str] = PRIORITY_ZONES) -> MatchState:
        history = HistoryIndex.build(arrays, links)
        prio = priority_countries(countries, zones)
        partners: dict[int, set[int]] = {}
        for s, d in zip(history.src, history.dst):
            partners.setdefault(int(s), set()).add(int(d))
        return cls(arrays=arrays, history=history, ranker=ranker, countries=countries,
                   priority=np.array([c in prio for c in arrays.country_codes]), links=tuple(links),
                   partners={k: frozenset(v) for k, v in partners.items()})

    def shares(self, country: int) -> Shares:
        if country not in self._shares:
            self._shares[country] = country_shares(self.history, self.arrays, country)
        return self._shares[country]


# ---- query ---------------------------------------------------------------------------------------
def query_from_row(arrays: CatalogueArrays, row: int, *, exclude_rows: Sequence[int] = ()) -> Query:
    """A catalogue authority as a query, texts taken from the arrays (nothing re-encoded)."""
    tr = int(arrays.text_row[row])
    pref_countries, pref_regions = arrays.preferences.get(str(arrays.ids[row]), ((), ()))
    preferred_countries, preferred_continents = preference_indices(arrays, pref_countries, pref_regions)
    emb = {f: (arrays.emb[f][tr] if tr >= 0 and arrays.has_field[f][tr] else None) for f in FIELDS}
    lex = {f: (arrays.lex[f][tr] if tr >= 0 and arrays.has_field[f][tr] else None) for f in FIELDS}
    return Query(
        row=row, country=int(arrays.country[row]), admin1=int(arrays.admin1[row]), admin2=int(arrays.admin2[row]),
        xyz=arrays.xyz[row] if arrays.has_coord[row] else None, log_pop=float(arrays.log_pop[row]),
        tier=int(arrays.tier[row]), lang_mask=int(arrays.lang_mask[row]), exp_themes=int(arrays.exp_themes[row]),
        need_themes=int(arrays.need_themes[row]), emb=emb, lex=lex, is_french=arrays.country_codes[
            int(arrays.country[row])] == "FR", exclude_rows=tuple(exclude_rows),
        preferred_countries=preferred_countries, preferred_continents=preferred_continents,
    )


def preference_indices(arrays: CatalogueArrays, countries: Sequence[str], regions: Sequence[str]
                       ) -> tuple[frozenset[int], frozenset[int]]:
    """Preferred country codes and continent codes as indices (unknown ones are ignored)."""
    return (frozenset(i for i in (arrays.country_index(c) for c in countries) if i >= 0),
            frozenset(CONTINENTS.index(r) for r in regions if r in CONTINENTS))


def query_from_profile(profile: Profile, arrays: CatalogueArrays, *, encoder: Encoder | None,
                       countries: Mapping[str, Country]) -> Query:
    """An ad-hoc (or freshly edited) profile as a query: its texts are encoded here, in one batch."""
    row = arrays.row(profile.id)
    # The profile given may state other preferences than the stored one (a query "as if"): it wins.
    preferred_countries, preferred_continents = preference_indices(arrays, profile.preferred_countries,
                                                                   profile.preferred_regions)
    if row is not None and not profile.has_text:
        return replace(query_from_row(arrays, row), preferred_countries=preferred_countries,
                       preferred_continents=preferred_continents)
    texts = {f: field_text(profile, f) for f in FIELDS}
    present = [f for f in FIELDS if texts[f]]
    emb: dict[str, np.ndarray | None] = {f: None for f in FIELDS}
    lex = {f: None for f in FIELDS}
    if present:
        if encoder is None:
            raise InvalidInput("this profile has text but no encoder is available", field="expertise")
        vecs = encoder.encode([texts[f] for f in present])
        lx = lexical_vectors([texts[f] for f in present])
        for i, f in enumerate(present):
            emb[f] = vecs[i]
            lex[f] = lx[i]
    cidx = arrays.country_index(profile.country)
    from matcher.arrays import unit_xyz

    xyz = unit_xyz(np.array([profile.lat]), np.array([profile.lon]))[0] if profile.has_coordinates else None
    langs = profile.languages or (countries[profile.country].languages[:3] if profile.country in countries else ())
    a1_key = f"{profile.country}:{profile.admin1_code}"
    return Query(
        row=row, country=cidx,
        admin1=arrays.admin1_keys.index(a1_key) if a1_key in arrays.admin1_keys else -1,
        admin2=arrays.admin2_keys.index(profile.admin2_code)
        if profile.country == "FR" and profile.admin2_code in arrays.admin2_keys else -1,
        xyz=xyz, log_pop=float(np.log10(profile.population)) if profile.population else float("nan"),
        tier=KIND_TIER[profile.kind], lang_mask=arrays.lang_bits(langs),
        exp_themes=arrays.theme_bits(facet_themes(profile, "expertise")),
        need_themes=arrays.theme_bits(facet_themes(profile, "needs")), emb=emb, lex=lex,
        preferred_countries=preferred_countries, preferred_continents=preferred_continents,
        is_french=profile.country == "FR",
    )


# ---- eligibility ---------------------------------------------------------------------------------
def eligible_rows(state: MatchState, q: Query, profile: Profile | None, filters: Filters) -> np.ndarray:
    a = state.arrays
    mask = np.ones(a.n, dtype=bool)
    if q.row is not None:
        mask[q.row] = False
    if not filters.include_same_country and q.country >= 0:
        mask &= a.country != q.country
    if not filters.include_existing:
        rows: set[int] = set(state.partners.get(q.row, ())) if q.row is not None else set()
        if profile is not None:
            rows |= {r for r in (a.row(p) for p in profile.known_partners) if r is not None}
        if rows:
            mask[list(rows)] = False
    if filters.countries:
        idx = [a.country_index(c) for c in filters.countries]
        mask &= np.isin(a.country, [i for i in idx if i >= 0])
    if filters.continents:
        conts = [CONTINENTS.index(c) for c in filters.continents if c in CONTINENTS]
        mask &= np.isin(a.country_continent[a.country], conts)
    if filters.kinds:
        from matcher.arrays import KINDS

        kinds = [i for i, k in enumerate(KINDS) if k.value in filters.kinds]
        mask &= np.isin(a.kind, kinds)
    if filters.min_population is not None:
        mask &= a.log_pop >= np.log10(max(filters.min_population, 1))
    if filters.max_population is not None:
        mask &= a.log_pop <= np.log10(max(filters.max_population, 1))
    if filters.themes:
        bits = np.uint32(a.theme_bits(filters.themes))
        mask &= ((a.exp_themes | a.need_themes) & bits) != 0
    if filters.francophone_only:
        mask &= a.country_francophone[a.country]
    if filters.exclude:
        rows_ex = [r for r in (a.row(x) for x in filters.exclude) if r is not None]
        mask[rows_ex] = False
    return np.flatnonzero(mask)


# ---- ranking -------------------------------------------------------------------------------------
def shortlist(state: MatchState, cols: dict[str, np.ndarray], n: int, size: int = SHORTLIST) -> np.ndarray:
    """Positions (into the candidates) of the first-stage top ``size``, plus the semantic nearest neighbours."""
    assert state.ranker is not None, "a ranker is needed to score"
    if n <= size:
        return np.arange(n)
    pre = state.ranker.prefilter_columns(cols)
    top = np.argpartition(-pre, size)[:size]
    sem = cols["need_sem"] + cols["offer_sem"]
    if sem.any():
        k = min(SEMANTIC_NEIGHBOURS, n - 1)
        top = np.union1d(top, np.argpartition(-sem, k)[:k])
    return top


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


def score_candidates(state: MatchState, q: Query, cand: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(shortlisted candidate rows, their features, their ranker logits) — unsorted."""
    shares = state.shares(q.country) if not q.exclude_rows else None
    cols = feature_columns(q, state.arrays, state.history, cand, priority=state.priority, shares=shares)
    pos = shortlist(state, cols, len(cand))
    X = stack(cols, pos)
    assert state.ranker is not None
    logits = state.ranker.decision_function(X)
    return cand[pos], X, logits


def recommend(profile: Profile, *, state: MatchState, encoder: Encoder | None = None,
              filters: Filters | None = None, k: int = 10, diversity: float = 0.0) -> list[Match]:
    """The ranked, explained top-``k`` partners for ``profile`` (stored or ad hoc)."""
    filters = filters or Filters()
    if k < 1:
        raise InvalidInput("k must be at least 1", field="k")
    a = state.arrays
    q = query_from_profile(profile, a, encoder=encoder, countries=state.countries)
    cand = eligible_rows(state, q, profile, filters)
    if len(cand) == 0:
        return []
    rows, X, logits = score_candidates(state, q, cand)
    order = diversify(logits, a.country[rows], k, diversity)
    assert state.ranker is not None
    contrib = state.ranker.contributions(X[order])
    km = distances_km(q, a, rows[order])
    out = []
    contexts = reason_contexts(state, q, profile, rows[order], km)
    for rank, (pos, ci, ctx) in enumerate(zip(order, contrib, contexts), start=1):
        r = int(rows[pos])
        out.append(Match(
            id=str(a.ids[r]), name=str(a.names[r]), country=a.country_codes[a.country[r]],
            kind=_kind_value(a, r), lat=_opt(a.lat[r]), lon=_opt(a.lon[r]),
            score=round(float(1 / (1 + np.exp(-logits[pos]))), 4), rank=rank,
            reasons=reasons_for(X[pos], ci, ctx, average=state.ranker.average_pair_),
            population=round(10 ** float(a.log_pop[r])) if not np.isnan(a.log_pop[r]) else None,
        ))
    return out


def _opt(x: float) -> float | None:
    return None if np.isnan(x) else round(float(x), 5)


def _kind_value(a: CatalogueArrays, r: int) -> str:
    from matcher.arrays import KINDS

    return KINDS[int(a.kind[r])].value


def reason_context(state: MatchState, q: Query, profile: Profile | None, r: int, km: float) -> ReasonContext:
    """The facts behind one candidate's reasons (see ``reason_contexts``)."""
    return reason_contexts(state, q, profile, np.array([r]), np.array([km]))[0]


# ---- the stateful wrapper used by the CLI and the service ----------------------------------------
class Matcher:
    """Holds the current ``MatchState`` and keeps it in step with profile writes (copy-on-write)."""

    def __init__(self, state: MatchState, *, encoder: Encoder | None) -> None:
        self._state = state
        self.encoder = encoder
        self._lock = threading.Lock()

    @property
    def state(self) -> MatchState:
        return self._state

    def recommend(self, profile: Profile, **kwargs: object) -> list[Match]:
        return recommend(profile, state=self._state, encoder=self.encoder, **kwargs)  # type: ignore[arg-type]

    def profile_written(self, profile: Profile) -> None:
        """Re-embed only this profile's texts and swap in arrays with its row replaced."""
        texts = profile_texts([profile])
        vecs = {}
        if texts:
            if self.encoder is None:
                raise InvalidInput("cannot embed profile texts without an encoder", field="description")
            keys = sorted(texts)
            enc = self.encoder.encode([texts[x] for x in keys])
            vecs = {key: enc[i] for i, key in enumerate(keys)}
        with self._lock:
            s = self._state
            arrays = with_profile(s.arrays, profile, vecs, s.countries)
            self._state = _with_arrays(s, arrays)

    def profile_deleted(self, profile_id: str) -> None:
        with self._lock:
            s = self._state
            if s.arrays.row(profile_id) is None:
                raise NotFound(f"unknown authority id {profile_id!r}", field="id")
            links = [x for x in s.links if profile_id not in (x.a, x.b)]
            self._state = MatchState.build(without(s.arrays, profile_id), links, s.ranker, s.countries)


def _with_arrays(s: MatchState, arrays: CatalogueArrays) -> MatchState:
    """New arrays with the same rows in the same places (plus maybe one appended): history stays valid."""
    history = s.history
    if arrays.n != history.n:
        pad = arrays.n - history.n
        import scipy.sparse as sp

        history = HistoryIndex(src=history.src, dst=history.dst, dst_pos=history.dst_pos,
                               endpoints=history.endpoints,
                               kernel=sp.hstack([history.kernel, sp.csr_matrix((history.kernel.shape[0], pad))],
                                                format="csr"),
                               degree=np.concatenate([history.degree, np.zeros(pad, dtype=np.float32)]),
                               n=arrays.n)
    return MatchState(arrays=arrays, history=history, ranker=s.ranker, countries=s.countries, priority=s.priority,
                      links=s.links, partners=s.partners, _shares=s._shares)


def extended_state(state: MatchState, arrays: CatalogueArrays) -> MatchState:
    """The state over ``arrays`` that keep every row of ``state.arrays`` in place and may append rows
    (event participants that are not in the catalogue): link history stays valid, the country-share
    cache starts empty so batch work never writes into the live state's cache."""
    if arrays.n < state.arrays.n:
        raise ValueError("extended_state: arrays must keep every row of the state's arrays")
    s = _with_arrays(state, arrays)
    s._shares = {}
    return s


def reason_contexts(state: MatchState, q: Query, profile: Profile | None, rows: np.ndarray, km: np.ndarray
                    ) -> list[ReasonContext]:
    """``reason_context`` for several candidates of one query, the same values: what depends on the query
    alone (nearby partner counts, theme labels) is computed once, not per candidate. Shares are not here:
    the reasons read them back from the feature values the ranker saw.
    Batch callers (events: 1,000 queries x top-k) need this; one ``recommend`` can use either."""
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

    out: list[ReasonContext] = []
    for r, dist in zip(rows.tolist(), np.asarray(km, dtype=float).tolist()):
        code = a.country_codes[a.country[r]]
        country = state.countries.get(code)
        common = int(a.lang_mask[r]) & q.lang_mask
        a1 = a.admin1[r]
        out.append(ReasonContext(
            candidate_name=str(a.names[r]),
            country_name_fr=country.name_fr if country else code, country_name_en=country.name if country else code,
            distance_km=dist, q_population=profile.population if profile else None,
            c_population=round(10 ** float(a.log_pop[r])) if not np.isnan(a.log_pop[r]) else None,
            nearby_partner_count=int(nearby[r]), nearby_km=NEARBY_KM, c_degree=int(h.degree[r]),
            shared_languages=tuple(lang for i, lang in enumerate(a.languages) if common >> i & 1) if common else (),
            need_themes=labels(int(a.exp_themes[r]) & q.need_themes),
            offer_themes=labels(int(a.need_themes[r]) & q.exp_themes),
            admin1_name=a.admin1_names.get(a.admin1_keys[a1], "") if a1 >= 0 else "",
            country_links_nearby=int(country_links[len(out)]), country_links_km=NEAR_RADIUS_KM,
        ))
    return out


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
