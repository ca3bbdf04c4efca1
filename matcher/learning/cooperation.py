"""Real decentralised-cooperation cases (French authority ↔ foreign authority, with the foreign partner's
needs and the French side's expertise) as profiles the engine can score.

Reading is strict (a bad row is a ``RowError`` with its line number). Each French side is resolved to its
catalogue entry where the case says who it is (INSEE or département code, else name), so its place,
size and link history count; each foreign partner is resolved to a catalogue town where it is a
municipality whose name and country match; anything unresolved becomes a profile with what the case
states and nothing more (no coordinates, no population: missing is missing).
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from matcher.catalogue.resolve import RESOLVED, UNRESOLVED, Resolution, Resolver
from matcher.catalogue.unit_names import written_forms
from matcher.domain import LEVELS, Facet, Kind, Level, Link, Profile
from matcher.errors import RowError
from matcher.ranking.levels import side_counts
from matcher.themes import fold

COLUMNS = ("french_authority", "french_kind", "foreign_authority", "foreign_kind", "foreign_country", "needs_text",
           "expertise_text")  # required; ``french_insee_or_dept_code`` and ``themes`` are optional
FRENCH_KINDS = {"commune": Kind.COMMUNE, "epci": Kind.INTERCOMMUNALITY, "departement": Kind.DEPARTMENT,
                "region": Kind.REGION}
#: The cases' foreign kinds as catalogue kinds.
FOREIGN_KINDS = {"municipality": Kind.MUNICIPALITY, "other": Kind.MUNICIPALITY, "district": Kind.DISTRICT,
                 "county": Kind.COUNTY, "department": Kind.DEPARTMENT, "province": Kind.PROVINCE,
                 "prefecture": Kind.PREFECTURE, "region": Kind.REGION, "state": Kind.STATE,
                 "governorate": Kind.GOVERNORATE}
#: INSEE codes of the régions merged in 2016 -> the région they are part of now.
FORMER_REGIONS = {"42": "44", "21": "44", "41": "44", "72": "75", "54": "75", "74": "75", "26": "27", "43": "27",
                  "25": "28", "23": "28", "31": "32", "22": "32", "82": "84", "83": "84", "91": "76", "73": "76"}
TRANSLATION_LANGUAGES = ("es", "pt", "ar", "de", "it", "en")
_PREFIX = re.compile(r"^(ville|commune (urbaine|rurale|d arrondissement)|commune|communaute rurale|municipalite|"
                     r"region|departement|conseil departemental|conseil regional|conseil general|"
                     r"communaute d agglomeration|communaute de communes|communaute urbaine|metropole|"
                     r"municipalidad|municipio|prefeitura|citta|miasto|village|city|town)"
                     r"( de la| de l| de| du| des| d| do| da| di| of)?\s+")
#: Where the partner of a case of this kind is looked for, most likely level first. "Province" is an
#: admin-1 unit in most countries and an admin-2 one in some (Spain, Burkina Faso, Morocco); "department"
#: names admin-1 units in Benin or Congo and admin-2 ones in Niger or Mali's cercles.
_UNIT_ORDER = {
    **{k: (Level.ADMIN1, Level.ADMIN2) for k in ("region", "state", "province", "governorate")},
    **{k: (Level.ADMIN2, Level.ADMIN1) for k in ("department", "district", "county", "prefecture")},
}
#: A municipality partner is a town, or an admin-2 unit where municipalities are admin-2 (Mexico's
#: municipios, Armenia's communities).
_TOWN_ORDER = (Level.TOWN, Level.ADMIN2)


@dataclass(frozen=True)
class Case:
    line: int  # line in the file (header = 1)
    french_authority: str
    french_kind: str
    french_code: str
    foreign_authority: str
    foreign_kind: str
    foreign_country: str
    themes: tuple[str, ...]
    needs: str
    expertise: str
    source_url: str = ""  # the public page the case was read from
    year: int | None = None  # the start, signature or twinning year the page states (None: not stated)
    source_title: str = ""
    file: str = ""  # the name of the file it was read from (lines are per file)


def key(name: str) -> str:
    """A name compared loosely: case, accents, punctuation and "Ville de"-style prefixes ignored."""
    k = fold(name)
    while (m := _PREFIX.match(k)) is not None:
        k = k[m.end():]
    return k


def read_cases(path: Path) -> list[Case]:
    return [Case(**{**c.__dict__, "file": path.name}) for c in parse_cases(path.read_text(encoding="utf-8"))]


def parse_cases(text: str) -> list[Case]:
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or ())]
    if missing:
        raise RowError(1, missing[0], "missing column")
    out = []
    for i, r in enumerate(reader, start=2):
        for col in ("french_authority", "foreign_authority", "foreign_country", "needs_text", "expertise_text"):
            if not (r.get(col) or "").strip():
                raise RowError(i, col, "empty")
        if r["french_kind"] not in FRENCH_KINDS:
            raise RowError(i, "french_kind", f"not one of {', '.join(FRENCH_KINDS)}")
        if r["foreign_kind"] not in FOREIGN_KINDS:
            raise RowError(i, "foreign_kind", f"not one of {', '.join(FOREIGN_KINDS)}")
        if not re.fullmatch(r"[A-Z]{2}", r["foreign_country"].strip()):
            raise RowError(i, "foreign_country", "not an ISO 3166-1 alpha-2 code")
        out.append(Case(
            line=i, french_authority=r["french_authority"].strip(), french_kind=r["french_kind"],
            french_code=(r.get("french_insee_or_dept_code") or "").strip(),
            foreign_authority=r["foreign_authority"].strip(), foreign_kind=r["foreign_kind"],
            foreign_country=r["foreign_country"].strip(),
            themes=tuple(t.strip() for t in (r.get("themes") or "").split(";") if t.strip()),
            needs=r["needs_text"].strip(), expertise=r["expertise_text"].strip(),
            source_url=(r.get("source_url") or "").strip(), year=_year(i, r.get("start_year") or ""),
            source_title=(r.get("source_title") or "").strip()))
    return out


def _year(line: int, value: str) -> int | None:
    value = value.strip()
    if not value:
        return None
    if not re.fullmatch(r"(1[89]|20)\d\d", value):
        raise RowError(line, "start_year", "not a year")
    return int(value)


def read_case_files(paths: Sequence[Path]) -> list[Case]:
    """The cases of several files with the same columns, in order (each row keeps its line in its file)."""
    return [c for p in paths for c in read_cases(p)]


def read_translations(path: Path) -> dict[tuple[int, str], str]:
    """(data row number, language) -> needs text, from ``data/cooperation/needs_translated.csv``."""
    out: dict[tuple[int, str], str] = {}
    with path.open(encoding="utf-8", newline="") as fh:
        for i, r in enumerate(csv.DictReader(fh), start=2):
            if not (r.get("needs_text") or "").strip() or r.get("lang") not in TRANSLATION_LANGUAGES:
                raise RowError(i, "needs_text" if r.get("lang") in TRANSLATION_LANGUAGES else "lang", "invalid")
            out[(int(r["row"]), r["lang"])] = r["needs_text"].strip()
    return out


def translated_cases(cases: Sequence[Case], translations: Mapping[tuple[int, str], str]) -> list[Case]:
    """The cross-lingual variant: data row i (1-based) gets its needs in language
    ``TRANSLATION_LANGUAGES[(i - 1) % 6]``, so each language carries a sixth of the partners' needs while
    the French expertise stays French."""
    out = []
    for i, c in enumerate(cases, start=1):
        lang = TRANSLATION_LANGUAGES[(i - 1) % len(TRANSLATION_LANGUAGES)]
        text = translations.get((i, lang))
        if text is None:
            raise RowError(c.line, "needs_text", f"no {lang} translation for data row {i}")
        out.append(Case(**{**c.__dict__, "needs": text}))
    return out


@dataclass(frozen=True)
class CaseSet:
    """The cases as queries and candidates: one query per distinct pair, one candidate per distinct partner."""

    french: tuple[Profile, ...]  # one per distinct French authority
    foreign: tuple[Profile, ...]  # one per distinct foreign partner
    pairs: tuple[tuple[int, int], ...]  # (index into french, index into foreign), distinct
    pair_expertise: tuple[str, ...] = ()  # per pair: the French side's expertise as told for that partner
    pair_needs: tuple[str, ...] = ()  # per pair: the partner's needs as told for that French authority
    pair_cases: tuple[tuple[Case, ...], ...] = ()  # per pair: the rows behind it (sources, years)
    groups: tuple[str, ...] = ()  # per french: the K-fold group (its loose name)
    resolved: dict[str, int] = field(default_factory=dict)  # counts for the report

    def partners_of(self, f: int) -> list[int]:
        return [j for i, j in self.pairs if i == f]

    def case_links(self) -> set[frozenset[str]]:
        """The pairs as unordered id pairs: links to take out of the history while they are evaluated."""
        return {frozenset((self.french[i].id, self.foreign[j].id)) for i, j in self.pairs}


def _french_id(c: Case, resolver: Resolver | None, catalogue: Mapping[str, Profile]) -> str | None:
    code = c.french_code
    if c.french_kind == "commune" and code:
        pid = f"FR-COM-{code.zfill(5)}"
    elif c.french_kind == "departement" and code:
        pid = f"FR-DEP-{code.zfill(2)}"
    elif c.french_kind == "region" and code:
        pid = f"FR-REG-{FORMER_REGIONS.get(code, code)}"
    else:
        pid = None
    if pid in catalogue:
        return pid
    if resolver is None:
        return None
    res = resolver.resolve(c.french_authority, "FR", kinds=[FRENCH_KINDS[c.french_kind]])
    if not res.ok and key(c.french_authority) != fold(c.french_authority):
        res = resolver.resolve(key(c.french_authority), "FR", kinds=[FRENCH_KINDS[c.french_kind]])
    return res.id if res.ok and res.id in catalogue else None


def resolve_partner(c: Case, resolver: Resolver, catalogue: Mapping[str, Profile]) -> Resolution:
    """The catalogue entry of a case's foreign partner: a unit for a region, province, department… (looked
    for at the levels ``_UNIT_ORDER`` gives), a town for a municipality. Groupings of municipalities
    ("other": syndicates, federations) are not catalogue entities and stay unresolved."""
    if c.foreign_kind == "other":
        return Resolution(UNRESOLVED, None, "grouping_not_in_catalogue")
    if c.foreign_kind in _UNIT_ORDER:
        res = resolver.resolve_unit(c.foreign_authority, c.foreign_country, _UNIT_ORDER[c.foreign_kind])
        return res if not res.ok or res.id in catalogue else Resolution(UNRESOLVED, None, "not_in_catalogue")
    first: Resolution | None = None
    names = dict.fromkeys(n for f in written_forms(c.foreign_authority) for n in (f, key(f)))
    for name in names:
        res = resolver.resolve(name, c.foreign_country, kinds=[Kind.MUNICIPALITY], level_order=_TOWN_ORDER)
        if res.ok and res.id in catalogue:
            return res
        first = first or res
    res = resolver.resolve_unit(c.foreign_authority, c.foreign_country, (Level.ADMIN2,))
    unit = catalogue.get(res.id) if res.id is not None else None
    if unit is not None and unit.kind is Kind.MUNICIPALITY:
        return res
    return first if first is not None and first.status != RESOLVED else Resolution(UNRESOLVED, None, "no_name_match")


def _foreign_id(c: Case, resolver: Resolver | None, catalogue: Mapping[str, Profile]) -> str | None:
    if resolver is None:
        return None
    res = resolve_partner(c, resolver, catalogue)
    return res.id if res.ok else None


def resolution_report(cases: Sequence[Case], resolver: Resolver, catalogue: Mapping[str, Profile]
                      ) -> dict[str, Any]:
    """How the cases' foreign partners resolve: per distinct partner (as written, with its country) and per
    case, by the kind the case gives, with every unresolved partner and why."""
    partners: dict[tuple[str, str], tuple[Case, Resolution]] = {}
    for c in cases:
        k = (c.foreign_authority, c.foreign_country)
        if k not in partners:
            partners[k] = (c, resolve_partner(c, resolver, catalogue))
    by_kind: dict[str, dict[str, int]] = {}
    for c, res in partners.values():
        row = by_kind.setdefault(c.foreign_kind, {"partners": 0, "resolved": 0})
        row["partners"] += 1
        row["resolved"] += res.ok
    ok_cases = sum(partners[(c.foreign_authority, c.foreign_country)][1].ok for c in cases)
    ok = sum(res.ok for _, res in partners.values())
    return {
        "partners": len(partners), "partners_resolved": ok,
        "partners_resolved_share": round(ok / len(partners), 4) if partners else None,
        "cases": len(cases), "cases_resolved": ok_cases,
        "cases_resolved_share": round(ok_cases / len(cases), 4) if cases else None,
        "by_kind": dict(sorted(by_kind.items())),
        "resolved_levels": dict(Counter(catalogue[r.id].level_of.value for _, r in partners.values()
                                        if r.ok and r.id is not None)),
        "unresolved": [{"line": c.line, "name": c.foreign_authority, "country": c.foreign_country,
                        "kind": c.foreign_kind, "reason": res.reason}
                       for c, res in partners.values() if not res.ok],
    }


def build_case_set(cases: Sequence[Case], catalogue: Mapping[str, Profile], resolver: Resolver | None,
                   *, prefix: str = "case:", countries: Collection[str] | None = None) -> CaseSet:
    """Profiles for the cases. A resolved side keeps its catalogue facts and gets the case's text; an
    unresolved side is a new profile (id ``prefix`` + running number) with only what the case states.
    With ``countries``, a case whose partner country the catalogue does not know is left out (and
    counted in ``resolved["unknown_country"]``): it could not be scored."""
    if countries is not None:
        known = set(countries)
        kept = [c for c in cases if c.foreign_country in known]
        skipped = len(cases) - len(kept)
        cases = kept
    else:
        skipped = 0
    fr_at: dict[str, int] = {}
    fo_at: dict[str, int] = {}
    fr_texts: list[list[str]] = []
    fo_texts: list[list[str]] = []
    fr_base: list[Profile] = []
    fo_base: list[Profile] = []
    groups: list[str] = []
    pairs: dict[tuple[int, int], list[str]] = {}
    pair_needs: dict[tuple[int, int], list[str]] = {}
    pair_rows: dict[tuple[int, int], list[Case]] = {}
    counts = {"french_resolved": 0, "foreign_resolved": 0, "unknown_country": skipped}
    for c in cases:
        # Two spellings of one authority (or an authority named by its code) are one profile.
        fpid = _french_id(c, resolver, catalogue)
        fk = fpid or "name:" + key(c.french_authority)
        if fk not in fr_at:
            pid = fpid
            counts["french_resolved"] += pid is not None
            base = catalogue[pid] if pid else Profile(
                id=f"{prefix}fr{len(fr_at) + 1}", name=c.french_authority, kind=FRENCH_KINDS[c.french_kind],
                country="FR", source="cooperation case")
            fr_at[fk] = len(fr_base)
            fr_base.append(base)
            fr_texts.append([])
            groups.append(fk)
        opid = _foreign_id(c, resolver, catalogue)
        ok = opid or f"name:{key(c.foreign_authority)}|{c.foreign_country}"
        if ok not in fo_at:
            pid = opid
            counts["foreign_resolved"] += pid is not None
            base = catalogue[pid] if pid else Profile(
                id=f"{prefix}fo{len(fo_at) + 1}", name=c.foreign_authority, kind=FOREIGN_KINDS[c.foreign_kind],
                country=c.foreign_country, source="cooperation case")
            fo_at[ok] = len(fo_base)
            fo_base.append(base)
            fo_texts.append([])
        i, j = fr_at[fk], fo_at[ok]
        if c.expertise not in fr_texts[i]:
            fr_texts[i].append(c.expertise)
        if c.needs not in fo_texts[j]:
            fo_texts[j].append(c.needs)
        told = pairs.setdefault((i, j), [])
        if c.expertise not in told:
            told.append(c.expertise)
        needed = pair_needs.setdefault((i, j), [])
        if c.needs not in needed:
            needed.append(c.needs)
        pair_rows.setdefault((i, j), []).append(c)
    french = tuple(p.with_changes(expertise=Facet(text=" ".join(t))) for p, t in zip(fr_base, fr_texts))
    foreign = tuple(p.with_changes(needs=Facet(text=" ".join(t))) for p, t in zip(fo_base, fo_texts))
    _check_unique(french + foreign)
    return CaseSet(french=french, foreign=foreign, pairs=tuple(pairs),
                   pair_expertise=tuple(" ".join(t) for t in pairs.values()),
                   pair_needs=tuple(" ".join(pair_needs[k]) for k in pairs),
                   pair_cases=tuple(tuple(pair_rows[k]) for k in pairs), groups=tuple(groups), resolved=counts)


def _check_unique(profiles: Iterable[Profile]) -> None:
    seen: set[str] = set()
    for p in profiles:
        if p.id in seen:  # two loose names resolved to one entry: the cases would share one profile
            raise ValueError(f"two case authorities resolve to {p.id}")
        seen.add(p.id)


def without_case_links(links: Sequence[Link], case_set: CaseSet) -> list[Link]:
    """The known links minus those that are one of the cases' pairs (so history cannot give them away)."""
    drop = case_set.case_links()
    return [x for x in links if frozenset((x.a, x.b)) not in drop]


def case_level_counts(case_set: CaseSet, prefix: str = "case:") -> np.ndarray:
    """(2, N_LEVELS, N_LEVELS) counts of (level, partner level) over the cases' pairs, both directions
    (French query then foreign query, as ``levels.side_counts``), for the pairs whose foreign partner is
    a catalogue entry (its level is then known, not guessed from the kind the case gives)."""
    q, c, french = [], [], []
    for i, j in case_set.pairs:
        fr, fo = case_set.french[i], case_set.foreign[j]
        if fo.id.startswith(prefix):
            continue
        a, b = LEVELS.index(fr.level_of), LEVELS.index(fo.level_of)
        q += [a, b]
        c += [b, a]
        french += [True, False]
    return side_counts(np.asarray(q, dtype=np.int64), np.asarray(c, dtype=np.int64), np.asarray(french, dtype=bool))
