"""What a match reads, and the query it is asked about: ``MatchState`` (catalogue arrays, link history,
ranker, country facts), ``Query`` builders for stored and ad-hoc profiles, and candidate eligibility.

Pure functions of their inputs; ``engine.Matcher`` keeps a state current after writes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import scipy.sparse as sp

from matcher.catalogue.files import Country
from matcher.domain import CONTINENTS, LEVELS, Filters, Link, Profile
from matcher.encoding import Encoder
from matcher.errors import InvalidInput
from matcher.geo import PRIORITY_ZONES, priority_countries, unit_xyz
from matcher.ranking.arrays import KINDS, CatalogueArrays, content_key, facet_themes, page_years_of
from matcher.ranking.derived import once
from matcher.ranking.features import Query
from matcher.ranking.first_stage import TOUCHED_ROWS
from matcher.ranking.geo_prior import CooperationIndex
from matcher.ranking.history import HistoryIndex, Shares, country_shares
from matcher.ranking.levels import FOREIGN, FRENCH, N_LEVELS, fit_level_compat, fit_level_gate, side_counts
from matcher.ranking.names import name_matrix, text_matrix, text_names
from matcher.ranking.ranker import PairRanker
from matcher.ranking.text_corpus import FIELDS, all_text, field_text, lexical_vectors
from matcher.ranking.word_overlap import DIRECTIONS, query_word_sets


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
    #: (N_LEVELS, N_LEVELS) log-lift of partnering by level, learned from ``links`` (matcher.ranking.levels)
    level_compat: np.ndarray = field(default_factory=lambda: np.zeros((N_LEVELS, N_LEVELS)))
    #: (2, N_LEVELS, N_LEVELS) bool: levels a French / foreign query sees by default (matcher.ranking.levels)
    level_gate: np.ndarray = field(default_factory=lambda: np.ones((2, N_LEVELS, N_LEVELS), dtype=bool))
    _shares: dict[int, Shares] = field(default_factory=dict)
    #: The links of kind ``cooperation`` (real cases), behind the theme → geography prior.
    cooperation: CooperationIndex = field(default_factory=lambda: CooperationIndex(
        french=np.zeros(0, dtype=np.int64), foreign=np.zeros(0, dtype=np.int64)))

    @classmethod
    def build(cls, arrays: CatalogueArrays, links: Sequence[Link], ranker: PairRanker | None,
              countries: Mapping[str, Country], *, zones: Iterable[str] = PRIORITY_ZONES) -> MatchState:
        history = HistoryIndex.build(arrays, links)
        prio = priority_countries(countries, zones)
        partners: dict[int, set[int]] = {}
        for s, d in zip(history.src, history.dst):
            partners.setdefault(int(s), set()).add(int(d))
        state = cls(arrays=arrays, history=history, ranker=ranker, countries=countries,
                    priority=np.array([c in prio for c in arrays.country_codes]), links=tuple(links),
                    partners={k: frozenset(v) for k, v in partners.items()},
                    cooperation=CooperationIndex.build(arrays, list(links)))
        # The ranker carries the level pairs of the real cooperation cases it was trained with (units
        # partner with units there far more than twinning lists show); the links' counts stay live.
        return with_case_levels(state, getattr(ranker, "level_case_counts_", None))

    def shares(self, country: int) -> Shares:
        if country not in self._shares:
            self._shares[country] = country_shares(self.history, self.arrays, country)
        return self._shares[country]


def level_link_counts(state: MatchState) -> np.ndarray:
    """(2, N_LEVELS, N_LEVELS) counts of (level, partner level) over the known links, both directions,
    French queries then foreign ones (``matcher.ranking.levels.side_counts``)."""
    a, h = state.arrays, state.history
    french = np.asarray([c == "FR" for c in a.country_codes], dtype=bool)[a.country]
    return side_counts(a.level[h.src], a.level[h.dst], french[h.src])


def with_case_levels(state: MatchState, case_counts: np.ndarray | None) -> MatchState:
    """``state`` with its level table and gate fitted on the links' level pairs plus ``case_counts``
    (side-split, from ``cooperation.case_level_counts``), if any."""
    counts = level_link_counts(state)
    if case_counts is not None:
        counts = counts + np.asarray(case_counts, dtype=float)
    return replace(state, level_compat=fit_level_compat(counts.sum(axis=0), state.arrays.level),
                   level_gate=fit_level_gate(counts))


# ---- query ---------------------------------------------------------------------------------------
def query_from_row(arrays: CatalogueArrays, row: int, *, exclude_rows: Sequence[int] = ()) -> Query:
    """A catalogue authority as a query, texts taken from the arrays (nothing re-encoded)."""
    tr = int(arrays.text_row[row])
    pref_countries, pref_regions = arrays.preferences.get(str(arrays.ids[row]), ((), ()))
    preferred_countries, preferred_continents = preference_indices(arrays, pref_countries, pref_regions)
    emb = {f: (arrays.emb[f][tr] if tr >= 0 and arrays.has_field[f][tr] else None) for f in FIELDS}
    lex = {f: (arrays.lex[f][tr] if tr >= 0 and arrays.has_field[f][tr] else None) for f in FIELDS}
    tokens = arrays.tokens[tr] if tr >= 0 and arrays.tokens is not None else None
    named = arrays.text_names[tr] if 0 <= tr < len(arrays.text_names) else None
    name_row = arrays.names_mat[row] if arrays.names_mat is not None else None
    return Query(
        row=row, country=int(arrays.country[row]), admin1=int(arrays.admin1[row]), admin2=int(arrays.admin2[row]),
        xyz=arrays.xyz[row] if arrays.has_coord[row] else None, log_pop=float(arrays.log_pop[row]),
        level=int(arrays.level[row]), lang_mask=int(arrays.lang_mask[row]), exp_themes=int(arrays.exp_themes[row]),
        need_themes=int(arrays.need_themes[row]), emb=emb, lex=lex, tokens=tokens, name_row=name_row,
        text_names=named, name_phrases=arrays.name_phrases(row), population=int(arrays.population[row]),
        is_french=arrays.country_codes[
            int(arrays.country[row])] == "FR", exclude_rows=tuple(exclude_rows),
        preferred_countries=preferred_countries, preferred_continents=preferred_continents,
        words=query_word_sets({f: arrays.text_at(row, f) for f, _ in DIRECTIONS}) if tr >= 0 else {},
        types=frozenset(arrays.types.get(str(arrays.ids[row]), ())),
        sizes=frozenset(arrays.sizes.get(str(arrays.ids[row]), ())),
        pages_only=_pages_only(arrays.page_years.get(str(arrays.ids[row])),
                               {f: tr >= 0 and bool(arrays.has_field[f][tr]) for f in FIELDS}),
    )


def _pages_only(years: tuple[tuple[int, ...], tuple[int, ...]] | None, wrote: Mapping[str, bool]) -> bool:
    """Every text of an authority comes from public pages: it wrote something (``wrote``: which of ``FIELDS``
    hold text), no description, and each facet with text has page years (``years``: its ``page_years`` entry,
    () for a facet it wrote; None when no facet has a page). One rule for stored rows and ad-hoc profiles."""
    if years is None or wrote["description"]:
        return False
    return any(wrote.values()) and all(ys or not wrote[f] for f, ys in zip(("expertise", "needs"), years))


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
    if row is not None and arrays.content[row] == content_key(profile):
        # The stored profile as it is in the arrays: its texts are already there, nothing is re-encoded.
        return replace(query_from_row(arrays, row), preferred_countries=preferred_countries,
                       preferred_continents=preferred_continents, types=frozenset(profile.partnership_types),
                       sizes=frozenset(profile.preferred_sizes))
    texts = {f: field_text(profile, f) for f in FIELDS}
    present = [f for f in FIELDS if texts[f]]
    emb: dict[str, np.ndarray | None] = {f: None for f in FIELDS}
    lex = {f: None for f in FIELDS}
    if present:
        if encoder is None:
            raise InvalidInput("this profile has text but no encoder is available", field="expertise")
        vecs = encoder.encode([texts[f] for f in present])
        lx = lexical_vectors([texts[f] for f in present], arrays.idf)
        for i, f in enumerate(present):
            emb[f] = vecs[i]
            lex[f] = lx[i]
    cidx = arrays.country_index(profile.country)
    xyz = unit_xyz(np.array([profile.lat]), np.array([profile.lon]))[0] if profile.has_coordinates else None
    langs = profile.languages or (countries[profile.country].languages[:3] if profile.country in countries else ())
    a1_key = f"{profile.country}:{profile.admin1_code}"
    stats = arrays.name_stats
    named = text_names(all_text(profile), stats, (profile.name, profile.name_fr), profile.country) if present else None
    phrases = stats.phrases(profile.name, profile.name_fr)
    return Query(
        row=row, country=cidx,
        admin1=arrays.admin1_keys.index(a1_key) if a1_key in arrays.admin1_keys else -1,
        admin2=arrays.admin2_keys.index(profile.admin2_code)
        if profile.country == "FR" and profile.admin2_code in arrays.admin2_keys else -1,
        xyz=xyz, log_pop=float(np.log10(profile.population)) if profile.population else float("nan"),
        level=LEVELS.index(profile.level_of), lang_mask=arrays.lang_bits(langs),
        exp_themes=arrays.theme_bits(facet_themes(profile, "expertise")),
        need_themes=arrays.theme_bits(facet_themes(profile, "needs")), emb=emb, lex=lex,
        tokens=text_matrix([named]) if named is not None else None, text_names=named,
        name_row=name_matrix([phrases]), name_phrases=phrases, population=profile.population or 0,
        preferred_countries=preferred_countries, preferred_continents=preferred_continents,
        is_french=profile.country == "FR", words=query_word_sets(texts) if present else {},
        types=frozenset(profile.partnership_types), sizes=frozenset(profile.preferred_sizes),
        pages_only=_pages_only(page_years_of(profile)[1] if profile.expertise.sources or profile.needs.sources
                               else None, {f: bool(texts[f]) for f in FIELDS}),
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
        kinds = [i for i, k in enumerate(KINDS) if k.value in filters.kinds]
        mask &= np.isin(a.kind, kinds)
    if filters.levels:
        mask &= np.isin(a.level, [i for i, lv in enumerate(LEVELS) if lv.value in filters.levels])
    elif not filters.kinds:
        # No level or kind asked for: the levels where authorities of the query's side and level find
        # their real partners (units for a région, towns for a commune; matcher.ranking.levels).
        side = FRENCH if q.country >= 0 and a.country_codes[q.country] == "FR" else FOREIGN
        mask &= state.level_gate[side, q.level][a.level]
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


def _with_arrays(s: MatchState, arrays: CatalogueArrays) -> MatchState:
    """New arrays with the same rows in the same places (plus maybe one appended): history stays valid."""
    history = s.history
    if arrays.n != history.n:
        pad = arrays.n - history.n
        history = HistoryIndex(src=history.src, dst=history.dst, dst_pos=history.dst_pos,
                               endpoints=history.endpoints,
                               kernel=sp.hstack([history.kernel, sp.csr_matrix((history.kernel.shape[0], pad))],
                                                format="csr"),
                               degree=np.concatenate([history.degree, np.zeros(pad, dtype=np.float32)]),
                               n=arrays.n)
        touched = s.history.__dict__.get(TOUCHED_ROWS)  # appended rows are beyond every link's reach
        if touched is not None:
            once(history, TOUCHED_ROWS, lambda: touched)
    return MatchState(arrays=arrays, history=history, ranker=s.ranker, countries=s.countries, priority=s.priority,
                      links=s.links, partners=s.partners, level_compat=s.level_compat,
                      level_gate=s.level_gate, cooperation=s.cooperation,
                      # the links did not change; a new country or admin-1 key has a share of 0
                      _shares={c: sh.padded(len(arrays.country_codes), len(arrays.admin1_keys))
                               for c, sh in s._shares.items()})


def extended_state(state: MatchState, arrays: CatalogueArrays) -> MatchState:
    """The state over ``arrays`` that keep every row of ``state.arrays`` in place and may append rows
    (event participants that are not in the catalogue): link history stays valid, the country-share
    cache starts empty so batch work never writes into the live state's cache."""
    if arrays.n < state.arrays.n:
        raise ValueError("extended_state: arrays must keep every row of the state's arrays")
    s = _with_arrays(state, arrays)
    s._shares = {}
    return s
