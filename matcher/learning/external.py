"""The twins evaluation on external links (``twinmatch evaluate --test-links FILE``): partnerships from
another source, resolved to the catalogue by name, country and coordinates, each French side a query whose
real partners are those links, ranked by the saved ranker and the baselines (``evaluation.evaluate_query``)."""

from __future__ import annotations

import csv
from dataclasses import replace
from pathlib import Path

import numpy as np

from matcher.catalogue.resolve import Resolver
from matcher.errors import InvalidInput, RowError
from matcher.learning.evaluation import METHODS, evaluate_query, twins_metrics
from matcher.ranking.state import MatchState
from matcher.store.protocol import ProfileStore

EXTERNAL_COLUMNS = ("french_name", "french_lat", "french_lon", "partner_name", "partner_country", "partner_lat",
                    "partner_lon")


def read_test_links(path: Path) -> list[dict[str, str]]:
    """The external links file's rows; a missing column or a coordinate that is not a number is refused."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in EXTERNAL_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise InvalidInput(f"{path}: missing column(s) {', '.join(missing)}", field=missing[0])
        rows = list(reader)
    for i, r in enumerate(rows, start=2):
        for c in ("french_lat", "french_lon", "partner_lat", "partner_lon"):
            try:
                if r[c]:
                    float(r[c])
            except ValueError:
                raise RowError(i, c, f"not a number: {r[c]!r}") from None
    return rows


def evaluate_external(state: MatchState, store: ProfileStore, rows: list[dict[str, str]]
                      ) -> tuple[dict[str, dict[str, float]], dict[str, int]]:
    """(method -> metrics, resolution counts) of the external links ``rows``."""
    resolver = Resolver(list(store.all_profiles(verified_only=True)), store.countries())
    counts = {"rows": len(rows), "french_resolved": 0, "partner_resolved": 0, "both_resolved": 0}
    pairs: dict[int, set[int]] = {}

    def num(x: str) -> float | None:
        return float(x) if x else None

    for r in rows:
        # As in the catalogue's own link resolution (issue A): any French kind, the commune preferred
        # when a name is also a département's ("Paris"), intercommunalities when the name says so.
        f = resolver.resolve(r["french_name"], "FR", num(r["french_lat"]), num(r["french_lon"]))
        p = resolver.resolve(r["partner_name"], r["partner_country"], num(r["partner_lat"]), num(r["partner_lon"]))
        counts["french_resolved"] += f.ok
        counts["partner_resolved"] += p.ok
        if f.id is not None and p.id is not None:
            counts["both_resolved"] += 1
            fr_row, p_row = state.arrays.row(f.id), state.arrays.row(p.id)
            if fr_row is not None and p_row is not None:
                pairs.setdefault(fr_row, set()).add(p_row)
    # The external links must not leak into the history the features read.
    h = state.history
    n = h.n_links
    touches = np.isin(h.src[:n], list(pairs)) | np.isin(h.dst[:n], list(pairs))
    test_state = replace(state, history=h.subset(~touches), _shares={})
    totals = {m: twins_metrics() for m in METHODS}
    for q_row, rel in pairs.items():
        for m, placed in evaluate_query(test_state, q_row, np.array(sorted(rel))).items():
            totals[m].add(placed)
    counts["queries"] = len(pairs)
    return {m: totals[m].as_dict() for m in METHODS}, counts


__all__ = ["EXTERNAL_COLUMNS", "evaluate_external", "read_test_links"]
