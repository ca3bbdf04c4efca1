"""Stated partner sizes (``Profile.preferred_sizes``, issue J): the bands, the preference column and its
sentence, with known answers at every bound. The contract across paths is in test_preferences_contract.py."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from matcher.domain import SIZE_BOUNDS, SizeBand, size_band
from matcher.explain.contributions import reasons_for
from matcher.explain.quantities import band_label
from matcher.explain.reasons.context import ReasonContext
from matcher.ranking.features import FEATURE_INDEX, FEATURES
from matcher.ranking.preferences import size_column


@pytest.mark.parametrize(("population", "band"), [
    (None, ""), (0, ""), (-3, ""), (1, "small"), (4_999, "small"), (5_000, "medium"), (49_999, "medium"),
    (50_000, "large"), (499_999, "large"), (500_000, "very_large"), (12_000_000, "very_large"),
])
def test_each_population_has_one_band_and_an_unknown_one_none(population: int | None, band: str) -> None:
    assert size_band(population) == band


def test_the_bands_are_the_enum_and_cover_every_population_without_a_gap() -> None:
    assert list(SIZE_BOUNDS) == [b.value for b in SizeBand]
    bounds = list(SIZE_BOUNDS.values())
    assert bounds[0][0] == 0 and bounds[-1][1] is None
    assert all(a[1] == b[0] for a, b in itertools.pairwise(bounds))


POPULATIONS = np.array([0, 800, 4_999, 5_000, 30_000, 50_000, 499_999, 500_000, 2_000_000])


@pytest.mark.parametrize(("sought", "expected"), [
    (frozenset(), [0, 0, 0, 0, 0, 0, 0, 0, 0]),
    (frozenset({"small"}), [0, 1, 1, 0, 0, 0, 0, 0, 0]),
    (frozenset({"medium"}), [0, 0, 0, 1, 1, 0, 0, 0, 0]),
    (frozenset({"large", "very_large"}), [0, 0, 0, 0, 0, 1, 1, 1, 1]),
    (frozenset(b.value for b in SizeBand), [0, 1, 1, 1, 1, 1, 1, 1, 1]),  # unknown (0) never counts
    (frozenset({"not-a-band"}), [0, 0, 0, 0, 0, 0, 0, 0, 0]),
])
def test_the_size_column_is_one_exactly_inside_the_sought_bands(sought: frozenset[str], expected: list[int]) -> None:
    assert size_column(sought, POPULATIONS).tolist() == expected


@pytest.mark.parametrize(("band", "fr", "en"), [
    ("small", "moins de 5\u202f000 habitants", "under 5,000 inhabitants"),
    ("medium", "de 5\u202f000 à 50\u202f000 habitants", "5,000 to 50,000 inhabitants"),
    ("large", "de 50\u202f000 à 500\u202f000 habitants", "50,000 to 500,000 inhabitants"),
    ("very_large", "plus de 500\u202f000 habitants", "over 500,000 inhabitants"),
])
def test_each_band_reads_as_the_form_says_it(band: str, fr: str, en: str) -> None:
    assert (band_label(band, "fr"), band_label(band, "en")) == (fr, en)


def _ctx(**kw: object) -> ReasonContext:
    base: dict[str, object] = {
        "candidate_name": "Gorée", "country_name_fr": "Sénégal", "country_name_en": "Senegal", "distance_km": None,
        "q_population": 2_777, "c_population": 4_960, "nearby_partner_count": 0, "nearby_km": 40.0, "c_degree": 0,
        "shared_languages": (), "need_themes": (), "offer_themes": (), "admin1_name": "", "q_kind": "commune",
        "c_kind": "municipality", "q_name": "Pont-Aven"}
    base.update(kw)
    return ReasonContext(**base)  # type: ignore[arg-type]


def _reasons(ctx: ReasonContext, **values: float) -> tuple:
    x = np.zeros(len(FEATURES))
    contrib = np.zeros(len(FEATURES))
    for code, v in values.items():
        x[FEATURE_INDEX[code]] = v
        contrib[FEATURE_INDEX[code]] = 1.5 * v
    return reasons_for(x, contrib, ctx, average=np.zeros(len(FEATURES)))


def test_the_sought_size_is_said_once_with_the_exact_population() -> None:
    """4 960 rounds to "5 000": the sentence gives the exact figure, which is under the band's bound; the
    size features state one fact, so the population is said once."""
    (r,) = _reasons(_ctx(size_band="small"), size_preferred=1.0, pop_ratio=0.8)
    assert r.text_fr == "Une ville de 4\u202f960 habitants : la taille que vous recherchez (moins de 5\u202f000 habitants)"
    assert r.text_en == "A town of 4,960 inhabitants: the size you seek (under 5,000 inhabitants)"
    assert dict(r.facts)["fact"] == "size" and dict(r.facts)["band"] == "small"


def test_staff_read_whose_size_it_is() -> None:
    (r,) = _reasons(_ctx(size_band="small", audience="staff"), size_preferred=1.0)
    assert "la taille que recherche" in r.text_fr and "Pont-Aven" in r.text_fr
    assert "the size Pont-Aven seeks" in r.text_en


def test_without_a_sought_band_nothing_is_said_about_one() -> None:
    """The column is 0 without a band in the context only by a bug; the sentence then falls back to the
    relative size, never to a band the query did not choose."""
    (r,) = _reasons(_ctx(size_band=""), pop_ratio=1.0)
    assert "recherch" not in r.text_fr and "seek" not in r.text_en
