"""Geography the matcher uses: great-circle distances (one Earth radius for every path) and France's
priority zones for decentralised cooperation."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np

from matcher.catalogue.files import Country

#: The mean Earth radius (IUGG), the one every distance in twinmatch uses.
EARTH_RADIUS_KM = 6371.0088


def unit_xyz(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """(n, 3) unit vectors of points in degrees: the catalogue's fast form of a place (a dot product is a cosine)."""
    la, lo = np.radians(lat), np.radians(lon)
    return np.stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)], axis=1).astype(np.float64)


def km_from_dot(dot: np.ndarray | float) -> np.ndarray:
    """Great-circle distance (km) from the dot product of unit vectors (``unit_xyz``)."""
    return EARTH_RADIUS_KM * np.arccos(np.clip(dot, -1.0, 1.0))


def haversine_km(lat: float, lon: float, lats: np.ndarray | float, lons: np.ndarray | float) -> np.ndarray:
    """Great-circle distances (km) from one point to points, all in degrees (haversine: exact for near points
    too). NaN stays NaN."""
    p1, l1 = np.radians(lat), np.radians(lon)
    p2, l2 = np.radians(lats), np.radians(lons)
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin((l2 - l1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))

# The Mediterranean rim (coastal states and territories, France excluded).
MEDITERRANEAN = frozenset(
    ["ES", "IT", "MT", "GR", "CY", "TR", "SY", "LB", "IL", "PS", "EG", "LY", "TN", "DZ", "MA", "MC", "SI", "HR", "BA", "ME", "AL", "GI"]
)
# Neighbours of French overseas territories: Caribbean and Guiana (Guadeloupe, Martinique, Guyane,
# Saint-Martin, Saint-Barthélemy), Indian Ocean (La Réunion, Mayotte), Pacific (Nouvelle-Calédonie,
# Polynésie, Wallis-et-Futuna), North Atlantic (Saint-Pierre-et-Miquelon).
OVERSEAS_NEIGHBOURS = frozenset(
    ["SR", "BR", "HT", "DO", "DM", "LC", "AG", "KN", "VC", "BB", "TT", "GY", "VE", "CU", "JM", "PR", "VG", "AI", "SX", "MS", "CW", "AW", "BQ", "BS", "MG", "KM", "MU", "SC", "MZ", "ZA", "TZ", "KE", "VU", "FJ", "AU", "NZ", "PG", "SB", "TO", "WS", "CK", "KI", "NR", "TV", "CA"]
)
PRIORITY_ZONES = ("africa", "mediterranean", "francophone", "overseas_neighbours")

#: What "French-speaking" means for the filter and the ``francophone`` feature (``Country.french_speaking``,
#: from ``data/french_language.csv``), as shown next to the filter and in the API description.
FRENCH_SPEAKING_DEFINITION = {
    "fr": ("Pays où le français est langue officielle ou langue de travail selon leur propre loi, reconnu par "
           "elle (Liban) ou largement parlé sans statut légal (Algérie, Maroc, Tunisie, Mauritanie, Maurice)."),
    "en": ("Countries where French is an official or working language by their own law, recognised by it "
           "(Lebanon) or widely spoken without legal status (Algeria, Morocco, Tunisia, Mauritania, Mauritius)."),
}


def priority_countries(countries: Mapping[str, Country], zones: Iterable[str] = PRIORITY_ZONES) -> frozenset[str]:
    """ISO codes of the countries in the given priority zones (France itself is never one)."""
    zones = set(zones)
    out: set[str] = set()
    for code, c in countries.items():
        if ("africa" in zones and c.continent == "AF") or ("mediterranean" in zones and code in MEDITERRANEAN) or (
            "francophone" in zones and c.french_speaking
        ) or ("overseas_neighbours" in zones and code in OVERSEAS_NEIGHBOURS):
            out.add(code)
    out.discard("FR")
    return frozenset(out)
