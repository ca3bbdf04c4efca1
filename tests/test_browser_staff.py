"""Staff and registration flows in a real headless Chromium (tests/support/browser.py: a live server over the
tiny world, every request outside it fails the test): a decision recorded on a suggested pair shows on the
pair and in the decisions page, which filters and downloads a CSV for French Excel; the journal on a
375 px phone; the registration of a name already in the catalogue. Screenshots as in
tests/test_browser_flows.py (``SCREENSHOTS=docs/screenshots``)."""

from __future__ import annotations

import re
import urllib.request
from collections.abc import Iterator

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait
from support.api import A, B
from support.browser import (
    PHONE_USER_AGENT,
    LiveApp,
    _browser,
    console_errors,
    shot,
    sign_in,
    sign_out,
    wait_for,
)

pytestmark = pytest.mark.browser
NARROW = (375, 812)  # the narrowest phone staff use (iPhone SE / mini class)


@pytest.fixture()
def browser_375(request: pytest.FixtureRequest, chromium_available: None, tmp_path_factory: pytest.TempPathFactory,
                live_app: LiveApp) -> Iterator[webdriver.Chrome]:
    """Chromium emulating a 375 px wide phone, guarded like the shared fixtures."""
    yield from _browser(request, live_app, tmp_path_factory, NARROW, PHONE_USER_AGENT)


def download(driver: webdriver.Chrome, href: str) -> bytes:
    """A link's file with the browser's cookies (a click would save it where the test cannot read it)."""
    cookies = "; ".join(f"{c['name']}={c['value']}" for c in driver.get_cookies())
    with urllib.request.urlopen(urllib.request.Request(href, headers={"Cookie": cookies}), timeout=10) as r:
        body: bytes = r.read()
    return body


def test_a_decision_shows_on_its_pair_and_in_the_decisions_page(browser: webdriver.Chrome, live_app: LiveApp) -> None:
    sign_in(browser, live_app, live_app.staff_key)
    browser.get(live_app.url("/equipe/suggestions"))
    pair = wait_for(browser, f"#pair-{B}-GN-200")
    assert re.search(r"Score \d{1,3}/100", pair.text)  # the 0–100 score, with what it means on hover
    assert "ayant ce score" in str(pair.find_element(By.CSS_SELECTOR, ".score-value").get_attribute("title"))
    pair.find_element(By.NAME, "note").send_keys("premier courriel envoyé")
    pair.find_element(By.CSS_SELECTOR, "button[value=contacted]").click()
    assert "Décision enregistrée" in wait_for(browser, "p.ok").text
    assert "Dernière décision : Contacté" in wait_for(browser, f"#pair-{B}-GN-200 .status").text
    shot(browser, "rapprochements")
    browser.find_element(By.LINK_TEXT, "Décisions").click()
    row = wait_for(browser, "table.decisions tbody tr")
    assert [c.text for c in row.find_elements(By.TAG_NAME, "td")][1:5] == [
        "Contacté", "Registreville", "Kankan-Test Guinée", "premier courriel envoyé"]
    shot(browser, "decisions")
    # Filters: another status leaves nothing; this one and the authority's name find it again.
    Select(browser.find_element(By.ID, "status")).select_by_value("rejected")
    browser.find_element(By.CSS_SELECTOR, "form.grid button[type=submit]").click()
    assert "Aucune décision" in wait_for(browser, "p.muted").text
    Select(browser.find_element(By.ID, "status")).select_by_value("contacted")
    browser.find_element(By.ID, "authority").send_keys("kankan-test")
    browser.find_element(By.CSS_SELECTOR, "form.grid button[type=submit]").click()
    WebDriverWait(browser, 10).until(lambda d: "authority=kankan-test" in d.current_url)
    assert len(browser.find_elements(By.CSS_SELECTOR, "table.decisions tbody tr")) == 1
    body = download(browser, str(browser.find_element(By.CSS_SELECTOR, "a.download").get_attribute("href")))
    assert body.startswith(b"\xef\xbb\xbf")  # French Excel: BOM, semicolons, French headers
    lines = body.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Date (UTC);Statut;Collectivité française;")
    assert len(lines) == 2 and ";Contacté;Registreville;" in lines[1]
    assert not console_errors(browser)
    sign_out(browser)


def test_the_journal_fits_a_phone(browser_375: webdriver.Chrome, live_app: LiveApp) -> None:
    store = live_app.store
    staff = next(k for k in store.list_keys() if k.role == "staff")
    store.add_decision(A, "GN-100", "proposed", "Une note assez longue pour déborder d'un téléphone si le tableau "
                       "ne se replie pas : régie de l'eau, assainissement, tourisme culturel", staff.id)
    store.record_audit(staff.id, "profile.verified", "FR-COM-00003", "vérifiée")
    sign_in(browser_375, live_app, live_app.staff_key)
    browser_375.get(live_app.url("/equipe/journal"))
    rows = WebDriverWait(browser_375, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, "table.audit tbody tr"))
    assert len(rows) >= 2
    width = browser_375.execute_script("return document.documentElement.scrollWidth")
    assert width <= NARROW[0] + 1, f"the journal scrolls sideways on a phone ({width} px)"
    decision = browser_375.find_element(By.CSS_SELECTOR, "table.audit tr.decision")
    assert "rapprochement : proposé" in decision.text and "Eauville ↔ Ndiaye" in decision.text
    for cell in decision.find_elements(By.TAG_NAME, "td"):  # stacked: each cell within the screen
        box = cell.rect
        assert box["x"] >= 0 and box["x"] + box["width"] <= NARROW[0] + 1, (cell.text, box)
    browser_375.execute_script("arguments[0].scrollIntoView()", decision)
    shot(browser_375, "journal-telephone")
    browser_375.get(live_app.url("/equipe/decisions"))
    wait_for(browser_375, "table.decisions tbody tr")
    assert browser_375.execute_script("return document.documentElement.scrollWidth") <= NARROW[0] + 1
    sign_out(browser_375)


def test_registering_a_taken_name_links_to_its_claim_and_keeps_the_form(browser: webdriver.Chrome,
                                                                         live_app: LiveApp) -> None:
    browser.get(live_app.url("/inscription"))
    typed = {"name": "Eauville", "population": "12 000", "lat": "45,0", "lon": "2.0",
             "needs_text": "Tourisme culturel et artisanat", "contact_email": "mairie@eauville.example"}
    for field, value in typed.items():
        wait_for(browser, f"#{field}").send_keys(value)
    browser.find_element(By.CSS_SELECTOR, "form.narrow button[type=submit]").click()
    alert = wait_for(browser, "#name-taken")
    assert alert.text.startswith("Une collectivité de ce nom existe déjà dans le catalogue : Eauville "
                                 "(Département 15). Si c'est la vôtre, demandez à gérer sa fiche")
    assert "409" not in browser.find_element(By.TAG_NAME, "h1").text
    for field, value in typed.items():
        assert browser.find_element(By.ID, field).get_attribute("value") == value, field
    shot(browser, "inscription-nom-pris")
    alert.find_element(By.CSS_SELECTOR, "a.claim-link").click()
    WebDriverWait(browser, 10).until(lambda d: d.current_url.endswith(f"/collectivites/{A}/revendiquer"))
    assert "Gérer la fiche de Eauville" in wait_for(browser, "h1").text
