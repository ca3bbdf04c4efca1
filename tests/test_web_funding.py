"""The funding pages over the tiny world: "Financer ce partenariat" (fr/en, dates in the page's language, CSV
for French Excel), the consortium page, the staff page, and the links from the shortlist and authority pages."""

from __future__ import annotations

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


def test_links_from_the_shortlist_and_the_authority_page(api: Api) -> None:
    shortlist = page(api, f"/collectivites/{A}/partenaires", "fr")
    assert f'href="/collectivites/{A}/financer/' in shortlist and "Financer ce partenariat" in shortlist
    foreign = page(api, "/collectivites/GN-300", "fr")
    assert 'href="/collectivites/GN-300/consortium"' in foreign
    french = page(api, "/collectivites/FR-COM-00004", "fr")
    assert 'href="/collectivites/FR-COM-00004/financer/GN-300"' in french


def test_staff_page_is_for_staff(api: Api) -> None:
    r = api.client.get("/equipe/financements", params={"lang": "fr"})
    assert r.status_code in (401, 403)
    sign_in(api, "staff")
    r = api.client.get("/equipe/financements", params={"lang": "fr"})
    assert r.status_code == 200
    check_html(r.text, "fr")
    assert "Territoires étrangers travaillés côte à côte" in r.text
