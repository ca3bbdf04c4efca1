"""The funding pages over the tiny world: "Financer ce partenariat" (fr/en, dates in the page's language, CSV
for French Excel), the consortium page, the staff page, and the links from the shortlist and authority pages."""

from __future__ import annotations

import datetime as dt

import pytest
from support.api import A, Api
from support.web import check_html, page, sign_in


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_funding_panel_in_both_languages(api: Api, lang: str) -> None:
    html = page(api, f"/collectivites/{A}/financer/GN-100", lang, themes="water_sanitation", on="2025-04-15")
    if lang == "fr":
        assert "Financer ce partenariat" in html and "Situation au 15 avril 2025" in html
        assert "30 mai 2025" in html  # the general call's deadline, in French
    else:
        assert "Fund this partnership" in html and "As of April 15, 2025" in html and "May 30, 2025" in html
    row = html.split('id="call-dctciv-generaliste-2025"')[1].split("</tr>")[0]
    assert 'data-eligible="yes"' in row and 'data-status="open"' in row and "70 %" in row
    senegal = html.split('id="call-dctciv-franco-senegalais-2025"')[1].split("</tr>")[0]
    assert 'data-status="closed"' in senegal
    assert html.index('id="call-dctciv-generaliste-2025"') < html.index('id="call-dctciv-franco-senegalais-2025"')


def test_funding_csv_for_french_excel(api: Api) -> None:
    r = api.client.get(f"/collectivites/{A}/financer/GN-100/financements.csv",
                       params={"lang": "fr", "themes": "water_sanitation", "on": "2025-04-15"})
    assert r.status_code == 200 and r.content.startswith("\ufeff".encode())
    lines = r.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("identifiant;programme;financeur;statut;éligible") and len(lines) == 43


def test_funding_page_refuses_a_french_partner(api: Api) -> None:
    r = api.client.get(f"/collectivites/{A}/financer/FR-COM-00002", params={"lang": "fr"})
    assert r.status_code == 422 and "collectivité française et un partenaire étranger" in r.text


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_consortium_page(api: Api, lang: str) -> None:
    html = page(api, "/collectivites/GN-300/consortium", lang, k="3")
    lead = html.split('id="member-FR-COM-00004"')[1].split("</li>")[0]
    assert 'data-role="lead"' in lead
    assert ("Jumelée avec Rheinstadt." if lang == "fr" else "Twinned with Rheinstadt.") in lead
    assert 'id="member-FR-COM-00005"' in html


@pytest.fixture()
def on_2025_04_15(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    """The service's "today" for funding answers (calls open and close by date), fixed for known answers."""
    monkeypatch.setattr(api.app.state.resources, "today", lambda: dt.date(2025, 4, 15))


def panel(html: str, partner: str) -> str:
    """The "Financer ce partenariat" panel beside ``partner`` on a page."""
    block = html
    for anchor in (f'id="m-{partner}"', f'id="partner-{partner}"'):
        block = block.split(anchor)[1] if anchor in block else block
    return block.split('<details class="fund-panel">')[1].split("</details>")[0]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_funding_panel_beside_each_match(api: Api, lang: str, on_2025_04_15: None) -> None:
    """Eauville (water utility, seeks tourism) on 2025-04-15: with the Senegalese town the 2025 general call is
    open with a 70 % cap (Senegal is a least developed country), with the German town 30 % (an EU member);
    the 1 % water law is permanent for both. The panel's count is the full page's, themes included."""
    html = page(api, f"/collectivites/{A}/partenaires", lang)
    check_html(html, lang)
    senegal, germany = panel(html, "GN-100"), panel(html, "GN-300")
    general = senegal.split('data-call="dctciv-generaliste-2025"')[1].split("</li>")[0]
    if lang == "fr":
        assert "Financer ce partenariat" in senegal and "ouvert" in general and "jusqu&#39;à 70 %" in general
        assert "30 mai 2025" in general
        assert "jusqu&#39;à 30 %" in germany.split('data-call="dctciv-generaliste-2025"')[1].split("</li>")[0]
    else:
        assert "Fund this partnership" in senegal and "open" in general and "up to 70 %" in general
        assert "May 30, 2025" in general
    assert 'data-call="loi-oudin-santini-1pc-eau"' in senegal and 'data-call="loi-oudin-santini-1pc-eau"' in germany
    link = f"/collectivites/{A}/financer/GN-100?themes=water_sanitation&amp;themes=tourism"
    assert f'href="{link}"' in senegal
    full = page(api, link.split("?")[0], lang, themes=["water_sanitation", "tourism"])
    rows = full.split("<tbody>")[1].split("<tr ")[1:]
    live = [r for r in rows if 'data-eligible="yes"' in r and any(f'data-status="{s}"' in r
                                                                   for s in ("open", "permanent", "upcoming"))]
    count = senegal.split("<summary>")[1].split("</summary>")[0]
    assert count.rstrip().endswith(f"{len(live)}</span>") and len(live) == 2


def test_no_panel_for_a_foreign_authority_s_own_shortlist(api: Api, on_2025_04_15: None) -> None:
    html = page(api, "/collectivites/GN-300/partenaires", "fr")
    assert 'class="fund-panel"' not in html  # funding is computed for a French applicant


def test_panels_on_the_authority_pages(api: Api, on_2025_04_15: None) -> None:
    """A French authority's page: a panel beside each foreign partner. A foreign authority's page: its
    consortium link, and for a French authority signed in, the panel for the two of them."""
    french = page(api, "/collectivites/FR-COM-00004", "fr")
    assert 'href="/collectivites/FR-COM-00004/financer/GN-300' in panel(french, "GN-300")
    foreign = page(api, "/collectivites/GN-300", "fr")
    assert 'href="/collectivites/GN-300/consortium"' in foreign and 'class="fund-panel"' not in foreign
    sign_in(api, "owner_a")
    mine = page(api, "/collectivites/GN-300", "fr")
    assert "Pour Eauville :" in mine
    assert f'href="/collectivites/{A}/financer/GN-300?themes=water_sanitation&amp;themes=tourism"' in panel(mine, "x")


def test_staff_page_is_for_staff(api: Api) -> None:
    r = api.client.get("/equipe/financements", params={"lang": "fr"})
    assert r.status_code in (401, 403)
    sign_in(api, "staff")
    r = api.client.get("/equipe/financements", params={"lang": "fr"})
    assert r.status_code == 200
    check_html(r.text, "fr")
    assert "Territoires étrangers travaillés côte à côte" in r.text
