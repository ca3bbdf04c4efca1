"""Known partnerships: the two twinning lists resolved to catalogue ids, deduplicated, with a report.

Inputs (read-only, see ``SOURCE.md`` next to them):
- ``wikidata_p190_france_origin_2017.tsv`` — French origin commune -> partner (Wikidata P190, 2017);
- ``wikipedia_twin_cities_geocoded.csv`` — pairs from the English Wikipedia lists, either side French.

The lists are read by ``twinning_lists``; both sides of every pair go through one ``Resolver``. A link is kept when both sides resolve:
``Link(a=<French id>, b=<partner id>)`` for France–foreign pairs. France–France pairs (a French town
twinned with another, often an overseas one) are kept too, ordered ``a < b``: they are real
partnerships and feed the collaborative history; international matching drops same-country candidates
on its own, so they do no harm there. Consumers tell them apart by both ids starting with ``FR-``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tqdm import tqdm

from matcher.catalogue.files import LINK_REPORT_FILE, LINKS_FILE, Country, write_json, write_links
from matcher.catalogue.normalize import FRENCH_OVERSEAS, normalize_name
from matcher.catalogue.resolve import (
    AMBIGUOUS,
    FOR_KIND,
    LOCAL_FIRST,
    RESOLVED,
    UNRESOLVED,
    Resolution,
    Resolver,
)
from matcher.catalogue.twinning_lists import (
    WIKIDATA_FILE,
    WIKIPEDIA_FILE,
    Place,
    RawPair,
    read_wikidata,
    read_wikipedia,
)
from matcher.domain import Level, Link, Profile

DATA_CARD_PLACEHOLDER = "<!-- links section: filled by links build -->"
_CARD_BEGIN = "<!-- links section: begin (filled by links build) -->"
_CARD_END = "<!-- links section: end -->"


class _Side:
    """Status and reason counts for one side of the pairs of a source."""

    def __init__(self) -> None:
        self.status: Counter[str] = Counter()
        self.reasons: Counter[str] = Counter()

    def add(self, res: Resolution) -> None:
        self.status[res.status] += 1
        self.reasons[f"{res.status}:{res.reason}"] += 1

    def to_dict(self) -> dict[str, Any]:
        return {
            RESOLVED: self.status[RESOLVED], AMBIGUOUS: self.status[AMBIGUOUS],
            UNRESOLVED: self.status[UNRESOLVED],
            "reasons": dict(self.reasons.most_common()),
        }


def _share(num: int, den: int) -> float:
    return round(num / den, 4) if den else 0.0


def build_links(
    authorities: list[Profile],
    countries: Mapping[str, Country],
    twinning_dir: Path,
    progress: bool = True,
    *,
    resolver: Resolver | None = None,
) -> tuple[list[Link], dict[str, Any]]:
    """Resolve both twinning lists against the catalogue; return the deduplicated links and the report."""
    resolver = resolver or Resolver(authorities, countries)

    def is_french(text: str) -> bool:
        code = resolver.country(text)
        return code == "FR" or code in FRENCH_OVERSEAS

    wd_pairs, wd_notes = read_wikidata(Path(twinning_dir) / WIKIDATA_FILE, is_french)
    wp_pairs, wp_notes = read_wikipedia(Path(twinning_dir) / WIKIPEDIA_FILE, is_french)
    notes = {"wikidata": wd_notes, "wikipedia": wp_notes}

    cache: dict[tuple[Place, tuple[Level, ...]], Resolution] = {}

    def resolve(p: Place, order: tuple[Level, ...] = LOCAL_FIRST) -> Resolution:
        hit = cache.get((p, order))
        if hit is None:
            hit = cache[(p, order)] = resolver.resolve(p.name, p.country, p.lat, p.lon, level_order=order)
        return hit

    def partner_order(french: Resolution) -> tuple[Level, ...]:
        """The partner of a French région or département is looked for among foreign units first."""
        if not french.ok or french.id is None:
            return LOCAL_FIRST
        i = resolver.profile_index(french.id)
        return FOR_KIND.get(resolver.kinds[i], LOCAL_FIRST) if i is not None else LOCAL_FIRST

    # Group rows into distinct undirected pairs per source: Wikipedia lists many pairs from both sides.
    # The key is the normalised names and countries, so the two listings of one pair fall together.
    groups: dict[str, dict[tuple[Any, ...], list[tuple[Resolution, Resolution, RawPair]]]] = {
        "wikidata": {}, "wikipedia": {},
    }
    all_pairs = wd_pairs + wp_pairs
    bar = tqdm(all_pairs, desc="twinning rows", unit="row", disable=not progress)
    n_ok = 0
    for i, rp in enumerate(bar):
        rf = resolve(rp.french)
        rpn = resolve(rp.partner, partner_order(rf))
        n_ok += rf.ok and rpn.ok
        sides = sorted(((normalize_name(p.name), resolver.country(p.country)) for p in (rp.french, rp.partner)),
                       key=str)
        groups[rp.source].setdefault(tuple(sides), []).append((rf, rpn, rp))
        if progress and i % 250 == 0:
            bar.set_postfix(resolved_both=n_ok, places=len(cache))

    link_sources: dict[tuple[str, str], set[str]] = {}
    report: dict[str, Any] = {"sources": {}}
    overall_fr, overall_pa = _Side(), _Side()
    overall_pairs = overall_both = 0
    for source, file in (("wikidata", WIKIDATA_FILE), ("wikipedia", WIKIPEDIA_FILE)):
        fr_side, pa_side = _Side(), _Side()
        both = domestic = self_pairs = 0
        for occurrences in groups[source].values():
            # The listing that resolves best speaks for the pair (geocodes differ between the two listings).
            rf, rpn, rp = max(occurrences, key=lambda o: (o[0].ok + o[1].ok, o[0].ok))
            fr_side.add(rf)
            pa_side.add(rpn)
            overall_fr.add(rf)
            overall_pa.add(rpn)
            domestic += rp.domestic
            if not (rf.ok and rpn.ok):
                continue
            assert rf.id is not None and rpn.id is not None
            if rf.id == rpn.id:  # both names fell on one authority: not a partnership
                self_pairs += 1
                continue
            both += 1
            partner_french = rp.domestic or rpn.id.startswith("FR-")
            key = tuple(sorted((rf.id, rpn.id))) if partner_french else (rf.id, rpn.id)
            link_sources.setdefault((key[0], key[1]), set()).add(source)
        n_pairs = len(groups[source])
        overall_pairs += n_pairs
        overall_both += both
        report["sources"][source] = {
            "file": file,
            "rows_read": notes[source]["rows"],
            "rows_without_french_side": notes[source]["no_french_side"],
            "coarse_coordinates_dropped": notes[source]["coarse_coordinates_dropped"],
            "pairs": n_pairs,
            "pairs_france_france": domestic,
            "resolved_both": both,
            "share_resolved_both": _share(both, n_pairs),
            "same_authority_both_sides": self_pairs,
            "french_side": fr_side.to_dict(),
            "partner_side": pa_side.to_dict(),
        }

    links = [
        Link(a=a, b=b, kind="twinning", source="+".join(s for s in ("wikidata", "wikipedia") if s in srcs))
        for (a, b), srcs in sorted(link_sources.items())
    ]
    by_source = Counter(link.source for link in links)
    n_domestic = sum(1 for link in links if link.b.startswith("FR-"))
    report["overall"] = {
        "rows_read": sum(n["rows"] for n in notes.values()),
        "pairs": overall_pairs,  # sum over the two lists: a pair listed in both counts twice
        "resolved_both": overall_both,
        "share_resolved_both": _share(overall_both, overall_pairs),
        "links": len(links),
        "links_france_foreign": len(links) - n_domestic,
        "links_france_france": n_domestic,
        "links_by_source": dict(sorted(by_source.items())),
        "french_authorities": len({link.a for link in links}),
        "partner_authorities": len({link.b for link in links}),
        "partner_countries": len({resolver.country_of[j] for link in links
                                  if (j := resolver.profile_index(link.b)) is not None}),
        "french_side": overall_fr.to_dict(),
        "partner_side": overall_pa.to_dict(),
    }
    report["parameters"] = {
        "homonym_km": resolver.homonym_km, "far_km": resolver.far_km, "fuzzy_km": resolver.fuzzy_km,
        "fuzzy_min": resolver.fuzzy_min, "nearest_km": resolver.nearest_km,
        "complete_countries": sorted(resolver.complete_countries),
    }
    return links, report


def write_link_files(data_dir: Path, links: list[Link], report: dict[str, Any]) -> None:
    """``data/links.csv`` and ``data/link_report.json`` (atomic writes)."""
    write_links(data_dir / LINKS_FILE, links)
    write_json(data_dir / LINK_REPORT_FILE, report)


def data_card_section(report: dict[str, Any]) -> str:
    """The "Known partnerships" section of ``data/DATA_CARD.md``, with the measured figures."""
    o = report["overall"]
    coarse = sum(src["coarse_coordinates_dropped"] for src in report["sources"].values())
    lines = [
        "## Known partnerships (`links.csv`, `link_report.json`)",
        "",
        ("Twinnings from two public lists (see `SOURCE.md` of the twinning inputs): the Wikidata P190 query "
        "of French communes (2017 snapshot, github.com/rogorido/sistercities, CC0 values) and the English "
        "Wikipedia lists of twin towns, geocoded (github.com/Hekman/twincities, MIT; facts CC BY-SA 4.0, "
        "geocodes partly ODbL — attribution and share-alike apply). A random quarter of the French communes "
        "of both lists is held out for evaluation and is not in these files."),
        "",
        ("Each side is resolved to a catalogue id by `matcher.catalogue.resolve.Resolver`, within the "
         "country given by the list (free text mapped to ISO codes: `England` -> GB, `Réunion, France` -> "
         "the communes of La Réunion): exact normalised name or alternate name (accents, Saint/St/Sankt, "
         "hyphens, a qualifier in parentheses or after a comma, communes déléguées as alternate names of "
         "their commune nouvelle); homonyms separated by coordinates (nearest within "
         f"{report['parameters']['homonym_km']:g} km and clearly nearer than the next), a qualifier naming "
         "the département, the own name before an alternate one; then a close name within "
         f"{report['parameters']['fuzzy_km']:g} km (`Le Touquet` -> Le Touquet-Paris-Plage); then, in "
         "France only, the nearest commune within "
         f"{report['parameters']['nearest_km']:g} km when the name exists nowhere (communes merged since "
         "2017: `Trois-Monts` -> Montillières-sur-Orne)."),
        "",
        ("When the only commune of that name is far from the list's point, the name wins in France (every "
         "commune is in the catalogue, so the geocode is the error: `Vienne` placed in the Vienne département "
         "is Vienne, Isère); among far homonyms, one 10x larger than the others wins. Abroad only GeoNames "
         "towns of 1,000+ inhabitants (and seats) exist, so a far name match is kept only when the point lies in another "
         "country (`Vincennes, United States` geocoded in Paris); otherwise the partner, likely a village, "
         "stays unresolved rather than be snapped to a neighbouring town. Whole-degree coordinates "
         f"(country centroids, {coarse} places) are ignored. A district written `Town – District` or `District (Town)` resolves to the "
         "district or not at all, never to the town."),
        "",
        ("Rows: `a` is the French authority, `b` the partner; pairs are undirected and deduplicated within "
         "and across sources (`source` is `wikidata`, `wikipedia` or `wikidata+wikipedia`). France–France "
         "pairs (a town and another French town, often overseas) are kept too, as `twinning`, with `a < b` "
         "and both ids starting with `FR-`: they are real partnerships for the collaborative history, and "
         "international matching drops same-country candidates anyway."),
        "",
        "| | Wikidata | Wikipedia | overall |",
        "|---|---:|---:|---:|",
    ]
    wd, wp = report["sources"]["wikidata"], report["sources"]["wikipedia"]

    def row(label: str, f: Any) -> str:
        return f"| {label} | {f(wd)} | {f(wp)} | {f(o)} |"

    lines += [
        row("rows read (all countries)", lambda s: f"{s['rows_read']:,}"),
        row("distinct pairs involving France (overall: sum)", lambda s: f"{s['pairs']:,}"),
        row("pairs resolved on both sides", lambda s: f"{s['resolved_both']:,}"),
        row("share resolved on both sides", lambda s: f"{100 * s['share_resolved_both']:.1f} %"),
        row("French side resolved / ambiguous / unresolved",
            lambda s: "{resolved:,} / {ambiguous:,} / {unresolved:,}".format(**s["french_side"])),
        row("partner side resolved / ambiguous / unresolved",
            lambda s: "{resolved:,} / {ambiguous:,} / {unresolved:,}".format(**s["partner_side"])),
        "",
        f"Result: **{o['links']:,} links** ({o['links_france_foreign']:,} France–foreign, "
        f"{o['links_france_france']:,} France–France) between {o['french_authorities']:,} French authorities "
        f"and {o['partner_authorities']:,} partners in {o['partner_countries']} countries; by source: "
        + ", ".join(f"{k} {v:,}" for k, v in o["links_by_source"].items()) + ".",
        "",
        "Main reasons a side is not resolved (all pairs, both sources):",
        "",
    ]
    for side in ("french_side", "partner_side"):
        failing = {k: v for k, v in o[side]["reasons"].items() if not k.startswith(RESOLVED)}
        lines.append(f"- {side.replace('_', ' ')}: " + (", ".join(f"`{k}` {v:,}" for k, v in failing.items())
                                                       or "none"))
    lines += [
        "",
        ("Unresolved partners are mostly villages below the 1,000-inhabitant threshold of the foreign "
         "catalogue (`no_name_match`), or homonyms far from a wrong geocode. Known limits: a geocode that "
         "falls on a homonym links that homonym (the Wikipedia list places `Sceaux`, Hauts-de-Seine, in "
         "Yonne, where a merged commune has the alternate name Sceaux; `SOURCE.md` cites `Achères` placed "
         "in Cher); a country label that is wrong is trusted (`Brampton, England` geocoded in Ontario stays "
         "unresolved rather than become Brampton, Canada); the Wikidata list is a 2017 snapshot. Full "
         "figures and every reason: `link_report.json`."),
    ]
    return "\n".join(lines)


def fill_data_card(path: Path, report: dict[str, Any]) -> bool:
    """Put the section in place of the placeholder (or of a previous section). False if nothing to fill."""
    if not path.exists():
        return False
    text = path.read_text(encoding="utf-8")
    block = f"{_CARD_BEGIN}\n{data_card_section(report)}\n{_CARD_END}"
    if _CARD_BEGIN in text and _CARD_END in text:
        head, rest = text.split(_CARD_BEGIN, 1)
        text = head + block + rest.split(_CARD_END, 1)[1]
    elif DATA_CARD_PLACEHOLDER in text:
        text = text.replace(DATA_CARD_PLACEHOLDER, block, 1)
    else:
        return False
    from matcher.catalogue.files import atomic_write_bytes

    atomic_write_bytes(path, text.encode("utf-8"))
    return True


def main(data_dir: Path = Path("data"), twinning_dir: Path | None = None) -> None:
    """Standalone run: ``python -m matcher.catalogue.links [data_dir] [twinning_dir]``."""
    import json
    import time

    from matcher.catalogue.files import read_authorities, read_countries
    from matcher.catalogue.sources import DEFAULT_TWINNING_DIR

    t0 = time.perf_counter()
    authorities = list(read_authorities(data_dir / "authorities.csv.gz"))
    countries = read_countries(data_dir / "countries.json")
    t1 = time.perf_counter()
    resolver = Resolver(authorities, countries)
    print(f"read in {t1 - t0:.1f} s; resolver over {len(resolver):,} authorities in {time.perf_counter() - t1:.1f} s")
    links, report = build_links(authorities, countries, twinning_dir or DEFAULT_TWINNING_DIR, resolver=resolver)
    write_link_files(data_dir, links, report)
    filled = fill_data_card(data_dir / "DATA_CARD.md", report)
    print(json.dumps(report["overall"], indent=1, ensure_ascii=False))
    print(f"{len(links):,} links written; DATA_CARD section {'filled' if filled else 'not filled'}")


if __name__ == "__main__":
    import sys

    main(*(Path(a) for a in sys.argv[1:3]))
