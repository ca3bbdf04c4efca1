"""Geography facts the matcher uses: France's priority zones for decentralised cooperation."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from matcher.catalogue.files import Country

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
