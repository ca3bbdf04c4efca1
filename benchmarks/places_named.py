"""A text that says where its partners should be, on the real catalogue: what a town hall sees in its top 10.

Pont-Aven (FR-COM-29217, 2,777 inhabitants) writes its water expertise with, in turn, texts that name a region
and its country, a country alone, a region alone, a country said in passing, and none. Prints, per text, how
many of the top 10 are in the country named and in the region named (``region_named`` / ``country_named``,
``matcher.ranking.places_named``), for the shipped prior weights or those given.
Usage: python benchmarks/places_named.py [--region-weight W] [--country-weight W]
"""

from __future__ import annotations

import argparse

from _common import ROOT

from matcher.domain import Facet
from matcher.encoding import SentenceTransformerEncoder
from matcher.ranking.loading import load_matcher
from matcher.store.sqlite import SQLiteStore

PONT_AVEN = "FR-COM-29217"
WATER = "Notre commune gère en régie son eau potable et son assainissement"
#: (text after the water sentence, country code, admin-1 name): what the count is of.
TEXTS = [
    ("; nous cherchons une commune de la région de Kayes, au Mali.", "ML", "Kayes"),
    ("; nous cherchons une commune de la région de Tambacounda, au Sénégal.", "SN", "Tambacounda"),
    ("; nous cherchons un partenaire au Burkina Faso.", "BF", ""),
    ("; nous cherchons un partenaire au Maroc.", "MA", ""),
    ("; nous cherchons une commune de la région de Sikasso.", "ML", "Sikasso"),
    (". Beaucoup de nos habitants sont originaires du Portugal.", "PT", ""),
    (".", "", ""),
]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", default=str(ROOT / "data" / "twinmatch.db"))
    ap.add_argument("--region-weight", type=float, default=None)
    ap.add_argument("--country-weight", type=float, default=None)
    args = ap.parse_args()
    store = SQLiteStore.open(args.db, ROOT / "data")
    m, _ = load_matcher(store, encoder=SentenceTransformerEncoder(), ranker_path=ROOT / "models" / "ranker.joblib")
    ranker = m.state.ranker
    names = ranker._names()
    for feature, w in (("region_named", args.region_weight), ("country_named", args.country_weight)):
        if w is not None:
            ranker.prior_coef_[names.index(feature)] = w
    weights = {f: float(ranker.prior_coef_[names.index(f)]) for f in ("region_named", "country_named")}
    base = store.get(PONT_AVEN)
    assert base is not None
    admin1 = {}
    print(f"Pont-Aven ({base.population} inhabitants), prior weights {weights}")
    print(f"{'text':72} {'in country':>10} {'in region':>9}")
    for tail, country, region in TEXTS:
        q = base.with_changes(expertise=Facet((), WATER + tail))
        got = m.recommend(q, k=10)
        for x in got:
            if x.id not in admin1:
                p = store.get(x.id)
                admin1[x.id] = p.admin1_name if p is not None else ""
        in_country = sum(x.country == country for x in got) if country else "-"
        in_region = sum(admin1[x.id] == region for x in got) if region else "-"
        print(f"{(WATER + tail)[-72:]:72} {in_country!s:>10} {in_region!s:>9}")
        print("    " + ", ".join(f"{x.name} ({x.country})" for x in got))
    store.close()


if __name__ == "__main__":
    main()
