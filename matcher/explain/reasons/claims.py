"""What each reason sentence claims, as data: the fact it states and the figures it gives.

``facts(code, value, low, ctx)`` mirrors the sentence tables: ``("fact", <name>)`` first (two reasons
with the same fact name state the same fact, and ``matcher.explain.contributions`` says it once: the four size
features are one fact, the candidate's population relative to the query's), then the figures the text
states, taken from the same ``ReasonContext``. ``Reason.facts`` carries them, so a checker (the reason
audit in the tests) verifies each claim against the catalogue and the links, and checks that the text's
numbers are these.
"""

from __future__ import annotations

from matcher.explain.reasons.context import ReasonContext

Fact = tuple[tuple[str, "str | float | int | bool"], ...]

#: The size features state one fact: the candidate's population, relative to the query's or to the size the
#: query seeks (``size_preferred``).
SIZE_FEATURES = frozenset({"pop_ratio", "size", "size_gap", "size_far", "size_preferred"})
#: The text-similarity features state one fact too: the needs and expertise texts match (by meaning, by
#: wording, by the rare words and names both use); said once, with the words both use.
TEXT_MATCH_FEATURES = frozenset({"text_dense", "text_lex", "words_shared", "names_shared"})


def fact_name(code: str, c: ReasonContext) -> str:
    """The fact a feature's sentence states (the same name: the same fact, said once per match)."""
    if code in SIZE_FEATURES:
        return "size"
    if code in TEXT_MATCH_FEATURES:
        return "text_match"
    if code in ("region_named", "country_named"):
        return "place_named"  # where the query's text says its partners are: once, the region saying the country
    if code == "direct":
        return "direct_count" if c.nearby_partner_count else "direct_area"
    if code == "country":
        return "area_french_partners" if c.q_abroad else "area_country_links"
    if code == "country_global" and c.q_abroad:
        return "country_pair_links"
    return code


def facts(code: str, value: float, low: bool, c: ReasonContext) -> Fact:
    """The claim of the sentence ``code`` says for this pair (``low``: its low-side form)."""
    name = fact_name(code, c)
    head: Fact = (("fact", name), ("low", low))
    if name == "size":
        return (*head, ("c_population", int(c.c_population or 0)), ("q_population", int(c.q_population or 0)),
                ("band", c.size_band))
    if name == "log_distance":
        return (*head, ("km", float(c.distance_km or 0.0)))
    if name == "francophone":
        return (*head, ("country", c.c_country_code), ("status", c.french_status))
    if name == "shared_language":
        return (*head, ("languages", ",".join(c.shared_languages)))
    if name == "types_shared":
        return (*head, ("types", ",".join(c.shared_types)))
    if name in ("same_continent", "priority_zone", "preferred", "development_country"):
        return (*head, ("country", c.c_country_code))
    if name == "direct_count":
        return (*head, ("n", c.nearby_partner_count), ("km", c.nearby_km))
    if name == "direct_area":
        return (*head, ("scope", c.area_scope))
    if name in ("near", "admin1"):
        return (*head, ("scope", c.area_scope), ("admin1", c.admin1_name))
    if name == "area_country_links":
        return (*head, ("scope", c.area_scope), ("n", c.area_links_in_country), ("total", c.area_links),
                ("country", c.c_country_code))
    if name == "area_french_partners":
        return (*head, ("scope", c.area_scope), ("n", c.area_partners_in_country))
    if name == "country_pair_links":
        return (*head, ("n", c.country_pair_links), ("country", c.c_country_code))
    if name in ("country_global", "admin1_global"):
        return (*head, ("share", float(value)), ("country", c.c_country_code), ("admin1", c.admin1_name))
    if name == "near_global":
        return (*head, ("n", c.country_links_nearby), ("km", c.country_links_km))
    if name == "degree":
        return (*head, ("n", c.c_degree))
    if name == "level_compat":
        return (*head, ("lift", float(value)))
    if name == "place_named":
        return (*head, ("named", code.removesuffix("_named")), ("country", c.c_country_code), ("admin1", c.admin1_name))
    if name == "theme_geo":  # of ``total`` known cases on the theme, ``n`` went to the candidate's place
        return (*head, ("theme", c.geo_theme[1] if c.geo_theme else ""), ("n", c.geo_here), ("total", c.geo_total),
                ("place", c.geo_place), ("country", c.c_country_code), ("admin1", c.admin1_name))
    return head  # the text features: what they claim is the texts' match, not a catalogue figure
