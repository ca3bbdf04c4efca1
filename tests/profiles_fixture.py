"""A tiny hand-made world where the right matches are obvious (shared by engine, service and event tests).

Ten authorities in several languages. Known answers:
- Eauville (FR, water utility, needs tourism) ↔ Ndiaye (SN, needs sanitation, offers tourism):
  reciprocal complementarity in both directions.
- Registreville (FR, civil-registry expertise) ↔ Kankan-like Guinean commune needing état civil.
- History: several French communes near Lyonville are twinned with Rheinstadt (DE); Lyonville has
  no partner yet, so the neighbour prior points it to Rheinstadt.
"""

from __future__ import annotations

from pathlib import Path

from matcher.catalogue.files import Country, write_authorities, write_countries, write_links
from matcher.domain import Facet, Kind, Link, Profile

COUNTRIES = [
    Country("FR", "France", "France", "FRA", "EU", ("fr",), True, 68_000_000),
    Country("SN", "Senegal", "Sénégal", "SEN", "AF", ("fr", "wo"), True, 17_000_000),
    Country("GN", "Guinea", "Guinée", "GIN", "AF", ("fr",), True, 13_000_000),
    Country("DE", "Germany", "Allemagne", "DEU", "EU", ("de",), False, 83_000_000),
    Country("BR", "Brazil", "Brésil", "BRA", "SA", ("pt",), False, 210_000_000),
    Country("ES", "Spain", "Espagne", "ESP", "EU", ("es",), False, 47_000_000),
    Country("MA", "Morocco", "Maroc", "MAR", "AF", ("ar", "fr"), True, 37_000_000),
]


def fr(id_: str, name: str, lat: float, lon: float, pop: int, dep: str = "69", region: str = "84",
       **kw: object) -> Profile:
    return Profile(id=id_, name=name, kind=Kind.COMMUNE, country="FR", admin1_code=region,
                   admin1_name=f"Région {region}", admin2_code=dep, admin2_name=f"Département {dep}", population=pop,
                   lat=lat, lon=lon, source="test", **kw)  # type: ignore[arg-type]


def foreign(id_: str, name: str, country: str, lat: float, lon: float, pop: int, admin1: str = "01",
            **kw: object) -> Profile:
    return Profile(id=id_, name=name, kind=Kind.MUNICIPALITY, country=country, admin1_code=admin1,
                   admin1_name=f"{country} region {admin1}", population=pop, lat=lat, lon=lon, source="test",
                   **kw)  # type: ignore[arg-type]


PROFILES = [
    fr("FR-COM-00001", "Eauville", 45.0, 2.0, 12_000, dep="15", region="76",
       description="Commune rurale du Cantal",
       expertise=Facet(("water_sanitation",), "Régie municipale de l'eau potable et de l'assainissement, "
                       "stations d'épuration et réseaux d'eaux usées"),
       needs=Facet(("tourism",), "Développer le tourisme culturel et l'artisanat local")),
    fr("FR-COM-00002", "Registreville", 47.0, 1.0, 30_000, dep="41", region="24",
       expertise=Facet(("civil_registry",), "Modernisation de l'état civil, numérisation des registres "
                       "d'état civil"),
       needs=Facet((), "Coopération jeunesse et échanges scolaires")),
    fr("FR-COM-00003", "Lyonville", 45.76, 4.84, 50_000),
    fr("FR-COM-00004", "Villeurbanne-Test", 45.77, 4.88, 40_000),
    fr("FR-COM-00005", "Bron-Test", 45.74, 4.91, 35_000),
    foreign("GN-100", "Ndiaye", "SN", 14.8, -16.9, 15_000,
            description="Municipalité côtière",
            expertise=Facet(("tourism",), "Tourisme culturel, artisanat local et festivals"),
            needs=Facet(("water_sanitation",), "Assainissement, eau potable et réseaux d'eaux usées pour "
                        "les quartiers")),
    foreign("GN-200", "Kankan-Test", "GN", 10.4, -9.3, 40_000,
            expertise=Facet((), "Échanges scolaires et jeunesse, coopération jeunesse"),
            needs=Facet(("civil_registry",), "Numérisation des registres d'état civil, modernisation de l'état "
                        "civil")),
    foreign("GN-300", "Rheinstadt", "DE", 49.0, 8.4, 45_000, admin1="08"),
    foreign("GN-301", "Rheindorf", "DE", 49.8, 9.5, 8_000, admin1="08"),  # ~120 km from Rheinstadt
    foreign("GN-400", "Cidade", "BR", -23.5, -46.6, 60_000,
            expertise=Facet(("digital",), "Governo digital e serviços públicos online"),
            needs=Facet(("culture_heritage",), "Património cultural e museus")),
]

