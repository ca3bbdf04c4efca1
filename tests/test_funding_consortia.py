"""Consortia: known answers on the real catalogue files (links.csv and the cooperation cases), pure."""

from __future__ import annotations

from pathlib import Path

import pytest

from matcher.catalogue.case_pairs import case_links, load_pairs
from matcher.catalogue.files import read_authorities, read_links
from matcher.domain import Profile
from matcher.funding.consortia import overlaps, propose
from matcher.funding.project import theme_labels

DATA = Path(__file__).resolve().parents[1] / "data"
DAKAR = "GN-2253354"


@pytest.fixture(scope="module")
def world() -> tuple[list, dict[str, Profile]]:
    links = read_links(DATA / "links.csv") + case_links(load_pairs(DATA / "cooperation"))
    ids = {x for link in links for x in (link.a, link.b)} | {DAKAR}
    wanted = set(ids)
    profiles: dict[str, Profile] = {}
    for p in read_authorities(DATA / "authorities.csv.gz"):
        if p.id in wanted or p.country == "FR" and p.kind.value in ("department", "region", "intercommunality"):
            profiles[p.id] = p
    foreign_parents = {pid for p in profiles.values() if p.country != "FR" for pid in p.parent_ids}
    for p in read_authorities(DATA / "authorities.csv.gz"):
        if p.id in foreign_parents:
            profiles[p.id] = p
    return links, profiles


def test_a_consortium_for_dakar_on_water(world: tuple[list, dict[str, Profile]]) -> None:
    links, profiles = world
    got = propose(profiles[DAKAR], links, profiles, ["water_sanitation"], theme_labels(), k=5)
    linked = [m for m in got.members if m.role in ("lead", "member")]
    assert len(linked) >= 3 and all(m.reasons for m in got.members)
    assert got.members[0].role == "lead" and got.members[0].profile.name == "Marseille"  # twinned + a case
    texts = [r.text_fr for m in got.members for r in m.reasons]
    assert "Jumelée avec Dakar." in texts
    assert any("même région que Dakar" in t for t in texts)  # Rufisque, Guédiawaye: in the Dakar region
    assert got.candidates >= 10  # French authorities working with Dakar, its region or Senegal
    complement = [m for m in got.members if m.role == "complement"]
    assert complement and complement[0].profile.id in profiles[got.members[0].profile.id].parent_ids


def test_overlaps_name_territories_worked_side_by_side(world: tuple[list, dict[str, Profile]]) -> None:
    links, profiles = world
    found = {o.territory.id: o for o in overlaps(links, profiles)}
    dakar_region = found["GN-2253350"]
    names = {p.name for p in dakar_region.french}
    assert {"Marseille", "Dijon", "Hénin-Beaumont"} <= names
