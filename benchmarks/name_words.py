"""The measurement behind ``matcher.ranking.names.COMMON_MIN_NAMES`` / ``COMMON_MIN_COUNTRIES``: for a few
thresholds, how many words of the catalogue's names are common, which generic name-words are caught and
missed, and how many real cooperation partners (``data/cooperation``) have a one-word name made of a
common word (those count as mentioned only where the text names their country).

    PYTHONPATH=. python benchmarks/name_words.py
"""

from __future__ import annotations

from collections import Counter, defaultdict

from matcher.learning.cooperation import read_cases
from matcher.paths import DATA_DIR
from matcher.ranking.names import KIND_WORDS, core

GENERIC = ("petite", "petit", "grand", "grande", "port", "saint", "mont", "nouvelle", "belle", "fort", "santa",
           "san", "rio", "new", "bay", "villa", "union", "vila", "nova", "neustadt", "sankt")
THRESHOLDS = ((5, 2), (10, 3), (15, 4), (20, 5), (30, 5), (50, 8))


def main() -> None:
    from matcher.catalogue.files import read_authorities

    names: Counter[str] = Counter()
    countries: dict[str, set[str]] = defaultdict(set)
    for p in read_authorities(DATA_DIR / "authorities.csv.gz"):
        words = {w for nm in (p.name, p.name_fr) if nm for w in core(nm)}
        names.update(words)
        for w in words:
            countries[w].add(p.country)
    partners = [core(c.foreign_authority, KIND_WORDS) for c in read_cases(DATA_DIR / "cooperation" / "cooperation_dev.csv")]
    one_word = [p[0] for p in partners if len(p) == 1]
    print(f"{len(names)} distinct words; {len(partners)} case partners, {len(one_word)} with a one-word name")
    print("more than N names in more than M countries -> common words | generic caught | missed | one-word partners common")
    for n, m in THRESHOLDS:
        common = {w for w, k in names.items() if k > n and len(countries[w]) > m}
        caught = [w for w in GENERIC if w in common]
        blocked = sorted({w for w in one_word if w in common})
        print(f"N={n:>2} M={m}: {len(common):>5} | {len(caught):>2}/{len(GENERIC)} | "
              f"{','.join(w for w in GENERIC if w not in common) or '-'} | {len(blocked)} {','.join(blocked)}")


if __name__ == "__main__":
    main()
