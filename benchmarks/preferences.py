"""Stated preferences on the real catalogue: what a town hall that ticks them sees in its top 10.

Pont-Aven (FR-COM-29217, 2,777 inhabitants) writes its water expertise and cultural needs (as in
tests/test_pont_aven_real.py), prefers Africa, then ticks each partner-size band in turn; the same with a
preferred country (Senegal). Prints, per case, how many of the top 10 are of the sought size and on the
sought continent or in the sought country, with and without the texts.
Usage: python benchmarks/preferences.py [--size-weight W]   (W overrides the shipped prior weight, to compare)
"""

from __future__ import annotations

import argparse

from _common import ROOT

from matcher.domain import SIZE_BOUNDS, Facet, size_band
from matcher.encoding import SentenceTransformerEncoder
from matcher.ranking.loading import load_matcher
from matcher.store.sqlite import SQLiteStore

PONT_AVEN = "FR-COM-29217"
WATER = ("Notre commune gère en régie son eau potable et son assainissement : captage, station d'épuration, "
         "réseaux d'eaux usées ; nos agents forment ceux d'autres collectivités.")
CULTURE = "Nous cherchons des échanges culturels : peintres, musées, festivals et résidences d'artistes."


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", default=str(ROOT / "data" / "twinmatch.db"))
    ap.add_argument("--size-weight", type=float, default=None)
    args = ap.parse_args()
    store = SQLiteStore.open(args.db, ROOT / "data")
    m, _ = load_matcher(store, encoder=SentenceTransformerEncoder(), ranker_path=ROOT / "models" / "ranker.joblib")
    ranker = m.state.ranker
    if args.size_weight is not None:
        ranker.prior_coef_[ranker._names().index("size_preferred")] = args.size_weight
    weight = ranker.prior_coef_[ranker._names().index("size_preferred")]
    continent = {c: k.continent for c, k in m.state.countries.items()}
    base = store.get(PONT_AVEN)
    assert base is not None
    texts = {"expertise": Facet((), WATER), "needs": Facet((), CULTURE)}
    print(f"Pont-Aven ({base.population} inhabitants), size preference weight {weight:g} logits")
    print(f"{'texts':6} {'preference':28} {'in band':>8} {'in place':>9}")
    for wrote in (True, False):
        for place, prefs in (("Africa", {"preferred_regions": ("AF",)}), ("Senegal", {"preferred_countries": ("SN",)})):
            for band in ("", *SIZE_BOUNDS):
                q = base.with_changes(**(texts if wrote else {}), **prefs, preferred_sizes=(band,) if band else ())
                got = m.recommend(q, k=10)
                in_band = sum(size_band(x.population) == band for x in got) if band else "-"
                in_place = sum(continent.get(x.country) == "AF" if place == "Africa" else x.country == "SN"
                               for x in got)
                label = f"{place}" + (f" + {band}" if band else "")
                print(f"{'yes' if wrote else 'no':6} {label:28} {in_band!s:>8} {in_place:>9}")
    store.close()


if __name__ == "__main__":
    main()
