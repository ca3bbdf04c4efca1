"""Stated partnership types (``matcher.ranking.partnership_types``): known answers for both columns."""

from __future__ import annotations

import numpy as np
import pytest

from matcher.ranking.partnership_types import dac_countries, dac_mask, type_columns

CODES = ("FR", "SN", "DE", "BR", "CL", "GN")
IDS = np.array(["F", "S", "D", "B", "C", "G"], dtype=object)
INDEX = {pid: i for i, pid in enumerate(IDS)}
COUNTRY = np.arange(len(CODES))
TYPES = {"D": ("twinning",), "S": ("culture_youth_exchange", "development_cooperation"), "X": ("twinning",)}


@pytest.mark.parametrize(("sought", "shared", "development"), [
    # nothing sought: nothing lifted
    ((), [0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0]),
    # twinning: the one candidate that states it (an id not in the catalogue is ignored)
    (("twinning",), [0, 0, 1, 0, 0, 0], [0, 0, 0, 0, 0, 0]),
    # development cooperation: Senegal and Guinea (least developed), Brazil (upper middle income) are on the
    # DAC list; Germany and France are not; Chile (high income) is not known to be: 0, never a guess
    (("development_cooperation",), [0, 1, 0, 0, 0, 0], [0, 1, 0, 1, 0, 1]),
])
def test_type_columns(sought: tuple[str, ...], shared: list[int], development: list[int]) -> None:
    cand = np.arange(len(CODES))
    got = type_columns(frozenset(sought), TYPES, INDEX, COUNTRY, dac_mask(CODES), cand)
    assert got["types_shared"].tolist() == shared
    assert got["development_country"].tolist() == development


def test_the_dac_list_is_the_reference_files() -> None:
    known = dac_countries()
    assert {"SN", "GN", "MA", "UA", "BR"} <= known  # an LDC, low and middle income countries
    assert not {"FR", "DE", "IT", "US", "JP", "CL"} & known  # EU, former G8, high income (unknown)
