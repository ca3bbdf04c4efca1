"""The fair pages for an organiser (TestClient): its own fairs only, the templates (French columns, a BOM
and ';' in French) that upload as they are, named events, and every error in the page's language."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from support.api import Api
from support.web import check_html, post_fair, sign_in_with_key

from matcher.events.participants import COLUMNS, FRENCH_COLUMNS
from matcher.events.spreadsheet import read_csv_text


@pytest.fixture()
def organiser(api: Api) -> str:
    _, secret = api.store.create_key("organiser", None, "Salon de Rennes")
    sign_in_with_key(api, secret)
    return secret


def test_the_templates_are_french_spreadsheets_that_upload_as_they_are(api: Api, organiser: str) -> None:
    csv_fr = api.client.get("/rencontres/modele-participants.csv", params={"lang": "fr"})
    assert csv_fr.status_code == 200 and csv_fr.content.startswith("\ufeff".encode())
    rows = read_csv_text(csv_fr.content)
    assert csv_fr.content.decode("utf-8-sig").split("\r\n")[0].count(";") == len(COLUMNS) - 1
    assert rows[0] == [FRENCH_COLUMNS[c] for c in COLUMNS] and rows[0][:3] == ["identifiant", "nom", "pays"]
    assert rows[2][1:3] == ["Thiès", "Sénégal"]
    xlsx = api.client.get("/rencontres/modele-participants.xlsx", params={"lang": "en"})
    head = next(openpyxl.load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    assert list(head) == list(COLUMNS)
    r = post_fair(api, csv_fr.content, "modele-participants.csv", name="Assises Afrique 2026")
    assert r.status_code == 200 and "<h1>Assises Afrique 2026</h1>" in r.text and "Tour 1" in r.text  # type: ignore[attr-defined]
    assert "Rennes" in r.text and "Thiès" in r.text  # type: ignore[attr-defined]


def test_an_organiser_sees_its_own_fairs_only(api: Api, organiser: str) -> None:
    template = api.client.get("/rencontres/modele-participants.csv").content
    mine = post_fair(api, template, "salon-2026.csv")  # no name: the file's stem
    assert "<h1>salon-2026</h1>" in mine.text  # type: ignore[attr-defined]
    mine_id = re.search(r"/rencontres/(ev-\w+)/planning", mine.text).group(1)  # type: ignore[attr-defined, union-attr]
    home = api.client.get("/rencontres", params={"lang": "fr"})
    check_html(home.text, "fr")
    assert "Mes rencontres" in home.text and f'href="/rencontres/{mine_id}">salon-2026</a>' in home.text
    assert "Taille maximale du fichier : 1\u00a0Mo" in home.text
    _, other = api.store.create_key("organiser", None, "Forum de Lyon")
    sign_in_with_key(api, other)
    assert mine_id not in api.client.get("/rencontres").text
    assert api.client.get(f"/rencontres/{mine_id}").status_code == 404
    assert api.client.get(f"/rencontres/{mine_id}/planning.csv").status_code == 404
    assert api.client.get("/equipe").status_code == 403  # staff pages stay closed


def test_the_schedule_csv_opens_in_french_excel(api: Api, organiser: str) -> None:
    r = post_fair(api, api.client.get("/rencontres/modele-participants.csv").content, "p.csv")
    event = re.search(r"/rencontres/(ev-\w+)/planning", r.text).group(1)  # type: ignore[attr-defined, union-attr]
    body = api.client.get(f"/rencontres/{event}/planning.csv", params={"rounds": 1, "lang": "fr"}).content
    assert body.startswith("\ufeff".encode())
    rows = read_csv_text(body)
    assert rows[0] == ["tour", "identifiant A", "identifiant B", "score", "à rencontrer absolument", "table",
                       "participant A", "participant B", "début", "fin"]
    assert rows[1][:3] == ["1", "rennes", "thies"] and rows[1][4:] == ["oui", "1", "Rennes", "Thiès", "", ""]


@pytest.mark.parametrize("lang, expected", [
    ("fr", "Ligne 3, colonne « country » : pays inconnu : « Atlantide »"),
    ("en", "Line 3, column “country”: unknown country “Atlantide”"),
])
def test_row_errors_are_in_the_pages_language(api: Api, organiser: str, lang: str, expected: str) -> None:
    r = post_fair(api, b"nom;pays\nRennes;France\nX;Atlantide\n", "p.csv", lang=lang)
    assert r.status_code == 422 and expected in r.text  # type: ignore[attr-defined]
    assert "unknown" not in r.text or lang == "en"  # type: ignore[attr-defined]


def test_a_png_named_xlsx_is_said_in_french(api: Api, organiser: str) -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200
    r = post_fair(api, png, "participants.xlsx", media="application/octet-stream")
    assert r.status_code == 422  # type: ignore[attr-defined]
    assert "Ce fichier n&#39;est pas un classeur Excel valide" in r.text  # type: ignore[attr-defined]
    assert "Détail technique" not in r.text and "not a readable" not in r.text  # type: ignore[attr-defined]
    assert 'id="file"' in r.text  # type: ignore[attr-defined]  # the form again


def test_a_too_big_file_is_the_upload_page_with_the_limit(api: Api, organiser: str) -> None:
    big = b"nom,pays\n" + b"Rennes,France\n" * 400_000  # 5.6 MB
    r = post_fair(api, big, "big.csv")
    assert r.status_code == 413 and r.headers["content-type"].startswith("text/html")  # type: ignore[attr-defined]
    check_html(r.text, "fr")  # type: ignore[attr-defined]
    assert "Ce fichier dépasse la taille maximale de 1\u00a0Mo" in r.text and 'id="file"' in r.text  # type: ignore[attr-defined]
    # An API client still gets the one JSON error shape.
    api_r = api.client.post("/events", content=big, headers={"Content-Type": "text/csv"})
    assert api_r.status_code == 413 and api_r.json()["error"]["code"] == "payload_too_large"


def test_french_column_names_are_all_accepted(api: Api, organiser: str) -> None:
    head = ";".join(FRENCH_COLUMNS[c] for c in COLUMNS).upper()  # case does not matter either
    body = (head + "\nr1;Rennes;France;commune;220000;48,11;-1,68;fr;Eau;Tourisme;;;france;t1;;;3\n"
            "t1;Thiès;Sénégal;;;;;fr;Tourisme;Eau;;;partenaire;;;;\n").encode()
    r = post_fair(api, body, "p.csv")
    assert r.status_code == 200, r.text[:2000]  # type: ignore[attr-defined]
