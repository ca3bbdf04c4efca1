"""Ranked, explained candidates: catalogue authorities and ad-hoc profiles, filters, languages."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from support.api import A, Api, B, assert_error

from matcher.ranking.score_scale import match_score, one_in

#: The tests that need only ``api`` run on SQLite and on PostgreSQL (``support.api.pytest_generate_tests``).
API_BACKENDS = ("sqlite", "postgres")


def matches(api: Api, authority_id: str, headers: dict[str, str] | None = None, **params: Any) -> list[Any]:
    r = api.client.get(f"/authorities/{authority_id}/matches", params=params, headers=headers or {})
    assert r.status_code == 200, r.text
    return r.json()["matches"]


@pytest.mark.parametrize("query, expected", [
    (A, "GN-100"),  # water utility ↔ municipality needing sanitation
    (B, "GN-200"),  # civil registry, both ways
    ("GN-100", A),  # the same pair seen from Senegal
    ("FR-COM-00003", "GN-300"),  # no text: the neighbours' twinnings point to Rheinstadt
])
def test_known_answers(api: Api, query: str, expected: str) -> None:
    got = matches(api, query, k=5)
    assert got[0]["id"] == expected
    assert [m["rank"] for m in got] == list(range(1, len(got) + 1))
    assert all(a["score"] >= b["score"] for a, b in itertools.pairwise(got))
    assert all(a["match_score"] >= b["match_score"] for a, b in itertools.pairwise(got))
    assert [m["match_score"] for m in got] == [int(match_score(m["score"])) for m in got]
    assert [m["one_in"] for m in got] == [int(one_in(m["match_score"])) for m in got]
    assert got[0]["reasons"], "the first match is explained"


def test_response_shape_matches_the_cli(api: Api) -> None:
    r = api.client.get(f"/authorities/{A}/matches", params={"k": 1})
    body = r.json()
    assert body["query"] == {"id": A, "name": "Eauville", "country": "FR", "kind": "commune"}
    m = body["matches"][0]
    assert set(m) == {"id", "name", "name_local", "country", "kind", "level", "lat", "lon", "population", "score",
                      "match_score", "one_in", "rank", "reasons"}
    assert set(m["reasons"][0]) == {"code", "value", "contribution", "text", "text_fr", "text_en"}


@pytest.mark.parametrize("level", ["admin1", "admin2", "town"])
def test_level_filter_keeps_only_that_level(api: Api, level: str) -> None:
    r = api.client.get(f"/authorities/{A}/matches", params={"k": 50, "level": level, "include_existing": True})
    assert r.status_code == 200, r.text
    got = r.json()["matches"]
    assert all(m["level"] == level for m in got)
    assert got or level != "town"  # the tiny world is mostly towns


def test_unknown_level_is_a_422_naming_the_field(api: Api) -> None:
    r = api.client.get(f"/authorities/{A}/matches", params={"level": "planet"})
    assert r.status_code == 422 and "level" in r.text


def test_lang_fr_gives_french_reasons(api: Api) -> None:
    fr = matches(api, A, k=1, lang="fr")[0]["reasons"]
    en = matches(api, A, k=1, lang="en")[0]["reasons"]
    assert [r["text"] for r in fr] == [r["text_fr"] for r in fr]
    assert [r["text"] for r in en] == [r["text_en"] for r in en]
    assert fr[0]["text"] != en[0]["text"]
    assert any(w in " ".join(r["text"] for r in fr) for w in ("Votre", "Leur", "Besoins", "km de chez vous"))


@pytest.mark.parametrize("header, lang", [
    ("fr-FR,fr;q=0.9,en;q=0.8", "fr"),
    ("en-GB,en;q=0.9,fr;q=0.8", "en"),
    ("de-DE,fr;q=0.5", "fr"),
    ("fr;q=0.1,en;q=0.9", "en"),
    ("es", "en"),
    ("garbage;;q=x,,", "en"),
])
def test_accept_language_picks_the_language(api: Api, header: str, lang: str) -> None:
    r = api.client.get(f"/authorities/{A}/matches", params={"k": 1}, headers={"Accept-Language": header})
    body = r.json()
    assert body["lang"] == lang
    reason = body["matches"][0]["reasons"][0]
    assert reason["text"] == reason[f"text_{lang}"]
    # An explicit ?lang= wins over the header.
    r = api.client.get(f"/authorities/{A}/matches", params={"k": 1, "lang": "fr"}, headers={"Accept-Language": header})
    assert r.json()["lang"] == "fr"


@pytest.mark.parametrize("params, expected", [
    ({"country": "BR"}, {"GN-400"}),
    ({"country": ["br", "GN"]}, {"GN-400", "GN-200"}),
    ({"continent": "SA"}, {"GN-400"}),
    ({"francophone": "true"}, {"GN-100", "GN-200"}),
    ({"min_population": 20000, "max_population": 50000}, {"GN-200", "GN-300"}),
    ({"themes": "digital"}, {"GN-400", "GN-200"}),
    ({"themes": "transition numerique"}, {"GN-400", "GN-200"}),  # a French label, unaccented
    ({"kind": "commune"}, set()),  # French kinds never match a French query (other countries only)
])
def test_filters(api: Api, params: dict[str, Any], expected: set[str]) -> None:
    assert {m["id"] for m in matches(api, A, k=10, **params)} == expected


@pytest.mark.parametrize("lang, words", [("en", "is larger than the maximum population (5)"),
                                         ("fr", "dépasse la population maximale (5)")])
def test_an_empty_range_is_an_empty_list_that_says_why(api: Api, lang: str, words: str) -> None:
    r = api.client.get(f"/authorities/{A}/matches", params={"min_population": 10, "max_population": 5, "lang": lang})
    assert r.status_code == 200 and r.json()["matches"] == [] and words in r.json()["notice"]
    body = {"profile": ADHOC, "filters": {"min_population": 10, "max_population": 5}}
    r = api.client.post("/match", json=body, params={"lang": lang})
    assert r.status_code == 200 and r.json()["matches"] == [] and words in r.json()["notice"]
    assert matches_body(api, A)["notice"] is None  # a list that is not empty needs no word


def matches_body(api: Api, authority_id: str, **params: Any) -> dict[str, Any]:
    r = api.client.get(f"/authorities/{authority_id}/matches", params=params)
    assert r.status_code == 200, r.text
    return dict(r.json())


def test_include_existing_keeps_known_partners(api: Api) -> None:
    assert "GN-300" not in {m["id"] for m in matches(api, "FR-COM-00004", k=10)}
    assert "GN-300" in {m["id"] for m in matches(api, "FR-COM-00004", k=10, include_existing="true")}


def test_results_are_cached_until_a_write(api: Api) -> None:
    cache = api.app.state.resources.matches
    first = matches(api, A, k=3)
    hits = cache.hits
    assert matches(api, A, k=3, lang="fr") == [  # same ranking, from the cache, in the other language
        {**m, "reasons": [{**r, "text": r["text_fr"]} for r in m["reasons"]]} for m in first]
    assert cache.hits == hits + 1
    matches(api, A, k=4)  # another k: another entry
    assert cache.hits == hits + 1
    api.client.patch(f"/authorities/{A}", headers=api.owner_a, json={"description": "Nouvelle description"})
    matches(api, A, k=3)
    assert cache.hits == hits + 1 and len(cache) == 1  # the write emptied the cache


def test_repeated_country_parameters(api: Api) -> None:
    r = api.client.get(f"/authorities/{A}/matches?country=BR&country=GN&k=10")
    assert {m["id"] for m in r.json()["matches"]} == {"GN-400", "GN-200"}


def test_diversity_spreads_countries(api: Api) -> None:
    # Four countries among five candidates (two in Germany): top-4 without diversity repeats a country
    # (the two German towns score alike); with strong diversity every country appears once.
    plain = [m["country"] for m in matches(api, A, k=4)]
    diverse = [m["country"] for m in matches(api, A, k=4, diversity=10)]
    assert plain[0] == diverse[0] == "SN"
    assert sorted(diverse) == ["BR", "DE", "GN", "SN"]
    assert len(set(plain)) < len(plain)


@pytest.mark.parametrize("params, field", [
    ({"k": 0}, "k"), ({"k": 101}, "k"), ({"k": 10**30}, "k"), ({"k": "ten"}, "k"), ({"k": "1.5"}, "k"),
    ({"diversity": -1}, "diversity"), ({"diversity": "nan"}, "diversity"), ({"diversity": "inf"}, "diversity"),
    ({"country": "ZZ"}, "country"), ({"country": "FRA"}, "country"), ({"continent": "XX"}, "continent.0"),
    ({"kind": "village"}, "kind.0"), ({"themes": "unknown theme"}, "themes"),
    ({"country": "br,gn"}, "country"), ({"themes": "digital,tourism"}, "themes"), ({"themes": ""}, "themes"),
    ({"min_population": -5}, "min_population"),     ({"francophone": "perhaps"}, "francophone"), ({"lang": "de"}, "lang"),
])
def test_bad_parameters_are_422(api: Api, params: dict[str, Any], field: str) -> None:
    r = api.client.get(f"/authorities/{A}/matches", params=params)
    assert_error(r, 422, "invalid_input", field)


# ---- ad-hoc /match ------------------------------------------------------------------------------
ADHOC = {"name": "Nouvelle commune", "kind": "commune", "country": "FR", "lat": 45.0, "lon": 2.1,
         "population": 10000, "expertise": {"text": "Assainissement et eau potable, stations d'épuration"},
         "needs": {"text": "Tourisme culturel et artisanat"}}


def test_adhoc_profile_is_matched_but_not_stored(api: Api) -> None:
    count = api.store.count()
    r = api.client.post("/match", json={"profile": ADHOC, "k": 3}, params={"lang": "fr"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["query"]["id"] is None and body["lang"] == "fr"
    assert body["matches"][0]["id"] == "GN-100"
    assert api.store.count() == count
    assert api.client.get("/ready").json()["authorities"] == 10


def test_adhoc_options(api: Api) -> None:
    r = api.client.post("/match", json={"profile": ADHOC, "k": 10, "filters": {"countries": ["br"]}})
    assert [m["id"] for m in r.json()["matches"]] == ["GN-400"]
    r = api.client.post("/match", json={"profile": ADHOC, "filters": {"exclude": ["GN-100"]}})
    assert "GN-100" not in {m["id"] for m in r.json()["matches"]}
    r = api.client.post("/match", json={"profile": {**ADHOC, "known_partners": ["GN-100"]}})
    assert "GN-100" not in {m["id"] for m in r.json()["matches"]}
    r = api.client.post("/match", json={"profile": {"kind": "municipality", "country": "SN"}, "k": 2})
    assert r.status_code == 200 and len(r.json()["matches"]) == 2  # no text at all: structure only


@pytest.mark.parametrize("body, field", [
    ({"profile": {**ADHOC, "kind": "municipality", "country": "ZZ"}}, "profile.country"),
    ({"profile": {**ADHOC, "country": "SN"}}, "profile"),  # a commune is French
    ({"profile": {**ADHOC, "population": -3}}, "profile.population"),
    ({"profile": ADHOC, "k": 0}, "k"),
    ({"profile": ADHOC, "k": 1000}, "k"),
    ({"profile": ADHOC, "k": "5"}, "k"),
    ({"profile": ADHOC, "diversity": -0.1}, "diversity"),
    ({"profile": ADHOC, "filters": {"themes": ["nope"]}}, "filters.themes"),
    ({"profile": ADHOC, "filters": {"countries": ["ZZ"]}}, "filters.countries"),
    ({"profile": ADHOC, "filters": {"francophone_only": "yes"}}, "filters.francophone_only"),
    ({"profile": ADHOC, "extra": 1}, "extra"),
    ({}, "profile"),
    ({"profile": {"country": "FR"}}, "profile.kind"),
])
def test_adhoc_bad_bodies_are_422(api: Api, body: dict[str, object], field: str) -> None:
    assert_error(api.client.post("/match", json=body), 422, "invalid_input", field)


def test_a_stated_preference_changes_the_ranking_and_says_so(api: Api) -> None:
    """Lyonville has no text; once it states a preference for Senegal, Ndiaye rises and the reason says why."""
    q = "FR-COM-00003"
    before = {m["id"]: m for m in matches(api, q, k=10)}
    r = api.client.patch(f"/authorities/{q}", headers=api.staff, json={"preferred_countries": ["SN"]})
    assert r.status_code == 200, r.text
    after = {m["id"]: m for m in matches(api, q, k=10)}
    assert after["GN-100"]["score"] > before["GN-100"]["score"]
    assert after["GN-100"]["rank"] < before["GN-100"]["rank"]
    assert "preferred" in {x["code"] for x in after["GN-100"]["reasons"]}
    assert "preferred" not in {x["code"] for x in before["GN-100"]["reasons"]}


def test_the_readme_post_match_example_works_as_written(api: Api) -> None:
    """The body of the README's `curl -X POST .../match` example, taken from the README itself."""
    import json
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    m = re.search(r"curl -X POST http://127\.0\.0\.1:8000/match -H 'content-type: application/json' -d '(.*?)'\n",
                  readme, re.DOTALL)
    assert m, "the README has a POST /match example"
    body = json.loads(m.group(1).replace("'\\''", "'"))
    r = api.client.post("/match", json=body)
    assert r.status_code == 200, r.text
    got = r.json()["matches"]
    assert got and got[0]["id"] == "GN-100"  # the water expertise meets the sanitation need
    assert {x["code"] for x in got[0]["reasons"]} & {"text_dense", "text_lex", "theme_offer", "theme_need"}
