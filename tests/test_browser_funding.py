"""The funding panel and the consortium page in a real headless Chromium (network-guarded: any request
leaving the app's host fails the test, tests/support/browser.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait
from support.api import A
from support.browser import LiveApp, console_errors, wait_for

pytestmark = pytest.mark.browser


def test_from_a_match_to_the_funding_panel(browser: webdriver.Chrome, live_app: LiveApp,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """The panel beside a match opens on a click (closed, it takes no room), lists the calls open for the
    pair on the service's day, and leads to every call with its rules."""
    monkeypatch.setattr(live_app.app.state.resources, "today", lambda: dt.date(2025, 4, 15))
    browser.get(live_app.url(f"/collectivites/{A}/partenaires"))
    panel = wait_for(browser, "#m-GN-100 details.fund-panel")
    general = panel.find_element(By.CSS_SELECTOR, "li[data-call='dctciv-generaliste-2025']")
    assert not general.is_displayed()
    summary = panel.find_element(By.CSS_SELECTOR, "summary")
    assert summary.text.startswith("Financer ce partenariat")
    summary.click()
    WebDriverWait(browser, 10).until(lambda d: general.is_displayed())
    assert "ouvert" in general.text and "70 %" in general.text and "30 mai 2025" in general.text
    panel.find_element(By.PARTIAL_LINK_TEXT, "appels et dispositifs évalués").click()
    WebDriverWait(browser, 10).until(lambda d: "/financer/GN-100" in d.current_url)
    assert "Financer ce partenariat" in wait_for(browser, "#fund-panel").text
    # the form: a date, water, submit -> the general call of 2025 is open and eligible with a 70 % cap
    date = browser.find_element(By.CSS_SELECTOR, "#fund-on")
    browser.execute_script("arguments[0].value = '2025-04-15'", date)
    Select(browser.find_element(By.CSS_SELECTOR, "#fund-themes")).select_by_value("water_sanitation")
    browser.find_element(By.CSS_SELECTOR, "form.filters button[type=submit]").click()
    WebDriverWait(browser, 10).until(lambda d: "on=2025-04-15" in d.current_url)
    row = wait_for(browser, "#call-dctciv-generaliste-2025")
    assert row.get_attribute("data-eligible") == "yes" and row.get_attribute("data-status") == "open"
    assert "70 %" in row.text and "30 mai 2025" in row.text
    assert wait_for(browser, "#call-dctciv-franco-senegalais-2025").get_attribute("data-status") == "closed"
    row.find_element(By.CSS_SELECTOR, "details summary").click()  # the reasons open on demand
    assert "pays moins avancé" in row.find_element(By.CSS_SELECTOR, "details ul").text
    assert not console_errors(browser)


def test_the_consortium_page(browser: webdriver.Chrome, live_app: LiveApp) -> None:
    browser.get(live_app.url("/collectivites/GN-300"))
    wait_for(browser, "a[href='/collectivites/GN-300/consortium']").click()
    lead = wait_for(browser, "#member-FR-COM-00004")
    assert lead.get_attribute("data-role") == "lead" and "Jumelée avec Rheinstadt." in lead.text
    assert browser.find_element(By.CSS_SELECTOR, "#member-FR-COM-00005").get_attribute("data-role") == "member"
    lead.find_element(By.LINK_TEXT, "Financer ce partenariat").click()
    WebDriverWait(browser, 10).until(lambda d: "/FR-COM-00004/financer/GN-300" in d.current_url)
    assert wait_for(browser, "#call-cerv-town-twinning-2025")
    assert not console_errors(browser)
