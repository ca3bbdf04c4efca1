"""One accent fold (``matcher.catalogue.accents``) under every key built from names: the themes' fold (names,
search keys), the French catalogue's fold, the resolver's ``normalize_name``, the store's ``search_key`` and
the participant file's header names. The expected keys are the ones each caller gave before it was built on
the one fold (same strings, computed with the former code), in French, Spanish, Portuguese, German, Turkish,
Polish, Danish and Arabic."""

from __future__ import annotations

import pytest

from matcher.catalogue import french
from matcher.catalogue.accents import fold, strip_accents
from matcher.catalogue.normalize import normalize_name
from matcher.events.participants import _canonical
from matcher.store.codec import search_key
from matcher.themes import fold as themes_fold

# name -> (themes.fold, french.fold, normalize_name, search_key)
KEYS = {
    "Saint-Étienne": ("saint etienne", "saint etienne", "saint etienne", "saint etienne"),
    "Œuilly": ("œuilly", "oeuilly", "oeuilly", "œuilly"),
    "Cœuvres-et-Valsery": ("cœuvres et valsery", "coeuvres et valsery", "coeuvres et valsery", "cœuvres et valsery"),
    "São Tomé": ("sao tome", "sao tome", "sao tome", "sao tome"),
    "Guimarães": ("guimaraes", "guimaraes", "guimaraes", "guimaraes"),
    "Vila Nova de Famalicão": ("vila nova de famalicao",) * 4,
    "Düsseldorf": ("dusseldorf",) * 4,
    "Göttingen": ("gottingen",) * 4,
    "Straße": ("strasse",) * 4,
    "İzmir": ("izmir",) * 4,
    "İstanbul": ("istanbul",) * 4,
    "Şanlıurfa": ("sanlıurfa", "sanlıurfa", "sanliurfa", "sanlıurfa"),
    "Ağrı": ("agrı", "agrı", "agri", "agrı"),
    "IĞDIR": ("igdir",) * 4,
    "Çanakkale": ("canakkale",) * 4,
    "Łódź": ("łodz", "łodz", "lodz", "łodz"),
    "Ærøskøbing": ("ærøskøbing", "ærøskøbing", "aeroskobing", "ærøskøbing"),
    "Señora del Niño": ("senora del nino",) * 4,
    "L'Haÿ-les-Roses": ("l hay les roses",) * 4,
    "L’Isle-d’Abeau": ("l isle d abeau",) * 4,
    "St-Étienne": ("st etienne", "st etienne", "saint etienne", "saint etienne"),
    "Île-de-France": ("ile de france",) * 4,
    "Taiʻarapu-Est": ("taiʻarapu est", "taiʻarapu est", "taiarapu est", "taiʻarapu est"),
    "ﬁgeac Ⅳ ①": ("figeac iv 1",) * 4,
    "أسوان": ("اسوان",) * 4,
    "مـصر": ("مصر", "مـصر", "مـصر", "مصر"),
    "Crème brûlée_2": ("creme brulee 2",) * 4,
    "": ("",) * 4,
}


@pytest.mark.parametrize(("name", "keys"), KEYS.items(), ids=list(KEYS))
def test_every_caller_keeps_its_keys(name: str, keys: tuple[str, str, str, str]) -> None:
    assert (themes_fold(name), french.fold(name), normalize_name(name), search_key(name)) == keys


@pytest.mark.parametrize("name", [n for n in KEYS if "œ" not in n.casefold() and "\u0640" not in n])
def test_the_folds_are_the_one_fold_where_nothing_is_added(name: str) -> None:
    assert themes_fold(name) == french.fold(name) == fold(name)


@pytest.mark.parametrize(("header", "column"), [
    ("Thèmes", "themes"), ("Éviter", "avoid"), ("Pays", "country"), ("Doit-rencontrer", "must_meet"),
    ("Nom", "name"), ("Rendez-vous max", "max_meetings"), ("Présentation", "description"), ("Côté", "side"),
    ("thèmes_codes", "themes"), ("Savoir-faire", "expertise"), ("NAME", "name"),
    ("Ąbc", "ąbc"),  # not a column: the header as written, case-folded (accents kept)
])
def test_participant_headers_keep_their_columns(header: str, column: str) -> None:
    assert _canonical(header) == column


@pytest.mark.parametrize(("text", "stripped"), [
    ("Saint-Étienne", "Saint-Etienne"), ("São Tomé", "Sao Tome"), ("İzmir", "Izmir"), ("Łódź", "Łodz"),
    ("ﬁ①", "fi1"), ("plain ascii", "plain ascii"),
])
def test_strip_accents_keeps_case_and_separators(text: str, stripped: str) -> None:
    assert strip_accents(text) == stripped
