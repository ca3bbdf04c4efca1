"""A fair's participants answer through their own links, the organiser sets the timing and locks meetings
(TestClient over the tiny world): the answers shape the plan, a wrong link is a 404, an option error is
said in the form in the page's language."""

from __future__ import annotations

import html
import re

import icalendar
from support.api import Api
from support.web import check_html, csrf, post_fair, sign_in_with_key

#: Eauville (fr) and three partners; Ndiaye is Eauville's best match (water ↔ sanitation, a real case).
FILE = ("identifiant;nom;pays;groupe\neau;Eauville;France;france\nndi;Ndiaye;Sénégal;partenaire\n"
        "kan;Kankan-Test;Guinée;partenaire\ncid;Cidade;Brésil;partenaire\n").encode()


def _grid(text: str) -> list[tuple[int, list[str]]]:
    """(round, [name A, name B]) per meeting of a fair page."""
    out = []
    for r, body in re.findall(r"<caption>Tour (\d+)[^<]*</caption>.*?<tbody>(.*?)</tbody>", text, re.DOTALL):
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.DOTALL):
            cells = re.findall(r"<td>([^<]*)</td>", row)
            out.append((int(r), sorted(html.unescape(c) for c in cells[1:3])))
    return out


def _link(text: str, pid: str) -> str:
    m = re.search(rf'data-id="{pid}">.*?class="wish-link"[^>]*value="([^"]+)"', text, re.DOTALL)
    assert m, pid
    return html.unescape(m.group(1)).split("://", 1)[1].split("/", 1)[1]


def test_wishes_through_a_link_shape_the_plan(api: Api) -> None:
    _, organiser = api.store.create_key("organiser", None, "Salon de Rennes")
    sign_in_with_key(api, organiser)
    r = post_fair(api, FILE, "salon.csv", name="Salon 2026")
    event = re.search(r"/rencontres/(ev-\w+)/planning", r.text).group(1)  # type: ignore[attr-defined, union-attr]
    one = api.client.post(f"/rencontres/{event}/options", data={"csrf": csrf(api), "rounds": "1"},
                          follow_redirects=True)
    assert ["Eauville", "Ndiaye"] in [m for _, m in _grid(one.text)]  # without wishes: the best pair
    assert "pas encore répondu" in one.text
    link = "/" + _link(one.text, "eau")
    assert "/souhaits/" in link and organiser not in link

    api.client.cookies.clear()  # the participant: no sign-in
    wishes = api.client.get(link + "&lang=fr")
    assert wishes.status_code == 200
    check_html(wishes.text, "fr")
    assert "Eauville" in wishes.text and wishes.text.count("<tr data-id=") == 3  # the other side only
    rows = re.findall(r'<tr data-id="(\w+)">', wishes.text)
    form = {"csrf": csrf(api), f"w{rows.index('cid')}": "like", f"w{rows.index('ndi')}": "no"}
    saved = api.client.post(link, data=form)
    assert saved.status_code == 200 and "vos souhaits sont enregistrés" in saved.text
    assert re.search(r'value="like" id="w\d-like" checked', saved.text)
    # A link for another participant, or a forged token, opens nothing.
    assert api.client.get(link.replace("p=eau", "p=ndi")).status_code == 404
    assert api.client.get(re.sub(r"souhaits/[0-9a-f]+", "souhaits/" + "0" * 32, link)).status_code == 404

    sign_in_with_key(api, organiser)
    page = api.client.get(f"/rencontres/{event}").text
    assert re.search(r'data-id="eau">.*?a répondu le \d{4}-\d{2}-\d{2}', page, re.DOTALL)
    grid = _grid(page)
    assert ["Cidade", "Eauville"] in [m for _, m in grid]  # would like: met
    assert ["Eauville", "Ndiaye"] not in [m for _, m in grid]  # no thanks: never
    # Three rounds: still never Ndiaye.
    three = api.client.post(f"/rencontres/{event}/options", data={
        "csrf": csrf(api), "rounds": "3", "start": "2026-12-01T09:00", "slot_minutes": "30", "break_minutes": "10",
        "pause_after": "1", "pause_minutes": "60"}, follow_redirects=True)
    assert "Tour 2 · 10:40–11:10" in three.text
    assert all(m != ["Eauville", "Ndiaye"] for _, m in _grid(three.text))
    ics = re.search(r'data-id="eau">.*?href="(/rencontres/[^"]+\.ics[^"]*)"', three.text, re.DOTALL)
    assert ics
    cal = icalendar.Calendar.from_ical(api.client.get(html.unescape(ics.group(1)) + "&lang=fr").content)
    summaries = sorted(str(e["SUMMARY"]) for e in cal.walk("VEVENT"))
    assert summaries == ["Rendez-vous avec Cidade", "Rendez-vous avec Kankan-Test"]
    by_name = {str(e["SUMMARY"]): e for e in cal.walk("VEVENT")}
    cid = str(by_name["Rendez-vous avec Cidade"]["DESCRIPTION"])
    assert cid.startswith("Tour 1, table 1.\nPourquoi cette rencontre :\n- ") and "Brésil" in cid
    kan = by_name["Rendez-vous avec Kankan-Test"]
    assert kan.decoded("DTSTART").strftime("%H:%M") == "10:40"  # 09:00 + 30 min + 10 min break + 60 min pause


