"""An organiser's fair in a real headless Chromium (network-guarded, tests/support/browser.py): sign in with
an organiser key, take the French template from the page, fill it in with French column names (a must-meet
and a no-thanks among the wishes), upload it under a name, see the grid, find the fair in one's list; a
PNG named .xlsx is refused in French on the page."""

from __future__ import annotations

import csv
import io
import urllib.request
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from support.browser import LiveApp, shot, sign_in, wait_for, wait_for_count

from matcher.events.spreadsheet import read_csv_text

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
    tables = [[td.text for td in tr.find_elements(By.TAG_NAME, "td")[1:3]]
              for r in rounds for tr in r.find_elements(By.CSS_SELECTOR, "tbody tr")]
    first_round = [[td.text for td in tr.find_elements(By.TAG_NAME, "td")[1:3]]
                   for tr in rounds[0].find_elements(By.CSS_SELECTOR, "tbody tr")]
    assert sorted(["Rennes", "Thiès"]) in [sorted(t) for t in first_round]  # Thiès must meet Rennes: first
    assert all(sorted(t) != ["Kaolack-Test", "Villeneuve-Test"] for t in tables)  # no thanks: never paired
    shot(browser, "rencontre-organisateur")
    planning = _download(browser, str(browser.find_element(By.CSS_SELECTOR, "a[href*='planning.csv']")
                                      .get_attribute("href")))
    plan_rows = read_csv_text(planning)
    assert plan_rows[0][5:] == ["table", "participant A", "participant B", "début", "fin"]

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
    from support.api import A

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


def _grid(browser: webdriver.Chrome) -> list[tuple[int, int, list[str], bool]]:
    """(round, table, [name A, name B] sorted, locked) of every meeting in the fair page's grid."""
    out = []
    for r, table in enumerate(browser.find_elements(By.CSS_SELECTOR, "table.round"), start=1):
        for tr in table.find_elements(By.CSS_SELECTOR, "tbody tr"):
            cells = [td.text for td in tr.find_elements(By.TAG_NAME, "td")]
            box = tr.find_element(By.CSS_SELECTOR, "input[name=lock]")
            out.append((r, int(cells[0]), sorted(cells[1:3]), box.is_selected()))
    return out


def _submit_and_wait(browser: webdriver.Chrome, selector: str) -> None:
    """Click a button whose form sends back to the fair's #planning and wait for the *new* page: the URL
    may already end with #planning (a previous submit), so the old page must first go stale."""
    # A mark on the old document (a new one does not have it), read again until the new page has loaded;
    # while Chromium swaps documents a call can fail in several ways (stale node, inspector error): retried.
    browser.execute_script("window.__before_submit = true;")
    browser.find_element(By.CSS_SELECTOR, selector).click()
    WebDriverWait(browser, 30, ignored_exceptions=(WebDriverException,)).until(
        lambda d: d.execute_script("return window.__before_submit === undefined && document.readyState === 'complete';")
        and d.current_url.endswith("#planning") and d.find_elements(By.CSS_SELECTOR, "table.round"))


def _set_timing(browser: webdriver.Chrome, **values: str) -> None:
    for name, value in values.items():
        box = browser.find_element(By.ID, name)
        box.clear()
        box.send_keys(value)
    _submit_and_wait(browser, "form.options button[type=submit]")


def test_a_participant_answers_through_its_link_and_the_organiser_re_plans(
        browser: webdriver.Chrome, live_app: LiveApp, tmp_path: Path) -> None:
    """Eauville would like Cidade and says no thanks to Ndiaye (its best match) through its own link; the
    organiser's plan then has Eauville–Cidade and never Eauville–Ndiaye; a locked meeting stays at its
    round and table when the plan changes; Eauville's calendar is in French with a reason."""
    _, secret = live_app.store.create_key("organiser", None, "Salon de Rennes")
    sign_in(browser, live_app, secret)
    filled = tmp_path / "salon.csv"
    filled.write_bytes(("\ufeffidentifiant;nom;pays;groupe\neau;Eauville;France;france\nndi;Ndiaye;Sénégal;"
                        "partenaire\nkan;Kankan-Test;Guinée;partenaire\ncid;Cidade;Brésil;partenaire\n").encode())
    browser.find_element(By.ID, "name").send_keys("Salon des souhaits")
    browser.find_element(By.ID, "file").send_keys(str(filled))
    browser.find_element(By.CSS_SELECTOR, "form.narrow button[type=submit]").click()
    WebDriverWait(browser, 30).until(lambda d: "/rencontres/ev-" in d.current_url)
    fair_url = browser.current_url.split("#")[0]
    _set_timing(browser, rounds="1", start="2026-12-01T09:00", slot_minutes="30", break_minutes="10")
    assert ["Eauville", "Ndiaye"] in [m for _, _, m, _ in _grid(browser)]  # no wish yet: the best pair
    eau = browser.find_element(By.CSS_SELECTOR, "li[data-id='eau']")
    assert "pas encore répondu" in eau.find_element(By.CSS_SELECTOR, ".answered").text
    link = str(eau.find_element(By.CSS_SELECTOR, "input.wish-link").get_attribute("value"))

    browser.delete_all_cookies()  # the participant has no account
    browser.get(link)
    assert "Eauville" in wait_for(browser, "main p").text
    browser.find_element(By.CSS_SELECTOR, "tr[data-id='cid'] input[value='like']").click()
    browser.find_element(By.CSS_SELECTOR, "tr[data-id='ndi'] input[value='no']").click()
    shot(browser, "rencontre-souhaits")
    browser.find_element(By.CSS_SELECTOR, "form.wishes button[type=submit]").click()
    assert "vos souhaits sont enregistrés" in wait_for(browser, "#saved").text
    assert browser.find_element(By.CSS_SELECTOR, "tr[data-id='cid'] input[value='like']").is_selected()

    sign_in(browser, live_app, secret)
    browser.get(fair_url)
    assert "a répondu le" in wait_for(browser, "li[data-id='eau'] .answered").text
    _submit_and_wait(browser, "#replan")  # plan again with the answers
    meetings = [m for _, _, m, _ in _grid(browser)]
    assert ["Cidade", "Eauville"] in meetings and ["Eauville", "Ndiaye"] not in meetings

    _set_timing(browser, rounds="3")
    grid = _grid(browser)
    assert all(m != ["Eauville", "Ndiaye"] for _, _, m, _ in grid)
    kept = next(x for x in grid if "Kankan-Test" in x[2])
    browser.find_element(By.CSS_SELECTOR, f"input[name=lock][value='{kept[0]}-{kept[1]}']").click()
    _submit_and_wait(browser, "#replan")
    assert browser.find_elements(By.CSS_SELECTOR, "tr.locked")
    _set_timing(browser, rounds="4")  # a different plan around it
    assert (kept[0], kept[1], kept[2], True) in _grid(browser)
    assert all(m != ["Eauville", "Ndiaye"] for _, _, m, _ in _grid(browser))
    shot(browser, "rencontre-verrous")

    ics = _download(browser, str(browser.find_element(By.CSS_SELECTOR, "li[data-id='eau'] a.ics")
                                 .get_attribute("href")))
    text = ics.decode("utf-8").replace("\r\n ", "")
    assert "SUMMARY:Rendez-vous avec Cidade" in text
    assert "DTSTART:20261201T090000" in text
    assert "Pourquoi cette rencontre :\\n- " in text and "Meeting" not in text
