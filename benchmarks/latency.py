"""Single-query latency, in-process: top-10 with reasons over the full catalogue.

The real cooperation cases' 321 profiles (with their needs and expertise texts) are first added to the
catalogue, so that text queries meet a real corpus (``--no-cases`` skips it). Prints p50/p99 over random
catalogue queries (French and foreign, mostly without text), over stored profiles with text (scored from
their row), and over ad-hoc profiles with text (which include encoding the query's texts).
Usage: python benchmarks/latency.py [--n 300] [--no-cases]
"""

from __future__ import annotations

import argparse

import numpy as np
from _common import ROOT, SAMPLE_TEXTS, percentiles, timer

from matcher.domain import Facet, Kind, Profile
from matcher.encoding import SentenceTransformerEncoder
from matcher.ranking.loading import load_matcher
from matcher.store.sqlite import SQLiteStore


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--db", default=str(ROOT / "data" / "twinmatch.db"))
    ap.add_argument("--no-cases", action="store_true", help="Do not add the cooperation cases' profiles.")
    args = ap.parse_args()
    t = timer()
    store = SQLiteStore.open(ROOT / args.db if not args.db.startswith("/") else args.db, ROOT / "data")
    matcher, report = load_matcher(store, encoder=SentenceTransformerEncoder(), ranker_path=ROOT / "models" /
                                   "ranker.joblib")
    print(f"load: {timer() - t:.1f} s ({report.profiles} profiles, {report.links} links, {report.texts} texts)")
    text_ids: list[str] = []
    if not args.no_cases:
        from matcher.catalogue.resolve import Resolver
        from matcher.learning.cooperation import build_case_set, read_cases
        from matcher.learning.thematic import case_state
        from matcher.ranking.engine import Matcher

        t = timer()
        catalogue = {p.id: p for p in store.all_profiles()}
        cases = build_case_set(read_cases(ROOT / "data" / "cooperation" / "cooperation_dev.csv"), catalogue,
                               Resolver(list(catalogue.values()), store.countries()))
        matcher = Matcher(case_state(matcher.state, cases, matcher.encoder).state, encoder=matcher.encoder)
        text_ids = [p.id for p in cases.french + cases.foreign]
        by_id = {p.id: p for p in cases.french + cases.foreign}
        print(f"cases added: {len(text_ids)} profiles with text in {timer() - t:.1f} s")
    a = matcher.state.arrays
    rng = np.random.default_rng(0)
    rows = rng.choice(a.n, size=args.n, replace=False)
    profiles = [store.get(str(a.ids[r])) for r in rows]
    for p in profiles[:10]:  # warm-up
        matcher.recommend(p, k=10)
    lat = []
    for p in profiles:
        t = timer()
        m = matcher.recommend(p, k=10)
        lat.append((timer() - t) * 1000)
        assert len(m) == 10 and all(x.reasons for x in m[:3])
    p50, p99, mean = percentiles(lat)
    print(f"catalogue query, top-10 with reasons, {a.n} authorities, n={len(lat)}: "
          f"p50 {p50:.1f} ms, p99 {p99:.1f} ms, mean {mean:.1f} ms")
    if text_ids:
        lat = []
        for pid in text_ids[:args.n]:
            t = timer()
            matcher.recommend(by_id[pid], k=10)
            lat.append((timer() - t) * 1000)
        p50, p99, mean = percentiles(lat)
        print(f"stored profile with text (scored from its row), n={len(lat)}: p50 {p50:.1f} ms, p99 {p99:.1f} ms")
    lat = []
    for i in range(min(args.n, 100)):
        adhoc = Profile(id=f"adhoc-{i}", name="Ad hoc", kind=Kind.COMMUNE, country="FR", lat=45 + rng.random(),
                        lon=2 + rng.random(), population=10_000,
                        expertise=Facet((), SAMPLE_TEXTS[i % len(SAMPLE_TEXTS)]),
                        needs=Facet((), SAMPLE_TEXTS[(i + 3) % len(SAMPLE_TEXTS)] + f" {i}"))
        t = timer()
        matcher.recommend(adhoc, k=10)
        lat.append((timer() - t) * 1000)
    p50, p99, mean = percentiles(lat)
    print(f"ad-hoc profile with 2 texts (encoding included), n={len(lat)}: p50 {p50:.1f} ms, p99 {p99:.1f} ms")


if __name__ == "__main__":
    main()
