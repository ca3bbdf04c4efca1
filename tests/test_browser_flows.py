"""The web app's flows in a real headless Chromium against a live server over the tiny world; every test
fails if any request leaves the app's host (tests/support/browser.py's guard). French pages; screenshots
of the main ones are written to ``SCREENSHOTS`` when that variable names a folder (docs/screenshots/ in
the repository: ``SCREENSHOTS=docs/screenshots pytest tests/test_browser_flows.py``)."""

from __future__ import annotations

import re
import urllib.request
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait
from support.api import A, B
from support.browser import LiveApp, console_errors, shot, sign_in, sign_out, wait_for, wait_for_count

pytestmark = pytest.mark.browser
FIXTURES = Path(__file__).parent / "fixtures" / "events"


def map_drawn(driver: webdriver.Chrome, at_least: int) -> int:
    el = WebDriverWait(driver, 10).until(
        lambda d: d.find_element(By.CSS_SELECTOR, "[data-map][data-drawn]"))
    drawn = int(el.get_attribute("data-drawn") or 0)
    assert drawn >= at_least
    assert el.find_elements(By.CSS_SELECTOR, "svg path"), "no country shapes drawn"
    return drawn


def test_search_authority_shortlist_with_reasons_and_a_map(browser: webdriver.Chrome, live_app: LiveApp) -> None:
    browser.get(live_app.url("/"))
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "fr"
    shot(browser, "accueil")
    box = wait_for(browser, "#q")
    box.send_keys("eauv")  # suggestions as you type, from the API's search
    option = wait_for(browser, "#q-suggestions li")
    assert "Eauville" in option.text
    box.send_keys(Keys.ARROW_DOWN, Keys.ENTER)
    WebDriverWait(browser, 10).until(lambda d: d.current_url.endswith(f"/collectivites/{A}"))
    assert "Eauville" in browser.find_element(By.TAG_NAME, "h1").text
    map_drawn(browser, 1)
    shot(browser, "collectivite")
    browser.find_element(By.LINK_TEXT, "Trouver des partenaires").click()
    first = wait_for(browser, "ol.matches li.match .match-name")
    assert first.text == "Ndiaye"  # needs the sanitation Eauville runs
    reasons = [r.text for r in browser.find_elements(By.CSS_SELECTOR, "ol.matches li.match:first-child .reasons li")]
    api = live_app.app.state.resources.matcher.recommend(live_app.store.get(A), k=1)[0]
    assert reasons == [r.text("fr") for r in api.reasons]  # the API's reasons, as sentences
    bars = browser.find_elements(By.CSS_SELECTOR, ".bar rect")
    assert bars and bars[0].size["width"] > 0
    assert map_drawn(browser, 2) == len(browser.find_elements(By.CSS_SELECTOR, ".map-point"))
    shot(browser, "partenaires")
    # A filter from the form: Africa only.
    browser.find_element(By.CSS_SELECTOR, "details.filters summary").click()
    browser.find_element(By.CSS_SELECTOR, "input[name=continent][value=AF]").click()
    browser.find_element(By.CSS_SELECTOR, "form.grid button[type=submit]").click()
    WebDriverWait(browser, 10).until(lambda d: "continent=AF" in d.current_url)
    countries = [e.text for e in browser.find_elements(By.CSS_SELECTOR, "ol.matches .match-head .meta")]
    assert countries and all("Sénégal" in c or "Guinée" in c for c in countries), countries
    assert not console_errors(browser)


def test_sign_in_edit_needs_and_the_shortlist_changes(browser: webdriver.Chrome, live_app: LiveApp) -> None:
    sign_in(browser, live_app, live_app.owner_keys[B])
    WebDriverWait(browser, 10).until(lambda d: d.current_url.endswith("/mon-profil"))
    before = [e.text for e in browser.find_elements(By.CSS_SELECTOR, "#shortlist .match-name")]
    needs = browser.find_element(By.ID, "needs_text")
    needs.clear()
    needs.send_keys("Développer le tourisme culturel, l'artisanat local et les festivals")
    browser.find_element(By.CSS_SELECTOR, "input[name=needs_themes][value=tourism]").click()
    shot(browser, "mon-profil")
    browser.find_element(By.CSS_SELECTOR, "form.edit button[type=submit]").click()
    wait_for(browser, "p.ok")
    after = [e.text for e in browser.find_elements(By.CSS_SELECTOR, "#shortlist .match-name")]
    # Ndiaye offers cultural tourism, crafts and festivals: what Registreville now says it needs.
    assert before[0] != "Ndiaye" and after[0] == "Ndiaye", (before, after)
    assert live_app.store.get(B).needs.themes == ("tourism",)
    sign_out(browser)


