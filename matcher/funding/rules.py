"""Eligibility, status and co-financing of every funding call for one project (pure: no I/O).

``assess`` takes a French applicant, the partner's country, themes, the number of French co-applicants
and a date, and returns one ``Assessment`` per call: its status relative to the date, whether the
project is eligible (``True`` / ``False`` / ``None`` = unknown), the rule that decided, every rule's
finding (French and English), the co-financing cap for the partner's country group and what is missing.
A rule whose data is missing answers *unknown*, never a guess; a call is eligible only when every rule
says so, ineligible as soon as one rule says not.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from matcher.funding.data import EligibilityLists, FundingCall

#: The catalogue's French kinds -> the applicant vocabulary of ``funding_calls.csv``.
APPLICANT_KIND = {"commune": "commune", "intercommunality": "epci", "department": "departement",
                  "region": "region"}

#: DCTCIV/DAECT caps by partner-country group, keyed by the start of ``cofinancing_rule_text`` (the rows
#: that carry these texts: see ``grid_of``). 2025: 70 % LDC, 50 % other ODA recipients, 30 % otherwise;
#: 2024: 90 % LDC, 70 % every other country.
GRIDS: dict[str, dict[str, float]] = {
    "DCTCIV co-finances up to 70%": {"ldc": 0.7, "oda": 0.5, "non_oda": 0.3},
    "2024 general rules: DAECT co-financing up to 90%": {"ldc": 0.9, "oda": 0.7, "non_oda": 0.7},
}

#: Water-agency schemes restricted to their basin's authorities -> that basin. Three
#: rows' ``requirements`` say it; the Rhône-Méditerranée-Corse row only says "priority to local authorities
#: of the basins", but the agency's own page is explicit: it "provides financial support for projects put
#: forward by public or private developers from the Rhone-Mediterranean and Corsica basins"
#: (http://www.eaurmc.fr/the-rhone-mediterranean-and-corsica-water-agency/international-cooperation.html,
#: read 2026-12-07; data/funding/DATA_CARD.md).
BASIN_RULES: dict[str, str] = {
    "aermc-aide-cooperation-internationale": "Rhône-Méditerranée",
    "aeag-cooperation-solidarite-internationale": "Adour-Garonne",
    "aesn-cooperation-solidarite-internationale": "Seine-Normandie",
    "aelb-solidarite-internationale-eau": "Loire-Bretagne",
}

#: Calls restricted to applicants of one département, as their ``requirements`` say.
DEPARTEMENT_RULES: dict[str, str] = {"grenoble-alpes-metropole-aermc-eau-2024": "38"}

#: Requirement phrases (as ``funding_calls.csv`` words them) -> what is missing, in French and English.
REQUIREMENT_PHRASES: tuple[tuple[str, str, str], ...] = (
    ("signed agreement", "convention signée avec la collectivité partenaire requise",
     "a signed agreement with the partner authority is required"),
    ("annual ODA declaration", "déclaration annuelle d'aide publique au développement déposée (15 avril – 31 mai)",
     "annual official development assistance declaration filed (15 April – 31 May)"),
    ("structured partnership", "partenariat structuré entre collectivités françaises et étrangères requis",
     "a structured partnership between French and foreign authorities is required"),
    ("L1115-1", "action dans le cadre d'une convention de coopération (art. L1115-1 CGCT)",
     "action within a cooperation agreement (art. L1115-1 CGCT)"),
    ("competent for drinking water or sanitation", "compétence eau potable ou assainissement requise",
     "competence for drinking water or sanitation required"),
    ("competent for household-waste", "compétence collecte ou traitement des déchets ménagers requise",
     "competence for household-waste collection or treatment required"),
    ("electricity and gas distribution", "autorité organisatrice de la distribution d'électricité et de gaz requise",
     "authority in charge of electricity and gas distribution required"),
    ("mobility organising authority", "autorité organisatrice de la mobilité requise",
     "mobility organising authority required"),
    ("joint application", "dossier commun avec la collectivité partenaire",
     "joint application with the partner authority"),
    ("territory of institutional cooperation", ("projet dans un territoire de coopération institutionnelle d'une "
                                                 "agence de l'eau"), "project in a territory of institutional cooperation of a water agency"),
    ("gender-equality objectives", "objectifs d'égalité femmes-hommes obligatoires",
     "gender-equality objectives mandatory"),
)

STATUS_ORDER = {"open": 0, "permanent": 1, "upcoming": 2, "unknown": 3, "closed": 4}


@dataclass(frozen=True)
class Applicant:
    """The French side: an authority of the catalogue (its kind and département) or a group of them."""

    id: str
    name: str
    kind: str  # commune, intercommunality, department, region (catalogue kinds)
    departement: str = ""  # département code ("35"); a département's own code for a département
    region: str = ""
    commune: str = ""  # INSEE code of a commune ("35238"); empty for other kinds


@dataclass(frozen=True)
class Finding:
    """One rule's answer: ``ok`` True / False / None (unknown), with the sentence that says why."""

    rule: str
    ok: bool | None
    text_fr: str
    text_en: str


