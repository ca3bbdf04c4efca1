"""Staff suggestions computed ahead and kept current after writes (matcher.ranking.suggestions: SuggestionCache.compute,
SuggestionWarmer), the decisions page (filters, CSV for French and English spreadsheets), the journal with
names and who acted, French names and number formats on staff pages, and the registration of a name
already in the catalogue (a sentence, a link to claim it, the form kept). TestClient over the tiny world;
the same in Chromium: tests/test_browser_staff.py."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from support.api import A, Api, B, make_settings
from support.net import wait_until
from support.web import check_html, csrf, page, sign_in

from matcher.encoding import HashingEncoder
from matcher.ranking.suggestions import SuggestionFilters
from service.app import create_app

PAIR = re.compile(r'name="french_id" value="([\w-]+)"><input type="hidden" name="partner_id" value="([\w-]+)"')


def suggestions(client: TestClient, headers: dict[str, str], **params: Any) -> dict[str, Any]:
    r = client.get("/suggestions", headers=headers, params={"limit": 50, **params})
    assert r.status_code == 200, r.text
    return r.json()


def pairs(body: dict[str, Any]) -> list[tuple[str, str]]:
    return [(i["french"]["id"], i["partner"]["id"]) for i in body["items"]]


def forward_of_a(body: dict[str, Any]) -> dict[str, float]:
    return {i["partner"]["id"]: i["score_french_to_partner"] for i in body["items"] if i["french"]["id"] == A}


# ---- suggestions computed ahead ---------------------------------------------------------------------------
def test_a_complete_list_answers_while_a_write_is_recomputed(api: Api) -> None:
    res = api.app.state.resources
    unfiltered = SuggestionFilters()
    res.suggestions.warmed.add(unfiltered)  # what the warmer declares: requests leave that list to it

    def compute() -> bool:
        return bool(res.suggestions.compute(res.matcher, unfiltered, max_sources=res.settings.suggestion_sources,
                                            per_source=res.settings.suggestion_per_source))

    assert compute()
    before = suggestions(api.client, api.staff)
    assert before["complete"] and not before["refreshing"]
    assert max(forward_of_a(before), key=forward_of_a(before).__getitem__) == "GN-100"
    api.client.patch(f"/authorities/{A}", headers=api.owner_a, json={
        "needs": {"themes": ["digital"], "text": "Governo digital e serviços públicos online"},
        "expertise": {"themes": ["culture_heritage"], "text": "Património cultural e museus"}})
    stale = suggestions(api.client, api.staff)  # not recomputed yet: the last complete list, said so
    assert stale["refreshing"] and stale["complete"] and pairs(stale) == pairs(before)
    # A side deleted meanwhile leaves the list at once (pairs are mapped to the current catalogue by id).
    assert any(p == "GN-200" for _, p in pairs(stale))
    assert api.client.delete("/authorities/GN-200", headers=api.staff).status_code == 204
    assert all(p != "GN-200" for _, p in pairs(suggestions(api.client, api.staff)))
    assert compute()
    after = suggestions(api.client, api.staff)
    assert after["complete"] and not after["refreshing"]
    assert max(forward_of_a(after), key=forward_of_a(after).__getitem__) == "GN-400"  # the new needs


def test_the_warmer_completes_the_list_at_start_and_after_writes(tmp_path: Path, ranker_file: Path) -> None:
    # A budget too small for a request to score more than one source: only the warmer can complete the list.
    settings = make_settings(tmp_path, ranker_file, suggestion_precompute=True, suggestion_budget_seconds=1e-6)
    app = create_app(settings, encoder=HashingEncoder(dim=128))
    with TestClient(app) as client:
        res = app.state.resources
        store = res.store
        _, staff = store.create_key("staff", None, "Alice (staff)")
        _, owner = store.create_key("owner", A, "Eauville")
        headers = {"Authorization": f"Bearer {staff}"}
        wait_until(lambda: res.warmer is not None and res.warmer.runs >= 1, timeout=30, what="the first precomputation")
        first = suggestions(client, headers)
        assert first["complete"] and not first["refreshing"]
        assert first["sources_considered"] == first["sources_total"] > 1
        client.patch(f"/authorities/{A}", headers={"X-API-Key": owner}, json={
            "needs": {"themes": ["digital"], "text": "Governo digital e serviços públicos online"},
            "expertise": {"themes": ["culture_heritage"], "text": "Património cultural e museus"}})
        # Requests do not extend a list the warmer keeps: only it can make this one current again.
        wait_until(lambda: not suggestions(client, headers)["refreshing"], timeout=30, what="a precomputation after the write")
        after = suggestions(client, headers)
        assert after["complete"] and after["sources_considered"] == after["sources_total"]
        assert max(forward_of_a(after), key=forward_of_a(after).__getitem__) == "GN-400"
    assert res.warmer is None  # stopped with the app


# ---- decisions ---------------------------------------------------------------------------------------------
def count_rows(api: Api, lang: str = "fr", **params: str) -> int:
    r = api.client.get("/equipe/decisions", params={"lang": lang, **params})
    assert r.status_code == 200, r.text[:300]
    check_html(r.text, lang)
    return r.text.count('<tr id="decision-')


def _decide(api: Api, fid: str, pid: str, status: str, note: str = "") -> None:
    r = api.client.post("/equipe/suggestions/decision", data={
        "csrf": csrf(api), "french_id": fid, "partner_id": pid, "status": status, "note": note,
        "back": "/equipe/suggestions"}, follow_redirects=False)
    assert r.status_code == 303, r.text[:300]


def _rename(api: Api, pid: str, name_fr: str) -> None:
    """A French name in the catalogue (as CLDR gives "Bruxelles" for Brussels)."""
    res = api.app.state.resources
    with res.write_lock:
        stored = api.store.update(api.store.get(pid).with_changes(name_fr=name_fr))
        res.matcher.profile_written(stored)


def test_a_decision_shows_on_its_pair_and_in_the_decisions_page(api: Api) -> None:
    _rename(api, "GN-200", "Kankan-la-Française")
    sign_in(api, "staff")
    html_fr = page(api, "/equipe/suggestions", "fr")
    assert "Kankan-la-Française" in html_fr and ">Kankan-Test<" not in html_fr
    scores = re.findall(r'<span class="score-value" title="([^"]+)">Score (\d+)/100</span>', html_fr)
    assert scores and all(0 <= int(points) <= 100 for _, points in scores), scores
    assert all("ayant ce score" in meaning for meaning, _ in scores)  # what the score means, in French
    _decide(api, B, "GN-200", "contacted", "premier courriel")
    html_fr = page(api, "/equipe/suggestions", "fr")
    item = re.search(rf'<li class="match suggestion" id="pair-{B}-GN-200">(.*?)</li>\s*(?:<li class="match|</ol>)',
                     html_fr, re.DOTALL)
    assert item and "Dernière décision\u00a0: Contacté" in item.group(1)
    assert "Latest decision: Contacted" in page(api, "/equipe/suggestions", "en")
    _decide(api, A, "GN-100", "proposed")
    listing = page(api, "/equipe/decisions", "fr")
    assert listing.count('<tr id="decision-') == 2
    assert "Kankan-la-Française" in listing and "premier courriel" in listing and "Alice (staff)" in listing
    assert "Guinée" in listing and "Contacté" in listing  # the partner's country and the status, in French
    assert "Kankan-Test" in page(api, "/equipe/decisions", "en")  # its own name on English pages
    # Filters: status, authority by name or id, dates (both days included).
    assert count_rows(api, status="contacted") == 1 and count_rows(api, status="rejected") == 0
    assert count_rows(api, authority="eauville") == 1 and count_rows(api, authority="GN-200") == 1
    today = datetime.now(UTC).date()
    assert count_rows(api, since=today.isoformat(), until=today.isoformat()) == 2  # both days included
    tomorrow, yesterday = (today + timedelta(days=1)).isoformat(), (today - timedelta(days=1)).isoformat()
    assert count_rows(api, since=tomorrow) == 0 and count_rows(api, until=yesterday) == 0
    # The API's log takes the same filters.
    r = api.client.get("/decisions", headers=api.staff, params={"status": "contacted", "authority": "GN-200"})
    assert [(d["french_id"], d["status"]) for d in r.json()["items"]] == [(B, "contacted")]


def test_the_decisions_csv_opens_in_a_french_or_english_spreadsheet(api: Api) -> None:
    _rename(api, "GN-200", "Kankan-la-Française")
    sign_in(api, "staff")
    _decide(api, B, "GN-200", "accepted", "accord; signé")
    listing = api.client.get("/equipe/decisions", params={"lang": "fr", "status": "accepted"}).text
    link = html.unescape(re.search(r'href="(/equipe/decisions\.csv[^"]*)"', listing).group(1))  # type: ignore[union-attr]
    assert "status=accepted" in link and "lang=fr" in link
    r = api.client.get(link)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert r.content.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel reads the accents right
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Date (UTC)", "Statut", "Collectivité française", "Identifiant", "Partenaire",
                       "Identifiant du partenaire", "Pays du partenaire", "Note", "Par"]
    assert rows[1][1:] == ["Accepté", "Registreville", B, "Kankan-la-Française", "GN-200", "Guinée",
                           "accord; signé", "Alice (staff)"]
    en = api.client.get("/equipe/decisions.csv", params={"lang": "en"})
    assert not en.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(en.text)))
    assert rows[0][:3] == ["Date (UTC)", "Status", "French authority"]
    assert rows[1][1:7] == ["Accepted", "Registreville", B, "Kankan-Test", "GN-200", "Guinea"]
    api.client.post("/deconnexion", data={"csrf": csrf(api)})
    assert api.client.get("/equipe/decisions.csv").status_code == 403


# ---- the journal ------------------------------------------------------------------------------------------
def test_the_journal_holds_registrations_verifications_claims_and_decisions(api: Api) -> None:
    r = api.client.post("/inscription", data={"csrf": csrf(api), "name": "Vallon-sur-Journal", "kind": "commune",
                                              "country": "FR", "lat": "45.1", "lon": "2.1"})
    assert r.status_code == 200, r.text[:300]
    new = api.store.search("Vallon-sur-Journal", statuses=None)[0][0].id
    api.client.post("/deconnexion", data={"csrf": csrf(api)})
    api.client.post("/collectivites/FR-COM-00003/revendiquer", data={
        "csrf": csrf(api), "name": "Claire Martin", "role": "DGS", "email": "dgs@lyonville.example"})
    sign_in(api, "staff")
    api.client.post(f"/equipe/verifications/{new}", data={"csrf": csrf(api), "decision": "approve",
                                                            "note": "vu en mairie"})
    _decide(api, A, "GN-100", "contacted")
    journal = page(api, "/equipe/journal", "fr")
    rows = re.findall(r"<tr class=\"(\w+)\">(.*?)</tr>", journal, re.DOTALL)
    text = {kind: [re.sub(r"<[^>]+>", "", cells) for k, cells in rows if k == kind] for kind in
            ("profile", "claim", "decision")}
    assert any("inscription reçue" in t and "Vallon-sur-Journal" in t and "Vallon-sur-Journal (sa clé)" in t
               for t in text["profile"]), text  # who: the registrant's own key
    assert any("profil validé" in t and "Alice (staff)" in t and "vu en mairie" in t for t in text["profile"])
    assert any("demande de gestion reçue" in t and "Lyonville" in t and "anonyme" in t for t in text["claim"])
    assert any("rapprochement : contacté" in t and "Eauville ↔ Ndiaye" in t and "Alice (staff)" in t
               for t in text["decision"])
    only = page(api, "/equipe/journal", "fr", action="decision")
    assert only.count('<tr class="decision">') == 1 and '<tr class="profile">' not in only
    mine = page(api, "/equipe/journal", "fr", authority_id="Eauville")
    assert mine.count('<tr class="decision">') == 1 and "Lyonville" not in mine
    assert "registration received" in page(api, "/equipe/journal", "en")


# ---- registration of a taken name -------------------------------------------------------------------------
TYPED = {"name": "Eauville", "kind": "commune", "country": "FR", "population": "12 000", "lat": "45,0",
         "lon": "2.0", "description": "Commune rurale", "expertise_text": "Régie de l'eau",
         "needs_text": "Tourisme « culturel » & artisanat", "contact_email": "mairie@eauville.example"}


def kept(text: str) -> dict[str, str]:
    """What the form's text fields hold, as the browser will show them."""
    inputs = {m[0]: html.unescape(m[1]) for m in re.findall(r'<input id="(\w+)" name="\w+"[^>]*? value="([^"]*)"', text)}
    areas = {m[0]: html.unescape(m[1]) for m in re.findall(r'<textarea id="(\w+)"[^>]*>(.*?)</textarea>', text, re.DOTALL)}
    return {**inputs, **areas}


