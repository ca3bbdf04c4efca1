"""The text channel against brute force and known answers (``matcher.ranking.text_channel``)."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from matcher.ranking import text_channel as tc

TEXTS = [
    "Régie municipale de l'eau potable et de l'assainissement",
    "Assainissement, eau potable et réseaux d'eaux usées pour les quartiers",
    "Modernisation de l'état civil, numérisation des registres",
    "Tourisme culturel, artisanat local et festivals",
    "Saneamento básico e água potável nos bairros",
]


def test_hashed_tfidf_equals_sklearn_tfidf():
    """Same n-grams, sublinear tf, smoothed IDF and L2 norm as sklearn's TfidfVectorizer: same cosines."""
    tf = tc.char_tf(TEXTS)
    L = tc.tfidf(tf, tc.fit_idf(tf))
    ref = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, strip_accents="unicode",
                          lowercase=True).fit_transform(TEXTS)
    assert np.allclose((L @ L.T).toarray(), (ref @ ref.T).toarray(), atol=1e-5)


def test_unseen_ngrams_get_the_largest_idf():
    idf = tc.fit_idf(tc.char_tf(TEXTS))
    assert idf.max() == pytest.approx(np.log((1 + len(TEXTS)) / 1) + 1)


@pytest.mark.parametrize("k", [1, 3, 10])
def test_hubness_is_the_mean_of_the_k_best(k):
    rng = np.random.default_rng(k)
    sims = rng.normal(size=(7, 5)).astype(np.float32)
    brute = np.array([np.sort(r)[::-1][:min(k, 5)].sum() / k for r in sims])  # fewer than k: the rest count 0
    assert np.allclose(tc.hubness(sims, k), brute)
    assert tc.hubness(np.zeros((3, 0)), k).tolist() == [0.0, 0.0, 0.0]


def test_standardise_is_a_z_score_on_a_large_corpus_and_the_prior_on_an_empty_one():
    rng = np.random.default_rng(0)
    corpus = rng.normal(0.3, 0.1, 20_000)
    x = np.array([0.3, 0.5])
    assert np.allclose(tc.standardise(x, corpus, 0.08), (x - corpus.mean()) / corpus.std(), atol=0.01)
    assert np.allclose(tc.standardise(x, np.zeros(0), 0.08), x / 0.08)


def test_empty_inputs_give_empty_matrices():
    assert tc.char_tf([]).shape == (0, tc.LEX_FEATURES)
    assert isinstance(tc.tfidf(sp.csr_matrix((0, tc.LEX_FEATURES)), np.ones(tc.LEX_FEATURES)), sp.csr_matrix)
