"""The web app's pages over the tiny world (TestClient): every page renders in French and English with no
missing label, HTML that parses, the flows work (sign in with CSRF, edit needs, express interest, staff
verification, event upload), and the rules hold (pending profiles hidden, contacts never shown, a POST
without its CSRF token refused). The same flows in a real browser: tests/test_browser_flows.py."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import openpyxl
import pytest
from support.api import A, Api, B
from support.web import check_html, csrf, page, sign_in

from matcher.domain import Contact
from service.ratelimit import RateLimits

FIXTURES = Path(__file__).parent / "fixtures" / "events"


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_public_pages_render_in_both_languages(api: Api, lang: str) -> None:
    home = page(api, "/", lang)
    assert ("Trouver une collectivité partenaire" if lang == "fr" else "Find a partner authority") in home
    found = page(api, "/recherche", lang, q="eauville")
    assert f'href="/collectivites/{A}"' in found
    auth = page(api, f"/collectivites/{A}", lang)
    assert "Eauville" in auth and ("Savoir-faire" if lang == "fr" else "Expertise") in auth
    assert ("12 000 habitants" if lang == "fr" else "12,000 inhabitants") in auth.replace("\u202f", " ")
    partners = page(api, f"/collectivites/{A}/partenaires", lang)
    assert 'href="/collectivites/GN-100"' in partners  # Ndiaye needs sanitation: Eauville's first match
    first = partners.index('href="/collectivites/GN-100"')
    assert first == min(partners.index(f'href="/collectivites/{x}"') for x in ("GN-100", "GN-200", "GN-400")
                        if f'href="/collectivites/{x}"' in partners)
    assert 'data-map' in partners and "/static/js/map.js" in partners
    for text in ("/docs", "/redoc"):
        assert api.client.get(text).status_code == 200


def test_the_shortlist_reasons_are_the_apis(api: Api) -> None:
    body = api.client.get(f"/authorities/{A}/matches", params={"lang": "fr", "k": 5}).json()
    html = page(api, f"/collectivites/{A}/partenaires", "fr", k=5)
    for m in body["matches"]:
        assert f'href="/collectivites/{m["id"]}"' in html
        for r in m["reasons"]:
            assert escape(r["text"]) in html


def escape(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&#34;").replace("'", "&#39;")


def test_filters_narrow_the_shortlist_and_an_empty_one_says_why(api: Api) -> None:
    html = page(api, f"/collectivites/{A}/partenaires", "fr", continent="AF")
    assert 'href="/collectivites/GN-400"' not in html and 'href="/collectivites/GN-100"' in html
    empty = page(api, f"/collectivites/{A}/partenaires", "fr", min_population=50_000, max_population=10)
    assert 'class="notice"' in empty and "match" not in re.findall(r'<li class="(\w+)"', empty)
    bad = page(api, f"/collectivites/{A}/partenaires", "fr", status=422, country="XX")
    assert "Pays inconnu : « XX »" in bad


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_shortlist_downloads(api: Api, fmt: str, lang: str) -> None:
    """French: a BOM, ';' and decimal commas (French Excel), French headers and values; English: ','."""
    r = api.client.get(f"/collectivites/{A}/partenaires.{fmt}", params={"lang": lang, "k": 3})
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    if fmt == "csv":
        assert r.content.startswith("\ufeff".encode())
        text = r.content.decode("utf-8-sig")
        rows = list(csv.DictReader(io.StringIO(text), delimiter=";" if lang == "fr" else ","))
    else:
        ws = openpyxl.load_workbook(io.BytesIO(r.content), read_only=True).active
        values = [list(row) for row in ws.iter_rows(values_only=True)]
        rows = [dict(zip(values[0], v, strict=True)) for v in values[1:]]
    ident, reasons, country, kind, score, points = (
        ("identifiant", "raisons", "pays", "type", "probabilité", "score sur 100") if lang == "fr"
        else ("id", "reasons", "country", "kind", "probability", "score out of 100"))
    matches = api.client.get(f"/authorities/{A}/matches", params={"k": 3}).json()["matches"]
    assert [r[ident] for r in rows] == [m["id"] for m in matches] and all(r[reasons] for r in rows)
    first, code = rows[0], matches[0]["country"]
    c = api.store.countries()[code]
    assert first[country] == ((c.name_fr or c.name) if lang == "fr" else c.name) and first[country] != code
    assert first[kind] == ("municipalité" if lang == "fr" else "municipality")
    assert [int(r[points]) for r in rows] == [m["match_score"] for m in matches]
    if fmt == "csv":
        assert re.fullmatch(r"0[,]\d{4}" if lang == "fr" else r"0[.]\d{4}", first[score])


def test_country_filters_take_names_and_errors_stay_in_the_form(api: Api) -> None:
    by_code = page(api, f"/collectivites/{A}/partenaires", "fr", country="GN")
    for text in ("guinee", "Guinée", "guinea", "gn"):
        assert page(api, f"/collectivites/{A}/partenaires", "fr", country=text).count('href="/collectivites/GN-') \
            == by_code.count('href="/collectivites/GN-') >= 1, text
    bad = page(api, f"/collectivites/{A}/partenaires", "fr", status=422, country="Atlantide")
    assert "Pays inconnu : « Atlantide »" in bad and 'aria-invalid="true"' in bad and 'value="Atlantide"' in bad
    assert '<form method="get" action="/collectivites/' in bad
    assert "Unknown country: “Atlantide”" in page(api, f"/collectivites/{A}/partenaires", "en", status=422,
                                                  country="Atlantide")


def test_sign_in_edit_needs_and_the_shortlist_changes(api: Api) -> None:
    r = api.client.get("/mon-profil", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/connexion"
    bad = api.client.post("/connexion", data={"key": "tm_0123456789ab_nope", "csrf": csrf(api)})
    assert bad.status_code == 401 and "pas valable" in bad.text
    sign_in(api, "owner_b")
    mine = page(api, "/mon-profil", "fr")
    assert "Registreville" in mine
    # the form says that a place written in the text counts (matcher.ranking.places_named)
    assert 'aria-describedby="place_help"' in mine and "Dites aussi où vous cherchez un partenaire" in mine
    ids_before = re.findall(r'class="match" id="m-([\w-]+)"', mine)
    r = api.client.post("/mon-profil", data={
        "csrf": csrf(api), "description": "", "expertise_text": "", "needs_text":
        "Patrimoine cultural, musées, restauration du patrimoine", "needs_themes": ["culture_heritage"],
        "partnership_types": ["twinning", "culture_youth_exchange"], "preferred_regions": ["SA"],
        "preferred_sizes": ["medium", "large"], "preferred_countries": "br, SN"}, follow_redirects=True)
    assert r.status_code == 200 and "Profil enregistré" in r.text
    ids_after = re.findall(r'class="match" id="m-([\w-]+)"', r.text)
    assert ids_after != ids_before
    stored = api.store.get(B)
    assert stored.needs.themes == ("culture_heritage",) and stored.preferred_countries == ("BR", "SN")
    assert stored.partnership_types == ("twinning", "culture_youth_exchange") and stored.preferred_regions == ("SA",)
    assert stored.preferred_sizes == ("medium", "large")
    # the form shows the sizes ticked, in the form's words
    assert re.search(r'value="large" checked> De 50\u202f000 à 500\u202f000 habitants', r.text)
    assert re.search(r'value="small" > Moins de 5\u202f000 habitants', r.text)
    bad = api.client.post("/mon-profil", data={"csrf": csrf(api), "preferred_countries": "Brésil"})
    assert bad.status_code == 422 and "preferred_countries" in bad.text
    bad = api.client.post("/mon-profil", data={"csrf": csrf(api), "preferred_sizes": ["huge"]})
    assert bad.status_code == 422 and "preferred_sizes" in bad.text


def test_a_post_without_its_csrf_token_is_refused(api: Api) -> None:
    sign_in(api, "owner_b")
    r = api.client.post("/mon-profil", data={"needs_text": "x"})
    assert r.status_code == 403 and "expiré" in r.text
    r = api.client.post("/mon-profil", data={"needs_text": "x", "csrf": "not-the-cookie-value-at-all"})
    assert r.status_code == 403
    assert api.store.get(B).needs.text != "x"


def test_express_interest_reaches_the_other_sides_inbox(api: Api) -> None:
    sign_in(api, "owner_a")
    form = page(api, f"/collectivites/{A}/interet/GN-100", "fr")
    assert "Ndiaye" in form
    r = api.client.post(f"/collectivites/{A}/interet/GN-100", data={
        "csrf": csrf(api), "message": "Notre régie de l'eau peut vous aider."}, follow_redirects=True)
    assert r.status_code == 200 and "Message transmis à Ndiaye" in r.text
    _, owner = api.store.create_key("owner", "GN-100", "Ndiaye")
    api.client.post("/deconnexion", data={"csrf": csrf(api)})
    r = api.client.post("/connexion", data={"key": owner, "csrf": csrf(api)}, follow_redirects=True)
    inbox = page(api, "/messages", "fr")
    assert "Notre régie de l&#39;eau peut vous aider." in inbox and "Reçu de Eauville" in inbox
    assert [i.message for i in api.store.interests(authority_id="GN-100")] == ["Notre régie de l'eau peut vous aider."]


def test_contacts_never_appear_on_a_public_page(api: Api) -> None:
    p = api.store.get(A)
    api.store.update(p.with_changes(contact=Contact(name="Jeanne Maire", email="maire@eauville.fr", phone="0102")))
    for url in ("/", f"/collectivites/{A}", f"/collectivites/{A}/partenaires", "/recherche?q=eauville"):
        text = api.client.get(url).text
        assert "maire@eauville.fr" not in text and "Jeanne Maire" not in text


def test_staff_verify_a_pending_profile_and_it_becomes_visible(api: Api) -> None:
    body = {"name": "Nouvelle-Commune", "kind": "commune", "country": "FR", "lat": 45.1, "lon": 2.1,
            "population": 3000, "needs": {"themes": ["tourism"], "text": "Tourisme rural"}}
    r = api.client.post("/authorities", json=body)
    assert r.status_code == 201, r.text
    new = r.json()["authority"]["id"]
    assert api.client.get(f"/collectivites/{new}").status_code == 404
    assert f"/collectivites/{new}" not in api.client.get("/recherche", params={"q": "nouvelle"}).text
    assert page(api, "/equipe", status=403)
    sign_in(api, "staff")
    queue = page(api, "/equipe", "fr")
    assert f'id="pending-{new}"' in queue
    r = api.client.post(f"/equipe/verifications/{new}", data={"csrf": csrf(api), "decision": "approve",
                                                              "note": "vérifié"}, follow_redirects=True)
    assert r.status_code == 200 and "Décision enregistrée pour Nouvelle-Commune" in r.text
    api.client.post("/deconnexion", data={"csrf": csrf(api)})
    assert api.client.get(f"/collectivites/{new}").status_code == 200
    assert f"/collectivites/{new}" in api.client.get("/recherche", params={"q": "nouvelle"}).text
    sign_in(api, "staff")
    journal = page(api, "/equipe/journal", "fr", authority_id=new)
    assert "profil validé" in journal and "Nouvelle-Commune" in journal and "Alice (staff)" in journal
    only_claims = page(api, "/equipe/journal", "fr", action="claim.created")
    assert "Nouvelle-Commune" not in only_claims


def test_upload_an_event_schedule_grid_and_calendar(api: Api) -> None:
    sign_in(api, "staff")
    bad = api.client.post("/rencontres", data={"csrf": csrf(api)},
                          files={"file": ("p.csv", b"name,country\nX,ZZ\n", "text/csv")})
    assert bad.status_code == 422 and "Ligne 2, colonne « country » : le pays ZZ n&#39;est pas dans la liste" in bad.text
    r = api.client.post("/rencontres", data={"csrf": csrf(api)}, follow_redirects=True,
                        files={"file": ("participants.csv", (FIXTURES / "participants.csv").read_bytes(), "text/csv")})
    assert r.status_code == 200 and "Tour 1" in r.text and 'class="round"' in r.text
    event = re.search(r'/rencontres/(ev-\w+)/planning', r.text)
    assert event
    grid = page(api, f"/rencontres/{event.group(1)}", "fr", rounds=2, start="2026-12-01T09:00")
    assert grid.count('<ol class="ranking">') >= 6  # each participant's own top partners
    ics = re.search(r'href="(/rencontres/[^"]+\.ics[^"]*)"', grid)
    assert ics
    cal = api.client.get(ics.group(1).replace("&amp;", "&"))
    assert cal.status_code == 200 and cal.text.startswith("BEGIN:VCALENDAR") and "DESCRIPTION" in cal.text
    xlsx = api.client.get(f"/rencontres/{event.group(1)}/planning.xlsx", params={"rounds": 2})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_errors_on_pages_are_pages(api: Api) -> None:
    text = page(api, "/collectivites/NOPE", "en", status=404)
    assert "no authority" in text
    assert api.client.get("/authorities/NOPE").headers["content-type"].startswith("application/json")


def test_a_pending_profile_shows_its_status_to_its_owner(api: Api) -> None:
    r = api.client.post("/authorities", json={"name": "Autre-Commune", "kind": "commune", "country": "FR",
                                              "lat": 45.2, "lon": 2.2, "population": 2000})
    secret = r.json()["owner_key"]["secret"]
    api.client.post("/connexion", data={"key": secret, "csrf": csrf(api)})
    mine = page(api, "/mon-profil", "fr")
    assert "En attente de vérification" in mine


@pytest.mark.parametrize("bad", [
    '<!doctype html><html lang="fr"><body><h1>x</h1><div></body></html>',
    '<!doctype html><html lang="fr"><body><h1>x</h1><p id="a"></p><p id="a"></p></body></html>',
    '<!doctype html><html lang="fr"><body><h1>x</h1><input id="q" name="q"></body></html>',
    '<!doctype html><html lang="en"><body><h1>x</h1></body></html>',
    '<!doctype html><html lang="fr"><body><h1>{{ t("x") }}</h1></body></html>',
    '<!doctype html><html lang="fr"><head><title>x</title></head><body><h1>x</h1><p>a</div></body></html>',
], ids=["unclosed", "duplicate-id", "unlabelled", "wrong-lang", "unrendered", "parse-error"])
def test_the_html_check_catches_what_it_should(bad: str) -> None:
    with pytest.raises(AssertionError):
        check_html(bad, "fr")


def test_wrong_keys_at_sign_in_are_rate_limited(api: Api) -> None:
    res = api.app.state.resources
    res.limits = RateLimits(res.settings.model_copy(update={"rate_auth_failure": "20/minute"}))
    token = csrf(api)
    codes = [api.client.post("/connexion", data={"key": f"tm_0123456789ab_wrong{i}", "csrf": token}).status_code
             for i in range(25)]
    assert codes[:20] == [401] * 20 and set(codes[20:]) == {429}
    r = api.client.post("/connexion", data={"key": "x", "csrf": token})
    assert r.status_code == 429 and r.headers["retry-after"] and r.headers["content-type"].startswith("text/html")


def test_register_a_new_authority_from_the_form(api: Api) -> None:
    form = page(api, "/inscription", "fr")
    assert 'name="name"' in form and "Inscrire ma collectivité" in form
    r = api.client.post("/inscription", data={
        "csrf": csrf(api), "name": "Vallon-sur-Test", "kind": "commune", "country": "FR", "population": "4 200",
        "lat": "45,05", "lon": "2.05", "needs_text": "Tourisme rural", "contact_email": "mairie@vallon.example"})
    assert r.status_code == 200, r.text[:500]
    check_html(r.text, "fr")
    secret = re.search(r'<code class="secret">(tm_[\w-]+)</code>', r.text)
    assert secret and "en attente de vérification" in r.text
    new = api.store.key_for_secret(secret.group(1))
    assert new is not None and api.store.get(str(new.authority_id)).status == "pending"
    assert api.store.get(str(new.authority_id)).population == 4200
    mine = page(api, "/mon-profil", "fr")  # signed in by the registration
    assert "Vallon-sur-Test" in mine and "En attente de vérification" in mine
    assert "mairie@vallon.example" not in api.client.get(f"/collectivites/{new.authority_id}").text


def test_a_registration_is_checked_like_the_apis(api: Api) -> None:
    r = api.client.post("/inscription", data={"csrf": csrf(api), "name": "Eauville", "kind": "commune",
                                              "country": "FR", "lat": "45.0", "lon": "2.0"})
    assert r.status_code == 409 and "Eauville" in r.text  # the name is taken: claim it instead
    r = api.client.post("/inscription", data={"csrf": csrf(api), "name": "Ailleurs", "kind": "commune",
                                              "country": "FR", "lat": "abc"})
    assert r.status_code == 422


def test_claim_a_catalogue_entry_from_its_page(api: Api) -> None:
    auth = page(api, "/collectivites/FR-COM-00003", "fr")
    assert 'href="/collectivites/FR-COM-00003/revendiquer"' in auth
    r = api.client.post("/collectivites/FR-COM-00003/revendiquer", data={
        "csrf": csrf(api), "name": "Claire Martin", "role": "DGS", "email": "dgs@lyonville.example"})
    assert r.status_code == 200 and "en attente de vérification" in r.text
    assert "dgs@lyonville.example" not in r.text
    [c] = api.store.claims(status="pending")
    assert c.authority_id == "FR-COM-00003" and c.email == "dgs@lyonville.example"
    sign_in(api, "staff")
    queue = page(api, "/equipe", "fr")
    assert "dgs@lyonville.example" in queue  # staff see the claimant's e-mail
    done = api.client.post(f"/equipe/revendications/{c.id}", data={"csrf": csrf(api), "decision": "approve"})
    secret = re.search(r'<code class="secret">(tm_[\w-]+)</code>', done.text)
    assert secret and api.store.key_for_secret(secret.group(1)).authority_id == "FR-COM-00003"  # type: ignore[union-attr]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_kind_level_and_message_has_both_languages(lang: str) -> None:
    from matcher.domain import Kind, Level
    from service.web.i18n import MESSAGES, kind_label, level_label

    assert all(set(v) == {"fr", "en"} and all(v.values()) for v in MESSAGES.values())
    assert all(kind_label(k.value, lang) != "" for k in Kind)  # KeyError if one is missing
    assert all(level_label(lv.value, lang) != lv.value or lv.value == "intercommunal" for lv in Level)


def test_staff_suggestions_with_a_one_click_decision(api: Api) -> None:
    assert api.client.get("/equipe/suggestions").status_code == 403
    sign_in(api, "staff")
    html = page(api, "/equipe/suggestions", "fr")
    pairs = re.findall(r'name="french_id" value="([\w-]+)"><input type="hidden" name="partner_id" value="([\w-]+)"',
                       html)
    api_pairs = [(s["french"]["id"], s["partner"]["id"]) for s in api.client.get(
        "/suggestions", headers=api.staff, params={"limit": 20}).json()["items"]]
    assert pairs and pairs == api_pairs
    fid, pid = pairs[0]
    r = api.client.post("/equipe/suggestions/decision", data={
        "csrf": csrf(api), "french_id": fid, "partner_id": pid, "status": "accepted", "note": "bon binôme",
        "back": "/equipe/suggestions"}, follow_redirects=True)
    assert r.status_code == 200 and "Décision enregistrée" in r.text
    [d] = api.store.decisions(limit=5)
    assert (d.french_id, d.partner_id, d.status, d.note) == (fid, pid, "accepted", "bon binôme")
    assert (fid, pid) not in re.findall(r'name="french_id" value="([\w-]+)"><input type="hidden" name="partner_id" '
                                        r'value="([\w-]+)"', r.text)  # decided pairs leave the list
    only = page(api, "/equipe/suggestions", "fr", country="DE")
    assert all(p == "GN-300" or p.startswith("GN-30") for _, p in re.findall(
        r'name="french_id" value="([\w-]+)"><input type="hidden" name="partner_id" value="([\w-]+)"', only))


def test_a_bad_form_value_is_said_in_the_pages_language(api: Api) -> None:
    r = api.client.post("/collectivites/FR-COM-00003/revendiquer", data={
        "csrf": csrf(api), "name": "Claire Martin", "role": "DGS", "email": "pas une adresse"})
    assert r.status_code == 422
    check_html(r.text, "fr")
    assert "La valeur du champ « email » n&#39;est pas valable" in r.text


@pytest.mark.parametrize("lang, said", [("fr", "après des pages publiques"), ("en", "From public pages")])
def test_a_text_from_public_pages_shows_its_sources(api: Api, lang: str, said: str) -> None:
    """A catalogue text taken from a real cooperation case carries its page and year (issue J)."""
    from matcher.domain import Facet, TextSource

    p = api.store.get(B)
    api.store.update(p.with_changes(expertise=Facet(text=p.expertise.text, sources=(
        TextSource(url="https://example.org/cooperation", title="Coopération Registreville", year=2019,
                   partner="GN-200"),))))
    html = page(api, f"/collectivites/{B}", lang)
    assert said in html and 'href="https://example.org/cooperation"' in html and "2019" in html
    body = api.client.get(f"/authorities/{B}").json()
    assert body["expertise"]["sources"] == [{"url": "https://example.org/cooperation",
                                             "title": "Coopération Registreville", "year": 2019}]
