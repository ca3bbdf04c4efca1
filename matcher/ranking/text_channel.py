"""The text channel: how what two authorities wrote is compared, as pure functions on arrays.

Three signals, each measured on the real cooperation cases (``matcher/learning/cooperation.py``, see the model card):

- **dense**: cosine of multilingual sentence embeddings (USE), which carries meaning across languages;
- **lexical**: cosine of character n-gram TF-IDF vectors (3–5-grams inside word boundaries, sublinear tf)
  whose IDF is fitted on the profiles' own corpus: exact technical terms and place names, robust to
  inflection ("assainissement" / "assainir"), in any Latin script;
- **names**: one side's text names the other authority (``matcher.ranking.names``: its full name as a phrase,
  weighed against its namesakes and the countries the text names): the strongest single cue in real
  cases, where a town's expertise is told through its existing cooperation.

Similarities are standardised before they are weighed, as the dev set showed it helps (HR@5 of USE alone
0.54 → 0.68): per candidate against hubness (CSLS: a text that is close to every text of the other side
is discounted by the mean of its ``HUB_K`` best similarities to that side), then per query as a z-score
over the corpus of the other side, so a score means "how far above the usual for this query".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer
from sklearn.preprocessing import normalize

HUB_K = 10
#: Pseudo-count of the prior (mean 0, sd ``PRIOR_SD``) that a query's z-score statistics are shrunk to: with a
#: corpus of a handful of texts, its own mean and spread mean little.
Z_PRIOR_N = 20.0
LEX_FEATURES = 2**20

_CHAR_VECTORIZER = HashingVectorizer(
    analyzer="char_wb", ngram_range=(3, 5), n_features=LEX_FEATURES, strip_accents="unicode", lowercase=True,
    alternate_sign=False, norm=None, dtype=np.float32,
)
#: scikit-learn's sublinear term frequency (1 + log tf), alone: no IDF, no norm (stateless).
_SUBLINEAR_TF = TfidfTransformer(use_idf=False, norm=None, sublinear_tf=True)


# ---- lexical vectors -----------------------------------------------------------------------------
# scikit-learn's TF-IDF, ``TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), strip_accents="unicode",
# sublinear_tf=True)``, cut in its three steps, because the catalogue needs them apart (what stays ours is
# only where each step's output is kept; ``tests/test_text_channel.py`` proves the matrices equal to 1e-9):
#
# - the term frequencies are stored per profile (``CatalogueArrays.tf``) and the IDF is fitted later, on the
#   present texts of every field of the whole corpus (``arrays.text_index``), then refitted after a batch of
#   texts and kept as it is when one profile changes (``arrays``: "the corpus keeps its IDF"). A fitted
#   ``TfidfTransformer`` cannot be stored in the arrays' place for its IDF (a plain vector) without writing
#   its fitted attribute from outside, so ``tfidf`` applies a stored IDF with the transformer's own two
#   operations (``X.data *= idf[X.indices]``, ``sklearn.preprocessing.normalize``);
# - the n-grams are hashed (``HashingVectorizer``, 2**20 columns) rather than a fitted vocabulary: a new text's
#   n-grams have a column without refitting anything. The same matrices as ``TfidfVectorizer``'s up to the
#   order of the columns, as long as no two n-grams of the corpus share a hash (the test checks its table has
#   none; across the catalogue, a collision merges two rare n-grams, a loss the vocabulary would not have).
def char_tf(texts: Sequence[str]) -> sp.csr_matrix:
    """Sublinear term frequencies (1 + log tf) of hashed character n-grams, unnormalised (float32)."""
    if not texts:
        return sp.csr_matrix((0, LEX_FEATURES), dtype=np.float32)
    return sp.csr_matrix(_SUBLINEAR_TF.fit_transform(_CHAR_VECTORIZER.transform(list(texts))), dtype=np.float32)


def fit_idf(tf: sp.csr_matrix) -> np.ndarray:
    """Smoothed IDF over the corpus rows of ``tf`` (``TfidfTransformer``'s, ``smooth_idf=True``: log((1 + n) /
    (1 + df)) + 1, so unseen n-grams get the largest); all ones over an empty corpus."""
    if tf.shape[0] == 0:
        return np.ones(tf.shape[1], dtype=np.float32)
    return np.asarray(TfidfTransformer(smooth_idf=True).fit(tf).idf_, dtype=np.float32)


def tfidf(tf: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
    """L2-normalised TF-IDF rows under the fitted ``idf`` (zero rows stay zero): ``TfidfTransformer.transform``
    after its sublinear step, which ``char_tf`` already took."""
    m = sp.csr_matrix(tf, dtype=np.float32, copy=True)
    if m.shape[0] == 0:  # (``normalize`` refuses an empty matrix)
        return m
    m.data *= np.asarray(idf, dtype=np.float32)[m.indices]
    return sp.csr_matrix(normalize(m, norm="l2", copy=False))


# ---- hubness and standardisation -----------------------------------------------------------------
def hubness(sims: np.ndarray, k: int = HUB_K) -> np.ndarray:
    """(m,) mean of each row's ``k`` largest similarities in ``sims`` (m, p), the missing ones counted as 0
    when p < k: against a corpus of one text, a text's hubness would otherwise be its similarity to that
    very text, and CSLS would cancel the one comparison that matters."""
    if sims.shape[1] == 0:
        return np.zeros(sims.shape[0], dtype=np.float32)
    kk = min(k, sims.shape[1])
    top = np.partition(sims, sims.shape[1] - kk, axis=1)[:, -kk:]
    return (top.sum(axis=1) / k).astype(np.float32)


def standardise(csls: np.ndarray, corpus_csls: np.ndarray, prior_sd: float) -> np.ndarray:
    """z-scores of ``csls`` against this query's similarities to the whole corpus of the other side,
    shrunk to a prior (mean 0, sd ``prior_sd``) with weight ``Z_PRIOR_N``."""
    n = len(corpus_csls)
    mean = float(corpus_csls.sum()) / (n + Z_PRIOR_N)
    var = (float(((corpus_csls - mean) ** 2).sum()) + Z_PRIOR_N * prior_sd**2) / (n + Z_PRIOR_N)
    return (csls - mean) / max(np.sqrt(var), 1e-6)


@dataclass(frozen=True)
class CorpusStats:
    """Spread of CSLS similarities on the data the text weights were learned from (the z-score prior)."""

    dense_sd: float = 0.08
    lex_sd: float = 0.04


__all__ = [
    "CorpusStats",
    "char_tf",
    "fit_idf",
    "hubness",
    "standardise",
    "tfidf",
]
