"""The sentences of the text and theme features: what the needs and expertise texts have in common.

``text_dense`` (their meanings match) and ``text_lex`` (they share words) in the directions the context
gives (``ReasonContext.text_directions``), ``names_mentioned`` (one side's text names the other),
``theme_need`` and ``theme_offer`` (the themes one side's expertise covers of the other's needs),
``desc_sem`` (similar descriptions), and ``region_named`` / ``country_named`` (the query's text names where
the candidate is); ``SENTENCES`` maps each feature code to its sentence.
"""

from __future__ import annotations

from matcher.explain.quantities import integer, number, percent
from matcher.explain.reasons.context import MENTIONS, TEXT_DIRECTIONS, ReasonContext, Sentence
from matcher.explain.reasons.phrasing import (
    YOUR_FR,
    c_en,
    c_fr,
    kind,
    labels,
    q_en,
    q_fr,
    staff,
    your_en,
    your_fr,
    zero,
)
from matcher.explain.wording import cap, en_country, fr_in_country


def _theme_geo(v: float, c: ReasonContext) -> tuple[str, str] | None:
    """The theme → geography prior lifts the candidate: say, with exact counts, how many of the known
    cooperation cases on the query's theme went to its country (or came from its région)."""
    if not c.geo_theme or c.geo_here <= 0 or c.geo_total <= 0 or v <= 0:
        return None
    fr_t, en_t = c.geo_theme
    here_fr, here_en = integer(c.geo_here, "fr"), integer(c.geo_here, "en")
    if c.geo_total == 1:
        share_fr, share_en = "le seul cas connu", "the one known case"
    else:
        share_fr = f"{here_fr} des {integer(c.geo_total, 'fr')} cas connus"
        share_en = f"{here_en} of the {integer(c.geo_total, 'en')} known cases"
    one = c.geo_here == 1 or c.geo_total == 1
    head_fr = f"Coopération décentralisée sur le thème « {fr_t} »"
    head_en = f"Decentralised cooperation on {en_t.lower()}"
    if c.geo_place == "country":
        if not c.country_name_fr.strip():
            return None
        where_en = en_country(c.country_name_en or c.country_name_fr)
        return (f"{head_fr} : {share_fr} {'va' if one else 'vont'} {fr_in_country(c.country_name_fr)}",
                f"{head_en}: {share_en} {'goes' if one else 'go'} to {where_en}")
    if c.geo_place == "admin1" and c.admin1_name:
        verb_fr = "a" if one else "ont"
        return (f"{head_fr} : {share_fr} {verb_fr} un partenaire français dans la région {c.admin1_name}",
                f"{head_en}: {share_en} {'has' if one else 'have'} a French partner in the {c.admin1_name} region")
    return None


def _desc_sem(v: float, c: ReasonContext) -> tuple[str, str] | None:
    return (f"Profils proches (similarité des descriptions {number(v, 'fr', 2)})",
            f"Similar profiles (description similarity {number(v, 'en', 2)})")


def _theme_need(v: float, c: ReasonContext) -> tuple[str, str] | None:
    """v: the share of q's need themes c's expertise covers."""
    if not c.need_themes and zero(v):
        return None
    for_staff = staff(c)
    if for_staff:
        who_fr, who_en = f"L'expertise {c_fr(c).de} couvre", f"The expertise of {c_en(c)} covers"
        needs_fr, needs_en = f"les besoins {q_fr(c).de}", f"the needs of {q_en(c)}"
    else:
        who_fr, who_en, needs_fr, needs_en = "Son expertise couvre", "Their expertise covers", "vos besoins", \
            "your needs"
    if c.need_themes:
        return (f"{who_fr} {needs_fr} : {labels(c.need_themes, 0)}",
                f"{who_en} {needs_en}: {labels(c.need_themes, 1)}")
    de_needs = f"des besoins {q_fr(c).de}" if for_staff else "de vos besoins"
    of_needs = f"of the need themes of {q_en(c)}" if for_staff else "of your need themes"
    return (f"{who_fr} {percent(v, 'fr')} des thèmes {de_needs}", f"{who_en} {percent(v, 'en')} {of_needs}")


