"""An organiser's fair in a real headless Chromium (network-guarded, tests/browser_support.py): sign in with
an organiser key, take the French template from the page, fill it in with French column names (a must-meet
and a no-thanks among the wishes), upload it under a name, see the grid, find the fair in one's list; a
PNG named .xlsx is refused in French on the page."""

from __future__ import annotations

import csv
import io
import urllib.request
from pathlib import Path

import pytest
from browser_support import LiveApp, wait_for, wait_for_count
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from test_browser_flows import shot, sign_in

from matcher.events.spreadsheet import read_csv_text

pytest_plugins = ["browser_support"]
pytestmark = pytest.mark.browser


def _download(driver: webdriver.Chrome, href: str) -> bytes:
    """A download link's body with the browser's cookies (a click would save a file)."""
    cookies = "; ".join(f"{c['name']}={c['value']}" for c in driver.get_cookies())
    with urllib.request.urlopen(urllib.request.Request(href, headers={"Cookie": cookies}), timeout=10) as r:
        return bytes(r.read())


def test_an_organisers_fair_from_the_french_template(browser: webdriver.Chrome, live_app: LiveApp,
                                                     tmp_path: Path) -> None:
    _, secret = live_app.store.create_key("organiser", None, "Salon de Rennes")
    sign_in(browser, live_app, secret)
    assert browser.current_url.endswith("/rencontres")
    assert "Aucune rencontre" in wait_for(browser, "#mine + p").text
    assert "Taille maximale du fichier : 1 Mo" in browser.find_element(By.ID, "file-limit").text
    shot(browser, "rencontres-organisateur")
    template = _download(browser, str(browser.find_element(By.CSS_SELECTOR, "a.template[href$='.csv']")
                                      .get_attribute("href")))
    assert template.startswith("\ufeff".encode())
    rows = read_csv_text(template)
    assert rows[0][:3] == ["identifiant", "nom", "pays"]
    # Filled in as an organiser would: two more participants, one of whom will not meet Villeneuve.
    col = {name: i for i, name in enumerate(rows[0])}
    for ident, name, country, side, avoid in (("villeneuve", "Villeneuve-Test", "France", "france", ""),
                                              ("kaolack", "Kaolack-Test", "Sénégal", "partenaire", "villeneuve")):
        row = [""] * len(rows[0])
        row[col["identifiant"]], row[col["nom"]], row[col["pays"]] = ident, name, country
        row[col["groupe"]], row[col["éviter"]], row[col["besoins"]] = side, avoid, "Eau potable"
        rows.append(row)
    filled = tmp_path / "participants-salon.csv"
    out = io.StringIO()
    csv.writer(out, delimiter=";").writerows(rows)  # as French Excel saves it: ';', a BOM
    filled.write_bytes(("\ufeff" + out.getvalue()).encode("utf-8"))

    browser.find_element(By.ID, "name").send_keys("Assises Afrique 2026")
    browser.find_element(By.ID, "file").send_keys(str(filled))
    browser.find_element(By.CSS_SELECTOR, "form.narrow button[type=submit]").click()
    WebDriverWait(browser, 30).until(lambda d: "/rencontres/ev-" in d.current_url)
    assert wait_for(browser, "h1").text == "Assises Afrique 2026"
    rounds = wait_for_count(browser, "table.round", 3)
    tables = [[td.text for td in tr.find_elements(By.TAG_NAME, "td")[1:]]
              for r in rounds for tr in r.find_elements(By.CSS_SELECTOR, "tbody tr")]
    first_round = [[td.text for td in tr.find_elements(By.TAG_NAME, "td")[1:]]
                   for tr in rounds[0].find_elements(By.CSS_SELECTOR, "tbody tr")]
    assert sorted(["Rennes", "Thiès"]) in [sorted(t) for t in first_round]  # Thiès must meet Rennes: first
    assert all(sorted(t) != ["Kaolack-Test", "Villeneuve-Test"] for t in tables)  # no thanks: never paired
    shot(browser, "rencontre-organisateur")
    planning = _download(browser, str(browser.find_element(By.CSS_SELECTOR, "a[href*='planning.csv']")
                                      .get_attribute("href")))
    plan_rows = read_csv_text(planning)
    assert plan_rows[0][-3:] == ["table", "participant A", "participant B"]

    browser.get(live_app.url("/rencontres"))
    listed = wait_for(browser, "ul.events a")
    assert listed.text == "Assises Afrique 2026"
    png = tmp_path / "participants.xlsx"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    browser.find_element(By.ID, "file").send_keys(str(png))
    browser.find_element(By.CSS_SELECTOR, "form.narrow button[type=submit]").click()
    assert "Ce fichier n'est pas un classeur Excel valide" in wait_for(browser, "p.error").text
    assert not browser.find_elements(By.TAG_NAME, "details")  # no English developer detail


def test_a_shortlist_filtered_by_a_country_name(browser: webdriver.Chrome, live_app: LiveApp) -> None:
    from test_api_support import A

    browser.get(live_app.url(f"/collectivites/{A}/partenaires"))
    browser.find_element(By.CSS_SELECTOR, "details.filters summary").click()
    box = browser.find_element(By.ID, "country")
    box.send_keys("atlantide")
    browser.find_element(By.CSS_SELECTOR, "form.grid button[type=submit]").click()
    assert "Pays inconnu : « atlantide »" in wait_for(browser, "#form-error").text
    box = browser.find_element(By.ID, "country")
    assert box.get_attribute("value") == "atlantide" and box.get_attribute("aria-invalid") == "true"
    box.clear()
    box.send_keys("sénégal")
    browser.find_element(By.CSS_SELECTOR, "form.grid button[type=submit]").click()
    wait_for(browser, "ol.matches li.match")
    assert not browser.find_elements(By.ID, "form-error")
