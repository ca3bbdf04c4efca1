"""The facts about one (query, candidate) pair that the reason sentences state, and their constants.

``ReasonContext`` is what ``matcher.ranking.scoring`` gathers for a pair (names, distance, populations, shared
languages, themes, link counts, who reads the reasons); ``Sentence`` is the type of a sentence over it.
``AUDIENCES``, ``MENTIONS`` and ``TEXT_DIRECTIONS`` are the values its fields may take, and
``COMPARABLE_FACTOR`` the size ratio within which two populations are called comparable.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

#: Two populations are "comparable" within this factor (beyond it, a sentence gives the ratio).
COMPARABLE_FACTOR = 1.5


AUDIENCES = ("query", "staff")
#: Mention values (``ReasonContext.mention``): whose text names the other side.
MENTIONS = ("query_names_candidate", "candidate_names_query", "both")
TEXT_DIRECTIONS = ("need", "offer")
#: A direction of the texts "matches" (``ReasonContext.text_directions``) when its standardised
#: similarity (dense + lexical z, ``features.NEED_Z`` / ``OFFER_Z``) is at least this far above the usual
#: pair's: "dans les deux sens" only when both are.
DIRECTION_MATCH_Z = 1.0


@dataclass(frozen=True)
class ReasonContext:
    """Facts about one (query, candidate) pair that make sentences concrete.

    A sentence that needs a fact the context does not have (``None``, ``""``, ``()``) gives no reason:
    it never prints 0 or a placeholder."""

    candidate_name: str
    country_name_fr: str
    country_name_en: str
    distance_km: float | None  # None (or NaN) where a side has no coordinates
    q_population: int | None
    c_population: int | None
    nearby_partner_count: int  # known partners of c within NEARBY_KM of the query (leave-one-out)
    nearby_km: float
    c_degree: int
    shared_languages: tuple[str, ...]  # language codes ("fr", "wo")
    need_themes: tuple[tuple[str, str], ...]  # (fr label, en label) of q's needs c's expertise covers
    offer_themes: tuple[tuple[str, str], ...]  # of c's needs q's expertise covers
    admin1_name: str
    country_links_nearby: int = 0  # links from the query's country ending within ``country_links_km`` of c
    country_links_km: float = 60.0
    #: The query's ``matcher.domain.Kind`` value ("commune", "region", ...); "" unknown -> "votre territoire".
    q_kind: str = ""
    #: "query": the query authority reads the reasons (second person); "staff": CNCD staff look at the
    #: pair (third person, naming ``q_name``).
    audience: str = "query"
    q_name: str = ""  # the query authority's name (said in the staff view)
    #: The French names where a source gives one that differs ("Bruxelles" for "Brussels"): French sentences
    #: say them, English ones the catalogue name.
    candidate_name_fr: str = ""
    q_name_fr: str = ""
    c_kind: str = ""  # the candidate's Kind value: French names take their article ("du département du Gard")
    q_country_fr: str = ""  # the query's country, French name or ISO code: the staff view says "la France"
    q_country_en: str = ""  # ... English name or ISO code
    #: Which way the text features point: "need" (c's expertise answers q's needs), "offer" (q's
    #: expertise answers c's needs), or both.
    text_directions: tuple[str, ...] = ()
    shared_terms: tuple[str, ...] = ()  # words the needs and expertise texts share (text_lex), best first
    #: The candidate's expertise and needs texts when public pages gave them (not the authority): the years
    #: the pages state, 0 for a page without one; () for a text the authority wrote (or none).
    c_page_years: tuple[tuple[int, ...], tuple[int, ...]] = ((), ())
    mention: str = ""  # one of MENTIONS, or "" (names_mentioned)
    #: The theme → geography prior (``theme_geo``): the query theme whose known cooperation cases most
    #: often went to the candidate's place, as (fr label, en label); of ``geo_total`` cases on it,
    #: ``geo_here`` went there; ``geo_place`` says where: "country" (its country) or "admin1" (its région).
    geo_theme: tuple[str, str] | tuple[()] = ()
    geo_here: int = 0
    geo_total: int = 0
    geo_place: str = ""
    #: French's standing in the candidate's country by its own law (``Country.french_status``): "official",
    #: "working", "recognised", "widespread" or "" (the ``francophone`` sentence says which).
    french_status: str = ""
    q_country_code: str = ""  # ISO codes: a query abroad reads its link history differently (below)
    c_country_code: str = ""
    #: The partnership types both sides state they seek (``Profile.partnership_types``), in the form's order.
    shared_types: tuple[str, ...] = ()
    #: The size band (``domain.SizeBand`` value) the candidate's population is in, when the query states it
    #: seeks partners of that size (``Profile.preferred_sizes``); "" otherwise, or when the population is unknown.
    size_band: str = ""
    #: The query's area as the link history reads it (``matcher.ranking.history.source_weights`` > 0: the query's
    #: région or département, "region"/"department", or "" when it has neither, and within
    #: ``QUERY_RADIUS_KM``): its known partnerships, those with the candidate's country, and the distinct
    #: partners they have there.
    area_scope: str = ""
    area_links: int = 0
    area_links_in_country: int = 0
    area_partners_in_country: int = 0
    #: Known partnerships between the query's country and the candidate's (a query abroad: with France).
    country_pair_links: int = 0

    @property
    def q_abroad(self) -> bool:
        """The query is not in France: the link data holds only partnerships with France, so its shares
        towards France are always 100 % and towards other countries always 0: neither is said."""
        return bool(self.q_country_code) and self.q_country_code != "FR"

    @property
    def c_in_france(self) -> bool:
        return self.c_country_code == "FR"

    def __post_init__(self) -> None:
        if self.audience not in AUDIENCES:
            raise ValueError(f"ReasonContext.audience must be one of {AUDIENCES}, not {self.audience!r}")


#: A sentence: (the feature's human-scale value, the pair's context) -> (French, English), or None when
#: it has nothing true to say for the pair.
Sentence = Callable[[float, ReasonContext], "tuple[str, str] | None"]