def test_express_interest_reaches_the_other_sides_inbox(browser: webdriver.Chrome, live_app: LiveApp) -> None:
    sign_in(browser, live_app, live_app.owner_keys[A])
    browser.get(live_app.url(f"/collectivites/{A}/partenaires"))
    browser.find_element(By.CSS_SELECTOR, "#m-GN-100 a.button").click()
    wait_for(browser, "#message").send_keys("Notre régie de l'eau peut vous accompagner.")
    browser.find_element(By.CSS_SELECTOR, "form.narrow button[type=submit]").click()
    assert "Message transmis à Ndiaye" in wait_for(browser, "p.ok").text
    sign_out(browser)
    _, ndiaye = live_app.store.create_key("owner", "GN-100", "Ndiaye")
    sign_in(browser, live_app, ndiaye)
    browser.get(live_app.url("/messages"))
    message = wait_for(browser, "li.message.in")
    assert "Reçu de Eauville" in message.text and "Notre régie de l'eau" in message.text
    shot(browser, "messages")
    sign_out(browser)


def test_staff_verify_a_pending_profile_and_it_becomes_visible(browser: webdriver.Chrome,
                                                               live_app: LiveApp) -> None:
    browser.get(live_app.url("/inscription"))
    wait_for(browser, "#name").send_keys("Vallon-Navigateur")
    for field, value in (("population", "3 100"), ("lat", "45.3"), ("lon", "2.3")):
        browser.find_element(By.ID, field).send_keys(value)
    browser.find_element(By.ID, "needs_text").send_keys("Tourisme rural et artisanat")
    browser.find_element(By.CSS_SELECTOR, "form.narrow button[type=submit]").click()
    secret = wait_for(browser, "code.secret").text
    new = live_app.store.key_for_secret(secret)
    assert new is not None and new.authority_id is not None
    sign_out(browser)
    browser.get(live_app.url("/recherche?q=vallon-navigateur"))
    assert not browser.find_elements(By.CSS_SELECTOR, f"a[href='/collectivites/{new.authority_id}']")
    sign_in(browser, live_app, live_app.staff_key)
    browser.get(live_app.url("/equipe"))
    row = wait_for(browser, f"#pending-{new.authority_id}")
    row.find_element(By.NAME, "note").send_keys("vérifiée auprès de la mairie")
    shot(browser, "equipe")
    row.find_element(By.CSS_SELECTOR, "button[value=approve]").click()
    assert "Vallon-Navigateur" in wait_for(browser, "p.ok").text
    sign_out(browser)
    browser.get(live_app.url("/recherche?q=vallon-navigateur"))
    wait_for(browser, f"a[href='/collectivites/{new.authority_id}']").click()
    assert "Vallon-Navigateur" in wait_for(browser, "h1").text


def test_upload_an_event_then_the_schedule_grid_and_a_calendar(browser: webdriver.Chrome, live_app: LiveApp,
                                                               tmp_path: Path) -> None:
    sign_in(browser, live_app, live_app.staff_key)
    browser.get(live_app.url("/rencontres"))
    bad = tmp_path / "bad.csv"
    bad.write_text("name,country\nX,ZZ\n", encoding="utf-8")
    wait_for(browser, "#file").send_keys(str(bad))
    browser.find_element(By.CSS_SELECTOR, "form.narrow button[type=submit]").click()
    assert "Ligne 2" in wait_for(browser, "ul.file-errors").text
    browser.find_element(By.ID, "file").send_keys(str(FIXTURES / "participants.csv"))
    browser.find_element(By.CSS_SELECTOR, "form.narrow button[type=submit]").click()
    rounds = wait_for_count(browser, "table.round", 1)
    assert "Tour 1" in rounds[0].text
    browser.find_element(By.ID, "rounds").clear()
    browser.find_element(By.ID, "rounds").send_keys("2")
    browser.find_element(By.ID, "start").send_keys("2026-12-01T09:00")
    browser.find_element(By.CSS_SELECTOR, "form.grid button[type=submit]").click()
    link = wait_for(browser, "a.ics")
    shot(browser, "rencontre")
    href = str(link.get_attribute("href"))
    # The download itself: the same URL with the browser's session cookie (a click would save a file).
    cookies = "; ".join(f"{c['name']}={c['value']}" for c in browser.get_cookies())
    with urllib.request.urlopen(urllib.request.Request(href, headers={"Cookie": cookies}), timeout=10) as r:
        body = r.read().decode("utf-8")
    assert body.startswith("BEGIN:VCALENDAR") and re.search(r"SUMMARY:.+", body) and "DESCRIPTION:" in body
    sign_out(browser)


def test_a_phone_gets_the_same_shortlist(browser_phone: webdriver.Chrome, live_app: LiveApp) -> None:
    browser_phone.get(live_app.url(f"/collectivites/{A}/partenaires"))
    first = wait_for(browser_phone, "ol.matches li.match .match-name")
    assert first.text == "Ndiaye"
    width = browser_phone.execute_script("return document.documentElement.scrollWidth")
    assert width <= 390 + 1, f"the page scrolls sideways on a phone ({width} px)"
    map_drawn(browser_phone, 1)
    shot(browser_phone, "partenaires-telephone")
