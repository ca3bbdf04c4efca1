"""Where the staff suggestions' French sources come from, and how long computing them ahead takes.

Opens a copy of the database (``--db``; created from ``data/`` if absent), loads the matcher with the
committed ranker and the *hashing* encoder (the selection does not depend on embeddings, and the time of a
ranking barely does), then prints the régions and size bands of the ``--sources`` sources
(``matcher.ranking.suggestion_sources``) next to those of the former selection (most known partnerships only), the
time ``SuggestionCache.compute`` takes for them, and the head of the list. Usage::

    .venv/bin/python benchmarks/suggestions_spread.py [--db /tmp/twinmatch.db] [--sources 200]
"""

from __future__ import annotations

import argparse
import collections
from pathlib import Path

from _common import ROOT, timer


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--db", type=Path, default=Path("/tmp/twinmatch-suggestions.db"))
    p.add_argument("--sources", type=int, default=200)
    args = p.parse_args()
    import numpy as np

    from matcher.encoding import HashingEncoder
    from matcher.ranking.loading import load_matcher
    from matcher.ranking.suggestion_sources import SIZE_BANDS, select_sources, size_band
    from matcher.ranking.suggestions import SuggestionCache, SuggestionFilters
    from matcher.store.sqlite import SQLiteStore

    store = SQLiteStore.open(args.db, ROOT / "data")
    matcher, _ = load_matcher(store, encoder=HashingEncoder(dim=512), ranker_path=ROOT / "models" / "ranker.joblib")
    s = matcher.state
    a = s.arrays

    def spread(rows: list[int] | np.ndarray) -> str:
        regions = collections.Counter(a.admin1_keys[a.admin1[r]] if a.admin1[r] >= 0 else "-" for r in rows)
        bands = collections.Counter(int(b) for b in size_band(a.population[np.asarray(rows)]))
        return (f"{len(regions)} régions, size bands (<2k, 2-10k, 10-50k, 50-200k, >=200k, unknown) "
                f"{[bands.get(i, 0) for i in range(len(SIZE_BANDS) + 2)]}")

    new = select_sources(s, french_region=None, theme=None, limit=args.sources)
    rows = np.flatnonzero(a.country == a.country_index("FR"))
    has_text, degree = a.text_row[rows] >= 0, s.history.degree[rows]
    keep = has_text | (degree > 0)
    rows, has_text, degree = rows[keep], has_text[keep], degree[keep]
    old = rows[np.lexsort((rows, -degree, ~has_text))][:args.sources]
    print(f"eligible French sources: {len(rows)} ({int(has_text.sum())} with a profile text)")
    print(f"by activity alone: {spread(old)}")
    print(f"spread (now):      {spread(new)}")
    t = timer()
    cache = SuggestionCache()
    cache.compute(matcher, SuggestionFilters(), max_sources=args.sources, per_source=10)
    print(f"computed ahead in {timer() - t:.1f} s")
    found = cache.suggestions(matcher, SuggestionFilters(), max_sources=args.sources, per_source=10, budget_seconds=1)
    names = {x.id: x.display_name("fr") for x in store.get_many(
        [q.french_id for q in found.pairs[:10]] + [q.partner_id for q in found.pairs[:10]])}
    for q in found.pairs[:10]:
        print(f"  {q.score:.3f} {names[q.french_id]} ↔ {names[q.partner_id]}")
    print(f"distinct French sides in the first 50 pairs: {len({q.french_id for q in found.pairs[:50]})}")


if __name__ == "__main__":
    main()
