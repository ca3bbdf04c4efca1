"""The display map (issue K.2): from a list's ordering key to the probability shown, learned on held-out lists
so that what a score promises is what was observed. Known answers on synthetic keys whose true rate is known."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import expit

from matcher.ranking.calibration import apply_display_map, fit_display_map
from matcher.ranking.score_scale import reliability


def _world(n: int = 300_000, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Keys that overstate: the true log odds are 0.5 × key − 3 (a key of 4 promises 98 %, the truth is 27 %)."""
    rng = np.random.default_rng(seed)
    keys = rng.normal(-6.0, 2.5, n)
    truth = expit(0.5 * keys - 3.0)
    return keys, (rng.random(n) < truth).astype(int), truth


def test_the_map_shows_the_measured_rate_where_the_keys_overstate_it() -> None:
    keys, y, _ = _world()
    display = fit_display_map(keys, y)
    held_keys, held_y, _ = _world(seed=1)
    shown = expit(apply_display_map(display, held_keys))
    for band in reliability(shown, held_y):
        if band["partners"] >= 100:
            assert abs(band["observed"] / band["predicted"] - 1) < 0.25, band
    raw = reliability(expit(held_keys), held_y)  # without the map: the top promises far more than it gives
    top = [b for b in raw if b["partners"] >= 100][-1]
    assert top["predicted"] / top["observed"] > 2


def test_the_map_keeps_every_order_and_nan() -> None:
    keys, y, _ = _world(50_000)
    display = fit_display_map(keys, y)
    grid = np.linspace(-20, 20, 4001)
    shown = apply_display_map(display, grid)
    assert np.all(np.diff(shown) >= 0)  # never reverses a list
    inside = (grid > display["x"][0]) & (grid < display["x"][-1])
    assert np.all(np.diff(shown[inside]) > 0)  # strictly increasing between its first and last knot
    assert np.isnan(apply_display_map(display, np.array([np.nan, 0.0]))[0])


@pytest.mark.parametrize("positives", [0, 4])
def test_too_few_partners_leave_the_keys_as_they_are(positives: int) -> None:
    keys = np.linspace(-5, 5, 1000)
    y = np.zeros(1000, dtype=int)
    y[-positives or len(y):] = 1
    display = fit_display_map(keys, y)
    assert display == {}
    assert np.array_equal(apply_display_map(display, keys), keys)
