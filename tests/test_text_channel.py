"""The text channel against brute force and known answers (``matcher.ranking.text_channel``)."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.feature_extraction import FeatureHasher
from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer, TfidfVectorizer
from sklearn.pipeline import make_pipeline

from matcher.ranking import text_channel as tc

TEXTS = [
    "Régie municipale de l'eau potable et de l'assainissement",
    "Assainissement, eau potable et réseaux d'eaux usées pour les quartiers",
    "Modernisation de l'état civil, numérisation des registres",
    "Tourisme culturel, artisanat local et festivals",
    "Saneamento básico e água potável nos bairros",
    "Gestión de residuos sólidos urbanos y reciclaje en la ciudad",
    "Städtepartnerschaft: Abfallwirtschaft und Wasserversorgung für Gemeinden",
    "Gestione dei rifiuti e acqua potabile per i comuni",
    "إدارة النفايات الصلبة والمياه الصالحة للشرب في البلديات",
    "Управление водоснабжением и отходами в муниципалитетах",
    "城市供水和固体废物管理",
    "eau eau eau eau eau potable potable",  # repeated n-grams: the sublinear tf matters
    "",  # an empty text: a zero row
    "!!! ... ???",
]
#: Texts a corpus was not fitted on (a profile added later keeps the corpus's IDF).
NEW_TEXTS = ["Water supply and waste management for municipalities", "Assainir l'eau des quartiers", "Ωκεανός"]


def _lexical(texts, corpus):
    return tc.tfidf(tc.char_tf(texts), tc.fit_idf(tc.char_tf(corpus)))


def _sklearn_vectorizer() -> TfidfVectorizer:
    return TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, strip_accents="unicode",
                           lowercase=True, dtype=np.float32)


def _hashed_columns(vocabulary: list[str]) -> np.ndarray:
    """The column ``char_tf`` gives each n-gram (``HashingVectorizer`` hashes through ``FeatureHasher``)."""
    hasher = FeatureHasher(n_features=tc.LEX_FEATURES, input_type="string", alternate_sign=False)
    return hasher.transform([[t] for t in vocabulary]).tocsr().indices


@pytest.mark.parametrize("texts", [TEXTS, TEXTS[4:11], TEXTS[11:]])
def test_tfidf_is_sklearns_tfidf_vectorizer_with_hashed_columns(texts):
    """The catalogue's case (``arrays.text_index``: the corpus's own texts under the IDF fitted on it): the same
    matrix, entry by entry to 1e-9, as ``TfidfVectorizer``'s once its vocabulary columns are moved to their
    hashed ones (no two n-grams of the table share a hash: checked, else the comparison would not hold)."""
    ref = _sklearn_vectorizer().fit(TEXTS)
    vocabulary = ref.get_feature_names_out().tolist()
    columns = _hashed_columns(vocabulary)
    assert len(set(columns.tolist())) == len(vocabulary)  # no collision in the table
    got = _lexical(texts, TEXTS)
    assert got.dtype == np.float32 and got.shape == (len(texts), tc.LEX_FEATURES)
    assert got.nnz == got[:, columns].nnz  # every n-gram of the texts is in the vocabulary
    assert np.allclose(got[:, columns].toarray(), ref.transform(texts).toarray(), rtol=0, atol=1e-9)
    assert abs(got.sum()) > 0  # not two empty matrices


def test_tfidf_is_sklearns_hashing_tfidf_pipeline():
    """``HashingVectorizer`` + ``TfidfTransformer(sublinear_tf=True)``, fitted on a corpus and applied to it and
    to new texts (whose unseen n-grams ``TfidfVectorizer`` would drop, and the hashed IDF keeps at its largest
    value, as a profile added to the catalogue does): the same matrices to 1e-9."""
    pipe = make_pipeline(HashingVectorizer(analyzer="char_wb", ngram_range=(3, 5), n_features=tc.LEX_FEATURES,
                                           strip_accents="unicode", lowercase=True, alternate_sign=False, norm=None,
                                           dtype=np.float32),
                         TfidfTransformer(sublinear_tf=True)).fit(TEXTS)
    for texts in (TEXTS, NEW_TEXTS):
        got, expected = _lexical(texts, TEXTS), pipe.transform(texts)
        assert got.shape == expected.shape and (got != 0).nnz == (expected != 0).nnz > 0
        assert abs(got - expected).max() <= 1e-9
    assert np.allclose(tc.fit_idf(tc.char_tf(TEXTS)), pipe[-1].idf_, rtol=0, atol=1e-9)


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
