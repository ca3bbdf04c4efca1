"""An event built from the real cooperation cases, through the event path (upload file -> rank_event).

Each French authority of the cases is a participant with the expertise it told (side "fr"), each foreign
partner with its needs (side "partner"); no coordinates or populations are given beyond what the catalogue
knows. Prints the share of French participants whose real partner is in their top 5 (the issue measured
7 % before the text model), the same with the needs translated (--translated), and the timings.

    python benchmarks/cases_event.py [--translated]
"""

from __future__ import annotations

import argparse
import csv
import io
import time

from _common import ROOT

from matcher.catalogue.resolve import Resolver
from matcher.encoding import SentenceTransformerEncoder
from matcher.events.batch import rank_event
from matcher.events.event_records import CatalogueView
from matcher.events.participants import read_participants
from matcher.learning.cooperation import (
    build_case_set,
    read_cases,
    read_translations,
    translated_cases,
    without_case_links,
)
from matcher.ranking.engine import MatchState
from matcher.ranking.loading import load_matcher
from matcher.store.sqlite import SQLiteStore


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--translated", action="store_true")
    ap.add_argument("--k", type=int, default=5)
    args = ap.parse_args()
    store = SQLiteStore.open(ROOT / "data" / "twinmatch.db", ROOT / "data")
    matcher, _ = load_matcher(store, encoder=SentenceTransformerEncoder(), ranker_path=ROOT / "models" / "ranker.joblib")
    cases = read_cases(ROOT / "data" / "cooperation" / "cooperation_dev.csv")
    if args.translated:
        cases = translated_cases(cases, read_translations(ROOT / "data" / "cooperation" / "needs_translated.csv"))
    profiles = {p.id: p for p in store.all_profiles()}
    cs = build_case_set(cases, profiles, Resolver(list(profiles.values()), store.countries()))
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["id", "name", "country", "kind", "expertise", "needs", "side"])
    french_kind = {"commune": "commune", "intercommunality": "intercommunality", "department": "department",
                   "region": "region"}
    for i, p in enumerate(cs.french):
        w.writerow([f"fr{i}", p.name, "FR", french_kind.get(p.kind.value, ""), p.expertise.text, "", "fr"])
    for j, p in enumerate(cs.foreign):
        w.writerow([f"fo{j}", p.name, p.country, p.kind.value if p.kind.value != "foreign_region" else "region",
                    "", p.needs.text, "partner"])
    t0 = time.perf_counter()
    event = read_participants(buf.getvalue().encode(), "cases.csv",
                              CatalogueView.build(profiles.values(), store.countries(), store.links()))
    t1 = time.perf_counter()
    # A case pair that is also a known twinning must not be found through its own link: the history
    # here lacks every case link (as in `twinmatch evaluate --task thematic`), and known partners may meet.
    base = matcher.state
    state = MatchState.build(base.arrays, without_case_links(base.links, cs), base.ranker, base.countries)
    r = rank_event(event, state=state, encoder=matcher.encoder, k=args.k, include_existing=True)
    t2 = time.perf_counter()
    hits = 0
    for i, _ in enumerate(cs.french):
        top = {x.partner_id for x in r.for_participant(f"fr{i}")}
        hits += any(f"fo{j}" in top for j in cs.partners_of(i))
    print(f"{len(cs.french)} French participants, {len(cs.foreign)} foreign; "
          f"{'translated' if args.translated else 'monolingual'} needs")
    print(f"real partner in the top {args.k}: {hits}/{len(cs.french)} = {hits / len(cs.french):.1%}")
    print(f"read {t1 - t0:.1f} s, rank {t2 - t1:.1f} s ({r.texts_encoded} texts encoded)")


if __name__ == "__main__":
    main()
