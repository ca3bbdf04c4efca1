"""The funding files under ``data/funding/``: read and validated at load, one reader each.

``funding_calls.csv`` (42 sourced calls and schemes; its columns are described in
``data/funding/DATA_CARD.md``) and the lists eligibility needs: the UN least developed countries
(``ldc.csv``), the EU member states (``eu_members.csv``), the countries the OECD DAC list excludes by
rule (``not_oda.csv``), those on it by its rule (``oda.csv``), and the water-agency basins by département
(``water_basins.csv``) and, where a département lies in several basins, by commune
(``water_basins_communes.csv``). An empty
cell stays ``None``: it means *not stated by any page read*, never "no restriction".

A bad row raises ``FundingDataError`` naming the file, the line and the column.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from matcher.errors import InvalidInput
from matcher.paths import DATA_DIR
from matcher.themes import theme_codes

FUNDING_DIR = DATA_DIR / "funding"

COLUMNS = (
    "id", "programme", "funder", "kind", "edition", "applicant_kinds", "min_french_applicants",
    "partner_countries", "partner_country_rule", "excluded_countries", "themes", "max_cofinancing_rate",
    "cofinancing_rule_text", "min_own_share", "amount_min_eur", "amount_max_eur", "opens", "closes",
    "duration_months_max", "requirements", "source_url", "source_title", "source_date", "notes",
)
KINDS = frozenset({"call", "joint_fund", "permanent_scheme", "eu_programme"})
APPLICANT_KINDS = frozenset({"commune", "epci", "departement", "region", "syndicat", "association", "gip"})
COUNTRY_RULES = frozenset({"any", "oda_eligible", "ldc", "eu_member", "eu_member_or_candidate", "listed",
                           "afd_countries"})
BASINS = ("Adour-Garonne", "Artois-Picardie", "Loire-Bretagne", "Rhin-Meuse", "Rhône-Méditerranée",
          "Seine-Normandie", "Corse")

#: Rows whose empty ``themes`` cell was *not sourced* (SOURCE.md, "Reading conventions"): any theme is
#: unknown for them. Every other row with an empty cell is genuinely open to any theme; ``read_calls``
#: checks that each empty cell is in exactly one of the two sets, so a new row cannot slip through.
THEMES_NOT_SOURCED = frozenset({
    "dctciv-ocean-2025", "dctciv-franco-libanais-2025", "dctciv-franco-senegalais-2025",
    "dctciv-franco-armenien-2025", "dctciv-ukraine-2025", "daect-franco-mexicain-2024", "cerv-town-twinning-2026",
})
THEMES_OPEN = frozenset({
    "daect-generaliste-2024-2026", "dctciv-generaliste-2025", "daect-cles-en-main-2024-2026",
    "dctciv-cles-en-main-2025", "afd-ficol-2024", "interreg-rhin-superieur-fonds-petits-projets-2021-2027",
})


class FundingDataError(InvalidInput):
    """A funding file that fails validation: the message names the file and the line."""


@dataclass(frozen=True)
class FundingCall:
    """One row of ``funding_calls.csv``; ``None`` / ``()`` = not stated by any page read."""

    id: str
    programme: str
    funder: str
    kind: str
    edition: str | None
    applicant_kinds: tuple[str, ...]
    min_french_applicants: int | None
    partner_countries: tuple[str, ...]
    partner_country_rule: str | None
    excluded_countries: tuple[str, ...]
    themes: tuple[str, ...]
    themes_open: bool  # themes empty because any theme is eligible (not because it was not sourced)
    max_cofinancing_rate: float | None
    cofinancing_rule_text: str | None
    min_own_share: float | None
    amount_min_eur: int | None
    amount_max_eur: int | None
    opens: dt.date | None
    closes: dt.date | None
    duration_months_max: int | None
    requirements: tuple[str, ...]
    source_url: str
    source_title: str | None
    source_date: dt.date | None
    notes: str | None
    line: int = 0


@dataclass(frozen=True)
class EligibilityLists:
    """The country and basin lists eligibility rules read."""

    ldc: frozenset[str]
    eu_members: frozenset[str]
    not_oda: frozenset[str]  # EU members and former G8 members: outside the DAC list by its own rule
    #: Low and middle income countries (World Bank) neither EU nor former G8 members: on the DAC list by its
    #: rule (LDCs apart, in ``ldc``); any other country: unknown.
    oda: frozenset[str] = frozenset()
    basins: dict[str, tuple[str, ...]] = field(default_factory=dict)  # département code -> basins
    #: INSEE commune code -> its basin, for the communes of départements in several basins
    commune_basins: dict[str, str] = field(default_factory=dict)

    @property
    def on_dac_list(self) -> frozenset[str]:
        """The countries known to be on the DAC list of ODA recipients: every LDC and every country of
        ``oda``; any other is outside it (``not_oda``) or unknown."""
        return self.ldc | self.oda


@dataclass(frozen=True)
class FundingData:
    calls: tuple[FundingCall, ...]
    lists: EligibilityLists


def _split(value: str) -> tuple[str, ...]:
    return tuple(x.strip() for x in value.split(";") if x.strip())


def _rows(path: Path, header: Iterable[str]) -> list[tuple[int, dict[str, str]]]:
    """(line number, row) of a UTF-8 CSV whose header must be ``header``; the first data line is 2."""
    want = list(header)
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise FundingDataError(f"{path.name}: file not found at {path}") from None
    except UnicodeDecodeError as exc:
        raise FundingDataError(f"{path.name}: not UTF-8 ({exc})") from None
    if text.startswith("\ufeff"):
        raise FundingDataError(f"{path.name} line 1: the file starts with a byte-order mark")
    reader = csv.reader(text.splitlines())
    rows = list(reader)
    if not rows or rows[0] != want:
        raise FundingDataError(f"{path.name} line 1: expected the columns {', '.join(want)}")
    out = []
    for n, rec in enumerate(rows[1:], start=2):
        if not any(x.strip() for x in rec):
            continue
        if len(rec) != len(want):
            raise FundingDataError(f"{path.name} line {n}: {len(rec)} fields instead of {len(want)}")
        out.append((n, dict(zip(want, rec, strict=True))))
    return out


def _fail(n: int, column: str, message: str) -> FundingDataError:
    return FundingDataError(f"funding_calls.csv line {n}, column {column}: {message}")


def _int(n: int, col: str, v: str) -> int | None:
    if not v:
        return None
    if not v.isdigit():
        raise _fail(n, col, f"not a non-negative integer: {v!r}")
    return int(v)


def _rate(n: int, col: str, v: str) -> float | None:
    if not v:
        return None
    try:
        x = float(v)
    except ValueError:
        raise _fail(n, col, f"not a number: {v!r}") from None
    if not 0 <= x <= 1:
        raise _fail(n, col, f"{x} is outside 0..1")
    return x


def _date(n: int, col: str, v: str) -> dt.date | None:
    if not v:
        return None
    try:
        if len(v) != 10:
            raise ValueError
        return dt.date.fromisoformat(v)
    except ValueError:
        raise _fail(n, col, f"not a YYYY-MM-DD date: {v!r}") from None


def _countries(n: int, col: str, v: str, known: frozenset[str]) -> tuple[str, ...]:
    codes = _split(v)
    for c in codes:
        if c not in known:
            raise _fail(n, col, f"not an ISO 3166-1 alpha-2 code: {c!r}")
    return codes


def parse_call(n: int, r: dict[str, str], iso2: frozenset[str]) -> FundingCall:
    """One validated row (pure: ``n`` is its line number in the file)."""
    for col in ("id", "programme", "funder", "kind", "source_url"):
        if not r[col].strip():
            raise _fail(n, col, "empty")
    if r["kind"] not in KINDS:
        raise _fail(n, "kind", f"{r['kind']!r} is not one of {', '.join(sorted(KINDS))}")
    if not r["source_url"].startswith(("http://", "https://")):
        raise _fail(n, "source_url", "not an http(s) URL")
    applicants = _split(r["applicant_kinds"])
    for a in applicants:
        if a not in APPLICANT_KINDS:
            raise _fail(n, "applicant_kinds", f"unknown applicant kind {a!r}")
    rule = r["partner_country_rule"] or None
    if rule is not None and rule not in COUNTRY_RULES:
        raise _fail(n, "partner_country_rule", f"unknown rule {rule!r}")
    partners = _countries(n, "partner_countries", r["partner_countries"], iso2)
    excluded = _countries(n, "excluded_countries", r["excluded_countries"], iso2)
    if (rule == "listed") != bool(partners):
        raise _fail(n, "partner_country_rule", "'listed' goes with a non-empty partner_countries, and only it")
    if set(partners) & set(excluded):
        raise _fail(n, "excluded_countries", "a country is both a partner and excluded")
    themes = _split(r["themes"])
    known_themes = set(theme_codes())
    for t in themes:
        if t not in known_themes:
            raise _fail(n, "themes", f"not a theme code: {t!r}")
    rid = r["id"]
    if not themes and (rid in THEMES_OPEN) == (rid in THEMES_NOT_SOURCED):
        raise _fail(n, "themes", f"empty for {rid!r}, which is neither in THEMES_OPEN nor in THEMES_NOT_SOURCED "
                                 "(say which in matcher/funding/data.py)")
    opens, closes = _date(n, "opens", r["opens"]), _date(n, "closes", r["closes"])
    if opens and closes and opens > closes:
        raise _fail(n, "opens", "after closes")
    amin, amax = _int(n, "amount_min_eur", r["amount_min_eur"]), _int(n, "amount_max_eur", r["amount_max_eur"])
    if amin is not None and amax is not None and amin > amax:
        raise _fail(n, "amount_min_eur", "greater than amount_max_eur")
    if r["kind"] == "permanent_scheme" and r["edition"]:
        raise _fail(n, "edition", "a permanent scheme has no edition")
    return FundingCall(
        id=rid, programme=r["programme"], funder=r["funder"], kind=r["kind"], edition=r["edition"] or None,
        applicant_kinds=applicants, min_french_applicants=_int(n, "min_french_applicants", r["min_french_applicants"]),
        partner_countries=partners, partner_country_rule=rule, excluded_countries=excluded, themes=themes,
        themes_open=not themes and rid in THEMES_OPEN,
        max_cofinancing_rate=_rate(n, "max_cofinancing_rate", r["max_cofinancing_rate"]),
        cofinancing_rule_text=r["cofinancing_rule_text"] or None,
        min_own_share=_rate(n, "min_own_share", r["min_own_share"]), amount_min_eur=amin, amount_max_eur=amax,
        opens=opens, closes=closes, duration_months_max=_int(n, "duration_months_max", r["duration_months_max"]),
        requirements=_split(r["requirements"]), source_url=r["source_url"], source_title=r["source_title"] or None,
        source_date=_date(n, "source_date", r["source_date"]), notes=r["notes"] or None, line=n,
    )


def _iso2() -> frozenset[str]:
    import pycountry

    return frozenset(c.alpha_2 for c in pycountry.countries)


def read_calls(path: Path) -> tuple[FundingCall, ...]:
    iso2 = _iso2()
    calls = []
    seen: set[str] = set()
    for n, r in _rows(path, COLUMNS):
        call = parse_call(n, r, iso2)
        if call.id in seen:
            raise _fail(n, "id", f"duplicate id {call.id!r}")
        seen.add(call.id)
        calls.append(call)
    if not calls:
        raise FundingDataError(f"{path.name}: no rows")
    return tuple(calls)


def _country_list(path: Path, columns: tuple[str, ...]) -> dict[str, dict[str, str]]:
    iso2 = _iso2()
    out: dict[str, dict[str, str]] = {}
    for n, r in _rows(path, columns):
        code = r["iso2"]
        if code not in iso2:
            raise FundingDataError(f"{path.name} line {n}, column iso2: not an ISO 3166-1 alpha-2 code: {code!r}")
        if code in out:
            raise FundingDataError(f"{path.name} line {n}, column iso2: {code} listed twice")
        out[code] = r
    return out


def read_basins(path: Path) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for n, r in _rows(path, ("departement", "name", "basins", "source_url")):
        dep = r["departement"]
        if not (dep.isdigit() or dep in ("2A", "2B")) or not 2 <= len(dep) <= 3:
            raise FundingDataError(f"water_basins.csv line {n}, column departement: not a département code: {dep!r}")
        basins = _split(r["basins"])
        bad = [b for b in basins if b not in BASINS]
        if not basins or bad:
            raise FundingDataError(f"water_basins.csv line {n}, column basins: unknown basin {bad or basins!r}")
        if not r["source_url"].startswith(("http://", "https://")):
            raise FundingDataError(f"water_basins.csv line {n}, column source_url: not an http(s) URL")
        if dep in out:
            raise FundingDataError(f"water_basins.csv line {n}, column departement: {dep} listed twice")
        out[dep] = basins
    return out


def read_commune_basins(path: Path, basins: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """The basin of each commune of a split département; each must be one of its département's basins."""
    out: dict[str, str] = {}
    for n, r in _rows(path, ("commune", "basin")):
        code, basin = r["commune"], r["basin"]
        dep = code[:2]
        if len(code) != 5 or not code[2:].isdigit() or not (dep.isdigit() or dep in ("2A", "2B")):
            raise FundingDataError(f"{path.name} line {n}, column commune: not an INSEE commune code: {code!r}")
        if basin not in basins.get(dep, ()):
            raise FundingDataError(f"{path.name} line {n}, column basin: {basin!r} is not a basin of département "
                                   f"{dep} in water_basins.csv")
        if code in out:
            raise FundingDataError(f"{path.name} line {n}, column commune: {code} listed twice")
        out[code] = basin
    return out