LINKS = [
    Link("FR-COM-00004", "GN-300", "twinning", "test"),
    Link("FR-COM-00005", "GN-300", "twinning", "test"),
    Link("FR-COM-00004", "GN-301", "twinning", "test"),
]


def write_tiny_data(data_dir: Path) -> Path:
    data_dir.mkdir(parents=True, exist_ok=True)
    write_authorities(data_dir / "authorities.csv.gz", PROFILES)
    write_countries(data_dir / "countries.json", COUNTRIES)
    write_links(data_dir / "links.csv", LINKS)
    return data_dir


#: Real-looking cooperation cases over the tiny world (``matcher.learning.cooperation``): the French side's expertise
#: names its partner, as real case texts often do; two sides are not in the catalogue.
CASES = [
    ("Ville d'Eauville", "commune", "00001", "Commune de Ndiaye", "municipality", "SN", "sanitation",
     "Ndiaye manque de réseaux d'assainissement et d'eau potable dans ses quartiers.",
     "Eauville accompagne Ndiaye avec sa régie de l'eau : stations d'épuration et réseaux d'eaux usées."),
    ("Registreville", "commune", "00002", "Kankan-Test", "municipality", "GN", "civil registry",
     "Kankan-Test doit numériser ses registres d'état civil.",
     "Registreville a modernisé son état civil et forme les agents de Kankan-Test."),
    ("Lyonville", "commune", "00003", "Rheinstadt", "municipality", "DE", "culture;youth",
     "Rheinstadt sucht Jugendaustausch und Kulturprojekte.",
     "Lyonville organise des échanges de jeunes et des festivals avec Rheinstadt."),
    ("Bron-Test", "commune", "00005", "Cidade", "municipality", "BR", "heritage",
     "Cidade precisa restaurar seu património cultural e museus.",
     "Bron-Test partage avec Cidade son savoir-faire de restauration du patrimoine et des musées."),
    ("Commune de Nulle-Part", "commune", "", "Commune de Tambacounda", "municipality", "SN", "health",
     "Tambacounda a besoin d'un centre de santé rénové.",
     "Nulle-Part finance la rénovation du centre de santé de Tambacounda."),
    ("Région Test", "region", "99", "Province de Fès", "province", "MA", "tourism",
     "La province de Fès veut développer le tourisme rural.",
     "La Région Test soutient le tourisme rural de la province de Fès."),
    ("Ville d'Eauville", "commune", "00001", "Commune de Thiès", "municipality", "SN", "waste",
     "Thiès doit organiser la collecte des déchets.",
     "Eauville conseille Thiès sur la collecte et le tri des déchets."),
]
CASE_COLUMNS = ("french_authority", "french_kind", "french_insee_or_dept_code", "foreign_authority", "foreign_kind",
                "foreign_country", "themes", "needs_text", "expertise_text", "start_year", "source_url", "source_title")


def write_tiny_cases(data_dir: Path) -> tuple[Path, Path]:
    """``cooperation/cooperation_dev.csv`` and ``needs_translated.csv`` (each need tagged with its language)."""
    import csv

    from matcher.learning.cooperation import TRANSLATION_LANGUAGES

    d = data_dir / "cooperation"
    d.mkdir(parents=True, exist_ok=True)
    cases, trans = d / "cooperation_dev.csv", d / "needs_translated.csv"
    with cases.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(CASE_COLUMNS)
        for c in CASES:
            w.writerow([*c, "", "https://example.org", "test"])
    with trans.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["row", "lang", "foreign_authority", "foreign_country", "needs_text"])
        for i, c in enumerate(CASES, start=1):
            for lang in TRANSLATION_LANGUAGES:
                w.writerow([i, lang, c[3], c[5], f"({lang}) {c[7]}"])
    return cases, trans
