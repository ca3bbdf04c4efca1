"""The learned theme → geography prior: where authorities that work on a theme find their partners.

Real cooperation cases (``data/cooperation/``, in the catalogue as links of kind ``cooperation``) say
where French authorities with a given expertise work (water → Burkina Faso, Senegal; culture → Germany,
Poland…) and where foreign authorities with a given need find French partners. A query that wrote
something faces a catalogue where almost no one did: this prior is what its text says about *where*
such partners are, so a silent candidate in the right region ranks above one in the wrong one.

Each cooperation link i counts with a weight saying how much its case is like the query's, read on the
link's end on the query's side (a French query: the French end's expertise; a foreign query: the foreign
end's needs):

- where the query's text of that field and the end's are both embedded: ``w_i = exp((s_i − max_j s_j) / τ)``,
  ``s_i`` their cosine (``case_kernel``): the closest case counts 1, one 0.1 less similar counts e^-2. Measured
  on the cold-start folds (``twinmatch evaluate --task coldstart``, 2026-12-07, French queries, continent
  filter, unnamed pairs): the partner in the top 50 for 34.8 % of queries, against 32.6 % with theme weights;
- otherwise by themes, ``w_i = |T ∩ T_i| / |T|`` (the share of the query's theme bits T the case's T_i
  shares; every case counts fully for a query with no detected theme). Counts are smoothed down a hierarchy, each level
towards the distribution of all cases, itself smoothed towards uniform:

- a French query's partners abroad: continent → country → admin-1 region;
- a foreign query's partners in France: région → département.

The feature is the log-lift of the candidate's place against a uniform choice at each level
(``log(P(continent)·#continents) + log(P(country | continent)·#countries) + …``): 0 = no information,
positive = where such cooperation goes. Pure numpy over arrays; links touching ``Query.exclude_rows`` are
left out (leave-one-out), so a case never explains itself.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from matcher.domain import Link
from matcher.ranking.arrays import CatalogueArrays
from matcher.ranking.derived import once

COOPERATION = "cooperation"
#: Pseudo-counts pulling a theme's counts towards all cases' (``THEME_STRENGTH``), and all cases' counts
#: towards uniform (``BASE_STRENGTH``), at every level of the hierarchy.
THEME_STRENGTH = 3.0
BASE_STRENGTH = 2.0
#: τ of ``case_kernel``, in cosine units (the cosines of related case texts spread by about 0.08).
KERNEL_TAU = 0.05


@dataclass(frozen=True)
class CooperationIndex:
    """The cooperation links as rows of a ``CatalogueArrays``: the French end and the foreign end."""

    french: np.ndarray  # (L,) row of the French end
    foreign: np.ndarray  # (L,) row of the foreign end

    @classmethod
    def build(cls, arrays: CatalogueArrays, links: tuple[Link, ...] | list[Link]) -> CooperationIndex:
        fr_code = arrays.country_index("FR")
        fr, fo = [], []
        for link in links:
            if link.kind != COOPERATION:
                continue
            a, b = arrays.row(link.a), arrays.row(link.b)
            if a is None or b is None:
                continue
            a_fr, b_fr = arrays.country[a] == fr_code, arrays.country[b] == fr_code
            if a_fr == b_fr:
                continue  # cooperation is French ↔ foreign
            fr.append(a if a_fr else b)
            fo.append(b if a_fr else a)
        return cls(french=np.asarray(fr, dtype=np.int64), foreign=np.asarray(fo, dtype=np.int64))

    def __len__(self) -> int:
        return len(self.french)

    def kept(self, exclude_rows: tuple[int, ...]) -> np.ndarray:
        """(L,) bool: the links not touching ``exclude_rows`` (leave-one-out)."""
        if not exclude_rows:
            return np.ones(len(self), dtype=bool)
        ex = np.asarray(exclude_rows)
        return ~(np.isin(self.french, ex) | np.isin(self.foreign, ex))


def case_weights(query_bits: int, case_bits: np.ndarray) -> np.ndarray:
    """(L,) the share of the query's themes each case shares; 1 for every case if the query has none."""
    if not query_bits:
        return np.ones(len(case_bits))
    shared = np.bitwise_count((case_bits & np.uint32(query_bits)).astype(np.uint32))
    return shared / int(query_bits).bit_count()


