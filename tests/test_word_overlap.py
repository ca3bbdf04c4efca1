"""The word-level text features (``matcher.ranking.word_overlap``): the names a text cites, the rare words two
texts share, known answers against a plain loop over the documented formula."""

from __future__ import annotations

import math

import numpy as np
import pytest
from profiles_fixture import COUNTRIES, foreign, fr

from matcher.domain import Facet
from matcher.ranking.arrays import CatalogueArrays
from matcher.ranking.shared_words import capitalised, idf, words
from matcher.ranking.word_overlap import WordSets, query_word_sets, word_columns

BRITAL = "Brital, village bombardé lors des conflits, devait développer ses services publics locaux."
MOUHOUN = "Douroula, dans le Mouhoun, avait besoin d'appuis dans l'eau, la santé et l'éducation."
EYBENS = "Eybens coopère depuis 1995 avec Brital et accueille des stagiaires libanais pour ses services publics."


@pytest.mark.parametrize(("text", "names"), [
    (EYBENS, {"brital"}),  # "Eybens" opens the sentence: a capital says nothing there
    ("Le jumelage entre Coulon et Anié finance des écoles.", {"coulon", "anie"}),
    ("La commune d'Anié 1 et Sotouboua-Centre coopèrent.", {"anie", "sotouboua", "centre"}),
    # German capitalises every noun: its "names" are its nouns (but the sentence's first word)
    ("Die Stadt Rheinstadt sucht Partner. Jugend und Kultur.", {"stadt", "rheinstadt", "partner", "kultur"}),
    ("A cidade de Recife precisa de museus.", {"recife"}),
    ("nothing capitalised here", set()),
])
def test_the_names_a_text_cites(text: str, names: set[str]) -> None:
    assert capitalised(text) == names


@pytest.fixture(scope="module")
def arrays() -> CatalogueArrays:
    profiles = [
        fr("F1", "Eybens", 45.15, 5.75, 10_000, expertise=Facet(text=EYBENS)),
        foreign("L1", "Brîtel", "SN", 34.0, 36.2, 4000, needs=Facet(text=BRITAL)),
        foreign("B1", "Douroula", "SN", 12.6, -3.3, 20000, needs=Facet(text=MOUHOUN)),
        foreign("S1", "Silencieux", "SN", 14.0, -16.0, 9000),
        # other writers: a corpus where the words of one pair are rare, as in the catalogue
        *[foreign(f"X{i}", f"Autre {i}", "SN", 14.0, -15.0 + i, 5000, needs=Facet(text=text)) for i, text in
          enumerate(("Gestion des déchets ménagers", "Formation des élus municipaux", "Tourisme et artisanat",
                     "Jumelage scolaire et jeunesse", "Électrification rurale solaire", "Marché couvert"))],
    ]
    return CatalogueArrays.build(profiles, {c.code: c for c in COUNTRIES}, {}, dim=8)


def test_shared_words_and_names_against_a_plain_loop(arrays: CatalogueArrays) -> None:
    q = query_word_sets({"expertise": EYBENS, "needs": ""})
    cand = np.array([arrays.row(x) for x in ("L1", "B1", "S1")])
    shared_w, shared_n = word_columns(q, arrays, cand)
    # by hand: Eybens' expertise against each candidate's needs (the other direction is empty)
    for i, needs in enumerate((BRITAL, MOUHOUN, "")):
        both = set(words(EYBENS)) & set(words(needs))
        kept = [w for w in both if arrays.word_df.get(w, 0) <= 0.25 * arrays.n_texts]
        expected = sum(idf(arrays.word_df.get(w, 0), arrays.n_texts) for w in kept)
        named = sum(idf(arrays.word_df.get(w, 0), arrays.n_texts) for w in kept
                    if w in capitalised(EYBENS) | capitalised(needs))
        assert shared_w[i] == pytest.approx(expected) and shared_n[i] == pytest.approx(named)
    assert shared_n[0] > 0 and "brital" in set(words(BRITAL))  # the village both texts cite
    assert shared_w[2] == shared_n[2] == 0.0  # a candidate that wrote nothing


def test_no_text_no_feature(arrays: CatalogueArrays) -> None:
    cand = np.arange(arrays.n)
    for q in ({}, query_word_sets({"expertise": "", "needs": ""})):
        w, n = word_columns(q, arrays, cand)
        assert not w.any() and not n.any()


def test_idf_is_smoothed_and_decreasing() -> None:
    assert idf(0, 9) == pytest.approx(math.log(10) + 1)
    assert idf(0, 9) > idf(1, 9) > idf(9, 9) == pytest.approx(1.0)


def test_word_sets_of_an_empty_text() -> None:
    assert WordSets.of("") == WordSets()


def test_the_vectorised_sums_equal_a_plain_loop_both_ways(arrays: CatalogueArrays) -> None:
    """Brute force over every candidate, both directions, the query writing needs and expertise."""
    texts = {"expertise": EYBENS, "needs": "Nous cherchons un appui pour nos services publics et le Mouhoun."}
    q = query_word_sets(texts)
    cand = np.arange(arrays.n)
    got_w, got_n = word_columns(q, arrays, cand)
    cap = 0.25 * arrays.n_texts
    for i, r in enumerate(cand.tolist()):
        want_w = want_n = 0.0
        for q_field, c_field in (("needs", "expertise"), ("expertise", "needs")):
            theirs = arrays.text_at(r, c_field)
            mine_w, theirs_w = set(words(texts[q_field])), set(words(theirs))
            named = (capitalised(texts[q_field]) & mine_w) | (capitalised(theirs) & theirs_w)
            for w in mine_w & theirs_w:
                d = arrays.word_df.get(w, 0)
                if d <= cap:
                    want_w += idf(d, arrays.n_texts)
                    want_n += idf(d, arrays.n_texts) if w in named else 0.0
        assert got_w[i] == pytest.approx(want_w) and got_n[i] == pytest.approx(want_n), arrays.ids[r]
    assert got_n.max() > 0  # "Mouhoun" is named by both the query and Douroula's needs
