"""Real cooperation cases as catalogue data: the texts of a case become its authorities' profiles, its pair a
link of kind ``cooperation``, with the public page each came from.

The French side's expertise and the foreign partner's needs, as the cases tell them, are joined per
authority (one text per case, each once) and carry their provenance (``TextSource``: address, title, year)
so a page can say where a text comes from. Only authorities that resolve to catalogue entries take part:
an unresolved partner is not an authority anyone can be matched with.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from matcher.domain import Facet, Link, Profile, TextSource
from matcher.errors import RowError
from matcher.learning.cooperation import Case, CaseSet, read_cases

COOPERATION = "cooperation"
#: The processed index of the cases resolved on both sides (``twinmatch cases resolve --write``): which
#: catalogue entries each case row is about. Read at catalogue load with the case files beside it.
INDEX_FILE = "case_pairs.csv"
INDEX_COLUMNS = ("file", "line", "french_id", "foreign_id")


@dataclass(frozen=True)
class CasePair:
    """One distinct (French authority, foreign partner) pair of the cases, both catalogue entries."""

    french_id: str
    foreign_id: str
    expertise: str  # the French side's expertise as told for this partner
    needs: str  # the partner's needs as told for this French authority
    group: str  # the French authority's K-fold group
    cases: tuple[Case, ...]  # the rows behind it


def case_pairs(cases: CaseSet, catalogue: Mapping[str, Profile]) -> list[CasePair]:
    """The pairs of ``cases`` whose both sides are catalogue entries."""
    out = []
    for n, (i, j) in enumerate(cases.pairs):
        fr, fo = cases.french[i].id, cases.foreign[j].id
        if fr not in catalogue or fo not in catalogue:
            continue
        out.append(CasePair(french_id=fr, foreign_id=fo, expertise=cases.pair_expertise[n],
                            needs=cases.pair_needs[n] if cases.pair_needs else "", group=cases.groups[i],
                            cases=cases.pair_cases[n] if cases.pair_cases else ()))
    return out


def _sources(rows: Sequence[Case], partner: str) -> tuple[TextSource, ...]:
    seen: dict[str, TextSource] = {}
    for c in rows:
        if c.source_url and c.source_url not in seen:
            seen[c.source_url] = TextSource(url=c.source_url, title=c.source_title, year=c.year, partner=partner)
    return tuple(seen.values())


def case_facets(pairs: Sequence[CasePair], *, sides: tuple[str, ...] = ("french", "foreign")
                ) -> dict[str, dict[str, Facet]]:
    """id -> facet name -> the facet the cases give it: the French side's expertise, the partner's needs
    (``sides`` says which), each distinct text once, with their sources."""
    texts: dict[tuple[str, str], list[str]] = {}
    sources: dict[tuple[str, str], list[TextSource]] = {}
    for p in pairs:
        for side, pid, text, other in (("french", p.french_id, p.expertise, p.foreign_id),
                                       ("foreign", p.foreign_id, p.needs, p.french_id)):
            if side not in sides or not text:
                continue
            facet = "expertise" if side == "french" else "needs"
            got = texts.setdefault((pid, facet), [])
            if text not in got:
                got.append(text)
            src = sources.setdefault((pid, facet), [])
            src.extend(s for s in _sources(p.cases, other) if s not in src)
    out: dict[str, dict[str, Facet]] = {}
    for (pid, facet), parts in texts.items():
        out.setdefault(pid, {})[facet] = Facet(text=" ".join(parts), sources=tuple(sources[(pid, facet)]))
    return out


def case_profiles(pairs: Sequence[CasePair], catalogue: Mapping[str, Profile], *,
                  sides: tuple[str, ...] = ("french", "foreign")) -> list[Profile]:
    """The catalogue profiles of ``pairs``' authorities with the cases' texts (``case_facets``) and no other."""
    return [silent(catalogue[pid]).with_changes(**facets) for pid, facets in case_facets(pairs, sides=sides).items()]


def silent(p: Profile) -> Profile:
    """``p`` with no text: what the catalogue knows of an authority that wrote nothing."""
    return p.with_changes(expertise=Facet(), needs=Facet(), description="")


def write_index(path: Path, pairs: Sequence[CasePair]) -> int:
    """The resolved case rows (``INDEX_COLUMNS``), one per case row; returns the number written."""
    rows = sorted({(c.file, c.line, p.french_id, p.foreign_id) for p in pairs for c in p.cases})
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(INDEX_COLUMNS)
        w.writerows(rows)
    tmp.replace(path)
    return len(rows)


def load_pairs(folder: Path) -> list[CasePair]:
    """The case pairs of ``folder``'s index and case files (none if it has no index)."""
    index = folder / INDEX_FILE
    if not index.is_file():
        return []
    by_file: dict[str, dict[int, Case]] = {}
    grouped: dict[tuple[str, str], list[Case]] = {}
    with index.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        if tuple(reader.fieldnames or ()) != INDEX_COLUMNS:
            raise RowError(1, "file", f"{index}: columns must be {', '.join(INDEX_COLUMNS)}")
        for n, r in enumerate(reader, start=2):
            name = r["file"]
            if name not in by_file:
                if "/" in name or not (folder / name).is_file():
                    raise RowError(n, "file", f"{index}: no case file {name!r} beside it")
                by_file[name] = {c.line: c for c in read_cases(folder / name)}
            case = by_file[name].get(int(r["line"]))
            if case is None or not r["french_id"] or not r["foreign_id"]:
                raise RowError(n, "line", f"{index}: no case at {name}:{r['line']} or an empty id")
            grouped.setdefault((r["french_id"], r["foreign_id"]), []).append(case)
    out = []
    for (fr, fo), rows in grouped.items():
        out.append(CasePair(french_id=fr, foreign_id=fo, expertise=" ".join(dict.fromkeys(c.expertise for c in rows)),
                            needs=" ".join(dict.fromkeys(c.needs for c in rows)), group=fr, cases=tuple(rows)))
    return out


def case_links(pairs: Sequence[CasePair]) -> list[Link]:
    """Each pair as a link of kind ``cooperation`` (its first source as the link's source)."""
    out = []
    for p in pairs:
        src = next((c.source_url for c in p.cases if c.source_url), "")
        out.append(Link(a=p.french_id, b=p.foreign_id, kind=COOPERATION, source=src))
    return out


__all__ = [
    "COOPERATION",
    "INDEX_FILE",
    "CasePair",
    "case_facets",
    "case_links",
    "case_pairs",
    "case_profiles",
    "load_pairs",
    "silent",
    "write_index",
]
