"""The trust gaps of issue 25 (point 4), each probe a regression test: only verified authorities write to
others; names compared by their Unicode skeleton and against every alternative name; plausible populations
and names; ``known_partners`` verified only; ``/messages`` confirms only a real message."""

from __future__ import annotations

from typing import Any

import pytest
from profiles_fixture import COUNTRIES, PROFILES, fr
from support.api import A, Api, assert_error
from support.web import csrf

from matcher.catalogue.plausibility import check_name_text, check_size
from matcher.catalogue.skeleton import name_skeleton, search_form
from matcher.domain import Kind, Profile
from matcher.errors import InvalidInput
from matcher.ranking.arrays import CatalogueArrays

NEW: dict[str, Any] = {"kind": "commune", "country": "FR", "lat": 45.05, "lon": 2.05, "population": 20_000}


# ---- names by their skeleton ---------------------------------------------------------------------
@pytest.mark.parametrize("look_alike", ["Rеnnes", "Ren\u200bnes", "RENNES", "ＲＥＮＮＥＳ", "Rénnes", "Rennes\u00ad",
                                        "R\u200de\u2060nnes", "𝐑ennes", "rennes"])
def test_look_alikes_have_the_skeleton_of_the_name(look_alike: str) -> None:
    assert name_skeleton(look_alike) == name_skeleton("Rennes") == "rennes"
    assert search_form(look_alike).casefold() in ("rennes", "rénnes")


@pytest.mark.parametrize("other", ["Rennais", "Reims", "Vannes", "Renne"])
def test_other_names_have_other_skeletons(other: str) -> None:
    assert name_skeleton(other) != name_skeleton("Rennes")


@pytest.mark.parametrize("name", ["Eauvіlle", "Eau\u200bville", "EAUVILLE", "Éauville", "Eauvi\u200clle",
                                  "Е\u0430uville"])  # Cyrillic і; zero-width space; ...; Cyrillic Е and а
def test_a_look_alike_of_a_taken_name_is_taken(api: Api, name: str) -> None:
    err = assert_error(api.client.post("/authorities", json={**NEW, "name": name}), 409, "conflict", "name")
    assert f"/authorities/{A}/claims" in str(err["message"])


def test_an_alternative_name_in_any_language_is_taken(api: Api) -> None:
    api.store.add(Profile(id="ES-SEV", name="Sevilla", kind=Kind.MUNICIPALITY, country="ES", population=680_000,
                          alt_names=("Séville", "Seville", "Siviglia", "Sevilha"), source="test"))
    for name in ("Séville", "SEVILHA", "Sivіglia"):  # French, Portuguese, Italian with a Cyrillic і
        err = assert_error(api.client.post("/authorities", json={"name": name, "kind": "municipality",
                                                                 "country": "ES", "population": 600_000}),
                           409, "conflict", "name")
        assert "/authorities/ES-SEV/claims" in str(err["message"]), name
    # the same name in another country is another authority
    r = api.client.post("/authorities", json={"name": "Séville", "kind": "municipality", "country": "BR",
                                               "population": 20_000})
    assert r.status_code == 201, r.text


def test_the_registration_page_offers_the_look_alikes_claim(api: Api) -> None:
    r = api.client.post("/inscription", data={"csrf": csrf(api), "name": "Eauvіlle", "kind": "commune",
                                               "country": "FR", "lat": "45.05", "lon": "2.05", "population": "20000"},
                        headers={"Accept": "text/html"})
    assert r.status_code == 409 and f"/collectivites/{A}/revendiquer" in r.text


# ---- plausible names and populations ---------------------------------------------------------------
@pytest.mark.parametrize(("name", "words"), [("---", "at least two letters"), ("a", "at least two letters"),
                                             ("http://evil.example", "web or e-mail address"),
                                             ("Appelez le 0899 123 456", "phone number"),
                                             ("contact@mairie.example", "web or e-mail address"),
                                             ("www.mairie-exemple.fr", "web or e-mail address"),
                                             ("+33 1 23 45 67 89", "phone number")])
def test_a_name_that_is_not_a_name_is_refused_with_the_reason(api: Api, name: str, words: str) -> None:
    err = assert_error(api.client.post("/authorities", json={**NEW, "name": name}), 422, "invalid_input", "name")
    assert words in str(err["message"])


@pytest.mark.parametrize("name", ["Paris 1er Arrondissement", "Marseille 13e", "Washington D.C.", "St. Louis",
                                  "L'Haÿ-les-Roses", "津市", "Ürümqi", "Bad Ems"])
def test_real_names_pass(name: str) -> None:
    check_name_text(name)


@pytest.mark.parametrize("population", [0, -5])
def test_population_must_be_more_than_zero(api: Api, population: int) -> None:
    assert_error(api.client.post("/authorities", json={**NEW, "name": "Nouvelleville", "population": population}),
                 422, "invalid_input", "population")


def _regions(n: int) -> list[Profile]:
    return [Profile(id=f"FR-REG-{i}", name=f"Région {i}", kind=Kind.REGION, country="FR",
                    population=300_000 * (i + 1), source="test") for i in range(n)]


