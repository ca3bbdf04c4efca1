"""Web pages on the real catalogue: response times of the main pages, and whether each is valid HTML.

Starts the app (uvicorn, one worker) on a copy of the built database (``--db``, default
``data/twinmatch.db``) with the real model and ranker, then requests, one after another (a town hall is
one user), each page ``--repeat`` times for ``--authorities`` authorities picked from the catalogue (half
French, half foreign, largest first): home, a search, the authority's page, its partner shortlist (first
view and with filters), a CSV download, and the API docs; prints p50 / p95 / max per page and overall, and
the HTML check of each page (the test suite's checker: balanced tags, unique ids, labelled controls).
The shortlist is ranked on every request (pages are not cached). Usage::

    .venv/bin/python benchmarks/pages.py [--authorities 20] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from load import REPO_ROOT, add_server_options, copy_db, pick_ids, serving

sys.path.insert(0, str(REPO_ROOT / "tests"))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--db", type=Path, default=REPO_ROOT / "data" / "twinmatch.db")
    p.add_argument("--authorities", type=int, default=20)
    p.add_argument("--repeat", type=int, default=3)
    add_server_options(p)
    args = p.parse_args()
    args.workers, args.no_cache = 1, False
    import httpx
    from support.web import check_html

    tmp, db = copy_db(args.db, "twinmatch-pages-")
    with serving(args, db, tmp) as (base, _):
        ids = pick_ids(base, args.authorities)
        pages = {
            "home": lambda _: "/",
            "search": lambda _: "/recherche?q=saint",
            "authority": lambda i: f"/collectivites/{i}",
            "shortlist": lambda i: f"/collectivites/{i}/partenaires",
            "shortlist+filters": lambda i: f"/collectivites/{i}/partenaires?continent=AF&level=town&francophone=true",
            "shortlist.csv": lambda i: f"/collectivites/{i}/partenaires.csv",
            "docs": lambda _: "/docs",
        }
        times: dict[str, list[float]] = {name: [] for name in pages}
        # Our pages get the HTML check; /docs is FastAPI's Swagger UI page (no <h1>, English): timed only.
        OURS = {"home", "search", "authority", "shortlist", "shortlist+filters"}
        invalid: dict[str, str] = {}
        with httpx.Client(base_url=base, timeout=60) as client:
            client.get("/")  # the CSRF cookie, as a browser would have it
            for _ in range(args.repeat):
                for i in ids:
                    for name, url in pages.items():
                        t0 = time.perf_counter()
                        r = client.get(url(i))
                        times[name].append((time.perf_counter() - t0) * 1000)
                        if r.status_code != 200:
                            invalid[name] = f"HTTP {r.status_code} on {url(i)}"
                        elif name in OURS and name not in invalid:
                            try:
                                check_html(r.text, "fr")
                            except AssertionError as exc:
                                invalid[name] = f"{url(i)}: {exc}"
        everything = sorted(t for ts in times.values() for t in ts)
        print(f"{len(ids)} authorities x {args.repeat} repeats, {len(everything)} requests, sequential")
        for name, ts in [*times.items(), ("all pages", everything)]:
            ts = sorted(ts)
            p95 = ts[min(len(ts) - 1, int(0.95 * len(ts)))]
            check = ("" if name not in OURS and name not in invalid else
                     "  HTML ok" if name not in invalid else f"  {invalid[name]}")
            print(f"  {name:<18} p50 {statistics.median(ts):7.1f} ms  p95 {p95:7.1f} ms  max {ts[-1]:7.1f} ms{check}")


if __name__ == "__main__":
    main()