@dataclass(frozen=True)
class Missing:
    text_fr: str
    text_en: str


@dataclass(frozen=True)
class Assessment:
    call: FundingCall
    status: str  # open, upcoming, closed, permanent, unknown (no date stated)
    eligible: bool | None
    decided_by: str  # the rule that decided: the first that said no, else the first unknown, else "all_rules"
    findings: tuple[Finding, ...]
    country_group: str | None  # ldc, oda, non_oda; None: unknown
    cofinancing_rate: float | None
    missing: tuple[Missing, ...]


def status_on(call: FundingCall, on: dt.date) -> str:
    if call.kind == "permanent_scheme":
        return "permanent"
    if call.closes is not None and on > call.closes:
        return "closed"
    if call.opens is not None and on < call.opens:
        return "upcoming"
    if call.opens is not None and call.closes is not None:
        return "open"
    return "unknown"  # a date the pages read did not state: not guessed


def country_group(country: str, lists: EligibilityLists) -> str | None:
    """ldc (UN list), oda (a low or middle income country on the DAC list by its rule), non_oda (EU member
    or former G8: outside it by its rule), or None: the DAC list itself could not be sourced, so a high
    income or unclassified country's group is unknown (see the data card)."""
    if country in lists.ldc:
        return "ldc"
    if country in lists.oda:
        return "oda"
    if country in lists.not_oda:
        return "non_oda"
    return None


def grid_of(call: FundingCall) -> dict[str, float] | None:
    text = call.cofinancing_rule_text or ""
    return next((g for prefix, g in GRIDS.items() if text.startswith(prefix)), None)


def _pct(x: float) -> str:
    return f"{round(x * 100)} %"


def cofinancing(call: FundingCall, group: str | None) -> tuple[float | None, Finding | None]:
    grid = grid_of(call)
    if grid is None:
        return call.max_cofinancing_rate, None
    if group is not None:
        rate = grid[group]
        label = {"ldc": ("pays moins avancé", "least developed country"),
                 "oda": ("autre pays bénéficiaire de l'APD", "other ODA recipient"),
                 "non_oda": ("pays hors liste CAD", "country outside the DAC list")}[group]
        return rate, Finding("cofinancing", True, f"Plafond de cofinancement {_pct(rate)} ({label[0]}).",
                             f"Co-financing cap {_pct(rate)} ({label[1]}).")
    low, high = min(grid["oda"], grid["non_oda"]), max(grid["oda"], grid["non_oda"])
    if low == high:
        return low, Finding("cofinancing", True, f"Plafond de cofinancement {_pct(low)} (pays non PMA).",
                            f"Co-financing cap {_pct(low)} (not a least developed country).")
    return None, Finding(
        "cofinancing", None,
        f"Plafond de {_pct(high)} ou {_pct(low)} selon que le pays figure ou non sur la liste CAD de l'OCDE, "
        "qui n'a pas pu être sourcée en entier.",
        f"Cap {_pct(high)} or {_pct(low)} depending on whether the country is on the OECD DAC list, which could "
        "not be sourced in full.")


