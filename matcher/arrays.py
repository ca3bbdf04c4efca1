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
from sklearn.feature_extraction.text import HashingVectorizer

from matcher.catalogue.files import Country
from matcher.domain import KIND_TIER, Kind, Profile

KINDS: tuple[Kind, ...] = tuple(Kind)
CONTINENTS: tuple[str, ...] = ("AF", "AN", "AS", "EU", "NA", "OC", "SA")
FIELDS: tuple[str, ...] = ("needs", "expertise", "description")
EARTH_RADIUS_KM = 6371.0088

# Stop words of the main profile languages: lexical overlap should count "assainissement", not "de".
_STOP = frozenset(
    ["a", "au", "aux", "avec", "ce", "ces", "dans", "de", "des", "du", "en", "et", "la", "le", "les", "leur", "leurs", "notre", "nos", "nous", "ou", "par", "pour", "sur", "un", "une", "vos", "votre", "est", "sont", "the", "and", "of", "to", "in", "for", "with", "our", "we", "on", "by", "an", "are", "is", "from", "as", "at", "this", "that", "el", "los", "las", "del", "y", "para", "con", "por", "una", "un", "o", "em", "da", "do", "das", "dos", "e", "com", "uma", "um", "no", "na", "der", "die", "das", "und", "für", "mit", "von", "zu", "im", "den", "ein", "eine", "il", "di", "e", "per", "con", "fur"]
)

_VECTORIZER = HashingVectorizer(
    n_features=2**18, strip_accents="unicode", lowercase=True, ngram_range=(1, 2),
    stop_words=sorted(_STOP), alternate_sign=False, norm="l2", token_pattern=r"(?u)\b\w\w+\b",
)


def lexical_vectors(texts: Sequence[str]) -> sp.csr_matrix:
    """Stateless hashed word/bigram vectors (L2-normalised): exact terms matter ("état civil")."""
    if not texts:
        return sp.csr_matrix((0, _VECTORIZER.n_features), dtype=np.float32)
    return sp.csr_matrix(_VECTORIZER.transform(list(texts)), dtype=np.float32)


def unit_xyz(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    la, lo = np.radians(lat), np.radians(lon)
    return np.stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)], axis=1).astype(np.float64)


