"""Foreign units found from the way lists write them (matcher.catalogue.unit_names): known answers."""

from __future__ import annotations

import pytest

from matcher.catalogue.resolve import Resolver
from matcher.catalogue.unit_names import UnitIndex, unit_core, written_forms
from matcher.domain import Kind, Level, Profile


@pytest.mark.parametrize("written, catalogue", [
    ("Province du Sichuan", "Sichuan Sheng"), ("Gouvernorat de Gabès", "Gabès Governorate"),
    ("Cercle de Yélimané", "Yélimané Cercle"), ("Hubei Province", "Hubei Sheng"), ("Județul Dolj", "Dolj"),
    ("Conseil de cercle de Douentza", "Douentza Cercle"), ("Département de l'Alibori", "Alibori"),
    ("Diputación Foral de Gipuzkoa", "Gipuzkoa"), ("État de São Paulo", "São Paulo"),
    ("Province du Gyeongsangbuk-do", "Gyeongsangbuk-do"), ("Oblast de Lviv", "Lviv Oblast"),
    ("Wilaya (région) du Gorgol", "Gorgol"),
])
def test_written_and_catalogue_names_share_a_core(written: str, catalogue: str) -> None:
    assert unit_core(written) == unit_core(catalogue)


@pytest.mark.parametrize("name", ["Centre", "Région", "Province"])
def test_a_name_of_generic_words_only_is_kept(name: str) -> None:
    assert unit_core(name) == unit_core(name.lower()) != ""


def test_written_forms_offer_the_parenthesised_names() -> None:
    assert written_forms("Île autonome de Ngazidja (Grande Comore)") == [
        "Île autonome de Ngazidja", "Grande Comore"]
    assert written_forms("Murcia, Región de") == ["Murcia, Región de", "Murcia"]


def _unit(i: int, name: str, country: str, level: Level, kind: Kind = Kind.PROVINCE, **kw: object) -> Profile:
    return Profile(id=f"GN-{i}", name=name, kind=kind, country=country, level=level, **kw)  # type: ignore[arg-type]


@pytest.fixture()
def resolver() -> Resolver:
    return Resolver([
        _unit(1, "Sichuan Sheng", "CN", Level.ADMIN1),
        _unit(2, "Chengdu", "CN", Level.ADMIN2),
        Profile(id="GN-3", name="Chengdu", kind=Kind.MUNICIPALITY, country="CN", population=10_000_000),
        _unit(4, "Gegharkunik", "AM", Level.ADMIN1, Kind.REGION),
        _unit(5, "Wales", "GB", Level.ADMIN1, Kind.REGION, name_fr="Pays de Galles"),
        _unit(6, "Borgou", "BJ", Level.ADMIN1, Kind.DEPARTMENT),
        _unit(7, "Borgou", "BJ", Level.ADMIN2, Kind.MUNICIPALITY),
    ])


@pytest.mark.parametrize("name, country, order, expected, how", [
    ("Province du Sichuan", "CN", (Level.ADMIN1, Level.ADMIN2), "GN-1", "unit_core"),
    ("Préfecture (marz) du Guégharkunik", "AM", (Level.ADMIN1,), "GN-4", "unit_fuzzy"),  # close spelling
    ("Gouvernement gallois (Pays de Galles)", "GB", (Level.ADMIN1,), "GN-5", "unit_core"),  # French name
    ("Département du Borgou", "BJ", (Level.ADMIN1, Level.ADMIN2), "GN-6", "unit_core"),  # first level wins
    ("Borgou", "BJ", (Level.ADMIN2, Level.ADMIN1), "GN-7", "unit_core"),
    ("Chengdu", "CN", (Level.ADMIN2,), "GN-2", "unit_core"),  # the town is never a unit
])
def test_resolve_unit(resolver: Resolver, name: str, country: str, order: tuple[Level, ...], expected: str,
                      how: str) -> None:
    res = resolver.resolve_unit(name, country, order)
    assert (res.id, res.reason) == (expected, how)


@pytest.mark.parametrize("name, country, order", [
    ("Province du Sichuan", "CN", (Level.ADMIN2,)),  # the level asked for has no such unit
    ("Région Doukkala-Abda", "MA", (Level.ADMIN1,)),  # a region abolished in 2015: no such unit
    ("Province du Sichuan", "VN", (Level.ADMIN1,)),  # another country
    ("Chengdu", "CN", (Level.ADMIN1,)),
])
def test_unit_not_found(resolver: Resolver, name: str, country: str, order: tuple[Level, ...]) -> None:
    assert not resolver.resolve_unit(name, country, order).ok


def test_two_equally_close_spellings_are_not_guessed() -> None:
    idx = UnitIndex([(0, "XX", Level.ADMIN1, ("Alibora",)), (1, "XX", Level.ADMIN1, ("Aliboro",))])
    assert idx.find("Alibori", "XX", (Level.ADMIN1,)) is None
    assert idx.find("Alibora", "XX", (Level.ADMIN1,)) is not None
