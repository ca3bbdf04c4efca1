"""The reason audit: on the real catalogue and the shipped ranker, 500+ real pairs from the top lists of
French and foreign queries under every filter, each reason checked against the facts by a checker that
shares no code with the sentences: populations and ratios from the store, distances by its own
haversine, French's status from ``data/french_language.csv`` read here, shares and counts from the links
with plain loops. Each ``Reason`` carries its claim (``Reason.facts``); the checker verifies the claim
and that the French and English texts state these figures. 0 false, 0 repeated.

Slow (the real catalogue, ~1 min on 2 cores); the texts are encoded by the hashing fake (the catalogue
has no texts, so no text reason is audited here: ``test_explain`` covers those sentences).
"""

from __future__ import annotations

import csv
import json
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass

import pytest

from matcher.domain import SIZE_BOUNDS, Facet, Filters, Match, Profile
from matcher.explain.quantities import band_label
from matcher.geo import EARTH_RADIUS_KM
from matcher.paths import DATA_DIR, MODELS_DIR

pytestmark = [pytest.mark.slow]

R_KM = EARTH_RADIUS_KM  # the one radius; the distance itself is recomputed here independently
MEDITERRANEAN = {"ES", "IT", "MT", "GR", "CY", "TR", "SY", "LB", "IL", "PS", "EG", "LY", "TN", "DZ", "MA", "MC",
                 "SI", "HR", "BA", "ME", "AL", "GI"}
FRENCH_FILTERS = [Filters(), Filters(continents=("AF",)), Filters(continents=("AF",), francophone_only=True),
                  Filters(countries=("DE",)), Filters(continents=("EU",)), Filters(francophone_only=True)]
FOREIGN_FILTERS = [Filters(), Filters(countries=("FR",))]
FOREIGN_COUNTRIES = ("SN", "DE", "MA", "DZ", "IT", "GB", "CA", "BF", "TN", "PL", "LB")
FRENCH_SIZES = (250, 900, 2_777, 5_000, 12_000, 30_000, 75_000, 150_000, 400_000)
#: A commune's text that says where it wants partners (``region_named``, ``country_named``).
REGION_TEXT = "Nous gérons notre eau potable en régie et cherchons une commune de la région de Kayes, au Mali."


def dac_list() -> set[str]:
    """The countries known to be on the DAC list, read from the reference files by hand: the least developed
    countries and the low and middle income ones of ``oda.csv``."""
    out: set[str] = set()
    for name in ("ldc.csv", "oda.csv"):
        with open(DATA_DIR / "funding" / name, encoding="utf-8") as f:
            out |= {row["iso2"] for row in csv.DictReader(f)}
    return out


def haversine(a: tuple[float, float], b: tuple[float, float]) -> float:
    (la1, lo1), (la2, lo2) = a, b
    p1, p2, dl = math.radians(la1), math.radians(la2), math.radians(lo2 - lo1)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * R_KM * math.asin(min(1.0, math.sqrt(h)))


@dataclass(frozen=True)
class Place:
    country: str
    admin1: str
    admin2: str
    coord: tuple[float, float] | None
    population: int | None
    languages: tuple[str, ...]


