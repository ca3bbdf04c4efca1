"""Plausibility checks on a profile written by someone other than staff, against the catalogue itself.

Pure: the profile and the catalogue arrays in, an ``InvalidInput`` (with the field) out (``same_name``, the
store query behind ``name_taken``, is the one reader). Three checks:

- **place**: the coordinates lie in the declared country — the nearest catalogue authority to the point is
  of that country, or one of that country's is within ``BORDER_KM`` (a town on a border, a coast);
- **size**: the population is at most the country's, and at most ``SIZE_MARGIN`` times the largest
  authority of that kind in the catalogue (no commune of 9 million);
- **name**: no verified authority of the same country has this name (``name_taken``): the town hall of
  an existing entry claims it (``POST /authorities/{id}/claims``) rather than registering a second one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

from matcher.arrays import EARTH_RADIUS_KM, KINDS, CatalogueArrays, unit_xyz
from matcher.catalogue.files import Country
from matcher.domain import Profile
from matcher.errors import Conflict, InvalidInput
from matcher.store_codec import search_key

if TYPE_CHECKING:
    from matcher.store import ProfileStore

#: A point may be this close to the declared country's nearest authority and still be in it (its own
#: centre can be farther from the border than a neighbour's).
BORDER_KM = 30.0
#: How much larger than the largest authority of its kind in the catalogue a population may be.
SIZE_MARGIN = 1.5


def check_place(profile: Profile, a: CatalogueArrays) -> None:
    if profile.lat is None or profile.lon is None:
        return
    ci = a.country_index(profile.country)
    own = a.has_coord & (a.country == ci) if ci >= 0 else np.zeros(a.n, dtype=bool)
    if not own.any():
        return  # the catalogue has no place of that country to compare with
    p = unit_xyz(np.array([profile.lat]), np.array([profile.lon]))[0]
    dots = a.xyz @ p
    dots[~a.has_coord] = -2.0
    nearest = int(np.argmax(dots))
    if a.country[nearest] == ci:
        return
    own_best = float(np.max(np.where(own, dots, -2.0)))
    km = EARTH_RADIUS_KM * float(np.arccos(np.clip(own_best, -1.0, 1.0)))
    if km > BORDER_KM:
        where = a.country_codes[int(a.country[nearest])]
        raise InvalidInput(f"the coordinates ({profile.lat}, {profile.lon}) are not in {profile.country}: the "
                           f"nearest authority is in {where}, and {profile.country}'s nearest is {km:,.0f} km away",
                           field="lat")


#: Authorities of a kind with a known population needed before the largest of them bounds a new one.
MIN_KNOWN = 10


def check_size(profile: Profile, a: CatalogueArrays, countries: Mapping[str, Country], *,
               min_known: int = MIN_KNOWN) -> None:
    pop = profile.population
    if pop is None:
        return
    country = countries.get(profile.country)
    if country is not None and country.population and pop > country.population:
        raise InvalidInput(f"population {pop:,} is more than {profile.country}'s ({country.population:,})",
                           field="population")
    same = a.kind == KINDS.index(profile.kind)
    known = a.population[same]
    known = known[known > 0]
    if len(known) >= min_known:  # enough authorities of that kind to say what is large for it
        bound = int(SIZE_MARGIN * known.max())
        if pop > bound:
            raise InvalidInput(f"population {pop:,} is implausible for a {profile.kind.value}: the largest in the "
                               f"catalogue has {int(known.max()):,}", field="population")


def same_name(store: ProfileStore, name: str, country: str) -> list[Profile]:
    """Verified authorities of ``country`` whose name is ``name`` (accents, case and punctuation aside), as
    the store's search ranks them: what ``name_taken`` is made of, and what a registration page offers to
    claim instead."""
    hits, _ = store.search(name, country=country, limit=10)
    return [h for h in hits if search_key(h.name) == search_key(name)]


def check_name(profile: Profile, name_taken: Sequence[str]) -> None:
    """``name_taken``: ids of verified authorities of the profile's country with the same name."""
    if name_taken:
        raise Conflict(f"{profile.name!r} is already in the catalogue ({', '.join(name_taken[:3])}); its town hall "
                       f"can claim it: POST /authorities/{name_taken[0]}/claims", field="name")


def check_plausible(profile: Profile, a: CatalogueArrays, countries: Mapping[str, Country],
                    name_taken: Sequence[str]) -> None:
    check_name(profile, name_taken)
    check_size(profile, a, countries)
    check_place(profile, a)