def test_a_locked_meeting_stays_when_the_rest_is_planned_again(api: Api) -> None:
    _, organiser = api.store.create_key("organiser", None, "Forum")
    sign_in_with_key(api, organiser)
    r = post_fair(api, FILE, "forum.csv")
    event = re.search(r"/rencontres/(ev-\w+)/planning", r.text).group(1)  # type: ignore[attr-defined, union-attr]
    page = api.client.post(f"/rencontres/{event}/options", data={"csrf": csrf(api), "rounds": "3"},
                           follow_redirects=True).text
    kan = next((rnd, m) for rnd, m in _grid(page) if "Kankan-Test" in m)
    box = re.search(rf'name="lock" value="({kan[0]}-\d+)"[^>]*aria-label="Garder le rendez-vous [^"]*Kankan-Test', page)
    assert box
    after = api.client.post(f"/rencontres/{event}/verrous", data={"csrf": csrf(api), "lock": box.group(1)},
                            follow_redirects=True).text
    assert re.search(rf'<tr class="locked"><td>{box.group(1).split("-")[1]}</td>[^\n]*Kankan-Test', after)
    assert f'value="{box.group(1)}" checked' in after
    # Four rounds now: the locked meeting keeps its round and table.
    four = api.client.post(f"/rencontres/{event}/options", data={"csrf": csrf(api), "rounds": "4"},
                           follow_redirects=True).text
    assert f'value="{box.group(1)}" checked' in four
    assert (kan[0], kan[1]) in _grid(four)


def test_a_bad_timing_is_said_in_the_form(api: Api) -> None:
    _, organiser = api.store.create_key("organiser", None, "Forum")
    sign_in_with_key(api, organiser)
    event = re.search(r"/rencontres/(ev-\w+)/planning", post_fair(api, FILE, "f.csv").text).group(1)  # type: ignore[attr-defined, union-attr]
    r = api.client.post(f"/rencontres/{event}/options?lang=fr", data={
        "csrf": csrf(api), "rounds": "3", "slot_minutes": "vingt"})
    assert r.status_code == 422
    check_html(r.text, "fr")
    assert "La durée d&#39;un rendez-vous doit être un nombre entier de minutes, de 1 à 600." in r.text
    assert 'value="vingt"' in r.text  # the value kept
    r = api.client.post(f"/rencontres/{event}/options?lang=en", data={"csrf": csrf(api), "rounds": "2",
                                                                      "pause_after": "2"})
    assert r.status_code == 422 and "The longer pause must come after a round that is not the last." in r.text


def test_a_lock_that_can_no_longer_hold_is_said(api: Api) -> None:
    _, organiser = api.store.create_key("organiser", None, "Forum")
    sign_in_with_key(api, organiser)
    event = re.search(r"/rencontres/(ev-\w+)/planning", post_fair(api, FILE, "f.csv").text).group(1)  # type: ignore[attr-defined, union-attr]
    lock = {"round": 3, "table": 2, "participant_a": "kan", "participant_b": "eau"}
    put = api.client.put(f"/events/{event}/options", json={"rounds": 3, "locks": [lock]},
                         headers={"Authorization": f"Bearer {organiser}"})
    assert put.status_code == 200, put.text
    page = api.client.get(f"/rencontres/{event}", params={"lang": "fr"}).text
    assert 'id="released"' not in page and '<tr class="locked"><td>2</td><td>Eauville</td><td>Kankan-Test</td>' in page
    two = api.client.post(f"/rencontres/{event}/options", data={"csrf": csrf(api), "rounds": "2"},
                          follow_redirects=True).text
    assert "Ces rendez-vous gardés ne pouvaient plus tenir" in two
    assert "<li>Kankan-Test – Eauville (Tour 3, table 2)</li>" in two  # as the organiser named it