class Facts:
    """The catalogue and the links as plain Python: what every sentence is checked against."""

    def __init__(self, store) -> None:
        self.countries = json.loads((DATA_DIR / "countries.json").read_text(encoding="utf-8"))
        with (DATA_DIR / "french_language.csv").open(encoding="utf-8") as fh:
            self.french = {r["code"]: r["status"] for r in csv.DictReader(fh)}
        self.places: dict[str, Place] = {}
        self.profiles: list[Profile] = []
        for p in store.all_profiles():
            langs = p.languages or tuple(self.countries.get(p.country, {}).get("languages", ())[:3])
            self.places[p.id] = Place(p.country, p.admin1_code, p.admin2_code,
                                      (p.lat, p.lon) if p.lat is not None and p.lon is not None else None,
                                      p.population, tuple(langs))
            self.profiles.append(p)
        self.links = [(x.a, x.b) for x in store.links() if x.a in self.places and x.b in self.places and x.a != x.b]
        # Cooperation cases (French end, foreign end) and what each side wrote, for the theme → geography prior.
        self.cooperation = [(x.a, x.b) if self.places[x.a].country == "FR" else (x.b, x.a) for x in store.links()
                            if x.kind == "cooperation" and x.a in self.places and x.b in self.places]
        self.texts = {p.id: (p.expertise, p.needs) for p in self.profiles if p.has_text}
        self.names = {p.id: (p.name, p.name_fr) for p in self.profiles}
        self.admin1_names = {(p.country, p.admin1_code): p.admin1_name for p in self.profiles if p.admin1_code}
        self.partners: dict[str, list[str]] = defaultdict(list)
        for a, b in self.links:
            self.partners[a].append(b)
            self.partners[b].append(a)

    def km(self, a: str, b: str) -> float | None:
        pa, pb = self.places[a].coord, self.places[b].coord
        return None if pa is None or pb is None else haversine(pa, pb)

    def in_area(self, q: str, x: str) -> bool:
        """x is in q's area: same région (admin-1) or département, or within 50 km."""
        pq, px = self.places[q], self.places[x]
        if pq.admin1 and px.country == pq.country and px.admin1 == pq.admin1:
            return True
        if pq.admin2 and px.country == pq.country and px.admin2 == pq.admin2:
            return True
        d = self.km(q, x)
        return d is not None and d <= 50.0

    def same_admin1(self, x: str, c: str) -> bool:
        px, pc = self.places[x], self.places[c]
        return bool(pc.admin1) and px.country == pc.country and px.admin1 == pc.admin1

    def link_ends(self, pred_near) -> list[str]:
        """The far end of every link whose near end satisfies ``pred_near`` (both orientations)."""
        out = []
        for a, b in self.links:
            if pred_near(a):
                out.append(b)
            if pred_near(b):
                out.append(a)
        return out


# ---- reading the texts ---------------------------------------------------------------------------
def en_number(s: str) -> float:
    return float(s.replace(",", ""))


def fr_number(s: str) -> float:
    return float(s.replace("\u202f", "").replace("\u00a0", "").replace(" ", "").replace(",", "."))


def en_ints(text: str) -> list[int]:
    return [int(en_number(m)) for m in re.findall(r"\d[\d,]*", text)]


def en_percent(text: str) -> tuple[str, float]:
    m = re.search(r"(less than |more than )?([\d.,]+)%", text)
    assert m, text
    return (m.group(1) or "").strip(), en_number(m.group(2))


def check_share(text: str, share: float, digits: int) -> bool:
    bound, shown = en_percent(text)
    p = 100 * share
    if bound == "less than":
        return 0 < p < shown
    if bound == "more than":
        return shown < p < 100
    return abs(shown - p) <= 0.5 * 10 ** -digits + 1e-9 or (p < 10 ** -digits and abs(shown - p) < 10 ** -digits)