#: The World Bank income groups the DAC list takes in (``oda.csv``; scripts/derive_oda.py).
ODA_INCOME_LEVELS = ("Low income", "Lower middle income", "Upper middle income")


def read_lists(directory: Path) -> EligibilityLists:
    ldc = _country_list(directory / "ldc.csv", ("iso2", "name"))
    eu = _country_list(directory / "eu_members.csv", ("iso2", "name"))
    not_oda = _country_list(directory / "not_oda.csv", ("iso2", "name", "reason"))
    for code, r in not_oda.items():
        reasons = set(_split(r["reason"]))
        if not reasons or not reasons <= {"eu_member", "former_g8"}:
            raise FundingDataError(f"not_oda.csv: {code}: reason must be eu_member and/or former_g8")
        if ("eu_member" in reasons) != (code in eu):
            raise FundingDataError(f"not_oda.csv: {code}: 'eu_member' disagrees with eu_members.csv")
    if set(ldc) & set(not_oda):
        raise FundingDataError("ldc.csv and not_oda.csv share a country: every LDC is on the DAC list")
    oda = _country_list(directory / "oda.csv", ("iso2", "name", "income_level"))
    for code, r in oda.items():
        if r["income_level"] not in ODA_INCOME_LEVELS:
            raise FundingDataError(f"oda.csv: {code}: income_level must be one of {', '.join(ODA_INCOME_LEVELS)}")
        if code in ldc or code in not_oda:
            raise FundingDataError(f"oda.csv: {code} is also in {'ldc.csv' if code in ldc else 'not_oda.csv'}")
    basins = read_basins(directory / "water_basins.csv")
    return EligibilityLists(ldc=frozenset(ldc), eu_members=frozenset(eu), not_oda=frozenset(not_oda),
                            oda=frozenset(oda), basins=basins,
                            commune_basins=read_commune_basins(directory / "water_basins_communes.csv", basins))


def read_funding(directory: Path = FUNDING_DIR) -> FundingData:
    """Every funding file, validated (``FundingDataError`` on the first bad line)."""
    return FundingData(calls=read_calls(directory / "funding_calls.csv"), lists=read_lists(directory))


@lru_cache(maxsize=4)
def load_funding(directory: Path = FUNDING_DIR) -> FundingData:
    """``read_funding`` once per directory (the files are read-only at run time)."""
    return read_funding(directory)
