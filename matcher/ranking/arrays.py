"""The catalogue as column arrays: what the fast scoring path reads.

Built once from the store's profiles (plus the embeddings of their texts); replaced copy-on-write when
a profile changes (``with_profile`` / ``without``), so a request in flight keeps a consistent view and
the next request sees the write without a restart.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import scipy.sparse as sp

from matcher.catalogue.files import Country
from matcher.domain import CONTINENTS, LEVELS, Kind, Level, Profile
from matcher.geo import unit_xyz
from matcher.ranking.names import EMPTY_STATS, NameStats, TextNames, name_matrix, text_matrix, text_names
from matcher.ranking.shared_words import document_frequency
from matcher.ranking.text_channel import LEX_FEATURES
from matcher.ranking.text_corpus import FIELDS, OTHER_SIDE, all_text, field_text, text_index, text_matrices

#: The fields whose shared words a reason quotes: needs against expertise.
QUOTED_FIELDS = tuple(OTHER_SIDE)

KINDS: tuple[Kind, ...] = tuple(Kind)
UNIT_LEVELS = (Level.ADMIN1, Level.ADMIN2, Level.INTERCOMMUNAL)  # whose names carry level words
MAX_LANGUAGES = 64  # the bits of ``lang_mask``


def theme_bits(codes: Iterable[str], theme_index: Mapping[str, int]) -> int:
    bits = 0
    for c in codes:
        if c in theme_index:
            bits |= 1 << theme_index[c]
    return bits


def facet_themes(profile: Profile, name: str) -> tuple[str, ...]:
    """Explicit theme codes of a facet plus those its free text mentions."""
    from matcher.themes import tag_text

    facet = getattr(profile, name)
    return tuple(dict.fromkeys((*facet.themes, *tag_text(facet.text))))


def content_key(profile: Profile) -> str:
    """What a row's text features are computed from (texts and declared themes), as a short hash: a
    stored profile whose key matches its row is scored from the arrays, nothing re-encoded."""
    if not profile.has_text and not profile.expertise.themes and not profile.needs.themes:
        return ""
    import hashlib

    parts = [field_text(profile, f) for f in FIELDS] + [",".join(profile.expertise.themes),
                                                       ",".join(profile.needs.themes)]
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class CatalogueArrays:
    """Column arrays over n authorities (row i = ``ids[i]``)."""

    ids: np.ndarray  # (n,) object
    names: np.ndarray  # (n,) object
    kind: np.ndarray  # (n,) int8 index into KINDS
    level: np.ndarray  # (n,) int8: index in domain.LEVELS (admin1, admin2, intercommunal, town)
    country: np.ndarray  # (n,) int16 index into country_codes
    admin1: np.ndarray  # (n,) int32 index into admin1_keys ("FR:53", "DE:09"), -1 unknown
    admin2: np.ndarray  # (n,) int32 index into admin2_keys (French départements), -1 none
    xyz: np.ndarray  # (n, 3) unit vectors; zeros where no coordinates
    lat: np.ndarray  # (n,) float64, nan if unknown
    lon: np.ndarray
    has_coord: np.ndarray  # (n,) bool
    log_pop: np.ndarray  # (n,) float32, nan if unknown
    population: np.ndarray  # (n,) int64 as stored, 0 if unknown (what users read: never rounded from log_pop)
    content: np.ndarray  # (n,) object: ``content_key`` of each row's texts and themes ("" without text)
    lang_mask: np.ndarray  # (n,) uint64 bits into languages
    exp_themes: np.ndarray  # (n,) uint32 theme bits
    need_themes: np.ndarray  # (n,) uint32
    text_row: np.ndarray  # (n,) int32 index into the text matrices, -1 for profiles with no text
    emb: dict[str, np.ndarray]  # field -> (m, d) float32 (zero rows where the field is empty)
    has_field: dict[str, np.ndarray]  # field -> (m,) bool
    lex: dict[str, sp.csr_matrix]  # field -> (m, 2**20) character n-gram TF-IDF, L2-normalised
    tf: dict[str, sp.csr_matrix]  # field -> (m, 2**20) the sublinear term frequencies behind ``lex``
    country_codes: tuple[str, ...]
    country_continent: np.ndarray  # (n_countries,) int8 index into CONTINENTS, -1 unknown
    country_francophone: np.ndarray  # (n_countries,) bool
    admin1_keys: tuple[str, ...]
    admin2_keys: tuple[str, ...]
    languages: tuple[str, ...]
    theme_codes: tuple[str, ...]
    dim: int
    admin1_names: dict[str, str] = field(default_factory=dict)  # admin1 key -> name
    names_fr: dict[str, str] = field(default_factory=dict)  # id -> French name, where one differs
    # Stated preferences, for the few profiles that have any: id -> (country codes, region codes).
    # Keyed by id, not row, so deleting a row needs no renumbering.
    preferences: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = field(default_factory=dict)
    # Stated partnership types, for the few profiles that state any: id -> types (``partnership_types``).
    types: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Stated partner sizes, for the few profiles that state any: id -> size bands (``preferred_sizes``).
    sizes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Where a profile's expertise or needs text came from public pages rather than from the authority:
    # id -> (expertise pages, needs pages), each the years the pages state (0: a page that states none).
    page_years: dict[str, tuple[tuple[int, ...], tuple[int, ...]]] = field(default_factory=dict)
    index: dict[str, int] = field(default_factory=dict)
    idf: np.ndarray = field(default_factory=lambda: np.ones(LEX_FEATURES, dtype=np.float32))  # corpus IDF
    # Hubness of each text row's field against the other side's corpus ("dense:needs" -> (m,)): the mean
    # of its HUB_K best similarities, subtracted before standardising (CSLS).
    hub: dict[str, np.ndarray] = field(default_factory=dict)
    names_mat: sp.csr_matrix | None = None  # (n, names.NAME_FEATURES) hashed phrases that mention each row
    tokens: sp.csr_matrix | None = None  # (m, names.NAME_FEATURES) hashed candidate phrases of each text row
    text_names: tuple[TextNames, ...] = ()  # (m,) what each text row may name (the exact check of the hits)
    # The needs and expertise texts by text row ("needs" -> (m,) texts, "" where absent), and the corpus's
    # word counts at build (``shared_words``): the words a text reason quotes.
    texts: dict[str, tuple[str, ...]] = field(default_factory=dict)
    word_df: Mapping[str, int] = field(default_factory=dict)
    n_texts: int = 0
    name_stats: NameStats = EMPTY_STATS  # the catalogue names' words and namesakes, fitted once
    # Column-major copies of the sparse matrices, made on first use (not copied by ``replace``: a new
    # arrays object starts with none, so a copy never outlives the matrix it was made from).
    _derived: dict[str, object] = field(init=False, default_factory=dict, repr=False, compare=False)

    def corpus(self, c_field: str, kind: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, object]:
        """(text rows that have ``c_field``, position of every text row in that list or -1, their hubness,
        their vectors: dense (k, d) or the field's TF-IDF rows): what every query's z-scores read, made
        once per arrays object."""
        key = f"corpus:{kind}:{c_field}"
        got = self._derived.get(key)
        if got is None:
            rows = np.flatnonzero(self.has_field[c_field])
            pos = np.full(len(self.has_field[c_field]), -1)
            pos[rows] = np.arange(len(rows))
            vectors: object = self.emb[c_field][rows] if kind == "dense" else None
            got = (rows, pos, self.hub[f"{kind}:{c_field}"][rows], vectors)
            self._derived[key] = got
        return got  # type: ignore[return-value]

    def dot_row(self, name: str, row: sp.csr_matrix) -> np.ndarray:
        """``matrix @ row.T`` as a dense vector, for a (1, D) sparse ``row`` and ``name`` one of "names_mat",
        "tokens", "lex:<field>": only the row's few columns are read (from the cached column-major copy)."""
        m = self._derived.get(name)
        if m is None:
            src = getattr(self, name) if not name.startswith("lex:") else self.lex[name[4:]]
            m = sp.csc_matrix(src)
            self._derived[name] = m
        assert isinstance(m, sp.csc_matrix)
        if row.nnz == 0 or m.shape[0] == 0:
            return np.zeros(m.shape[0])
        return np.asarray(m[:, row.indices] @ row.data, dtype=np.float64).ravel()

    def name_phrases(self, r: int) -> tuple[str, ...]:
        """The phrases that mention row ``r`` (its name and French name, less their level words)."""
        return self.name_stats.phrases(str(self.names[r]), self.names_fr.get(str(self.ids[r]), ""))

    @property
    def n(self) -> int:
        return len(self.ids)

    def row(self, profile_id: str) -> int | None:
        return self.index.get(profile_id)

    def text_at(self, row: int | None, name: str) -> str:
        """The needs or expertise text (``QUOTED_FIELDS``) of catalogue row ``row``; "" when it wrote none."""
        tr = int(self.text_row[row]) if row is not None else -1
        texts = self.texts.get(name, ())
        return texts[tr] if 0 <= tr < len(texts) else ""

    def country_index(self, code: str) -> int:
        try:
            return self.country_codes.index(code)
        except ValueError:
            return -1

    def continent_of(self, rows: np.ndarray) -> np.ndarray:
        return self.country_continent[self.country[rows]]

    # ---- construction ------------------------------------------------------------------------
    @classmethod
    def build(
        cls,
        profiles: Sequence[Profile],
        countries: Mapping[str, Country],
        vectors: Mapping[str, np.ndarray],
        *,
        dim: int,
        fit_corpus: bool = True,
        name_stats: NameStats | None = None,
    ) -> CatalogueArrays:
        """``vectors`` maps ``f"{profile_id}:{field}"`` to the embedding of that field's text.
        ``fit_corpus=False``: no IDF or hubness of these texts alone (a batch that joins another corpus,
        which is refitted as a whole). ``name_stats``: the catalogue's (a row or a batch joining it); fitted
        on ``profiles`` when not given."""
        from matcher.themes import theme_codes

        themes = tuple(theme_codes())
        codes = tuple(sorted(set(countries) | {p.country for p in profiles}))
        langs = _languages(profiles, countries)
        admin1_keys, admin2_keys = _admin_keys(profiles)
        stats = name_stats if name_stats is not None else fit_name_stats(profiles)
        return cls(
            ids=np.array([p.id for p in profiles], dtype=object),
            names=np.array([p.name for p in profiles], dtype=object),
            **_place_columns(profiles),
            **_coded_columns(profiles, countries, codes, admin1_keys, admin2_keys, langs),
            **_theme_columns(profiles, themes),
            **_text_columns(profiles, vectors, dim, stats, fit_corpus=fit_corpus),
            **_country_columns(codes, countries),
            **_lookups(profiles),
            country_codes=codes, admin1_keys=admin1_keys, admin2_keys=admin2_keys, languages=langs,
            theme_codes=themes, dim=dim, name_stats=stats,
            names_mat=name_matrix([stats.phrases(p.name, p.name_fr) for p in profiles]),
        )

    def lang_bits(self, languages: Iterable[str]) -> int:
        m = 0
        for lang in languages:
            if lang in self.languages:
                m |= 1 << self.languages.index(lang)
        return m

    def theme_bits(self, codes: Iterable[str]) -> int:
        return theme_bits(codes, {c: i for i, c in enumerate(self.theme_codes)})



def fit_name_stats(profiles: Sequence[Profile]) -> NameStats:
    """The names' statistics (``matcher.ranking.names``) over ``profiles``."""
    units = [LEVELS.index(lv) for lv in UNIT_LEVELS]
    return NameStats.build([(p.name, p.name_fr) for p in profiles], [LEVELS.index(p.level_of) for p in profiles],
                           [p.country for p in profiles], [p.population or 0 for p in profiles], unit_levels=units)


def refit_text(arrays: CatalogueArrays) -> CatalogueArrays:
    """The arrays with IDF and hubness refitted on their whole current corpus (after a batch of texts
    was added: an event's participants, the cooperation cases)."""
    idf, lex, hub = text_index(arrays.emb, arrays.has_field, arrays.tf)
    return replace(arrays, idf=idf, lex=lex, hub=hub)


# ---- the steps of ``CatalogueArrays.build``: each the columns of one concern ---------------------------------
def _languages(profiles: Sequence[Profile], countries: Mapping[str, Country]) -> tuple[str, ...]:
    """The ``MAX_LANGUAGES`` most used languages (profiles' own, their countries' first three), most used
    first (ties by code)."""
    counts = Counter(lang for c in countries.values() for lang in c.languages[:3])
    counts.update(lang for p in profiles for lang in p.languages)
    return tuple(sorted(counts, key=lambda x: (-counts[x], x))[:MAX_LANGUAGES])


def _admin_keys(profiles: Sequence[Profile]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The regions ("FR:53", "DE:09") and the French départements of ``profiles``, sorted."""
    admin1 = {f"{p.country}:{p.admin1_code}" for p in profiles if p.admin1_code}
    admin2 = {p.admin2_code for p in profiles if p.admin2_code and p.country == "FR"}
    return tuple(sorted(admin1)), tuple(sorted(admin2))


def _place_columns(profiles: Sequence[Profile]) -> dict[str, Any]:
    """Where each authority is (coordinates, unit vectors) and how many live there (NaN / 0 unknown)."""
    lat = np.array([np.nan if p.lat is None else p.lat for p in profiles], dtype=np.float64)
    lon = np.array([np.nan if p.lon is None else p.lon for p in profiles], dtype=np.float64)
    has = ~(np.isnan(lat) | np.isnan(lon))
    xyz = np.zeros((len(profiles), 3))
    if has.any():
        xyz[has] = unit_xyz(lat[has], lon[has])
    pop = np.array([p.population or np.nan for p in profiles], dtype=np.float64)
    return {"lat": lat, "lon": lon, "has_coord": has, "xyz": xyz, "log_pop": np.log10(pop).astype(np.float32),
            "population": np.array([p.population or 0 for p in profiles], dtype=np.int64)}


def _coded_columns(profiles: Sequence[Profile], countries: Mapping[str, Country], codes: Sequence[str],
                   admin1_keys: Sequence[str], admin2_keys: Sequence[str], langs: Sequence[str]
                   ) -> dict[str, Any]:
    """Each authority's kind, level, country, region, département and languages as indices or bits into
    the build's vocabularies (-1: none)."""
    cidx = {c: i for i, c in enumerate(codes)}
    a1 = {k: i for i, k in enumerate(admin1_keys)}
    a2 = {k: i for i, k in enumerate(admin2_keys)}
    lidx = {x: i for i, x in enumerate(langs)}
    return {
        "kind": np.array([KINDS.index(p.kind) for p in profiles], dtype=np.int8),
        "level": np.array([LEVELS.index(p.level_of) for p in profiles], dtype=np.int8),
        "country": np.array([cidx[p.country] for p in profiles], dtype=np.int16),
        "admin1": np.array([a1.get(f"{p.country}:{p.admin1_code}", -1) for p in profiles], dtype=np.int32),
        "admin2": np.array([a2.get(p.admin2_code, -1) if p.country == "FR" else -1 for p in profiles],
                           dtype=np.int32),
        "lang_mask": np.array([_lang_mask(p, countries, lidx) for p in profiles], dtype=np.uint64),
    }


def _lang_mask(p: Profile, countries: Mapping[str, Country], lidx: Mapping[str, int]) -> int:
    """The bits of the profile's languages, else of its country's first three."""
    src = p.languages or (countries[p.country].languages[:3] if p.country in countries else ())
    m = 0
    for lang in src:
        if lang in lidx:
            m |= 1 << lidx[lang]
    return m


def _theme_columns(profiles: Sequence[Profile], themes: Sequence[str]) -> dict[str, Any]:
    """Each authority's expertise and needs as theme bits, and the key of its texts and themes."""
    index = {c: i for i, c in enumerate(themes)}
    return {
        "exp_themes": np.array([theme_bits(facet_themes(p, "expertise"), index) for p in profiles], dtype=np.uint32),
        "need_themes": np.array([theme_bits(facet_themes(p, "needs"), index) for p in profiles], dtype=np.uint32),
        "content": np.array([content_key(p) for p in profiles], dtype=object),
    }


def _text_columns(profiles: Sequence[Profile], vectors: Mapping[str, np.ndarray], dim: int, stats: NameStats, *,
                  fit_corpus: bool) -> dict[str, Any]:
    """The text rows (one per profile that wrote, ``text_row`` -1 elsewhere): embeddings, term frequencies,
    with ``fit_corpus`` the corpus IDF, TF-IDF and hubness, and the names each text may mention."""
    text_profiles = [p for p in profiles if p.has_text]
    named = tuple(text_names(all_text(p), stats, (p.name, p.name_fr), p.country) for p in text_profiles)
    pos = {p.id: i for i, p in enumerate(text_profiles)}
    emb, has_field, tf = text_matrices(text_profiles, vectors, dim)
    if fit_corpus:
        idf, lex, hub = text_index(emb, has_field, tf)
    else:
        idf, lex, hub = np.ones(LEX_FEATURES, dtype=np.float32), dict(tf), {}
    texts = {f: tuple(field_text(p, f) for p in text_profiles) for f in QUOTED_FIELDS}
    # The word corpus is the needs and expertise texts (what the shared words are read from): a batch that
    # replaces a row can take its texts out again (``events.batch.put_profiles``).
    written = [t for f in QUOTED_FIELDS for t in texts[f] if t]
    return {"text_row": np.array([pos.get(p.id, -1) for p in profiles], dtype=np.int32), "emb": emb,
            "has_field": has_field, "tf": tf, "lex": lex, "idf": idf, "hub": hub, "tokens": text_matrix(named),
            "text_names": named, "texts": texts, "word_df": document_frequency(written), "n_texts": len(written)}


def _country_columns(codes: Sequence[str], countries: Mapping[str, Country]) -> dict[str, Any]:
    """Per country code: its continent (index into CONTINENTS, -1 unknown) and whether French is spoken."""
    known = [countries.get(c) for c in codes]
    return {
        "country_continent": np.array([CONTINENTS.index(c.continent) if c is not None and c.continent in CONTINENTS
                                       else -1 for c in known], dtype=np.int8),
        "country_francophone": np.array([c is not None and bool(c.french_speaking) for c in known]),
    }


def _lookups(profiles: Sequence[Profile]) -> dict[str, Any]:
    """By id or key: the row, the French name, the region's name and the stated preferences."""
    return {
        "index": {p.id: i for i, p in enumerate(profiles)},
        "names_fr": {p.id: p.name_fr for p in profiles if p.name_fr},
        "admin1_names": {f"{p.country}:{p.admin1_code}": p.admin1_name for p in profiles
                         if p.admin1_code and p.admin1_name},
        "preferences": dict(preferences_of(p) for p in profiles if p.preferred_countries or p.preferred_regions),
        "types": {p.id: tuple(p.partnership_types) for p in profiles if p.partnership_types},
        "sizes": {p.id: tuple(p.preferred_sizes) for p in profiles if p.preferred_sizes},
        "page_years": dict(page_years_of(p) for p in profiles if p.expertise.sources or p.needs.sources),
    }


#: The lookups kept by id for the few profiles that have the fact (``_lookups``): a row edit or a batch puts its
#: profiles' entries in place of theirs, and a profile that no longer states a fact loses its entry.
BY_ID = ("names_fr", "preferences", "types", "sizes", "page_years")


def by_id_with(a: CatalogueArrays, one: CatalogueArrays) -> dict[str, Any]:
    """``a``'s ``BY_ID`` lookups with the entries of ``one``'s profiles (its ``index``) replaced by ``one``'s."""
    return {name: {**{k: v for k, v in getattr(a, name).items() if k not in one.index}, **getattr(one, name)}
            for name in BY_ID}


def by_id_without(a: CatalogueArrays, profile_id: str) -> dict[str, Any]:
    """``a``'s ``BY_ID`` lookups without ``profile_id``'s entries."""
    return {name: {k: v for k, v in getattr(a, name).items() if k != profile_id} for name in BY_ID}


def page_years_of(p: Profile) -> tuple[str, tuple[tuple[int, ...], tuple[int, ...]]]:
    """(id, (expertise page years, needs page years)): an entry of ``CatalogueArrays.page_years``; a page
    without a year counts as 0, a facet the authority wrote itself (no sources) as ()."""
    expertise, needs = (tuple(s.year or 0 for s in f.sources) if f.text.strip() else () for f in (p.expertise, p.needs))
    return p.id, (expertise, needs)


def preferences_of(p: Profile) -> tuple[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    """(id, (preferred country codes, preferred region codes)): an entry of ``CatalogueArrays.preferences``."""
    return p.id, (tuple(p.preferred_countries), tuple(p.preferred_regions))


__all__ = ["BY_ID", "CatalogueArrays", "by_id_with", "by_id_without", "fit_name_stats", "refit_text"]
