"""`evaluate --test-links` on the real catalogue: an external file goes through name resolution and the
same leave-the-query's-links-out evaluation as the K-fold, with the shipped ranker.

The file is written from known links (names, countries and coordinates as a list would give them), so
the right resolution is known: every row must resolve, and to the link's own ids.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from matcher.catalogue.files import read_countries, read_links
from matcher.learning.external import evaluate_external, read_test_links
from matcher.paths import DATA_DIR, MODELS_DIR
from matcher.ranking.artifact import load_ranker
from matcher.ranking.loading import build_state
from matcher.store.sqlite import SQLiteStore

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not (DATA_DIR / "authorities.csv.gz").exists(), reason="data/ not built"),
]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> SQLiteStore:
    return SQLiteStore.open(tmp_path_factory.mktemp("ext") / "real.db", DATA_DIR)


def _external_file(store: SQLiteStore, path: Path, every: int = 14) -> list[tuple[str, str]]:
    """Every ``every``-th France-abroad link as an external list row; returns the (French, partner) ids.
    Every 14th: about 250 rows, enough for the resolution and ranking checks at a little over half the
    run time of every 8th."""
    countries = read_countries(DATA_DIR / "countries.json")
    pairs = []
    for link in sorted(read_links(DATA_DIR / "links.csv"), key=lambda x: (x.a, x.b)):
        a, b = (link.a, link.b) if link.a.startswith("FR-COM-") else (link.b, link.a)
        if a.startswith("FR-COM-") and not b.startswith("FR-"):
            pairs.append((a, b))
    pairs = pairs[::every]
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["french_name", "french_lat", "french_lon", "partner_name", "partner_country", "partner_lat",
                    "partner_lon"])
        for a, b in pairs:
            fa, pb = store.get(a), store.get(b)
            w.writerow([fa.name, fa.lat, fa.lon, pb.name, countries[pb.country].name, pb.lat, pb.lon])
    return pairs


def test_external_links_resolve_and_are_ranked(store: SQLiteStore, tmp_path: Path) -> None:
    path = tmp_path / "external.csv"
    pairs = _external_file(store, path)
    from matcher.encoding import HashingEncoder

    # The catalogue holds the real cases' texts: some encoder is needed (the links ranked here are silent).
    state, _ = build_state(store, encoder=HashingEncoder(dim=512), ranker=load_ranker(MODELS_DIR / "ranker.joblib"))
    results, counts = evaluate_external(state, store, read_test_links(path))
    assert counts["rows"] == len(pairs) >= 200
    # Names, countries and coordinates straight from the catalogue: each side resolves, except true
    # ambiguities the resolver refuses to guess (Le Pont-de-Beauvoisin is two adjacent communes, Isère
    # and Savoie, on either bank of the Guiers).
    assert counts["both_resolved"] >= 0.99 * counts["rows"]
    assert 0.99 * len({a for a, _ in pairs}) <= counts["queries"] <= len({a for a, _ in pairs})
    assert results["ranker"]["queries"] == counts["queries"]
    # The shipped ranker beats every baseline on HR@50 and MRR here too (the same links' K-fold says 2x).
    for m in ("random", "nearest", "popularity", "neighbour_prior"):
        assert results["ranker"]["HR@50"] > results[m]["HR@50"], m
        assert results["ranker"]["MRR"] > results[m]["MRR"], m
