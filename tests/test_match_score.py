"""The 0–100 match score people read (issue K.2): known answers of the scale, its order, its meaning."""

from __future__ import annotations

import numpy as np
import pytest

from matcher.ranking.score_scale import SCORE_BANDS, match_score, one_in, reliability
from service.web.i18n import score_meaning


@pytest.mark.parametrize(("p", "points", "n"), [
    (1.0, 100, 1), (0.1, 75, 10), (0.04, 65, 25), (0.01, 50, 100), (0.0027, 36, 360), (0.001, 25, 1000),
    (0.0005, 17, 2100), (0.0001, 0, 10000), (1e-6, 0, 10000), (0.0, 0, 10000)])
def test_known_points_and_one_in(p: float, points: int, n: int) -> None:
    assert int(match_score(p)) == points
    assert int(one_in(points)) == n


def test_the_scale_keeps_the_order_of_the_probabilities() -> None:
    p = np.sort(np.random.default_rng(0).uniform(0, 1, 5000) ** 6)[::-1]
    s = match_score(p)
    assert s.dtype.kind == "i" and s.min() >= 0 and s.max() <= 100
    assert np.all(np.diff(s) <= 0)  # a list ordered by probability is ordered by score


def test_one_in_is_the_inverse_of_the_probability_the_score_stands_for() -> None:
    for points in range(1, 101):
        p = 10 ** ((points - 100) / 25)
        assert int(match_score(p)) == points
        assert abs(one_in(points) * p - 1) <= max(0.05, 0.5 * p)  # two significant figures, or a whole number


@pytest.mark.parametrize(("points", "lang", "text"), [
    (0, "fr", "au plus 1 paire sur 10\u202f000 ayant ce score était un vrai partenariat"),
    (36, "fr", "environ 1 paire sur 360 ayant ce score était un vrai partenariat"),
    (17, "en", "about 1 pair in 2,100 with this score was a real partnership"),
    (75, "en", "about 1 pair in 10 with this score was a real partnership"),
    (98, "fr", "environ 83 paires sur 100 ayant ce score étaient de vrais partenariats"),
    (92, "en", "about 48 pairs in 100 with this score were real partnerships")])
def test_what_a_score_means_in_words(points: int, lang: str, text: str) -> None:
    assert score_meaning(points, lang) == text  # type: ignore[arg-type]


def test_reliability_of_a_calibrated_and_of_an_overconfident_score() -> None:
    """Known answers: pairs drawn at exactly their probability show observed ≈ promised in every band with
    enough of them; the same pairs claimed ten times likelier are caught (observed ≈ promised / 10)."""
    rng = np.random.default_rng(1)
    p = 10 ** rng.uniform(-4, -0.5, 400_000)
    y = rng.random(len(p)) < p
    honest = reliability(p, y)
    assert [(b["low"], b["high"]) for b in honest] == [(lo, min(hi, 100)) for lo, hi in SCORE_BANDS]
    assert sum(b["pairs"] for b in honest) == len(p) and sum(b["partners"] for b in honest) == int(y.sum())
    for b in honest:
        if b["partners"] >= 200:
            assert abs(b["observed"] / b["predicted"] - 1) < 0.15, b
    for b in reliability(np.minimum(p * 10, 1.0), y):
        if b["partners"] >= 200 and b["predicted"] < 0.2:
            assert b["observed"] / b["predicted"] < 0.2, b
