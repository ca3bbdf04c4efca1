"""Screenshots of the main pages, in French, on the real catalogue, for the README (docs/screenshots/).

Starts the app on a copy of the built database (``--db``, default ``data/twinmatch.db``; the real model and
ranker), drives Debian's headless Chromium through tests/support/browser.py's driver (network-guarded:
it stops if a page requests anything from another host) and saves: home with search suggestions, an
authority's page, its shortlist (with its map), the same on a phone, the staff queue, the suggested pairings
with a decision, the decisions page and the journal on a phone. Usage::

    .venv/bin/python scripts/screenshots.py [--authority FR-COM-35238]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "benchmarks"), str(REPO / "tests")]

from load import add_server_options, copy_db, serving
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from support.browser import PHONE, PHONE_USER_AGENT, assert_only_local_requests, make_driver, screenshot


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--db", type=Path, default=REPO / "data" / "twinmatch.db")
    p.add_argument("--authority", default="FR-COM-35238", help="Whose page and shortlist (default: Rennes)")
    p.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots")
    add_server_options(p)
    args = p.parse_args()
    args.workers, args.no_cache = 1, False
    from matcher.store.sqlite import SQLiteStore

    tmp, db = copy_db(args.db, "twinmatch-shots-")
    with SQLiteStore.open(db, args.data_dir) as store:
        _, staff = store.create_key("staff", None, "screenshots")
    with serving(args, db, tmp) as (base, _):
        drawn = "[data-map][data-drawn]"
        desktop = make_driver(tmp / "desktop")
        try:
            desktop.get(base + "/")
            desktop.find_element(By.ID, "q").send_keys("alger")
            WebDriverWait(desktop, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#q-suggestions li"))
            time.sleep(0.3)
            screenshot(desktop, args.out / "accueil.png")
            for path, name in ((f"/collectivites/{args.authority}", "collectivite"),
                               (f"/collectivites/{args.authority}/partenaires", "partenaires")):
                desktop.get(base + path)
                WebDriverWait(desktop, 20).until(lambda d: d.find_elements(By.CSS_SELECTOR, drawn))
                screenshot(desktop, args.out / f"{name}.png")
            # The funding panel beside the first match opened, then every call for that pair.
            panel = desktop.find_element(By.CSS_SELECTOR, "ol.matches li.match details.fund-panel")
            desktop.execute_script("arguments[0].scrollIntoView({block: 'center'})", panel)
            panel.find_element(By.TAG_NAME, "summary").click()
            time.sleep(0.3)
            screenshot(desktop, args.out / "partenaires-financer.png")
            panel.find_element(By.PARTIAL_LINK_TEXT, "appels et dispositifs").click()
            WebDriverWait(desktop, 10).until(lambda d: d.find_elements(By.ID, "fund-panel"))
            screenshot(desktop, args.out / "financer.png")
            desktop.get(base + "/connexion")
            desktop.find_element(By.ID, "key").send_keys(staff)
            desktop.find_element(By.CSS_SELECTOR, "form.narrow button[type=submit]").click()
            WebDriverWait(desktop, 10).until(lambda d: "/equipe" in d.current_url)
            screenshot(desktop, args.out / "equipe.png")
            # The suggested pairings once computed ahead (the service does it in the background at start-up),
            # a decision on the first pair, the decisions page.
            for _ in range(120):
                desktop.get(base + "/equipe/suggestions")
                if not desktop.find_elements(By.CSS_SELECTOR, "p.notice"):
                    break
                time.sleep(1)
            first = desktop.find_element(By.CSS_SELECTOR, "ol.matches li.suggestion")
            first.find_element(By.NAME, "note").send_keys("Premier courriel au service des relations internationales")
            first.find_element(By.CSS_SELECTOR, "button[value=contacted]").click()
            WebDriverWait(desktop, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, "p.ok"))
            screenshot(desktop, args.out / "rapprochements.png")
            desktop.get(base + "/equipe/decisions")
            screenshot(desktop, args.out / "decisions.png")
            assert_only_local_requests(desktop, base)
        finally:
            desktop.quit()
        phone = make_driver(tmp / "phone", PHONE, PHONE_USER_AGENT)
        try:
            phone.get(base + f"/collectivites/{args.authority}/partenaires")
            WebDriverWait(phone, 20).until(lambda d: d.find_elements(By.CSS_SELECTOR, drawn))
            screenshot(phone, args.out / "partenaires-telephone.png")
            phone.get(base + "/connexion")
            phone.find_element(By.ID, "key").send_keys(staff)
            phone.find_element(By.CSS_SELECTOR, "form.narrow button[type=submit]").click()
            WebDriverWait(phone, 10).until(lambda d: "/equipe" in d.current_url)
            phone.get(base + "/equipe/journal")
            screenshot(phone, args.out / "journal-telephone.png")
            assert_only_local_requests(phone, base)
        finally:
            phone.quit()
        print(f"screenshots in {args.out}: {', '.join(sorted(f.name for f in args.out.glob('*.png')))}")


if __name__ == "__main__":
    main()