def test_a_taken_name_links_to_its_claim_and_keeps_the_form(api: Api) -> None:
    for lang, sentence in (("fr", ("Une collectivité de ce nom existe déjà dans le catalogue : Eauville "
                                  "(Département 15). Si c&#39;est la vôtre, demandez à gérer sa fiche")),
                           ("en", ("An authority of this name is already in the catalogue: Eauville "
                                  "(Département 15). If it is yours, ask to manage its entry"))):
        r = api.client.post(f"/inscription?lang={lang}", data={"csrf": csrf(api), **TYPED})
        assert r.status_code == 409
        check_html(r.text, lang)
        assert sentence in r.text and "Erreur" not in r.text and "POST /authorities" not in r.text
        assert f'href="/collectivites/{A}/revendiquer"' in r.text
        assert kept(r.text) == {k: v for k, v in TYPED.items() if k not in ("kind", "country")}
        assert '<option value="commune" selected>' in r.text and '<option value="FR" selected>' in r.text
    assert not api.store.search("Eauville", statuses=("pending",))[0]  # nothing registered


def test_another_refused_registration_keeps_the_form_too(api: Api) -> None:
    r = api.client.post("/inscription", data={"csrf": csrf(api), **TYPED, "name": "Ailleurs-sur-Test",
                                              "population": "90 000 000"})
    assert r.status_code == 422
    check_html(r.text, "fr")
    assert "La valeur du champ « population » n&#39;est pas valable" in r.text
    assert kept(r.text)["name"] == "Ailleurs-sur-Test" and kept(r.text)["needs_text"] == TYPED["needs_text"]
