"""CNCD staff pages of record: the decisions taken on suggested pairings (filters, CSV download for a
spreadsheet) and the journal (registrations, verifications, claims and decisions, with names and who
acted). Reads go through ``service.services.staff``; names are the catalogue's French ones on French pages.

The CSV opens right in the spreadsheet of the page's language: in French a UTF-8 BOM, ``;`` separators
(French Excel reads commas as decimal signs) and French headers and values; in English a plain
comma-separated file with English headers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, Response
from pydantic import AfterValidator

from matcher.store.audit import DECISION_STATUSES, ApiKey, Decision
from matcher.store.trust import AUDIT_ACTIONS
from service.schemas.trust import real_day
from service.services.staff import decisions, journal, names_of
from service.web.context import Page, PageDep

router = APIRouter()
#: The journal's action filter: what the audit trail records (``matcher.store.trust``, registrations by
#: ``service.services.authorities``), then the decisions.
JOURNAL_ACTIONS = (*AUDIT_ACTIONS, *(f"decision.{s}" for s in DECISION_STATUSES))
Day = Annotated[str, Query(pattern=r"^(\d{4}-\d{2}-\d{2})?$", max_length=10), AfterValidator(real_day)]
Authority = Annotated[str, Query(max_length=200)]
StatusQ = Annotated[str, Query(pattern=r"^(proposed|contacted|accepted|rejected)?$", max_length=20)]


def actor_label(page: Page, keys: dict[str, ApiKey], names: dict[str, str], actor: str) -> str:
    """Who acted, as staff read it: a staff key's label, "the authority X (its key)" for an owner key,
    "anonymous" for a request without a key; an unknown (deleted) key stays its id."""
    if actor == "anonymous":
        return page.t("staff.actor.anonymous")
    key = keys.get(actor)
    if key is None:
        return actor
    if key.role == "owner" and key.authority_id:
        return page.t("staff.actor.owner", name=names.get(key.authority_id, key.authority_id))
    return key.label or key.id


def _when(at: str) -> str:
    return at[:16].replace("T", " ")


def _context(page: Page, ids: Iterable[str]) -> tuple[dict[str, ApiKey], dict[str, str]]:
    keys = {k.id: k for k in page.store.list_keys()}
    owners = [k.authority_id for k in keys.values() if k.authority_id]
    return keys, names_of(page.store, [*ids, *owners], page.lang)


@router.get("/equipe/journal", response_class=HTMLResponse)
def staff_journal(page: PageDep, authority_id: Authority = "", action: Annotated[str, Query(max_length=40)] = "",
                  since: Day = "", until: Day = "") -> Response:
    page.require_staff()
    entries = journal(page.store, authority=authority_id, action=action, since=since, until=until)
    keys, names = _context(page, [s for e in entries for s in e.subjects])
    return page.render("audit.html", entries=entries, names=names, actions=JOURNAL_ACTIONS, when=_when,
                       actor=lambda a: actor_label(page, keys, names, a),
                       form={"authority_id": authority_id, "action": action, "since": since, "until": until})


def _filtered(page: Page, status: str, authority: str, since: str, until: str) -> list[Decision]:
    page.require_staff()
    return decisions(page.store, status=status or None, authority=authority, since=since, until=until)


@router.get("/equipe/decisions", response_class=HTMLResponse)
def staff_decisions(page: PageDep, status: StatusQ = "", authority: Authority = "", since: Day = "",
                    until: Day = "") -> Response:
    found = _filtered(page, status, authority, since, until)
    keys, names = _context(page, [x for d in found for x in (d.french_id, d.partner_id)])
    countries = {p.id: p.country for p in page.store.get_many({d.partner_id for d in found})}
    form = {"status": status, "authority": authority, "since": since, "until": until}
    return page.render("decisions.html", decisions=found, names=names, countries=countries, when=_when,
                       statuses=DECISION_STATUSES, actor=lambda a: actor_label(page, keys, names, a), form=form,
                       query=urlencode({k: v for k, v in form.items() if v}))


@router.get("/equipe/decisions.csv")
def staff_decisions_csv(page: PageDep, status: StatusQ = "", authority: Authority = "", since: Day = "",
                        until: Day = "") -> Response:
    found = _filtered(page, status, authority, since, until)
    keys, names = _context(page, [x for d in found for x in (d.french_id, d.partner_id)])
    countries = {p.id: p.country for p in page.store.get_many({d.partner_id for d in found})}
    t = page.t
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";" if page.lang == "fr" else ",", lineterminator="\r\n")
    writer.writerow([t("staff.date"), t("staff.status"), t("staff.french_side"), t("staff.id"), t("staff.partner"),
                     t("staff.partner_id"), t("staff.partner_country_name"), t("staff.note"), t("staff.by")])
    for d in found:
        writer.writerow([_when(d.created_at), t(f"staff.{d.status}"), names.get(d.french_id, d.french_id),
                         d.french_id, names.get(d.partner_id, d.partner_id), d.partner_id,
                         page.country_name(countries.get(d.partner_id, "")), d.note,
                         actor_label(page, keys, names, d.actor)])
    body = ("\ufeff" if page.lang == "fr" else "") + out.getvalue()
    name = "decisions-cncd.csv" if page.lang == "fr" else "cncd-decisions.csv"
    return page.finish(Response(body.encode("utf-8"), media_type="text/csv; charset=utf-8",
                                headers={"Content-Disposition": f'attachment; filename="{name}"'}))