def chord_to_km(dot: np.ndarray) -> np.ndarray:
    """Great-circle distance (km) from the dot product of unit vectors."""
    return EARTH_RADIUS_KM * np.arccos(np.clip(dot, -1.0, 1.0))


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
    tier: np.ndarray  # (n,) int8
    country: np.ndarray  # (n,) int16 index into country_codes
    admin1: np.ndarray  # (n,) int32 index into admin1_keys ("FR:53", "DE:09"), -1 unknown
    admin2: np.ndarray  # (n,) int32 index into admin2_keys (French départements), -1 none
    xyz: np.ndarray  # (n, 3) unit vectors; zeros where no coordinates
    lat: np.ndarray  # (n,) float64, nan if unknown
    lon: np.ndarray
    has_coord: np.ndarray  # (n,) bool
    log_pop: np.ndarray  # (n,) float32, nan if unknown
    lang_mask: np.ndarray  # (n,) uint64 bits into languages
    exp_themes: np.ndarray  # (n,) uint32 theme bits
    need_themes: np.ndarray  # (n,) uint32
    text_row: np.ndarray  # (n,) int32 index into the text matrices, -1 for profiles with no text
    emb: dict[str, np.ndarray]  # field -> (m, d) float32 (zero rows where the field is empty)
    has_field: dict[str, np.ndarray]  # field -> (m,) bool
    lex: dict[str, sp.csr_matrix]  # field -> (m, 2**18)
    country_codes: tuple[str, ...]
    country_continent: np.ndarray  # (n_countries,) int8 index into CONTINENTS, -1 unknown
    country_francophone: np.ndarray  # (n_countries,) bool
    admin1_keys: tuple[str, ...]
    admin2_keys: tuple[str, ...]
    languages: tuple[str, ...]
    theme_codes: tuple[str, ...]
    dim: int
    admin1_names: dict[str, str] = field(default_factory=dict)  # admin1 key -> name
    # Stated preferences, for the few profiles that have any: id -> (country codes, region codes).
    # Keyed by id, not row, so deleting a row needs no renumbering.
    preferences: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = field(default_factory=dict)
    index: dict[str, int] = field(default_factory=dict)

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
    ) -> CatalogueArrays:
        """``vectors`` maps ``f"{profile_id}:{field}"`` to the embedding of that field's text."""
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

        text_profiles = [p for p in profiles if p.has_text]
        text_row = np.full(n, -1, dtype=np.int32)
        pos = {p.id: i for i, p in enumerate(text_profiles)}
        emb, has_field, lex = _text_matrices(text_profiles, vectors, dim)
        ids = np.array([p.id for p in profiles], dtype=object)
        for i, pid in enumerate(ids):
            if pid in pos:
                text_row[i] = pos[pid]

        return cls(
            ids=ids,
            names=np.array([p.name for p in profiles], dtype=object),
            kind=np.array([KINDS.index(p.kind) for p in profiles], dtype=np.int8),
            tier=np.array([KIND_TIER[p.kind] for p in profiles], dtype=np.int8),
            country=np.array([cidx[p.country] for p in profiles], dtype=np.int16),
            admin1=np.array([a1.get(f"{p.country}:{p.admin1_code}", -1) for p in profiles], dtype=np.int32),
            admin2=np.array([a2.get(p.admin2_code, -1) if p.country == "FR" else -1 for p in profiles],
                            dtype=np.int32),
            xyz=xyz, lat=lat, lon=lon, has_coord=has,
            log_pop=np.log10(pop).astype(np.float32),
            lang_mask=np.array([lang_mask(p) for p in profiles], dtype=np.uint64),
            exp_themes=np.array([theme_bits(facet_themes(p, "expertise"), theme_index) for p in profiles],
                                dtype=np.uint32),
            need_themes=np.array([theme_bits(facet_themes(p, "needs"), theme_index) for p in profiles],
                                 dtype=np.uint32),
            text_row=text_row, emb=emb, has_field=has_field, lex=lex,
            country_codes=codes,
            country_continent=np.array(
                [CONTINENTS.index(countries[c].continent) if c in countries and countries[c].continent
                 in CONTINENTS else -1 for c in codes], dtype=np.int8),
            country_francophone=np.array([bool(c in countries and countries[c].french_official) for c in codes]),
            admin1_keys=admin1_keys, admin2_keys=admin2_keys, languages=langs, theme_codes=themes, dim=dim,
            admin1_names={f"{p.country}:{p.admin1_code}": p.admin1_name for p in profiles
                          if p.admin1_code and p.admin1_name},
            index={pid: i for i, pid in enumerate(ids)},
            preferences=dict(_preferences_of(p) for p in profiles if p.preferred_countries or p.preferred_regions),
        )

    def lang_bits(self, languages: Iterable[str]) -> int:
        m = 0
        for lang in languages:
            if lang in self.languages:
                m |= 1 << self.languages.index(lang)
        return m

    def theme_bits(self, codes: Iterable[str]) -> int:
        return theme_bits(codes, {c: i for i, c in enumerate(self.theme_codes)})


