"""Copy-on-write edits of the catalogue arrays: a profile added or replaced (``with_profile``: one row
rebuilt, nothing else re-encoded) or removed (``without``). A request in flight keeps the arrays it read; the
next request sees the write without a restart.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import numpy as np
import scipy.sparse as sp

from matcher.catalogue.files import Country
from matcher.domain import Profile
from matcher.ranking.arrays import CatalogueArrays, by_id_with, by_id_without
from matcher.ranking.text_channel import tfidf
from matcher.ranking.text_corpus import FIELDS, corpus_hubness


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

    text_row_value, text = _text_row(a, one, r)
    ids = put(a.ids, profile.id)
    return replace(
        a,
        ids=ids, names=put(a.names, profile.name), kind=put(a.kind, one.kind[0]), level=put(a.level, one.level[0]),
        country=put(a.country, one.country[0]), admin1=put(a.admin1, a1), admin2=put(a.admin2, a2),
        xyz=_put_row(a.xyz, r, one.xyz[0]), lat=put(a.lat, one.lat[0]), lon=put(a.lon, one.lon[0]),
        has_coord=put(a.has_coord, one.has_coord[0]), log_pop=put(a.log_pop, one.log_pop[0]),
        population=put(a.population, one.population[0]), content=put(a.content, one.content[0]),
        lang_mask=put(a.lang_mask, lang), exp_themes=put(a.exp_themes, one.exp_themes[0]),
        need_themes=put(a.need_themes, one.need_themes[0]), text_row=put(a.text_row, text_row_value),
        admin1_keys=admin1_keys,
        admin1_names={**a.admin1_names, **one.admin1_names},
        index=a.index if r is not None else {**a.index, profile.id: len(ids) - 1},
        names_mat=_put_sparse_row(a.names_mat, r, one.names_mat), **by_id_with(a, one), **text,
    )


def _text_row(a: CatalogueArrays, one: CatalogueArrays, r: int | None) -> tuple[int, dict[str, Any]]:
    """(the text row of the profile ``one`` holds, -1 without text; the text columns of ``a`` with it put in
    row ``r``'s text row, or appended): ``with_profile``'s text part."""
    emb, has_field, lex, tf = dict(a.emb), dict(a.has_field), dict(a.lex), dict(a.tf)
    hub, tokens, texts_named = dict(a.hub), a.tokens, a.text_names
    texts = dict(a.texts)
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
            texts = {f: (*t[:old], *one.texts[f], *t[old + 1:]) for f, t in texts.items()}
        else:
            text_row_value = len(next(iter(emb.values())))
            for f in FIELDS:
                emb[f] = np.concatenate([emb[f], one.emb[f]])
                has_field[f] = np.concatenate([has_field[f], one.has_field[f]])
                lex[f] = sp.vstack([lex[f], one_lex[f]], format="csr")
                tf[f] = sp.vstack([tf[f], one.tf[f]], format="csr")
            tokens = sp.vstack([tokens, one_tok], format="csr") if tokens is not None else one_tok
            texts_named = (*texts_named, *one.text_names)
            texts = {f: (*t, *one.texts[f]) for f, t in texts.items()}
        # This row's hubness against the current corpus; other rows keep theirs until the next full build
        # (one text moves the mean of another's ten best similarities by a tenth at most).
        fresh = corpus_hubness(emb, has_field, lex, rows=np.array([text_row_value]))
        for key, v in fresh.items():
            base = hub.get(key, np.zeros(0, dtype=np.float32))
            col = np.zeros(len(emb[FIELDS[0]]), dtype=np.float32)
            col[:len(base)] = base
            col[text_row_value] = v[0]
            hub[key] = col
    # The corpus's word counts stay those of the last full build, like its IDF.
    return text_row_value, {"emb": emb, "has_field": has_field, "lex": lex, "tf": tf, "hub": hub, "tokens": tokens,
                            "text_names": texts_named, "texts": texts}


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
    changes.update(by_id_without(arrays, profile_id))
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


__all__ = ["with_profile", "without"]
