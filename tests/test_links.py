"""Known partnerships: reading both twinning lists, resolving, deduplicating, reporting, failing cleanly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from matcher.catalogue.files import read_links
from matcher.catalogue.links import (
    DATA_CARD_PLACEHOLDER,
    build_links,
    fill_data_card,
    write_link_files,
)
from matcher.catalogue.twinning_lists import WIKIDATA_FILE, WIKIPEDIA_FILE
from matcher.domain import Kind, Link, Profile
from matcher.errors import DataBuildError

WD_HEADER = ("origincityLabel\torigincountry\toriginlat\toriginlong\toriginpopulation\tsistercityLabel\t"
             "destinationlat\tdestinationlong\tdestinationpopulation\tdestination_countryLabel\tdist\teu\n")
WP_HEADER = "city1,country1,lat1,lng1,city2,country2,lat2,lng2\n"


def _p(pid: str, name: str, country: str, lat: float, lon: float) -> Profile:
    kind = Kind.COMMUNE if country == "FR" else Kind.MUNICIPALITY
    return Profile(id=pid, name=name, kind=kind, country=country, lat=lat, lon=lon)


CATALOGUE = [
    _p("FR-COM-27229", "Évreux", "FR", 49.0241, 1.1508),
    _p("FR-COM-35288", "Saint-Malo", "FR", 48.6493, -2.0257),
    _p("FR-COM-26362", "Valence", "FR", 44.9334, 4.8924),
    _p("FR-COM-82186", "Valence", "FR", 44.1080, 0.8917),
    _p("FR-COM-97411", "Saint-Denis", "FR", -20.8823, 55.4504),
    _p("GN-2641598", "Newport", "GB", 51.5877, -2.9984),
    _p("GN-2641599", "Newport", "GB", 50.7015, -1.2923),
    _p("GN-2925535", "Frankfurt (Oder)", "DE", 52.3471, 14.5506),
    _p("GN-3176959", "Florence", "IT", 43.7792, 11.2463),
]


def _write(tmp: Path, wd_rows: list[str], wp_rows: list[str]) -> Path:
    (tmp / WIKIDATA_FILE).write_text(WD_HEADER + "".join(r + "\n" for r in wd_rows), encoding="utf-8")
    (tmp / WIKIPEDIA_FILE).write_text(WP_HEADER + "".join(r + "\n" for r in wp_rows), encoding="utf-8")
    return tmp


def _wd(origin: str, lat: float, lon: float, partner: str, plat: float, plon: float, country: str) -> str:
    return f"{origin}\tFrance\t{lat}\t{lon}\t\t{partner}\t{plat}\t{plon}\t\t{country}\t0\tEU"


@pytest.fixture()
def twinning(tmp_path: Path) -> Path:
    return _write(
        tmp_path,
        [
            _wd("Évreux", 49.02, 1.15, "Newport", 51.58, -3.0, "United Kingdom"),  # Newport, Wales
            _wd("Valence", 44.11, 0.89, "Frankfurt (Oder)", 52.34, 14.55, "Germany"),  # Valence 82
            _wd("Saint-Malo", 48.65, -2.02, "Atlantis", 0.0, 0.0, "Germany"),  # partner unknown
            _wd("Évreux", 49.02, 1.15, "Saint-Denis", -20.88, 55.45, "France"),  # France–France
        ],
        [
            "St-Malo,France,48.65,-2.02,Newport,Wales,50.70,-1.29",  # (coords of Isle of Wight Newport)
            "Newport,\"England, United Kingdom\",50.70,-1.29,St-Malo,France,48.65,-2.02",  # same, other side
            "Evreux,France,49.02,1.15,Newport,Wales,51.58,-3.0",  # also in Wikidata
            "Florence,Italy,43.77,11.25,Valence,France,44.93,4.89",  # French side second, Valence 26
            "Florence,Italy,43.77,11.25,Frankfurt (Oder),Germany,52.34,14.55",  # no French side: skipped
            "Saint-Denis,\"Réunion, France\",-20.88,55.45,Évreux,France,49.02,1.15",  # France–France again
        ],
    )


def test_build_links_synthetic(twinning: Path) -> None:
    links, report = build_links(CATALOGUE, {}, twinning, progress=False)
    assert links == sorted(links, key=lambda k: (k.a, k.b))
    assert set(links) == {
        Link("FR-COM-27229", "GN-2641598", "twinning", "wikidata+wikipedia"),
        Link("FR-COM-82186", "GN-2925535", "twinning", "wikidata"),
        Link("FR-COM-27229", "FR-COM-97411", "twinning", "wikidata+wikipedia"),  # a < b
        Link("FR-COM-35288", "GN-2641599", "twinning", "wikipedia"),  # listed twice, once
        Link("FR-COM-26362", "GN-3176959", "twinning", "wikipedia"),  # French id always first
    }
    wd, wp, overall = report["sources"]["wikidata"], report["sources"]["wikipedia"], report["overall"]
    assert (wd["rows_read"], wd["pairs"], wd["resolved_both"]) == (4, 4, 3)
    assert wd["partner_side"]["unresolved"] == 1 and wd["french_side"]["resolved"] == 4
    assert (wp["rows_read"], wp["rows_without_french_side"], wp["pairs"], wp["resolved_both"]) == (6, 1, 4, 4)
    assert wp["pairs_france_france"] == 1 and wd["pairs_france_france"] == 1
    assert overall["links"] == 5 and overall["links_france_france"] == 1
    assert overall["links_by_source"] == {"wikidata": 1, "wikidata+wikipedia": 2, "wikipedia": 2}
    assert wd["share_resolved_both"] == 0.75
    json.dumps(report)  # the report is plain JSON


def test_write_files_and_data_card(twinning: Path, tmp_path: Path) -> None:
    links, report = build_links(CATALOGUE, {}, twinning, progress=False)
    out = tmp_path / "out"
    write_link_files(out, links, report)
    assert read_links(out / "links.csv") == links
    assert json.loads((out / "link_report.json").read_text())["overall"]["links"] == len(links)
    card = out / "DATA_CARD.md"
    assert fill_data_card(card, report) is False  # no file: nothing to fill
    card.write_text(f"# Data card\n\nintro\n\n{DATA_CARD_PLACEHOLDER}\n\n## Other\nkept\n", encoding="utf-8")
    assert fill_data_card(card, report) is True
    text = card.read_text(encoding="utf-8")
    assert "## Known partnerships" in text and "**5 links**" in text and "## Other\nkept" in text
    assert DATA_CARD_PLACEHOLDER not in text
    assert fill_data_card(card, report) is True  # a rebuild replaces the section, never duplicates it
    assert card.read_text(encoding="utf-8").count("## Known partnerships") == 1


@pytest.mark.parametrize(("which", "content", "message"), [
    (WIKIDATA_FILE, None, "file not found"),
    (WIKIPEDIA_FILE, "city1,country1,lat1\nA,France,1\n", "missing column"),
    (WIKIPEDIA_FILE, WP_HEADER, "no data rows"),
    (WIKIPEDIA_FILE, WP_HEADER + "A,France,north,1,B,Italy,1,1\n", "not a number"),
    (WIKIPEDIA_FILE, WP_HEADER + "A,France,1,1,B,Italy,1\n", "wrong number of fields"),
    (WIKIDATA_FILE, b"origincityLabel\t\xff\xfe\n", "unreadable"),
])
def test_corrupt_inputs_raise(twinning: Path, which: str, content: str | bytes | None, message: str) -> None:
    path = twinning / which
    if content is None:
        path.unlink()
    elif isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(DataBuildError) as err:
        build_links(CATALOGUE, {}, twinning, progress=False)
    assert which in err.value.message and message in err.value.message


DATA = Path(__file__).resolve().parents[1] / "data"
TWINNING = Path(__file__).resolve().parents[2] / "shared" / "data" / "twinning"


@pytest.mark.skipif(not (DATA / "authorities.csv.gz").exists() or not (TWINNING / WIKIDATA_FILE).exists(),
                    reason="needs the built catalogue and the twinning lists")
def test_build_links_real_data() -> None:
    from matcher.catalogue.files import read_authorities, read_countries

    authorities = list(read_authorities(DATA / "authorities.csv.gz"))
    links, report = build_links(authorities, read_countries(DATA / "countries.json"), TWINNING, progress=False)
    pairs = {(link.a, link.b): link.source for link in links}
    # Checked by hand against both lists and the catalogue:
    assert pairs[("FR-COM-27229", "GN-2638978")] == "wikidata+wikipedia"  # Évreux – Rugby
    assert pairs[("FR-COM-27229", "GN-2510764")] == "wikidata"  # Évreux – Sueca (Spain)
    assert pairs[("FR-COM-42218", "GN-2652221")] == "wikidata+wikipedia"  # Saint-Étienne – Coventry (GB)
    assert pairs[("FR-COM-58194", "GN-2638867")] == "wikidata+wikipedia"  # Nevers – St Albans
    assert pairs[("FR-COM-60159", "GN-2654186")] == "wikidata+wikipedia"  # Compiègne – Bury St Edmunds
    assert pairs[("FR-COM-33063", "GN-6325494")] == "wikidata+wikipedia"  # Bordeaux – Québec
    assert pairs[("FR-COM-69123", "GN-2925533")] == "wikipedia"  # Lyon – Frankfurt am Main
    assert len(pairs) == len(links)  # no duplicate pair
    assert all(link.a.startswith("FR-") and link.a != link.b for link in links)
    assert all(link.a < link.b for link in links if link.b.startswith("FR-"))
    overall = report["overall"]
    # Measured on the catalogue of issue F (foreign units, towns of 1,000+): 3,724 links, 93.1 % of the
    # pairs resolved on both sides (81.4 % with towns of 5,000+), 5,578 of 5,585 French sides.
    assert 3_500 <= overall["links"] <= 4_000
    assert overall["share_resolved_both"] >= 0.92
    assert overall["french_side"]["resolved"] >= 0.99 * overall["pairs"]
