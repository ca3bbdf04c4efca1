"""Reasons tell the truth about which side of the average a feature's value is on."""

from __future__ import annotations

import numpy as np
import pytest

from matcher.explain import ReasonContext, reasons_for
from matcher.features import FEATURE_INDEX, FEATURES

CTX = ReasonContext(
    candidate_name="Rheinnah", country_name_fr="Allemagne", country_name_en="Germany", distance_km=600.0,
    q_population=12_000, c_population=20_000, nearby_partner_count=0, nearby_km=40.0, c_degree=0,
    shared_languages=(), need_themes=(), offer_themes=(), admin1_name="Bade-Wurtemberg",
    country_links_nearby=3, country_links_km=60.0,
)


def _one(code: str, value: float, average: float) -> tuple[str, ...]:
    """The English reasons when only ``code`` contributes (+1 logit), at ``value`` against ``average``."""
    x, avg, contrib = np.zeros(len(FEATURES)), np.zeros(len(FEATURES)), np.zeros(len(FEATURES))
    i = FEATURE_INDEX[code]
    x[i], avg[i], contrib[i] = value, average, 1.0
    return tuple(r.text_en for r in reasons_for(x, contrib, CTX, average=avg))


@pytest.mark.parametrize("code, value, average, expected", [
    # Above the average: the presence sentence.
    ("near_global", 2.0, 0.4, "An area that twins with your country: 3 partnerships with your country within 60 km"),
    ("admin1", 1.0, 0.1, "Your area already has partners in its region (Bade-Wurtemberg)"),
    # Below the average yet lifting the score (a negative weight): the low-side sentence, never "already".
    ("near_global", 0.0, 0.4, "An area little twinned with your country so far (3 partnerships within 60 km)"),
    ("admin1", 0.0, 0.1, "Your area has few partners in its region so far (Bade-Wurtemberg)"),
    ("country_global", -2.5, -1.0, "Germany: only"),
    # Two-sided sentences state the value: true on both sides.
    ("log_distance", 6.4, 7.5, "600 km from you"),
    ("degree", 0.0, 0.03, "No known partnership yet: available"),
])
def test_reason_sentence_follows_the_side_of_the_average(code, value, average, expected):
    got = _one(code, value, average)
    assert len(got) == 1 and got[0].startswith(expected)


@pytest.mark.parametrize("code", ["priority_zone", "same_continent", "kind_compat", "francophone", "direct"])
def test_a_low_value_with_nothing_true_to_say_gives_no_reason(code):
    assert _one(code, 0.0, 0.3) == ()
