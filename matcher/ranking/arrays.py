"""The catalogue as column arrays: what the fast scoring path reads.

Built once from the store's profiles (plus the embeddings of their texts); replaced copy-on-write when
a profile changes (``with_profile`` / ``without``), so a request in flight keeps a consistent view and
the next request sees the write without a restart.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import scipy.sparse as sp

from matcher.catalogue.files import Country
from matcher.domain import LEVELS, Kind, Level, Profile
from matcher.geo import unit_xyz
from matcher.ranking.names import EMPTY_STATS, NameStats, TextNames, name_matrix, text_matrix, text_names
from matcher.ranking.text_channel import LEX_FEATURES, char_tf, fit_idf, hubness, tfidf

KINDS: tuple[Kind, ...] = tuple(Kind)
CONTINENTS: tuple[str, ...] = ("AF", "AN", "AS", "EU", "NA", "OC", "SA")
FIELDS: tuple[str, ...] = ("needs", "expertise", "description")
UNIT_LEVELS = (Level.ADMIN1, Level.ADMIN2, Level.INTERCOMMUNAL)  # whose names carry level words

def lexical_vectors(texts: Sequence[str], idf: np.ndarray) -> sp.csr_matrix:
    """Character n-gram TF-IDF rows (L2-normalised) under the corpus IDF ``idf``."""
    return tfidf(char_tf(texts), idf)



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


def all_text(profile: Profile) -> str:
    """Everything a profile wrote, for the names it mentions."""
    return " \n".join(t for t in (field_text(profile, f) for f in FIELDS) if t)


def field_text(profile: Profile, name: str) -> str:
    if name == "description":
        return profile.description.strip()
    return getattr(profile, name).text.strip()


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
    index: dict[str, int] = field(default_factory=dict)
    idf: np.ndarray = field(default_factory=lambda: np.ones(LEX_FEATURES, dtype=np.float32))  # corpus IDF
    # Hubness of each text row's field against the other side's corpus ("dense:needs" -> (m,)): the mean
    # of its HUB_K best similarities, subtracted before standardising (CSLS).
    hub: dict[str, np.ndarray] = field(default_factory=dict)
    names_mat: sp.csr_matrix | None = None  # (n, names.NAME_FEATURES) hashed phrases that mention each row
    tokens: sp.csr_matrix | None = None  # (m, names.NAME_FEATURES) hashed candidate phrases of each text row
    text_names: tuple[TextNames, ...] = ()  # (m,) what each text row may name (the exact check of the hits)
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
        theme_index = {c: i for i, c in enumerate(themes)}
        codes = tuple(sorted(set(countries) | {p.country for p in profiles}))
        cidx = {c: i for i, c in enumerate(codes)}
        lang_counts: dict[str, int] = {}
        for c in countries.values():
            for lang in c.languages[:3]:
                lang_counts[lang] = lang_counts.get(lang, 0) + 1
        for p in profiles:
            for lang in p.languages:
                lang_counts[lang] = lang_counts.get(lang, 0) + 1
        langs = tuple(sorted(lang_counts, key=lambda x: (-lang_counts[x], x))[:64])
        lidx = {x: i for i, x in enumerate(langs)}

        admin1_keys = tuple(sorted({f"{p.country}:{p.admin1_code}" for p in profiles if p.admin1_code}))
        a1 = {k: i for i, k in enumerate(admin1_keys)}
        admin2_keys = tuple(sorted({p.admin2_code for p in profiles if p.admin2_code and p.country == "FR"}))
        a2 = {k: i for i, k in enumerate(admin2_keys)}

        n = len(profiles)
        lat = np.array([p.lat if p.lat is not None else np.nan for p in profiles], dtype=np.float64)
        lon = np.array([p.lon if p.lon is not None else np.nan for p in profiles], dtype=np.float64)
        has = ~(np.isnan(lat) | np.isnan(lon))
        xyz = np.zeros((n, 3))
        if has.any():
            xyz[has] = unit_xyz(lat[has], lon[has])
        pop = np.array([p.population if p.population else np.nan for p in profiles], dtype=np.float64)

        def lang_mask(p: Profile) -> int:
            src = p.languages or (countries[p.country].languages[:3] if p.country in countries else ())
            m = 0
            for lang in src:
                if lang in lidx:
                    m |= 1 << lidx[lang]
            return m

        stats = name_stats if name_stats is not None else fit_name_stats(profiles)
        text_profiles = [p for p in profiles if p.has_text]
        texts_named = tuple(text_names(all_text(p), stats, (p.name, p.name_fr), p.country) for p in text_profiles)
        text_row = np.full(n, -1, dtype=np.int32)
        pos = {p.id: i for i, p in enumerate(text_profiles)}
        emb, has_field, tf = _text_matrices(text_profiles, vectors, dim)
        if fit_corpus:
            idf, lex, hub = text_index(emb, has_field, tf)
        else:
            idf, lex, hub = np.ones(LEX_FEATURES, dtype=np.float32), dict(tf), {}
        ids = np.array([p.id for p in profiles], dtype=object)
        for i, pid in enumerate(ids):
            if pid in pos:
                text_row[i] = pos[pid]

        return cls(
            ids=ids,
            names=np.array([p.name for p in profiles], dtype=object),
            kind=np.array([KINDS.index(p.kind) for p in profiles], dtype=np.int8),
            level=np.array([LEVELS.index(p.level_of) for p in profiles], dtype=np.int8),
            country=np.array([cidx[p.country] for p in profiles], dtype=np.int16),
            admin1=np.array([a1.get(f"{p.country}:{p.admin1_code}", -1) for p in profiles], dtype=np.int32),
            admin2=np.array([a2.get(p.admin2_code, -1) if p.country == "FR" else -1 for p in profiles],
                            dtype=np.int32),
            xyz=xyz, lat=lat, lon=lon, has_coord=has,
            log_pop=np.log10(pop).astype(np.float32),
            population=np.array([p.population or 0 for p in profiles], dtype=np.int64),
            content=np.array([content_key(p) for p in profiles], dtype=object),
            lang_mask=np.array([lang_mask(p) for p in profiles], dtype=np.uint64),
            exp_themes=np.array([theme_bits(facet_themes(p, "expertise"), theme_index) for p in profiles],
                                dtype=np.uint32),
            need_themes=np.array([theme_bits(facet_themes(p, "needs"), theme_index) for p in profiles],
                                 dtype=np.uint32),
            text_row=text_row, emb=emb, has_field=has_field, lex=lex, tf=tf,
            country_codes=codes,
            country_continent=np.array(
                [CONTINENTS.index(countries[c].continent) if c in countries and countries[c].continent
                 in CONTINENTS else -1 for c in codes], dtype=np.int8),
            country_francophone=np.array([bool(c in countries and countries[c].french_speaking) for c in codes]),
            admin1_keys=admin1_keys, admin2_keys=admin2_keys, languages=langs, theme_codes=themes, dim=dim,
            names_fr={p.id: p.name_fr for p in profiles if p.name_fr},
            admin1_names={f"{p.country}:{p.admin1_code}": p.admin1_name for p in profiles
                          if p.admin1_code and p.admin1_name},
            index={pid: i for i, pid in enumerate(ids)},
            preferences=dict(_preferences_of(p) for p in profiles if p.preferred_countries or p.preferred_regions),
            idf=idf, hub=hub,
            names_mat=name_matrix([stats.phrases(p.name, p.name_fr) for p in profiles]),
            tokens=text_matrix(texts_named), text_names=texts_named, name_stats=stats,
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


def _preferences_of(p: Profile) -> tuple[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    return p.id, (tuple(p.preferred_countries), tuple(p.preferred_regions))


def _text_matrices(
    text_profiles: Sequence[Profile], vectors: Mapping[str, np.ndarray], dim: int
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], dict[str, sp.csr_matrix]]:
    """Embeddings, presence and character n-gram term frequencies per field."""
    m = len(text_profiles)
    emb: dict[str, np.ndarray] = {}
    has_field: dict[str, np.ndarray] = {}
    tfs: dict[str, sp.csr_matrix] = {}
    for f in FIELDS:
        e = np.zeros((m, dim), dtype=np.float32)
        h = np.zeros(m, dtype=bool)
        texts = []
        for i, p in enumerate(text_profiles):
            t = field_text(p, f)
            texts.append(t)
            if t:
                v = vectors.get(f"{p.id}:{f}")
                if v is not None:
                    e[i] = v
                    h[i] = True
        emb[f], has_field[f], tfs[f] = e, h, char_tf(texts)
    return emb, has_field, tfs


def text_index(emb: Mapping[str, np.ndarray], has_field: Mapping[str, np.ndarray], tf: Mapping[str, sp.csr_matrix]
               ) -> tuple[np.ndarray, dict[str, sp.csr_matrix], dict[str, np.ndarray]]:
    """(IDF fitted on every present text, TF-IDF rows per field, hubness per field): what the corpus decides."""
    present = [tf[f][has_field[f]] for f in FIELDS]
    rows = sum(x.shape[0] for x in present)
    idf = fit_idf(sp.vstack(present, format="csr")) if rows else np.ones(LEX_FEATURES, dtype=np.float32)
    lex = {f: tfidf(tf[f], idf) for f in FIELDS}
    return idf, lex, corpus_hubness(emb, has_field, lex)


def refit_text(arrays: CatalogueArrays) -> CatalogueArrays:
    """The arrays with IDF and hubness refitted on their whole current corpus (after a batch of texts
    was added: an event's participants, the cooperation cases)."""
    idf, lex, hub = text_index(arrays.emb, arrays.has_field, arrays.tf)
    return replace(arrays, idf=idf, lex=lex, hub=hub)


#: Which field a text is compared with: my needs with your expertise, and the reverse.
OTHER_SIDE = {"needs": "expertise", "expertise": "needs"}


def corpus_hubness(emb: Mapping[str, np.ndarray], has_field: Mapping[str, np.ndarray],
                   lex: Mapping[str, sp.csr_matrix], rows: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """``"dense:needs"`` etc. -> (m,) hubness of every text row's field (or only of ``rows``) against the
    whole corpus of the other side; 0 where the field is empty."""
    out: dict[str, np.ndarray] = {}
    for f, other in OTHER_SIDE.items():
        m = len(has_field[f])
        sel = np.arange(m) if rows is None else np.asarray(rows)
        corpus = np.flatnonzero(has_field[other])
        for kind in ("dense", "lex"):
            h = np.zeros(len(sel), dtype=np.float32)
            ok = has_field[f][sel]
            if ok.any() and len(corpus):
                if kind == "dense":
                    sims = emb[f][sel[ok]] @ emb[other][corpus].T
                else:
                    sims = (lex[f][sel[ok]] @ lex[other][corpus].T).toarray()
                h[ok] = hubness(np.asarray(sims, dtype=np.float32))
            out[f"{kind}:{f}"] = h
    return out


def profile_texts(profiles: Iterable[Profile]) -> dict[str, str]:
    """``f"{id}:{field}"`` -> text, for every non-empty text field: what needs encoding."""
    out: dict[str, str] = {}
    for p in profiles:
        for f in FIELDS:
            t = field_text(p, f)
            if t:
                out[f"{p.id}:{f}"] = t
    return out


def with_profile(
    arrays: CatalogueArrays, profile: Profile, vectors: Mapping[str, np.ndarray], countries: Mapping[str, Country]
) -> CatalogueArrays:
    """A copy of ``arrays`` with ``profile`` added or replaced: one row rebuilt, nothing else re-encoded."""
    one = CatalogueArrays.build([profile], countries, vectors, dim=arrays.dim, name_stats=arrays.name_stats)
    if one.country_codes != arrays.country_codes:
        raise ValueError(f"unknown country {profile.country!r}")
    r = arrays.row(profile.id)
    a = arrays
    # Vocabularies of the single-row build differ from the catalogue's: recode into the catalogue's.
    admin1_keys = a.admin1_keys
    a1 = -1
    if one.admin1[0] >= 0:
        key = one.admin1_keys[one.admin1[0]]
        if key not in admin1_keys:
            admin1_keys = (*admin1_keys, key)
        a1 = admin1_keys.index(key)
    a2 = a.admin2_keys.index(profile.admin2_code) if profile.admin2_code in a.admin2_keys else -1
    lang = np.uint64(a.lang_bits(_languages_of(one)))

    def put(col: np.ndarray, value: object) -> np.ndarray:
        if r is None:
            return np.concatenate([col, np.array([value], dtype=col.dtype)])
        out = col.copy()
        out[r] = value
        return out

    emb, has_field, lex, tf = dict(a.emb), dict(a.has_field), dict(a.lex), dict(a.tf)
    hub, tokens, texts_named = dict(a.hub), a.tokens, a.text_names
    text_row_value = -1
    if one.text_row[0] >= 0:
        # The corpus keeps its IDF: one new text is weighed like the rest.
        one_lex = {f: tfidf(one.tf[f], a.idf) for f in FIELDS}
        one_tok = one.tokens
        old = a.text_row[r] if r is not None else -1
        if old >= 0:
            text_row_value = int(old)
            for f in FIELDS:
                emb[f] = emb[f].copy()
                emb[f][old] = one.emb[f][0]
                has_field[f] = has_field[f].copy()
                has_field[f][old] = one.has_field[f][0]
                lex[f] = _replace_sparse_row(lex[f], old, one_lex[f])
                tf[f] = _replace_sparse_row(tf[f], old, one.tf[f])
            tokens = _replace_sparse_row(tokens, old, one_tok) if tokens is not None else one_tok
            texts_named = (*texts_named[:old], *one.text_names, *texts_named[old + 1:])
        else:
            text_row_value = len(next(iter(emb.values())))
            for f in FIELDS:
                emb[f] = np.concatenate([emb[f], one.emb[f]])
                has_field[f] = np.concatenate([has_field[f], one.has_field[f]])
                lex[f] = sp.vstack([lex[f], one_lex[f]], format="csr")
                tf[f] = sp.vstack([tf[f], one.tf[f]], format="csr")
            tokens = sp.vstack([tokens, one_tok], format="csr") if tokens is not None else one_tok
            texts_named = (*texts_named, *one.text_names)
        # This row's hubness against the current corpus; other rows keep theirs until the next full build
        # (one text moves the mean of another's ten best similarities by a tenth at most).
        fresh = corpus_hubness(emb, has_field, lex, rows=np.array([text_row_value]))
        for key, v in fresh.items():
            base = hub.get(key, np.zeros(0, dtype=np.float32))
            col = np.zeros(len(emb[FIELDS[0]]), dtype=np.float32)
            col[:len(base)] = base
            col[text_row_value] = v[0]
            hub[key] = col
    ids = put(a.ids, profile.id)
    preferences = {k: v for k, v in a.preferences.items() if k != profile.id}
    if profile.preferred_countries or profile.preferred_regions:
        preferences.update([_preferences_of(profile)])
    return replace(
        a,
        ids=ids, names=put(a.names, profile.name), kind=put(a.kind, one.kind[0]), level=put(a.level, one.level[0]),
        country=put(a.country, one.country[0]), admin1=put(a.admin1, a1), admin2=put(a.admin2, a2),
        xyz=_put_row(a.xyz, r, one.xyz[0]), lat=put(a.lat, one.lat[0]), lon=put(a.lon, one.lon[0]),
        has_coord=put(a.has_coord, one.has_coord[0]), log_pop=put(a.log_pop, one.log_pop[0]),
        population=put(a.population, one.population[0]), content=put(a.content, one.content[0]),
        lang_mask=put(a.lang_mask, lang), exp_themes=put(a.exp_themes, one.exp_themes[0]),
        need_themes=put(a.need_themes, one.need_themes[0]), text_row=put(a.text_row, text_row_value),
        emb=emb, has_field=has_field, lex=lex, tf=tf, admin1_keys=admin1_keys,
        admin1_names={**a.admin1_names, **one.admin1_names},
        names_fr={**{k: v for k, v in a.names_fr.items() if k != profile.id}, **one.names_fr},
        index=a.index if r is not None else {**a.index, profile.id: len(ids) - 1},
        preferences=preferences, hub=hub, tokens=tokens, text_names=texts_named,
        names_mat=_put_sparse_row(a.names_mat, r, one.names_mat),
    )


def without(arrays: CatalogueArrays, profile_id: str) -> CatalogueArrays:
    """A copy of ``arrays`` without one profile (its text row is left unreferenced)."""
    r = arrays.row(profile_id)
    if r is None:
        return arrays
    keep = np.ones(arrays.n, dtype=bool)
    keep[r] = False
    cols = ("ids", "names", "kind", "level", "country", "admin1", "admin2", "xyz", "lat", "lon", "has_coord",
            "log_pop", "population", "content", "lang_mask", "exp_themes", "need_themes", "text_row")
    changes = {c: getattr(arrays, c)[keep] for c in cols}
    changes["index"] = {pid: i for i, pid in enumerate(changes["ids"])}
    changes["preferences"] = {k: v for k, v in arrays.preferences.items() if k != profile_id}
    tr = int(arrays.text_row[r])
    if tr >= 0:  # its texts leave the corpus the others are compared with
        has_field = {}
        for f in FIELDS:
            has_field[f] = arrays.has_field[f].copy()
            has_field[f][tr] = False
        changes["has_field"] = has_field
    return replace(arrays, names_mat=arrays.names_mat[keep] if arrays.names_mat is not None else None, **changes)


def _languages_of(one: CatalogueArrays) -> list[str]:
    bits = int(one.lang_mask[0])
    return [lang for i, lang in enumerate(one.languages) if bits >> i & 1]


def _replace_sparse_row(mat: sp.csr_matrix, r: int, row: sp.csr_matrix) -> sp.csr_matrix:
    """A copy of ``mat`` with row ``r`` replaced by the (1, D) ``row``."""
    return sp.vstack([mat[:r], row, mat[r + 1:]], format="csr")


def _put_sparse_row(mat: sp.csr_matrix | None, r: int | None, row: sp.csr_matrix | None) -> sp.csr_matrix | None:
    if mat is None or row is None:
        return mat
    if r is None:
        return sp.vstack([mat, row], format="csr")
    return _replace_sparse_row(mat, r, row)


def _put_row(mat: np.ndarray, r: int | None, value: np.ndarray) -> np.ndarray:
    if r is None:
        return np.concatenate([mat, value[None, :]])
    out = mat.copy()
    out[r] = value
    return out


__all__ = ["CatalogueArrays", "lexical_vectors", "profile_texts", "with_profile", "without"]