class Checker:
    def __init__(self, facts: Facts) -> None:
        self.f = facts
        self.problems: list[str] = []
        self.counts: Counter[str] = Counter()

    def fail(self, q: Profile, m: Match, r, why: str) -> None:
        self.problems.append(f"{q.name} ({q.id}) -> {m.name} ({m.id}) [{r.code}] {r.text_fr!r}: {why}")

    def match(self, q: Profile, m: Match, filters: Filters) -> None:
        seen: Counter[str] = Counter()
        for r in m.reasons:
            self.counts["reasons"] += 1
            claim = dict(r.facts)
            fact = str(claim.get("fact", ""))
            seen[fact] += 1
            if claim.get("band"):
                self.counts["size_sought:said"] += 1
            ok, why = self.reason(q, m.id, r, claim)
            self.counts[f"{fact}:{'ok' if ok else 'false'}"] += 1
            if not ok:
                self.counts["false"] += 1
                self.fail(q, m, r, why)
        # Repeated: the same fact twice, or two sentences stating a population or a distance.
        pop_said = sum(bool(re.search(r"\binhabitants\b|\bPopulation\b", r.text_en)) for r in m.reasons)
        km_said = sum(" km from " in r.text_en or r.text_en.endswith(" away") for r in m.reasons)
        for label, n in [*((f, n) for f, n in seen.items()), ("population", pop_said), ("distance", km_said)]:
            if n > 1:
                self.counts["repeated"] += 1
                self.problems.append(f"{q.id} -> {m.id}: {label} stated {n} times: {[r.text_fr for r in m.reasons]}")

    def reason(self, q: Profile, c: str, r, claim: dict) -> tuple[bool, str]:
        f, en, fr, fact = self.f, r.text_en, r.text_fr, claim.get("fact")
        pq, pc = f.places[q.id], f.places[c]
        if re.match(r"Population\b", fr) or "100\u00a0%" in fr and pq.country != "FR":
            return False, "a bare figure or a share that is always 100 %"
        if fact == "size" and claim.get("band"):  # the size the query seeks (``size_preferred``)
            cp, band = pc.population, str(claim["band"])
            low, high = SIZE_BOUNDS.get(band, (0, 0))
            inside = bool(cp) and cp >= low and (high is None or cp < high)
            shown = re.search(r"of ([\d,.]+)( million)? inhabitants: the size", en)
            exact = bool(shown) and (en_number(shown.group(1)) == cp or bool(shown.group(2)))
            return (inside and band in q.preferred_sizes and claim["c_population"] == cp and exact
                    and band_label(band, "fr") in fr and band_label(band, "en") in en,
                    f"{cp} inhabitants said in {band} for a query seeking {q.preferred_sizes}")
        if fact == "size":
            qp, cp = pq.population, pc.population
            if not qp or not cp or claim["q_population"] != qp or claim["c_population"] != cp:
                return False, f"populations {claim} vs store {qp}, {cp}"
            m = re.search(r"of ([\d,.]+)( million)? inhabitants", en)
            mf = re.search(r"de ([\d\u202f,]+)( millions?)? d?'?habitants", fr)
            if not m or not mf:
                return False, "no population in the text"
            shown = en_number(m.group(1)) * (1e6 if m.group(2) else 1)
            shown_fr = fr_number(mf.group(1)) * (1e6 if mf.group(2) else 1)
            if abs(shown - cp) > 0.05 * cp or shown != shown_fr:
                return False, f"population shown {shown} / {shown_fr} for {cp}"
            ratio = max(cp, qp) / min(cp, qp)
            if "comparable" in en:
                return (ratio <= 1.5 and "taille comparable" in fr), f"comparable at x{ratio:.2f}"
            t = re.search(r"about ([\d.,]+) times (as many as|fewer than)", en)
            if not t or ratio <= 1.5:
                return False, f"ratio x{ratio:.2f} not said right"
            x = en_number(t.group(1))
            close = abs(x - ratio) <= (0.05 if ratio < 3 else 0.5) + 1e-9 or (ratio >= 10 and abs(x - ratio) <= 0.05 * ratio)
            direction = (t.group(2) == "as many as") == (cp > qp) and ("plus" in fr) == (cp > qp)
            return close and direction, f"x{x} for a ratio of {ratio:.3f} ({cp} vs {qp})"
        if fact == "log_distance":
            d = f.km(q.id, c)
            if d is None:
                return False, "no coordinates"
            if en.startswith("Less than 1 km"):
                return d < 1, f"{d:.1f} km"
            shown = en_ints(en)[0]
            return abs(shown - d) <= 0.5 + 1e-6 * d, f"{shown} km shown, {d:.2f} km computed"
        if fact == "francophone":
            status = f.french.get(pc.country, "")
            said = ("official" if "langue officielle" in fr else "working" if "langue de travail" in fr else
                    "recognised" if "Constitution" in fr else "widespread" if "largement parlé" in fr else "?")
            en_said = ("official" if "official language" in en else "working" if "working language" in en else
                       "recognised" if "constitution" in en else "widespread" if "widely spoken" in en else "?")
            return said == en_said == status, f"says {said}/{en_said}, the law says {status!r} for {pc.country}"
        if fact == "shared_language":
            langs = [x for x in str(claim["languages"]).split(",") if x]
            common = set(pq.languages) & set(pc.languages)
            return bool(langs) and set(langs) <= common, f"{langs} vs {sorted(common)}"
        if fact == "same_continent":
            cq, cc = f.countries[pq.country]["continent"], f.countries[pc.country]["continent"]
            return cq == cc, f"{cq} vs {cc}"
        if fact == "preferred":
            cont = f.countries[pc.country]["continent"]
            return pc.country in q.preferred_countries or cont in q.preferred_regions, "not among the preferences"
        if fact == "types_shared":
            claimed = set(str(claim["types"]).split(","))
            return bool(claimed) and claimed <= set(q.partnership_types) & set(pc.partnership_types), str(claimed)
        if fact == "development_country":
            return ("development_cooperation" in q.partnership_types and pc.country in dac_list(),
                    f"{pc.country} for types {q.partnership_types}")
        if fact == "priority_zone":
            cc = pc.country
            zone = (f.countries[cc]["continent"] == "AF" or cc in MEDITERRANEAN or f.french.get(cc)
                    or cc in {"HT", "MG", "KM", "MU", "SC", "VU", "CA"} or f.countries[cc]["continent"] in ("NA", "SA", "OC"))
            return pq.country == "FR" and cc != "FR" and bool(zone), f"{cc} for a query in {pq.country}"
        if fact == "direct_count":
            n = sum(1 for b in f.partners[c] if b != q.id and (d := f.km(q.id, b)) is not None and d <= 40.0)
            return claim["n"] == n == en_ints(en)[0], f"{claim['n']} claimed, {n} partners within 40 km"
        if fact == "direct_area":
            n = sum(1 for b in f.partners[c] if f.in_area(q.id, b))
            return n > 0 and self.scope_ok(q, en), f"{n} partners of the candidate in the query's area"
        if fact == "near":
            n = 0
            for b in f.link_ends(lambda a: f.in_area(q.id, a)):
                if b != c and (d := f.km(b, c)) is not None and d <= 60.0:
                    n += 1
            return n > 0, "no link from the area ends near the candidate"
        if fact == "admin1":
            n = sum(1 for b in f.link_ends(lambda a: f.in_area(q.id, a)) if f.same_admin1(b, c))
            if "no partner" in en:
                return n == 0, f"{n} partners there"
            return n > 0, f"{n} partners in the candidate's region"
        if fact == "area_country_links":
            ends = f.link_ends(lambda a: f.in_area(q.id, a))
            n = sum(1 for b in ends if f.places[b].country == pc.country)
            nums = en_ints(en)
            ok = claim["n"] == n and claim["total"] == len(ends)
            if en.startswith("The only"):
                return ok and len(ends) == 1 and (n == 1) == (" is in " in en), f"{n}/{len(ends)}"
            if en.startswith("None of"):
                return ok and n == 0 and nums[0] == len(ends), f"{n}/{len(ends)}"
            return ok and nums[:2] == [n, len(ends)] and self.scope_ok(q, en), f"{claim} vs {n}/{len(ends)}"
        if fact == "area_french_partners":
            n = len({b for b in f.link_ends(lambda a: f.in_area(q.id, a)) if f.places[b].country == "FR"})
            return claim["n"] == n == en_ints(en)[0] and pc.country == "FR", f"{claim['n']} vs {n}"
        if fact == "country_pair_links":
            n = sum(1 for a, b in f.links if {f.places[a].country, f.places[b].country} == {pq.country, "FR"})
            return claim["n"] == n == en_ints(en)[0] and pc.country == "FR", f"{claim['n']} vs {n}"
        if fact in ("country_global", "admin1_global"):
            ends = f.link_ends(lambda a: f.places[a].country == pq.country)
            if fact == "country_global":
                n = sum(1 for b in ends if f.places[b].country == pc.country)
            else:
                n = sum(1 for b in ends if f.same_admin1(b, c))
            share = n / len(ends) if ends else 0.0
            if "none of" in en:
                return n == 0, f"{n} links"
            return check_share(en, share, 0 if fact == "country_global" else 1), f"{en_percent(en)} vs {share:.4%}"
        if fact == "near_global":
            n = sum(1 for b in f.link_ends(lambda a: f.places[a].country == pq.country)
                    if b != c and (d := f.km(b, c)) is not None and d <= 60.0)
            shown = en_ints(en.replace("60 km", ""))
            return claim["n"] == n and (n == 0 or n in shown), f"{claim['n']} claimed, {n} counted"
        if fact == "degree":
            n = len(f.partners[c])
            if n == 0:
                return en.startswith("No known partnership"), "zero"
            return claim["n"] == n == en_ints(en)[0], f"{claim['n']} claimed, {n} links"
        if fact == "level_compat":
            return float(claim["lift"]) > 0.1, "levels that partner less than chance"
        if fact == "theme_geo":
            return self.theme_geo(q, c, claim, en)
        if fact == "place_named":
            return self.place_named(q, c, claim, fr)
        if fact in ("text_match", "theme_need", "theme_offer", "names_mentioned", "desc_sem"):
            return self.texts_claim(q, c, fact, fr)
        return False, f"unknown fact {fact!r}"

    def theme_geo(self, q: Profile, c: str, claim: dict, en: str) -> tuple[bool, str]:
        """Of the cooperation cases whose French end's expertise (a foreign query: whose partner's needs) is on
        the claimed theme, how many went to the candidate's country (came from its région), by a plain loop."""
        from matcher.themes import get_theme, tag_text, theme_codes

        f = self.f
        code = next((t for t in theme_codes() if get_theme(t).label("en") == claim["theme"]), None)
        if code is None:
            return False, f"unknown theme {claim['theme']!r}"
        q_facets = (q.expertise, q.needs)
        if code not in {t for facet in q_facets for t in (*facet.themes, *tag_text(facet.text))}:
            return False, "the query's texts are not on that theme"
        total = here = 0
        for fr_id, fo_id in f.cooperation:  # every known case (a stored query's own included, as the prior)
            side = fr_id if q.country == "FR" else fo_id
            facet = f.texts.get(side, (None, None))[0 if q.country == "FR" else 1]
            if facet is None or code not in {*facet.themes, *tag_text(facet.text)}:
                continue
            total += 1
            if q.country == "FR":
                here += f.places[fo_id].country == f.places[c].country
            else:
                here += f.same_admin1(fr_id, c)
        shown = en_ints(en)
        ok = claim["n"] == here and claim["total"] == total and here in shown and (total == 1 or total in shown)
        return ok, f"{claim['n']}/{claim['total']} claimed, {here}/{total} counted"

    def place_named(self, q: Profile, c: str, claim: dict, fr: str) -> tuple[bool, str]:
        """The query's text names the candidate's admin-1 region (said by its name) or its country (a name of
        it in one of the lexicon's languages); the candidate is there; the text does not name it itself."""
        from matcher.ranking.names import country_phrases
        from matcher.themes import fold

        pc = self.f.places[c]
        text = f" {' '.join(fold(x.text) for x in (q.expertise, q.needs))} "
        if claim["country"] != pc.country or any(n and f" {fold(n)} " in text for n in self.f.names[c]):
            return False, f"country {claim['country']} vs {pc.country}, or the candidate itself is named"
        if claim["named"] == "region":
            region = str(claim["admin1"])
            ok = bool(region) and self.f.admin1_names.get((pc.country, pc.admin1)) == region
            return ok and f" {fold(region)} " in text and region in fr, f"region {region!r} of {c}"
        said = {code for phrase, codes in country_phrases().items() if f" {phrase} " in text for code in codes}
        return pc.country in said and pc.country != q.country, f"countries said {sorted(said)}"

    def texts_claim(self, q: Profile, c: str, fact: str, fr: str) -> tuple[bool, str]:
        """What a text sentence can be checked for without the model: both sides wrote what it compares; the
        themes it lists are on both sides' facets it names; a name it says is mentioned is in that text."""
        from matcher.themes import fold, get_theme, tag_text

        q_exp, q_need = q.expertise, q.needs
        c_exp, c_need = self.f.texts.get(c, (None, None))

        def themes(facet) -> set[str]:
            return set() if facet is None else {*facet.themes, *tag_text(facet.text)}

        if fact == "text_match":
            offer = bool(q_exp.text.strip()) and c_need is not None and bool(c_need.text.strip())
            need = bool(q_need.text.strip()) and c_exp is not None and bool(c_exp.text.strip())
            said_offer, said_need = "votre expertise" in fr.lower(), "vos besoins" in fr.lower()
            ok = (not said_offer or offer) and (not said_need or need) and (offer or need)
            # The words it quotes are in the query's text and the candidate's it compares; a page year it
            # gives is one the candidate's page sources state.
            detail = fr.split(" (", 1)[1] if " (" in fr else ""
            quoted = detail.split(";")[0].removeprefix("termes communs : ").rstrip(")") \
                if detail and not detail.startswith("d'après") else ""
            mine = " ".join(x.text for x, used in ((q_exp, offer), (q_need, need)) if used)
            theirs = " ".join(x.text for x, used in ((c_need, offer), (c_exp, need)) if used and x is not None)
            for w in (x.strip() for x in quoted.split(",") if x.strip()):
                ok &= fold(w) in fold(mine) and fold(w) in fold(theirs)
            years = {s.year for x in (c_exp, c_need) if x is not None for s in x.sources}
            ok &= all(int(y) in years for y in re.findall(r"engagées? en ([\d et,]+)", fr) for y in
                      re.findall(r"\d{4}", y))
            ok &= ("page publique" in fr) <= bool(years or any(x is not None and x.sources for x in (c_exp, c_need)))
            return ok, f"offer {offer}, need {need}, quoted {quoted!r}, page years {sorted(years, key=str)}"
        if fact in ("theme_need", "theme_offer"):
            mine, theirs = (q_need, c_exp) if fact == "theme_need" else (q_exp, c_need)
            shared = themes(mine) & themes(theirs)
            listed = fr.split(" : ", 1)[1] if " : " in fr else ""
            labels = {get_theme(t).label("fr") for t in shared}
            ok = bool(listed) and all(x.strip() in labels for x in listed.split(","))
            return ok, f"listed {listed!r}, shared {sorted(labels)}"
        if fact == "names_mentioned":
            names = [fold(n) for n in self.f.names.get(c, ("", "")) if n]
            text = fold(" ".join(x.text for x in (q_exp, q_need)) + " " + q.description)
            other = fold(" ".join(x.text for x in (c_exp, c_need) if x is not None))
            return any(n in text for n in names) or fold(q.name) in other, "a name in the other's text"
        return bool(q.description.strip()), "descriptions"

    @staticmethod
    def scope_ok(q: Profile, en: str) -> bool:
        return ("your region" in en) == bool(q.admin1_code) or "your département" in en