def _theme_offer(v: float, c: ReasonContext) -> tuple[str, str] | None:
    """v: the share of q's expertise themes c needs."""
    if not c.offer_themes and zero(v):
        return None
    if c.offer_themes:
        fr_l, en_l = labels(c.offer_themes, 0), labels(c.offer_themes, 1)
        if staff(c):
            return (f"L'expertise {q_fr(c).de} couvre les besoins {c_fr(c).de} : {fr_l}",
                    f"The expertise of {q_en(c)} covers the needs of {c_en(c)}: {en_l}")
        return f"Votre expertise couvre ses besoins : {fr_l}", f"Your expertise covers their needs: {en_l}"
    if staff(c):
        return (f"Les besoins {c_fr(c).de} portent sur {percent(v, 'fr')} des domaines d'expertise {q_fr(c).de}",
                f"The needs of {c_en(c)} cover {percent(v, 'en')} of the areas of expertise of {q_en(c)}")
    return (f"Ses besoins portent sur {percent(v, 'fr')} de vos domaines d'expertise",
            f"Their needs cover {percent(v, 'en')} of your areas of expertise")


def _directions(c: ReasonContext) -> str:
    """"need", "offer", "both" or "" from ``text_directions``."""
    d = set(c.text_directions) & set(TEXT_DIRECTIONS)
    return "both" if len(d) == 2 else next(iter(d), "")


#: The reasons that say the texts match (one fact: ``claims.TEXT_MATCH_FEATURES``, said once): the one said
#: quotes the words both texts use and says where the candidate's text comes from when public pages gave it
#: (``with_text_details``).
TEXT_REASONS = ("text_dense", "text_lex", "words_shared", "names_shared")


def page_note(c: ReasonContext) -> tuple[str, str] | None:
    """Where the candidate's side of a text match comes from when public pages about its cooperation gave
    it, not the authority: "d'après une page publique sur sa coopération engagée en 1978" (the year the
    page gives for the cooperation's start, ``TextSource.year``). Its expertise answers the query's needs,
    its needs the query's expertise (``text_directions``); None when the authority wrote it (or no
    direction matched)."""
    exp, need = c.c_page_years
    pages = {"need": exp, "offer": need, "both": exp + need}.get(_directions(c), ())
    if not pages:
        return None
    years = sorted({y for y in pages if y})
    one = len(pages) == 1
    if staff(c):  # staff read a pair: "sa" could be either side, so the candidate is named
        fr = (f"d'après une page publique sur la coopération {c_fr(c).de}" if one
              else f"d'après des pages publiques sur les coopérations {c_fr(c).de}")
        en = (f"according to a public page on the partnership of {c_en(c)}" if one
              else f"according to public pages on the partnerships of {c_en(c)}")
    else:
        fr = "d'après une page publique sur sa coopération" if one else "d'après des pages publiques sur ses coopérations"
        en = "according to a public page on its partnership" if one else "according to public pages on its partnerships"
    if not years:
        return fr, en
    head = ", ".join(map(str, years[:-1]))
    fr_years = f"{head} et {years[-1]}" if head else str(years[-1])
    en_years = f"{head} and {years[-1]}" if head else str(years[-1])
    return (f"{fr} {'engagée' if one else 'engagées'} en {fr_years}",
            f"{en} begun in {en_years}")


def _terms(c: ReasonContext) -> list[str]:
    """The shared words a text reason quotes, at most three."""
    return [t.strip() for t in c.shared_terms if t.strip()][:3]


def with_text_details(code: str, fr: str, en: str, c: ReasonContext) -> tuple[str, str]:
    """The text reason with the words both texts use (``text_lex`` quotes them itself) and its page note:
    "Votre expertise répond à ses besoins (termes communs : potable, eau ; d'après une page publique…)"."""
    terms = _terms(c)
    if code == "text_dense" and terms:
        fr, en = with_page_note(fr, en, (f"termes communs : {', '.join(terms)}", f"shared terms: {', '.join(terms)}"))
    note = page_note(c)
    return with_page_note(fr, en, note) if note is not None else (fr, en)