def case_kernel(query_vec: np.ndarray, case_vecs: np.ndarray, has_text: np.ndarray) -> np.ndarray:
    """(L,) ``exp((s_i − max s) / KERNEL_TAU)`` of each case's cosine ``s_i`` to the query's text (unit
    vectors); 0 for a case whose end has no text of that field."""
    s = case_vecs @ np.asarray(query_vec, dtype=case_vecs.dtype)
    if not has_text.any():
        return np.zeros(len(s))
    top = float(s[has_text].max())
    return np.where(has_text, np.exp((s - top) / KERNEL_TAU), 0.0)


def _weights(a: CatalogueArrays, ends: np.ndarray, field: str, query_bits: int, case_bits: np.ndarray,
             query_vec: np.ndarray | None) -> np.ndarray:
    """Each case's weight for the query (see the module): the text kernel where the query's ``field`` is
    embedded and some case end wrote that field, else the theme share."""
    if query_vec is not None and field in a.emb:
        tr = a.text_row[ends]
        has = (tr >= 0) & a.has_field[field][np.maximum(tr, 0)] if len(tr) else np.zeros(0, dtype=bool)
        if has.any():
            return case_kernel(query_vec, a.emb[field][np.maximum(tr, 0)], has)
    return case_weights(query_bits, case_bits)


def _level(child_of_case: np.ndarray, parent_of_child: np.ndarray, n_children: int, w: np.ndarray,
           w_all: np.ndarray) -> np.ndarray:
    """(n_children,) log-lift of each child within its parent: theme counts smoothed towards all cases'
    within-parent distribution, itself smoothed towards uniform over the parent's children."""
    ok = child_of_case >= 0
    n_t = np.bincount(child_of_case[ok], weights=w[ok], minlength=n_children)
    n_a = np.bincount(child_of_case[ok], weights=w_all[ok], minlength=n_children)
    # Children of no known parent share one extra bucket (their terms are masked out by the callers).
    real = int(parent_of_child.max()) + 1 if len(parent_of_child) else 0
    parent = np.where(parent_of_child >= 0, parent_of_child, real)
    n_parents = real + 1
    siblings = np.bincount(parent, minlength=n_parents)[parent].astype(float)
    tot_t = np.bincount(parent, weights=n_t, minlength=n_parents)[parent]
    tot_a = np.bincount(parent, weights=n_a, minlength=n_parents)[parent]
    uniform = 1.0 / np.maximum(siblings, 1.0)
    p_all = (n_a + BASE_STRENGTH * uniform) / (tot_a + BASE_STRENGTH)
    p = (n_t + THEME_STRENGTH * p_all) / (tot_t + THEME_STRENGTH)
    return np.log(p * siblings)


@dataclass(frozen=True)
class GeoTables:
    """One query's prior as log-lift tables over places (what ``column`` gathers per candidate)."""

    country: np.ndarray  # (n_countries,) continent + country terms
    admin1: np.ndarray  # (n_admin1,) admin-1 term (within its country)
    admin2: np.ndarray  # (n_admin2,) département term (within its région), French candidates only
    french_side: bool  # True: the tables place French candidates (a foreign query)


def tables_for(index: CooperationIndex, a: CatalogueArrays, *, query_bits: int, is_french: bool,
               exclude_rows: tuple[int, ...] = (), query_vec: np.ndarray | None = None) -> GeoTables | None:
    """The prior of a query (``query_bits``: its theme bits; ``is_french``: which side it is on;
    ``query_vec``: the embedding of its text on that side — a French query's expertise, a foreign query's
    needs — or None), or None when no cooperation case is known."""
    keep = index.kept(exclude_rows)
    if not keep.any():
        return None
    fr, fo = index.french[keep], index.foreign[keep]
    n_c = len(a.country_codes)
    n_a1 = len(a.admin1_keys)
    a1_country = _admin1_country(a)
    if is_french:
        w = _weights(a, fr, "expertise", query_bits, a.exp_themes[fr], query_vec)
        w_all = np.ones(len(fr))
        cont = a.country_continent.astype(np.int64)
        n_cont = int(cont.max()) + 1 if len(cont) else 0
        cont_of_case = cont[a.country[fo]]
        cont_term = _level(cont_of_case, np.zeros(n_cont, dtype=np.int64), n_cont, w, w_all)
        country_term = _level(a.country[fo].astype(np.int64), cont, n_c, w, w_all)
        country = np.where(cont >= 0, cont_term[np.maximum(cont, 0)] + country_term, 0.0)
        admin1 = _level(a.admin1[fo].astype(np.int64), a1_country, n_a1, w, w_all)
        admin1 = np.where(a1_country >= 0, admin1, 0.0)
        return GeoTables(country=country, admin1=admin1, admin2=np.zeros(len(a.admin2_keys)), french_side=False)
    w = _weights(a, fo, "needs", query_bits, a.need_themes[fo], query_vec)
    w_all = np.ones(len(fo))
    fr_code = a.country_index("FR")
    french_a1 = np.where(a1_country == fr_code, 0, -1)
    admin1 = _level(a.admin1[fr].astype(np.int64), french_a1, n_a1, w, w_all)
    admin1 = np.where(french_a1 >= 0, admin1, 0.0)
    a2_parent = _admin2_region(a)
    admin2 = _level(a.admin2[fr].astype(np.int64), a2_parent, len(a.admin2_keys), w, w_all)
    admin2 = np.where(a2_parent >= 0, admin2, 0.0)
    return GeoTables(country=np.zeros(n_c), admin1=admin1, admin2=admin2, french_side=True)