def _applicant_rule(call: FundingCall, applicant: Applicant, n_french: int) -> Finding:
    kind = APPLICANT_KIND.get(applicant.kind, applicant.kind)
    if not call.applicant_kinds:
        return Finding("applicant_kind", None, "Les bénéficiaires admis ne sont pas précisés par les pages lues.",
                       "Who may apply is not stated by the pages read.")
    if kind in call.applicant_kinds:
        return Finding("applicant_kind", True, f"Ouvert aux {_kind_fr(kind)}.", f"Open to {_kind_en(kind)}.")
    if set(call.applicant_kinds) <= {"association", "gip"}:
        return Finding("applicant_kind", False,
                       "À porter par une association ou un GIP regroupant des collectivités françaises.",
                       "Must be carried by an association or GIP grouping French authorities.")
    return Finding("applicant_kind", False, f"Réservé aux {', '.join(_kind_fr(k) for k in call.applicant_kinds)}.",
                   f"Only for {', '.join(_kind_en(k) for k in call.applicant_kinds)}.")


def _kind_fr(k: str) -> str:
    return {"commune": "communes", "epci": "intercommunalités", "departement": "départements", "region": "régions",
            "syndicat": "syndicats", "association": "associations", "gip": "GIP"}[k]


def _kind_en(k: str) -> str:
    return {"commune": "communes", "epci": "intercommunal bodies", "departement": "départements",
            "region": "régions", "syndicat": "syndicates", "association": "associations", "gip": "GIPs"}[k]


def _country_rule(call: FundingCall, country: str, country_name: tuple[str, str],
                  lists: EligibilityLists) -> Finding:
    """``country_name``: (French name with its article, English name)."""
    fr, en = country_name
    if country in call.excluded_countries:
        return Finding("partner_country", False, f"Pays exclu de cet appel : {fr}.", f"{en} is excluded from this call.")
    rule = call.partner_country_rule
    if rule == "listed":
        listed = ", ".join(call.partner_countries)
        if country in call.partner_countries:
            return Finding("partner_country", True, f"Pays de l'appel : {fr}.", f"{en} is one of the call's countries.")
        return Finding("partner_country", False, f"Pays hors de l'appel : {fr} (pays de l'appel : {listed}).",
                       f"{en} is not one of the call's countries ({listed}).")
    if rule == "any":
        return Finding("partner_country", True, "Tous les pays partenaires sont admis.", "Any partner country.")
    if rule == "ldc":
        if country in lists.ldc:
            return Finding("partner_country", True, f"Pays moins avancé (liste de l'ONU) : {fr}.",
                           f"{en} is a least developed country (UN list).")
        return Finding("partner_country", False, f"Pays qui n'est pas sur la liste des pays moins avancés de l'ONU : "
                       f"{fr}.", f"{en} is not a least developed country (UN list).")
    if rule in ("oda_eligible", "afd_countries"):
        if country in lists.ldc:
            return Finding("partner_country", True, f"Pays sur la liste CAD des bénéficiaires de l'APD, comme tous "
                           f"les pays moins avancés : {fr}.",
                           f"{en} is on the DAC list of ODA recipients (every least developed country is).")
        if country in lists.oda:
            return Finding("partner_country", True, f"Pays sur la liste CAD des bénéficiaires de l'APD, comme tous "
                           f"les pays à revenu faible ou intermédiaire hors UE et ex-G8 : {fr}.",
                           f"{en} is on the DAC list of ODA recipients (every low or middle income country outside "
                           "the EU and the former G8 is).")
        if country in lists.not_oda:
            return Finding("partner_country", False, f"Pays hors de la liste CAD des bénéficiaires de l'APD : {fr}.",
                           f"{en} is not on the DAC list of ODA recipients.")
        return Finding("partner_country", None, f"Pays bénéficiaire de l'APD exigé ; pour un pays à revenu élevé "
                       f"ou non classé, la liste CAD n'a pas pu être sourcée (pays : {fr}).",
                       f"An ODA-recipient country is required; for a high income or unclassified country the DAC "
                       f"list could not be sourced ({en}).")
    if rule in ("eu_member", "eu_member_or_candidate"):
        if country in lists.eu_members:
            return Finding("partner_country", True, f"Membre de l'Union européenne : {fr}.",
                           f"{en} is a member of the European Union.")
        if rule == "eu_member":
            return Finding("partner_country", False, f"Pays hors de l'Union européenne : {fr}.",
                           f"{en} is not a member of the European Union.")
        return Finding("partner_country", None, f"Pays hors de l'Union européenne : {fr} ; la liste des pays "
                       "candidats ou associés n'a pas été sourcée.",
                       f"{en} is not an EU member; the list of candidate or associated countries was not sourced.")
    return Finding("partner_country", None, "Les pays partenaires admis ne sont pas précisés par les pages lues.",
                   "Which partner countries are eligible is not stated by the pages read.")


