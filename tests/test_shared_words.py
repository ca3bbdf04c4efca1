"""The words a text reason quotes: shared by both texts, folded, no stop word, rarest first (known answers)."""

from __future__ import annotations

import pytest

from matcher.ranking.shared_words import document_frequency, fold, shared, words


@pytest.mark.parametrize(("text", "other", "df", "n", "expected"), [
    # Every shared word is as rare as the others: the query text's order; "de", "et", "l" never count.
    ("Régie de l'eau potable et assainissement", "Besoin d'eau potable, d'assainissement", {}, 10,
     ("eau", "potable", "assainissement")),
    # Rarest in the corpus first, then the text's order; at most three.
    ("eau potable, assainissement, épuration, réseaux", "réseaux d'eau potable, épuration, assainissement",
     {"eau": 9, "potable": 2, "assainissement": 5, "epuration": 1, "reseaux": 5}, 40,
     ("épuration", "potable", "assainissement")),
    # Case and accents folded; the query's own spelling is what is quoted.
    ("Épuration des EAUX usées", "epuration des eaux", {}, 10, ("épuration", "eaux")),
    # A word in more than a quarter of the corpus texts tells nothing: "coopération" in 30 of 100.
    ("coopération et patrimoine", "patrimoine, coopération", {"cooperation": 30, "patrimoine": 4}, 100,
     ("patrimoine",)),
    # Stop words of each catalogue language never count (fr, en, es, pt, de).
    ("pour les villes avec nous", "pour les communes avec vous", {}, 10, ()),
    ("the water and the people", "water for all the people", {}, 10, ("water", "people")),
    ("agua potable y saneamiento para el barrio", "saneamiento del agua", {}, 10, ("agua", "saneamiento")),
    ("água potável e saneamento para o bairro", "saneamento da água", {}, 10, ("água", "saneamento")),
    ("Wasserversorgung und Abwasser für die Stadt", "Abwasser der Stadt", {}, 10, ("abwasser", "stadt")),
    # Digits and two-letter words are no words.
    ("2024 UE et ONU", "ONU 2024 UE", {}, 10, ("onu",)),
])
def test_shared_words(text: str, other: str, df: dict[str, int], n: int, expected: tuple[str, ...]) -> None:
    assert shared(text, other, df, n) == expected


def test_words_fold_and_keep_the_first_spelling() -> None:
    assert fold("Épuration") == "epuration" and fold("ÉCOLE") == "ecole"
    assert words("Eau, EAU et eau potable") == {"eau": "eau", "potable": "potable"}


def test_document_frequency_counts_texts_not_occurrences() -> None:
    df = document_frequency(["eau eau potable", "eau", "culture"])
    assert (df["eau"], df["potable"], df["culture"]) == (2, 1, 1)