def test_a_region_of_ten_inhabitants_is_refused() -> None:
    profiles = [*PROFILES, *_regions(12)]
    arrays = CatalogueArrays.build(profiles, {c.code: c for c in COUNTRIES}, {}, dim=8)
    countries = {c.code: c for c in COUNTRIES}

    def region(pop: int, country: str = "FR") -> Profile:
        return Profile(id="x", name="Nouvelle Région", kind=Kind.REGION, country=country, population=pop)

    for pop in (10, 20_000):  # the smallest known have 300,000: a tenth of that is the floor
        with pytest.raises(InvalidInput, match="the smallest in the catalogue") as e:
            check_size(region(pop), arrays, countries)
        assert e.value.field == "population"
    check_size(region(40_000), arrays, countries)
    check_size(region(5_000_000), arrays, countries)
    with pytest.raises(InvalidInput, match="the largest"):
        check_size(region(6_000_000), arrays, countries)  # 1.5 x 3.6 million is the ceiling
    # a country with no région known is bounded by the régions known anywhere
    with pytest.raises(InvalidInput, match="the smallest"):
        check_size(region(10, "SN"), arrays, countries)
    # a commune has its own bounds: 10 inhabitants are too few among communes of 12,000 to 50,000
    with pytest.raises(InvalidInput, match="the smallest"):
        check_size(fr("x", "Petite", 45.0, 2.0, 10), arrays, countries, min_known=3)


# ---- known partners ------------------------------------------------------------------------------
def test_a_pending_known_partner_is_refused_like_an_unknown_one(api: Api) -> None:
    pending = api.client.post("/authorities", json={**NEW, "name": "Attenteville"}).json()["authority"]["id"]
    rejected = api.client.post("/authorities", json={**NEW, "name": "Refuseville", "lat": 45.06}).json()
    rejected_id = rejected["authority"]["id"]
    api.client.post(f"/verifications/{rejected_id}", headers=api.staff, json={"decision": "reject"})
    for who in ({}, api.staff):
        messages = []
        for pid in (pending, rejected_id, "FR-COM-99999"):
            body = {**NEW, "name": f"Partenaireville {len(messages)}", "lat": 45.04, "known_partners": [pid]}
            err = assert_error(api.client.post("/authorities", json=body, headers=who), 422, "invalid_input",
                               "known_partners")
            messages.append(str(err["message"]).replace(pid, "<id>"))
        assert len(set(messages)) == 1, messages
    ok = api.client.post("/authorities", json={**NEW, "name": "Amieville", "known_partners": ["GN-100"]})
    assert ok.status_code == 201, ok.text


# ---- interest messages ---------------------------------------------------------------------------
def _sign_in_new(api: Api, name: str, status: str) -> str:
    r = api.client.post("/authorities", json={**NEW, "name": name})
    assert r.status_code == 201, r.text
    created = r.json()
    if status != "pending":
        api.client.post(f"/verifications/{created['authority']['id']}", headers=api.staff,
                        json={"decision": "approve" if status == "verified" else "reject"})
    api.client.cookies.clear()
    api.client.post("/connexion", data={"key": created["owner_key"]["secret"], "csrf": csrf(api)})
    return str(created["authority"]["id"])


@pytest.mark.parametrize("status", ["pending", "rejected"])
@pytest.mark.parametrize(("lang", "words"), [("fr", "pas encore validé"), ("en", "not been verified")])
def test_an_unverified_profile_sends_no_interest_message(api: Api, status: str, lang: str, words: str) -> None:
    me = _sign_in_new(api, f"Nouvelle {status} {lang}", status)
    form = api.client.get(f"/collectivites/{me}/interet/GN-100", params={"lang": lang},
                          headers={"Accept": "text/html"})
    assert form.status_code == 403 and words in form.text.replace("&#39;", "'")
    sent = api.client.post(f"/collectivites/{me}/interet/GN-100?lang={lang}", headers={"Accept": "text/html"},
                           data={"csrf": csrf(api), "message": "Bonjour, travaillons ensemble."})
    assert sent.status_code == 403 and words in sent.text.replace("&#39;", "'")
    assert api.store.interests(authority_id="GN-100") == []
    mine = api.client.get("/mon-profil", params={"lang": lang})
    assert "/interet/" not in mine.text and words in mine.text.replace("&#39;", "'")


def test_a_verified_new_profile_does_write(api: Api) -> None:
    me = _sign_in_new(api, "Nouvelle validée", "verified")
    r = api.client.post(f"/collectivites/{me}/interet/GN-100", data={"csrf": csrf(api), "message": "Bonjour !"})
    assert r.status_code == 200 and "Message transmis à Ndiaye" in r.text


# ---- /messages?sent= -----------------------------------------------------------------------------
def test_sent_confirms_only_a_real_message_of_the_signed_in_sender(api: Api) -> None:
    from support.web import sign_in

    sign_in(api, "owner_a")
    for probe in ("GN-100", "GN-200", "FR-COM-00002", "NOPE-1"):  # nothing was sent to any of them
        text = api.client.get("/messages", params={"sent": probe, "lang": "fr"}).text
        assert "Message transmis" not in text, probe
        assert "Ndiaye" not in text and "Kankan" not in text and "Registreville" not in text
    api.client.post(f"/collectivites/{A}/interet/GN-100", data={"csrf": csrf(api), "message": "Bonjour"})
    assert "Message transmis à Ndiaye" in api.client.get("/messages", params={"sent": "GN-100", "lang": "fr"}).text
    assert "Message transmis" not in api.client.get("/messages", params={"sent": "GN-200", "lang": "fr"}).text