def _preferences_of(p: Profile) -> tuple[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    return p.id, (tuple(p.preferred_countries), tuple(p.preferred_regions))


def _text_matrices(
    text_profiles: Sequence[Profile], vectors: Mapping[str, np.ndarray], dim: int
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], dict[str, sp.csr_matrix]]:
    m = len(text_profiles)
    emb: dict[str, np.ndarray] = {}
    has_field: dict[str, np.ndarray] = {}
    lex: dict[str, sp.csr_matrix] = {}
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
        emb[f], has_field[f], lex[f] = e, h, lexical_vectors(texts)
    return emb, has_field, lex


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
    one = CatalogueArrays.build([profile], countries, vectors, dim=arrays.dim)
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

    emb, has_field, lex = dict(a.emb), dict(a.has_field), dict(a.lex)
    text_row_value = -1
    if one.text_row[0] >= 0:
        old = a.text_row[r] if r is not None else -1
        if old >= 0:
            text_row_value = int(old)
            for f in FIELDS:
                emb[f] = emb[f].copy()
                emb[f][old] = one.emb[f][0]
                has_field[f] = has_field[f].copy()
                has_field[f][old] = one.has_field[f][0]
                lx = lex[f].tolil()
                lx[old] = one.lex[f][0]
                lex[f] = lx.tocsr()
        else:
            text_row_value = len(next(iter(emb.values())))
            for f in FIELDS:
                emb[f] = np.concatenate([emb[f], one.emb[f]])
                has_field[f] = np.concatenate([has_field[f], one.has_field[f]])
                lex[f] = sp.vstack([lex[f], one.lex[f]], format="csr")
    ids = put(a.ids, profile.id)
    preferences = {k: v for k, v in a.preferences.items() if k != profile.id}
    if profile.preferred_countries or profile.preferred_regions:
        preferences.update([_preferences_of(profile)])
    return replace(
        a,
        ids=ids, names=put(a.names, profile.name), kind=put(a.kind, one.kind[0]), tier=put(a.tier, one.tier[0]),
        country=put(a.country, one.country[0]), admin1=put(a.admin1, a1), admin2=put(a.admin2, a2),
        xyz=_put_row(a.xyz, r, one.xyz[0]), lat=put(a.lat, one.lat[0]), lon=put(a.lon, one.lon[0]),
        has_coord=put(a.has_coord, one.has_coord[0]), log_pop=put(a.log_pop, one.log_pop[0]),
        lang_mask=put(a.lang_mask, lang), exp_themes=put(a.exp_themes, one.exp_themes[0]),
        need_themes=put(a.need_themes, one.need_themes[0]), text_row=put(a.text_row, text_row_value),
        emb=emb, has_field=has_field, lex=lex, admin1_keys=admin1_keys,
        admin1_names={**a.admin1_names, **one.admin1_names},
        index=a.index if r is not None else {**a.index, profile.id: len(ids) - 1},
        preferences=preferences,
    )


def without(arrays: CatalogueArrays, profile_id: str) -> CatalogueArrays:
    """A copy of ``arrays`` without one profile (its text row is left unreferenced)."""
    r = arrays.row(profile_id)
    if r is None:
        return arrays
    keep = np.ones(arrays.n, dtype=bool)
    keep[r] = False
    cols = ("ids", "names", "kind", "tier", "country", "admin1", "admin2", "xyz", "lat", "lon", "has_coord",
            "log_pop", "lang_mask", "exp_themes", "need_themes", "text_row")
    changes = {c: getattr(arrays, c)[keep] for c in cols}
    changes["index"] = {pid: i for i, pid in enumerate(changes["ids"])}
    changes["preferences"] = {k: v for k, v in arrays.preferences.items() if k != profile_id}
    return replace(arrays, **changes)


def _languages_of(one: CatalogueArrays) -> list[str]:
    bits = int(one.lang_mask[0])
    return [lang for i, lang in enumerate(one.languages) if bits >> i & 1]


def _put_row(mat: np.ndarray, r: int | None, value: np.ndarray) -> np.ndarray:
    if r is None:
        return np.concatenate([mat, value[None, :]])
    out = mat.copy()
    out[r] = value
    return out


__all__ = ["CatalogueArrays", "chord_to_km", "lexical_vectors", "profile_texts", "unit_xyz", "with_profile", "without"]