def with_page_note(fr: str, en: str, note: tuple[str, str]) -> tuple[str, str]:
    """The sentence with its note in brackets, inside the brackets it already ends with if any."""
    if fr.endswith(")") and en.endswith(")"):
        return f"{fr[:-1]} ; {note[0]})", f"{en[:-1]}; {note[1]})"
    return f"{fr} ({note[0]})", f"{en} ({note[1]})"


def _text_dense(v: float, c: ReasonContext) -> tuple[str, str] | None:
    """Semantic match between needs and expertise, in the directions the context gives (none: no reason)."""
    d = _directions(c)
    if not d:
        return None
    return _dense_sentence(c, d)


def _dense_sentence(c: ReasonContext, d: str) -> tuple[str, str]:
    if staff(c):
        q, cand, qe, ce = q_fr(c), c_fr(c), q_en(c), c_en(c)
        if d == "both":
            return (f"Besoins et expertises {q.de} et {cand.de} se répondent dans les deux sens",
                    f"The needs and expertise of {qe} and {ce} match both ways")
        if d == "need":
            return (f"L'expertise {cand.de} répond aux besoins {q.de}", f"The expertise of {ce} answers the needs of {qe}")
        return (f"L'expertise {q.de} répond aux besoins {cand.de}", f"The expertise of {qe} answers the needs of {ce}")
    return {
        "both": ("Besoins et expertises se répondent dans les deux sens", "Needs and expertise match both ways"),
        "need": ("Vos besoins rejoignent son expertise", "Your needs match their expertise"),
        "offer": ("Votre expertise répond à ses besoins", "Your expertise answers their needs"),
    }[d]


def _text_lex(v: float, c: ReasonContext) -> tuple[str, str] | None:
    """Shared wording between needs and expertise (the character n-gram feature), said with up to 3 words
    both texts use (``ReasonContext.shared_terms``). With no whole word shared (texts that share word
    fragments only), "the same terms" would be false: they are "worded alike"."""
    d = _directions(c)
    if not d:
        return None
    terms = _terms(c)
    if not terms:
        return _worded_alike(c, d)
    sfx = f" ({', '.join(terms)})"
    if staff(c):
        q, cand, qe, ce = q_fr(c), c_fr(c), q_en(c), c_en(c)
        if d == "both":
            fr = f"Besoins et expertises {q.de} et {cand.de} emploient des termes communs dans les deux sens"
            en = f"The needs and expertise of {qe} and {ce} share terms both ways"
        elif d == "need":
            fr = f"Les besoins {q.de} et l'expertise {cand.de} emploient des termes communs"
            en = f"The needs of {qe} and the expertise of {ce} use some of the same terms"
        else:
            fr = f"L'expertise {q.de} et les besoins {cand.de} emploient des termes communs"
            en = f"The expertise of {qe} and the needs of {ce} use some of the same terms"
    else:
        fr, en = {
            "both": ("Besoins et expertises emploient des termes communs dans les deux sens",
                     "Needs and expertise share terms both ways"),
            "need": ("Vos besoins et son expertise emploient des termes communs",
                     "Your needs and their expertise use some of the same terms"),
            "offer": ("Votre expertise et ses besoins emploient des termes communs",
                      "Your expertise and their needs use some of the same terms"),
        }[d]
    return fr + sfx, en + sfx


def _worded_alike(c: ReasonContext, d: str) -> tuple[str, str]:
    if staff(c):
        q, cand, qe, ce = q_fr(c), c_fr(c), q_en(c), c_en(c)
        mine_fr, theirs_fr, mine_en, theirs_en = {
            "both": (f"Besoins et expertises {q.de}", f"ceux {cand.de}", f"The needs and expertise of {qe}",
                     f"those of {ce}"),
            "need": (f"Les besoins {q.de}", f"l'expertise {cand.de}", f"The needs of {qe}", f"the expertise of {ce}"),
            "offer": (f"L'expertise {q.de}", f"les besoins {cand.de}", f"The expertise of {qe}", f"the needs of {ce}"),
        }[d]
        return f"{mine_fr} et {theirs_fr} sont rédigés de façon proche", f"{mine_en} and {theirs_en} are worded alike"
    return {
        "both": ("Besoins et expertises sont rédigés de façon proche dans les deux sens",
                 "Needs and expertise are worded alike both ways"),
        "need": ("Vos besoins et son expertise sont rédigés de façon proche",
                 "Your needs and their expertise are worded alike"),
        "offer": ("Votre expertise et ses besoins sont rédigés de façon proche",
                  "Your expertise and their needs are worded alike"),
    }[d]


