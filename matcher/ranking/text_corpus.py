"""The catalogue's texts as a corpus: which fields a profile writes (``FIELDS``, ``field_text``), what needs
encoding (``profile_texts``), and the per-field matrices the text features read — embeddings, character
n-gram term frequencies, the corpus IDF and TF-IDF rows, each text's hubness against the other side's texts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import scipy.sparse as sp

from matcher.domain import Profile
from matcher.ranking.text_channel import LEX_FEATURES, char_tf, fit_idf, hubness, tfidf

FIELDS: tuple[str, ...] = ("needs", "expertise", "description")
#: Which field a text is compared with: my needs with your expertise, and the reverse.
OTHER_SIDE = {"needs": "expertise", "expertise": "needs"}


def field_text(profile: Profile, name: str) -> str:
    if name == "description":
        return profile.description.strip()
    return getattr(profile, name).text.strip()


def all_text(profile: Profile) -> str:
    """Everything a profile wrote, for the names it mentions."""
    return " \n".join(t for t in (field_text(profile, f) for f in FIELDS) if t)


def profile_texts(profiles: Iterable[Profile]) -> dict[str, str]:
    """``f"{id}:{field}"`` -> text, for every non-empty text field: what needs encoding."""
    out: dict[str, str] = {}
    for p in profiles:
        for f in FIELDS:
            t = field_text(p, f)
            if t:
                out[f"{p.id}:{f}"] = t
    return out


def lexical_vectors(texts: Sequence[str], idf: np.ndarray) -> sp.csr_matrix:
    """Character n-gram TF-IDF rows (L2-normalised) under the corpus IDF ``idf``."""
    return tfidf(char_tf(texts), idf)


def text_matrices(
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