@pytest.fixture(scope="module")
def audit(tmp_path_factory):
    from matcher.encoding import HashingEncoder
    from matcher.ranking.loading import load_matcher
    from matcher.store.sqlite import SQLiteStore

    db = tmp_path_factory.mktemp("db") / "twinmatch.db"
    store = SQLiteStore.open(db, DATA_DIR)
    m, _ = load_matcher(store, encoder=HashingEncoder(), ranker_path=MODELS_DIR / "ranker.joblib")
    facts = Facts(store)
    yield m, facts
    store.close()


def queries(facts: Facts) -> list[tuple[Profile, list[Filters]]]:
    """French communes of every size, a département and a région; the largest town of some foreign
    countries (French-speaking or not)."""
    communes = sorted((p for p in facts.profiles if p.country == "FR" and p.kind.value == "commune" and p.population),
                      key=lambda p: p.id)
    out: list[tuple[Profile, list[Filters]]] = []
    for size in FRENCH_SIZES:
        p = min(communes, key=lambda p: (abs((p.population or 0) - size), p.id))
        out.append((p, FRENCH_FILTERS))
    for kind in ("department", "region"):
        out.append((next(p for p in sorted(facts.profiles, key=lambda p: p.id)
                         if p.country == "FR" and p.kind.value == kind), FRENCH_FILTERS))
    # a commune and a département seeking development cooperation: the DAC-list sentence is checked too
    out += [(p.with_changes(partnership_types=("development_cooperation",)), f) for p, f in (out[0], out[-2])]
    # ... and two seeking a partner size: the sought-size sentence is checked too
    department = out[len(FRENCH_SIZES)]
    out += [(p.with_changes(preferred_sizes=sizes), f) for (p, f), sizes in
            ((out[1], ("small", "medium")), (department, ("very_large",)))]
    # ... and one whose text says where it wants partners: the region and country sentences are checked too
    out.append((out[1][0].with_changes(expertise=Facet((), REGION_TEXT)), [Filters()]))
    for cc in FOREIGN_COUNTRIES:
        town = max((p for p in facts.profiles if p.country == cc and p.kind.value == "municipality" and p.population),
                   key=lambda p: (p.population, p.id))
        out.append((town, FOREIGN_FILTERS))
    return out