def _names_mentioned(v: float, c: ReasonContext) -> tuple[str, str] | None:
    """One side's text names the other authority (``mention``); "" gives no reason. The candidate is
    named with its country, so the reader sees which place the text was read to mention."""
    if c.mention not in MENTIONS or not c.candidate_name.strip():
        return None
    cand, ce = c_fr(c), c_en(c)
    where_fr = f" ({c.country_name_fr})" if c.country_name_fr.strip() else ""
    where_en = f" ({c.country_name_en})" if c.country_name_en.strip() else ""
    if staff(c):
        q, qe = q_fr(c), q_en(c)
        return {
            "query_names_candidate": (f"Le texte {q.de} mentionne {cand.subject}{where_fr}",
                                      f"The text of {qe} mentions {ce}{where_en}"),
            "candidate_names_query": (f"Le texte {cand.de}{where_fr} mentionne {q.subject}",
                                      f"The text of {ce}{where_en} mentions {qe}"),
            "both": (f"{cap(q.subject)} et {cand.subject}{where_fr} se mentionnent mutuellement dans leurs textes",
                     f"{cap(qe)} and {ce}{where_en} mention each other in their texts"),
        }[c.mention]
    known = kind(c.q_kind) in YOUR_FR
    you_fr = f"mentionne {your_fr(c)}" if known else "vous mentionne"
    you_en = f"mentions {your_en(c)}" if known else "mentions you"
    return {
        "query_names_candidate": (f"Votre texte mentionne {cand.subject}{where_fr}",
                                  f"Your text mentions {ce}{where_en}"),
        "candidate_names_query": (f"Le texte {cand.de}{where_fr} {you_fr}", f"The text of {ce}{where_en} {you_en}"),
        "both": (f"Votre texte mentionne {cand.subject}{where_fr} et le sien {you_fr}",
                 f"Your text mentions {ce}{where_en} and theirs {you_en}"),
    }[c.mention]


def _place_named(where_fr: str, where_en: str, c: ReasonContext) -> tuple[str, str] | None:
    """"<where>, que votre texte nomme": the query's text names the candidate's region or country. Not said of
    a candidate the text names itself (its mention says it, with its country)."""
    if c.mention in ("query_names_candidate", "both") or not where_fr:
        return None
    if staff(c):
        return f"{where_fr}, que nomme le texte {q_fr(c).de}", f"{where_en}, which the text of {q_en(c)} names"
    return f"{where_fr}, que votre texte nomme", f"{where_en}, which your text names"


def _region_named(v: float, c: ReasonContext) -> tuple[str, str] | None:
    if v <= 0 or not c.admin1_name.strip():
        return None
    country_fr = f" ({c.country_name_fr})" if c.country_name_fr.strip() else ""
    country_en = f" ({c.country_name_en})" if c.country_name_en.strip() else ""
    return _place_named(f"Dans la région {c.admin1_name}{country_fr}",
                        f"In the {c.admin1_name} region{country_en}", c)


def _country_named(v: float, c: ReasonContext) -> tuple[str, str] | None:
    if v <= 0 or not c.country_name_fr.strip():
        return None
    return _place_named(cap(fr_in_country(c.country_name_fr)),
                        f"In {en_country(c.country_name_en or c.country_name_fr)}", c)


SENTENCES: dict[str, Sentence] = {
    "desc_sem": _desc_sem, "theme_need": _theme_need, "theme_offer": _theme_offer,
    "text_dense": _text_dense, "text_lex": _text_lex, "names_mentioned": _names_mentioned,
    # The rare words and names both texts use: the shared-terms sentence, which quotes them.
    "words_shared": _text_lex, "names_shared": _text_lex,
    "theme_geo": _theme_geo, "region_named": _region_named, "country_named": _country_named,
}
