"""Small worlds with known contents (no tests here). The API's tiny world is ``tests/profiles_fixture.py``.

* ``CATALOGUE``, ``COUNTRIES``, ``LINKS``, ``make_data_dir``: the store tests' catalogue files (accents,
  alternative names, a dangling link).
* ``MULTILINGUAL_COUNTRIES``: seven countries and their languages, for the known answers across languages.
* ``random_world``: thousands of profiles drawn from a seed, for fast paths checked against brute force.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from matcher.catalogue import files
from matcher.catalogue.files import Country
from matcher.domain import Facet, Kind, Link, Profile

CATALOGUE = [
    Profile(id="fr-42218", name="Saint-Étienne", kind=Kind.COMMUNE, country="FR", admin1_code="84",
            admin1_name="Auvergne-Rhône-Alpes", admin2_code="42", admin2_name="Loire", population=172_565,
            lat=45.43389, lon=4.39, parent_ids=("fr-dep-42", "fr-reg-84"), source="insee"),
    Profile(id="fr-76575", name="Saint-Étienne-du-Rouvray", kind=Kind.COMMUNE, country="FR",
            population=28_000, lat=49.377, lon=1.105, source="insee"),
    Profile(id="fr-42999", name="Étienne-sur-Loire", kind=Kind.COMMUNE, country="FR", population=900),
    Profile(id="fr-75056", name="Paris", kind=Kind.COMMUNE, country="FR", population=2_100_000,
            lat=48.8566, lon=2.3522),
    Profile(id="fr-dep-42", name="Loire", kind=Kind.DEPARTMENT, country="FR", population=765_000),
    Profile(id="fr-reg-84", name="Auvergne-Rhône-Alpes", kind=Kind.REGION, country="FR"),
    Profile(id="sn-thies", name="Thiès", kind=Kind.MUNICIPALITY, country="SN", population=320_000,
            lat=14.79, lon=-16.93, alt_names=("Thies", "Tiès")),
    Profile(id="de-koeln", name="Köln", kind=Kind.MUNICIPALITY, country="DE", population=1_080_000,
            lat=50.94, lon=6.96, alt_names=("Cologne", "Colonia")),
    Profile(id="es-madrid", name="Madrid", kind=Kind.MUNICIPALITY, country="ES", population=3_300_000),
    Profile(id="ma-fes", name="Fès", kind=Kind.MUNICIPALITY, country="MA", population=1_100_000,
            alt_names=("Fez", "فاس")),
]


COUNTRIES = [
    Country("FR", "France", "France", "FRA", "EU", ("fr",), True, 68_000_000),
    Country("SN", "Senegal", "Sénégal", "SEN", "AF", ("fr", "wo"), True, 18_000_000),
    Country("DE", "Germany", "Allemagne", "DEU", "EU", ("de",), False, 84_000_000),
    Country("ES", "Spain", "Espagne", "ESP", "EU", ("es",), False, None),
    Country("MA", "Morocco", "Maroc", "MAR", "AF", ("ar", "fr"), False, 37_000_000),
]


LINKS = [Link("fr-42218", "sn-thies", "twinning", "test"), Link("fr-75056", "de-koeln", "twinning", "test"),
         Link("fr-42218", "xx-unknown", "twinning", "test")]  # dangling: skipped at load



def make_data_dir(root: Path, profiles: list[Profile] = CATALOGUE) -> Path:
    """The catalogue files of ``profiles`` (``CATALOGUE`` by default), ``COUNTRIES`` and ``LINKS`` in ``root``/data."""
    data = root / "data"
    files.write_authorities(data / files.AUTHORITIES_FILE, profiles)
    files.write_countries(data / files.COUNTRIES_FILE, COUNTRIES)
    files.write_links(data / files.LINKS_FILE, LINKS)
    files.write_json(data / files.LINK_REPORT_FILE, {"resolved": 2, "ambiguous": 1, "unresolved": 0})
    return data


#: Seven countries and their languages, for the known answers across languages.
MULTILINGUAL_COUNTRIES = {c.code: c for c in [
    Country("FR", "France", "France", "FRA", "EU", ("fr",), True),
    Country("SN", "Senegal", "Sénégal", "SEN", "AF", ("fr",), True),
    Country("BR", "Brazil", "Brésil", "BRA", "SA", ("pt",), False),
    Country("DE", "Germany", "Allemagne", "DEU", "EU", ("de",), False),
    Country("MA", "Morocco", "Maroc", "MAR", "AF", ("ar", "fr"), True),
    Country("ES", "Spain", "Espagne", "ESP", "EU", ("es",), False),
    Country("TN", "Tunisia", "Tunisie", "TUN", "AF", ("ar", "fr"), True),
]}


def random_world(n_foreign: int, seed: int) -> tuple[list[Profile], list[Link], dict[str, Country]]:
    """300 French communes and ``n_foreign`` foreign towns in four countries (some sizes and places unknown, a
    few with needs), 600 random links: (profiles, links, countries), the same for the same ``seed``."""
    rng = np.random.default_rng(seed)
    countries = {c: Country(c, c, c, c + "X", cont, (lang,), fr_off, 10_000_000)
                 for c, cont, lang, fr_off in [("FR", "EU", "fr", True), ("DE", "EU", "de", False),
                                               ("SN", "AF", "fr", True), ("BR", "SA", "pt", False),
                                               ("JP", "AS", "ja", False)]}
    codes = ["DE", "SN", "BR", "JP"]
    profiles = [Profile(id=f"FR-COM-{i:05d}", name=f"Commune {i}", kind=Kind.COMMUNE, country="FR",
                        admin1_code=str(10 + i % 5), admin2_code=f"{i % 20:02d}", population=int(rng.integers(500, 90_000)),
                        lat=float(rng.uniform(43, 50)), lon=float(rng.uniform(-2, 7))) for i in range(300)]
    for i in range(n_foreign):
        c = codes[i % 4]
        profiles.append(Profile(
            id=f"GN-{i}", name=f"Town {i}", kind=Kind.MUNICIPALITY, country=c, admin1_code=str(i % 7),
            population=int(rng.integers(5_000, 2_000_000)) if i % 11 else None,  # some sizes unknown
            lat=float(rng.uniform(-30, 60)) if i % 13 else None, lon=float(rng.uniform(-60, 140)) if i % 13 else None,
            needs=Facet((), "Assainissement et eau potable" if i % 17 == 0 else "") if i % 5 == 0 else Facet()))
    links = [Link(f"FR-COM-{int(rng.integers(0, 300)):05d}", f"GN-{int(rng.integers(0, n_foreign))}", "twinning", "t")
             for _ in range(600)]
    return profiles, links, countries