def test_every_reason_of_500_real_pairs_is_true_and_said_once(audit):
    m, facts = audit
    checker = Checker(facts)
    pairs, lists = 0, 0
    for q, filter_list in queries(facts):
        for flt in filter_list:
            got = m.recommend(q, k=10, filters=flt)
            lists += 1
            scores = [x.score for x in got]
            assert scores == sorted(scores, reverse=True), (q.id, flt, scores)  # what orders a list is shown
            for match in got:
                pairs += 1
                checker.match(q, match, flt)
    by_fact = {k: v for k, v in sorted(checker.counts.items()) if ":" in k}
    print(f"\nreason audit: {lists} lists, {pairs} pairs, {checker.counts['reasons']} reasons, "
          f"{checker.counts['false']} false, {checker.counts['repeated']} repeated\n  {by_fact}")
    assert pairs >= 500
    assert checker.counts["development_country:ok"] > 0 and checker.counts["size_sought:said"] > 0, by_fact
    assert checker.counts["place_named:ok"] > 0, by_fact
    assert checker.counts["false"] == 0 and checker.counts["repeated"] == 0, "\n".join(checker.problems[:40])


def test_the_checker_catches_false_and_repeated_sentences(audit):
    """The audit can fail: a wrong population, a wrong distance, an overstated language status, a bare
    figure, and the size said twice are each caught."""
    from dataclasses import replace

    m, facts = audit
    q = next(p for p, _ in queries(facts) if p.country == "FR")
    match = next(x for x in m.recommend(q, k=10) if {dict(r.facts)["fact"] for r in x.reasons} & {"size", "log_distance"})
    size = next((r for r in match.reasons if dict(r.facts)["fact"] == "size"), None)
    dist = next((r for r in match.reasons if dict(r.facts)["fact"] == "log_distance"), None)
    wrong = []
    if size is not None:
        cp = dict(size.facts)["c_population"]
        wrong.append(replace(size, text_en=size.text_en.replace("inhabitants", "inhabitants", 1).replace(
            re.search(r"of ([\d,.]+)", size.text_en).group(1), f"{int(cp * 2):,}")))
        wrong.append(replace(size, text_fr="Population : 1 000 habitants"))
    if dist is not None:
        km = en_ints(dist.text_en)[0]
        wrong.append(replace(dist, text_en=dist.text_en.replace(f"{km:,}", f"{km + 40:,}", 1)))
    algeria = replace(match.reasons[0], text_fr="Le français est langue officielle en Algérie",
                      text_en="French is an official language in Algeria",
                      facts=(("fact", "francophone"), ("low", False), ("country", "DZ"), ("status", "official")))
    for r in wrong:
        checker = Checker(facts)
        checker.match(q, replace(match, reasons=(r,)), Filters())
        assert checker.counts["false"] == 1, r
    dz = next(p for p in facts.profiles if p.country == "DZ" and p.kind.value == "municipality")
    checker = Checker(facts)
    checker.match(q, replace(match, id=dz.id, reasons=(algeria,)), Filters())
    assert checker.counts["false"] == 1
    twice = Checker(facts)
    twice.match(q, replace(match, reasons=(*match.reasons, *match.reasons[:1])), Filters())
    assert twice.counts["repeated"] >= 1


