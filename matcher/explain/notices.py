"""Why a shortlist is empty: one sentence per language, true for the query that was asked.

An empty list with no word was a complaint (issue F: ``kind=province`` answered ``[]``). Filters that no
population can pass (``min_population`` above ``max_population``) are not an error: the answer to "which
candidates lie in this range" is "none", and the notice says why."""

from __future__ import annotations

from matcher.domain import Filters
from matcher.explain.quantities import integer


def empty_notice(filters: Filters, lang: str) -> str:
    """The sentence shown with an empty shortlist."""
    lo, hi = filters.min_population, filters.max_population
    if lo is not None and hi is not None and lo > hi:
        if lang == "fr":
            return (f"Aucun candidat : la population minimale demandée ({integer(lo, lang)}) dépasse la "
                    f"population maximale ({integer(hi, lang)}).")
        return (f"No candidates: the minimum population asked for ({integer(lo, lang)}) is larger than the "
                f"maximum population ({integer(hi, lang)}).")
    if lang == "fr":
        return "Aucun candidat ne passe ces filtres ; élargissez-les (pays, niveau, taille ou thèmes)."
    return "No candidate passes these filters; widen them (countries, level, size or themes)."