def _theme_rule(call: FundingCall, themes: Sequence[str], labels: dict[str, tuple[str, str]]) -> Finding | None:
    if not themes:
        return None
    if call.themes:
        common = [t for t in themes if t in call.themes]
        if common:
            return Finding("themes", True, f"Thème couvert : {', '.join(labels[t][0] for t in common)}.",
                           f"Theme covered: {', '.join(labels[t][1] for t in common)}.")
        return Finding("themes", False, f"Thèmes de l'appel : {', '.join(labels[t][0] for t in call.themes)}.",
                       f"The call's themes: {', '.join(labels[t][1] for t in call.themes)}.")
    if call.themes_open:
        return Finding("themes", True, "Tous les thèmes sont admis.", "Any theme.")
    return Finding("themes", None, "Les thèmes admis ne sont pas précisés par les pages lues.",
                   "Which themes are eligible is not stated by the pages read.")


def _group_rule(call: FundingCall, n_french: int) -> tuple[Finding | None, Missing | None]:
    need = call.min_french_applicants
    if need is None or need <= 1:
        return None, None
    if n_french >= need:
        return Finding("min_french_applicants", True, f"Au moins {need} collectivités françaises : {n_french}.",
                       f"At least {need} French authorities: {n_french}."), None
    return (Finding("min_french_applicants", False, f"Il faut au moins {need} collectivités françaises.",
                    f"At least {need} French authorities are needed."),
            Missing(f"il faut au moins {need} collectivités françaises", f"at least {need} French authorities needed"))


def _place_rule(call: FundingCall, applicant: Applicant, lists: EligibilityLists) -> Finding | None:
    dep = applicant.departement
    if call.id in DEPARTEMENT_RULES:
        want = DEPARTEMENT_RULES[call.id]
        ok = dep == want
        return Finding("place", ok if not ok else None,
                       f"Réservé aux acteurs du département {want}" + ("" if ok else f" ; {applicant.name} n'en est "
                                                                         "pas") + ".",
                       f"Only for applicants of département {want}" + ("" if ok else f"; {applicant.name} is not") + ".")
    if call.id not in BASIN_RULES:
        return None
    basin = BASIN_RULES[call.id]
    basins = lists.basins.get(dep) if dep else None
    if basins is None:
        return Finding("water_basin", None, f"Bassin {basin} : le bassin du département {dep or '?'} n'a pas été "
                       "sourcé.", f"{basin} basin: the basin of département {dep or '?'} was not sourced.")
    where_fr = " et ".join(basins)
    own = lists.commune_basins.get(applicant.commune) if applicant.commune and len(basins) > 1 else None
    if own is not None:  # a commune of a split département: its own basin decides
        if own == basin:
            return Finding("water_basin", True, f"{applicant.name} est dans le bassin {basin}.",
                           f"{applicant.name} is in the {basin} basin.")
        return Finding("water_basin", False, f"Réservé aux acteurs du bassin {basin} ; {applicant.name} est dans le "
                       f"bassin {own}.", f"Only for applicants of the {basin} basin; {applicant.name} is in the {own} "
                       "basin.")
    if basin not in basins:
        return Finding("water_basin", False, f"Réservé aux acteurs du bassin {basin} ; {applicant.name} est hors du "
                       f"bassin (département {dep} : {where_fr}).",
                       f"Only for applicants of the {basin} basin; {applicant.name} is outside it "
                       f"(département {dep}: {' and '.join(basins)}).")
    if len(basins) == 1:
        return Finding("water_basin", True, f"Département {dep} dans le bassin {basin}.",
                       f"Département {dep} is in the {basin} basin.")
    return Finding("water_basin", None, f"Le département {dep} est à cheval sur les bassins {where_fr} : à vérifier "
                   f"pour {applicant.name}.", f"Département {dep} straddles the {' and '.join(basins)} basins: to be "
                   f"checked for {applicant.name}.")


