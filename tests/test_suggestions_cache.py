"""The staff suggestions' per-filter lists are kept in a least-recently-used cache (``SuggestionCache``,
cachetools' ``LRUCache``): a list in progress grows across requests, the least recently used one goes first."""

from __future__ import annotations

from matcher.ranking.engine import Matcher
from matcher.ranking.suggestions import SuggestionCache, SuggestionFilters


def test_the_least_recently_used_list_is_dropped_first(state) -> None:
    matcher = Matcher(state, encoder=None)
    cache = SuggestionCache(max_entries=2)
    assert cache.max_entries == 2
    f1, f2, f3 = (SuggestionFilters(country=c) for c in (None, "DE", "SN"))

    def considered(f: SuggestionFilters) -> int:  # no time budget: one more source scored per request
        got = cache.suggestions(matcher, f, max_sources=10, per_source=3, budget_seconds=0.0)
        assert not got.complete and got.total == 4  # the four French sources of the test catalogue
        return got.considered

    assert [considered(f1), considered(f2), considered(f1)] == [1, 1, 2]  # f1 kept, and now the most recent
    assert considered(f3) == 1  # a third list: f2, the least recently used, goes
    assert considered(f1) == 3
    assert considered(f2) == 1  # started again
    assert considered(f3) == 1  # f3 was the least recently used when f2 came back
