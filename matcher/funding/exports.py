"""The funding answer as a table: CSV for machines (CLI, API) or for people (the web app: BOM, ``;`` and
decimal commas in French, headers and values in the page's language), through ``events.spreadsheet``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from matcher.events.spreadsheet import MACHINE, for_people, write_csv
from matcher.funding.rules import Assessment

COLUMNS = ("id", "programme", "funder", "status", "eligible", "decided_by", "cofinancing_rate", "amount_max_eur",
           "opens", "closes", "edition", "missing", "source_url")
HEADERS = {
    "fr": {"id": "identifiant", "programme": "programme", "funder": "financeur", "status": "statut",
           "eligible": "éligible", "decided_by": "règle décisive", "cofinancing_rate": "taux de cofinancement",
           "amount_max_eur": "montant maximal (€)", "opens": "ouverture", "closes": "clôture", "edition": "édition",
           "missing": "ce qui manque", "source_url": "source"},
    "en": {"id": "id", "programme": "programme", "funder": "funder", "status": "status", "eligible": "eligible",
           "decided_by": "deciding rule", "cofinancing_rate": "co-financing rate", "amount_max_eur": "maximum amount (EUR)",
           "opens": "opens", "closes": "closes", "edition": "edition", "missing": "missing", "source_url": "source"},
}
STATUS = {"fr": {"open": "ouvert", "upcoming": "à venir", "closed": "clos", "permanent": "permanent",
                 "unknown": "dates non précisées"},
          "en": {"open": "open", "upcoming": "upcoming", "closed": "closed", "permanent": "permanent",
                 "unknown": "dates not stated"}}


def rows(items: Sequence[Assessment], lang: str) -> list[list[Any]]:
    out = []
    for a in items:
        c = a.call
        out.append([c.id, c.programme, c.funder, a.status, a.eligible, a.decided_by, a.cofinancing_rate,
                    c.amount_max_eur, c.opens.isoformat() if c.opens else None,
                    c.closes.isoformat() if c.closes else None, c.edition,
                    "; ".join(m.text_fr if lang == "fr" else m.text_en for m in a.missing), c.source_url])
    return out


def funding_csv(items: Sequence[Assessment], lang: str = "en", *, people: bool = False) -> bytes:
    if not people:
        return write_csv(COLUMNS, rows(items, lang), MACHINE, digits={"cofinancing_rate": 2})

    def label(column: str, v: Any) -> Any:
        if column == "status":
            return STATUS[lang][v]
        if column == "eligible" and v is None:
            return "inconnu" if lang == "fr" else "unknown"
        return v

    style = for_people(lang, HEADERS[lang], label)
    return write_csv(COLUMNS, rows(items, lang), style, digits={"cofinancing_rate": 2})