def column(t: GeoTables, a: CatalogueArrays, cand: np.ndarray) -> np.ndarray:
    """(len(cand),) the prior's log-lift of each candidate's place: 0 where it says nothing (a candidate on
    the query's own side, or a place with no known region)."""
    cand = np.asarray(cand, dtype=np.int64)
    fr_code = a.country_index("FR")
    on_side = (a.country[cand] == fr_code) if t.french_side else (a.country[cand] != fr_code)
    a1 = a.admin1[cand]
    a1_ok = (a1 >= 0) & (a1 < len(t.admin1))
    out = np.where(a1_ok, t.admin1[np.where(a1_ok, a1, 0)], 0.0)
    if t.french_side:
        a2 = a.admin2[cand]
        a2_ok = (a2 >= 0) & (a2 < len(t.admin2))
        out = out + np.where(a2_ok, t.admin2[np.where(a2_ok, a2, 0)], 0.0)
    else:
        out = out + t.country[a.country[cand]]
    return np.where(on_side, out, 0.0)


def _admin1_country(a: CatalogueArrays) -> np.ndarray:
    """(n_admin1,) the country index of each admin-1 key ("DE:09" → DE), -1 if unknown."""
    return once(a, "_admin1_country",
                lambda: np.array([a.country_index(k.split(":", 1)[0]) for k in a.admin1_keys], dtype=np.int64))


def _admin2_region(a: CatalogueArrays) -> np.ndarray:
    """(n_admin2,) the admin-1 index (French région) of each département, from the rows that carry both."""
    def build() -> np.ndarray:
        out = np.full(len(a.admin2_keys), -1, dtype=np.int64)
        ok = (a.admin2 >= 0) & (a.admin1 >= 0)
        out[a.admin2[ok]] = a.admin1[ok]
        return out

    return once(a, "_admin2_region", build)


@dataclass(frozen=True)
class ThemeCount:
    """What a reason can say: of ``total`` known cases on ``theme``, ``here`` went to the candidate's place."""

    theme: str
    here: int
    total: int
    place: str  # "country" or "admin1" (French candidates: the région)


def strongest_theme(index: CooperationIndex, a: CatalogueArrays, *, query_bits: int, is_french: bool,
                    row: int, exclude_rows: tuple[int, ...] = ()) -> ThemeCount | None:
    """The query theme whose known cases most often went to ``row``'s country (a French query) or région (a
    foreign query): exact integer counts for the sentence explaining the prior. None if no case of any
    of the query's themes went there."""
    keep = index.kept(exclude_rows)
    fr, fo = index.french[keep], index.foreign[keep]
    bits = a.exp_themes[fr] if is_french else a.need_themes[fo]
    if is_french:
        here_mask = a.country[fo] == a.country[row]
        place = "country"
    else:
        here_mask = (a.admin1[fr] == a.admin1[row]) & (a.admin1[row] >= 0)
        place = "admin1"
    best: ThemeCount | None = None
    for i, code in enumerate(a.theme_codes):
        if not (query_bits >> i) & 1:
            continue
        has = (bits >> np.uint32(i)) & np.uint32(1) == 1
        total, here = int(has.sum()), int((has & here_mask).sum())
        if here and (best is None or (here, -total) > (best.here, -best.total)):
            best = ThemeCount(theme=code, here=here, total=total, place=place)
    return best
