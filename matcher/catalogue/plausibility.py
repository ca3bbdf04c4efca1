"""Plausibility checks on a profile written by someone other than staff, against the catalogue itself.

Pure: the profile and the catalogue arrays in, an ``InvalidInput`` (with the field) out (``same_name``, the
store query behind ``name_taken``, is the one reader). Four checks:

- **place**: the coordinates lie in the declared country — the nearest catalogue authority to the point is
  of that country, or one of that country's is within ``BORDER_KM`` (a town on a border, a coast);
- **size**: the population is more than 0 and at most the country's; between ``1 / LOW_MARGIN`` of the
  small end (1st percentile) and ``SIZE_MARGIN`` times the largest of the authorities of that kind in that
  country — or of that kind anywhere when the country has fewer than ``MIN_KNOWN`` with a population (no
  commune of 9 million, no région of 10 inhabitants);
- **name text**: a name, not a message — at least two letters, no URL or e-mail address, no phone number
  (``check_name_text``);
- **name**: no verified authority of the same country has this name or an alternative name (in any
  language) that *looks* the same (``matcher.catalogue.skeleton``: "Rеnnes" with a Cyrillic е, "Ren\u200bnes",
  "Londres" for London) (``name_taken``): the town hall of an existing entry claims it
  (``POST /authorities/{id}/claims``) rather than registering a second one.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

from matcher.catalogue.files import Country
from matcher.catalogue.skeleton import name_skeleton, search_form
from matcher.domain import Profile
from matcher.errors import Conflict, InvalidInput
from matcher.geo import km_from_dot, unit_xyz
from matcher.ranking.arrays import KINDS, CatalogueArrays

if TYPE_CHECKING:
    from matcher.store.protocol import ProfileStore

#: A point may be this close to the declared country's nearest authority and still be in it (its own
#: centre can be farther from the border than a neighbour's).
BORDER_KM = 30.0
#: How much larger than the largest authority of its kind in the catalogue a population may be.
SIZE_MARGIN = 1.5
#: How much smaller than the small end (1st percentile) of its kind a population may be.
LOW_MARGIN = 10.0


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
    km = float(km_from_dot(own_best))
    if km > BORDER_KM:
        where = a.country_codes[int(a.country[nearest])]
        raise InvalidInput(f"the coordinates ({profile.lat}, {profile.lon}) are not in {profile.country}: the "
                           f"nearest authority is in {where}, and {profile.country}'s nearest is {km:,.0f} km away",
                           field="lat")


#: Authorities of a kind with a known population needed before the largest of them bounds a new one.
MIN_KNOWN = 10


def _known_sizes(a: CatalogueArrays, profile: Profile, min_known: int) -> np.ndarray | None:
    """The known populations of the profile's kind in its country, else of its kind anywhere; None when
    fewer than ``min_known``."""
    same = a.kind == KINDS.index(profile.kind)
    ci = a.country_index(profile.country)
    for where in ((same & (a.country == ci)) if ci >= 0 else None, same):
        if where is None:
            continue
        known = a.population[where]
        known = known[known > 0]
        if len(known) >= min_known:
            return known
    return None


def check_size(profile: Profile, a: CatalogueArrays, countries: Mapping[str, Country], *,
               min_known: int = MIN_KNOWN) -> None:
    pop = profile.population
    if pop is None:
        return
    if pop <= 0:
        raise InvalidInput(f"population {pop:,} is not a population: more than 0 inhabitants, or leave it out",
                           field="population")
    country = countries.get(profile.country)
    if country is not None and country.population and pop > country.population:
        raise InvalidInput(f"population {pop:,} is more than {profile.country}'s ({country.population:,})",
                           field="population")
    known = _known_sizes(a, profile, min_known)
    if known is None:  # too few authorities of that kind to say what is small or large for it
        return
    bound = int(SIZE_MARGIN * known.max())
    if pop > bound:
        raise InvalidInput(f"population {pop:,} is implausible for a {profile.kind.value}: the largest in the "
                           f"catalogue has {int(known.max()):,}", field="population")
    small = float(np.percentile(known, 1))
    if pop < small / LOW_MARGIN:
        raise InvalidInput(f"population {pop:,} is implausible for a {profile.kind.value}: the smallest in the "
                           f"catalogue have about {int(small):,}", field="population")


#: A web address or an e-mail address, anywhere in a name.
_URL = re.compile(r"(?:[a-z][a-z0-9+.-]*://|\bwww\.|@|\b[a-z0-9-]+\.(?:com|net|org|info|biz|io|xyz|fr|eu)\b)",
                  re.IGNORECASE)
#: Six digits or more with only separators between them: a phone number (no place name has one).
_PHONE = re.compile(r"(?:\+\s*)?\d(?:[\s.\-/()]*\d){5,}")


def check_name_text(name: str) -> None:
    """A name, not a message: at least two letters, no URL or e-mail address, no phone number."""
    if _URL.search(name):
        raise InvalidInput(f"{name!r} is not a name: no web or e-mail address in a name", field="name")
    if _PHONE.search(name):
        raise InvalidInput(f"{name!r} is not a name: no phone number in a name", field="name")
    if sum(1 for ch in name if unicodedata.category(ch).startswith("L")) < 2:
        raise InvalidInput(f"{name!r} is not a name: a name has at least two letters", field="name")


def same_name(store: ProfileStore, name: str, country: str) -> list[Profile]:
    """Verified authorities of ``country`` with a name or an alternative name (in any language) that looks
    like ``name`` (``matcher.catalogue.skeleton``: confusable letters, invisible characters, accents, case and
    punctuation aside), as the store's search ranks them: what ``name_taken`` is made of, and what a
    registration page offers to claim instead."""
    wanted = name_skeleton(name)
    if not wanted:
        return []
    hits, _ = store.search(search_form(name), country=country, limit=10)
    return [h for h in hits if any(name_skeleton(n) == wanted for n in (h.name, *h.alt_names))]


def check_name(profile: Profile, name_taken: Sequence[str]) -> None:
    """``name_taken``: ids of verified authorities of the profile's country with the same name."""
    if name_taken:
        raise Conflict(f"{profile.name!r} is already in the catalogue ({', '.join(name_taken[:3])}); its town hall "
                       f"can claim it: POST /authorities/{name_taken[0]}/claims", field="name")


def check_plausible(profile: Profile, a: CatalogueArrays, countries: Mapping[str, Country],
                    name_taken: Sequence[str]) -> None:
    check_name_text(profile.name)
    check_name(profile, name_taken)
    check_size(profile, a, countries)
    check_place(profile, a)