def _missing_from_requirements(call: FundingCall) -> list[Missing]:
    out = []
    for phrase, fr, en in REQUIREMENT_PHRASES:
        if any(phrase.lower() in r.lower() for r in call.requirements):
            out.append(Missing(fr, en))
    return out


def assess_call(call: FundingCall, lists: EligibilityLists, applicant: Applicant, country: str,
                country_name: tuple[str, str], themes: Sequence[str], n_french: int, on: dt.date,
                labels: dict[str, tuple[str, str]]) -> Assessment:
    findings: list[Finding] = [_applicant_rule(call, applicant, n_french),
                               _country_rule(call, country, country_name, lists)]
    missing: list[Missing] = []
    for f in (_theme_rule(call, themes, labels), _place_rule(call, applicant, lists)):
        if f is not None:
            findings.append(f)
    group_finding, group_missing = _group_rule(call, n_french)
    if group_finding is not None:
        findings.append(group_finding)
    if group_missing is not None:
        missing.append(group_missing)
    if findings[0].ok is False and findings[0].text_en.startswith("Must be carried"):
        missing.append(Missing("à porter par une association ou un GIP regroupant les collectivités",
                               "to be carried by an association or GIP grouping the authorities"))
    missing.extend(_missing_from_requirements(call))
    group = country_group(country, lists)
    rate, cof = cofinancing(call, group)
    if cof is not None:
        findings.append(cof)
    eligible: bool | None = True
    decided = "all_rules"
    for f in findings:
        if f.rule == "cofinancing":
            continue
        if f.ok is False:
            eligible, decided = False, f.rule
            break
        if f.ok is None and eligible is True:
            eligible, decided = None, f.rule
    return Assessment(call=call, status=status_on(call, on), eligible=eligible, decided_by=decided,
                      findings=tuple(findings), country_group=group, cofinancing_rate=rate, missing=tuple(missing))


def sort_key(a: Assessment) -> tuple[int, int, int, str]:
    """Eligible and open first, then by eligibility (yes, unknown, no), status, deadline."""
    good = 0 if a.eligible is True and a.status in ("open", "permanent") else 1
    elig = {True: 0, None: 1, False: 2}[a.eligible]
    return good, elig, STATUS_ORDER[a.status], a.call.closes.isoformat() if a.call.closes else "9999"


def assess(calls: Sequence[FundingCall], lists: EligibilityLists, applicant: Applicant, country: str,
           country_name: tuple[str, str], themes: Sequence[str], n_french: int, on: dt.date,
           labels: dict[str, tuple[str, str]]) -> list[Assessment]:
    """Every call for this project, eligible and open first. ``country_name`` is (French, English);
    ``labels`` maps theme codes to their (French, English) labels."""
    out = [assess_call(c, lists, applicant, country, country_name, themes, n_french, on, labels) for c in calls]
    return sorted(out, key=sort_key)