def test_the_checker_catches_a_word_the_texts_do_not_share(audit):
    """A text reason quoting a word one side never wrote, or a page year its sources do not state, is false."""
    from dataclasses import replace

    m, facts = audit
    found = None
    for q, _ in queries(facts):
        for x in m.recommend(q, k=10):
            r = next((r for r in x.reasons if dict(r.facts)["fact"] == "text_match"), None)
            if r is not None:
                found = (q, x, r)
                break
        if found:
            break
    assert found is not None, "the audit's queries give text reasons"
    q, match, r = found
    head = r.text_fr.split(" (", 1)[0]
    for bad in (f"{head} (termes communs : zygomorphe)", (f"{head} (d'après une page publique sur sa coopération "
                                                          "engagée en 1066)")):
        checker = Checker(facts)
        checker.match(q, replace(match, reasons=(replace(r, text_fr=bad),)), Filters())
        assert checker.counts["false"] == 1, bad


def test_the_checker_catches_a_size_the_query_did_not_seek_or_the_candidate_is_not(audit):
    """A sought-size reason is false when the query did not tick that band, or the population is outside it."""
    from dataclasses import replace

    m, facts = audit
    q = next(p for p, _ in queries(facts) if p.preferred_sizes)
    found = next((x, r) for x in m.recommend(q, k=10) for r in x.reasons if dict(r.facts).get("band"))
    match, reason = found
    band = str(dict(reason.facts)["band"])
    other = next(b for b in SIZE_BOUNDS if b != band)
    ok = Checker(facts)
    ok.match(q, replace(match, reasons=(reason,)), Filters())
    assert ok.counts["false"] == 0, ok.problems
    for wrong_q, wrong_r in [
        (q.with_changes(preferred_sizes=(other,)), reason),  # the query did not seek that band
        (q.with_changes(preferred_sizes=(other,)), replace(reason, facts=tuple(
            (k, other if k == "band" else v) for k, v in reason.facts))),  # the population is not in that one
    ]:
        checker = Checker(facts)
        checker.match(wrong_q, replace(match, reasons=(wrong_r,)), Filters())
        assert checker.counts["false"] == 1, wrong_r
