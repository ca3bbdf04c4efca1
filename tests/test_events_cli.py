"""``twinmatch event rank|schedule`` through the real command group, on the tiny catalogue."""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from profiles_fixture import write_tiny_data
from support.rankers import synthetic_ranker

from matcher.cli import cli, event_cmds, main
from matcher.encoding import HashingEncoder
from matcher.ranking.artifact import save_ranker

# The catalogue files carry no texts: the participants bring theirs.
PARTICIPANTS = """id,name,country,side,expertise,needs,must_meet,avoid
eau,Eauville,FR,fr,"Régie municipale de l'eau potable et de l'assainissement, stations d'épuration et réseaux d'eaux usées","Développer le tourisme culturel et l'artisanat local",,
reg,Registreville,FR,fr,"Modernisation de l'état civil, numérisation des registres d'état civil","Coopération jeunesse et échanges scolaires",kan,
ndi,Ndiaye,SN,partner,"Tourisme culturel, artisanat local et festivals","Assainissement, eau potable et réseaux d'eaux usées pour les quartiers",,
kan,Kankan-Test,GN,partner,"Échanges scolaires et jeunesse, coopération jeunesse","Numérisation des registres d'état civil, modernisation de l'état civil",,
rhe,Rheinstadt,DE,partner,,,,eau
"""


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("event_cli")
    write_tiny_data(root / "data")
    save_ranker(synthetic_ranker(), root / "ranker.joblib")
    (root / "p.csv").write_text(PARTICIPANTS, encoding="utf-8")
    return {"root": root, "data": root / "data", "db": root / "db.sqlite", "ranker": root / "ranker.joblib",
            "file": root / "p.csv"}


@pytest.fixture(autouse=True)
def fake_encoder(monkeypatch):
    monkeypatch.setattr(event_cmds, "make_encoder", lambda model: HashingEncoder(dim=128))


def opts(w: dict[str, Path]) -> list[str]:
    return ["--db", str(w["db"]), "--data-dir", str(w["data"]), "--ranker", str(w["ranker"])]


def test_rank_writes_the_ranking(world):
    out = world["root"] / "ranking.csv"
    res = CliRunner().invoke(cli, ["event", "rank", str(world["file"]), "--k", "2", "--out", str(out), *opts(world)])
    assert res.exit_code == 0, res.output
    assert "5 participants (5 catalogue authorities)" in res.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    first = {r["participant_id"]: r["partner_id"] for r in rows if r["rank"] == "1"}
    assert first["eau"] == "ndi" and first["reg"] == "kan" and first["ndi"] == "eau"
    for fmt in ("xlsx", "json"):
        res = CliRunner().invoke(cli, ["event", "rank", str(world["file"]), "--out", str(out.with_suffix(f".{fmt}")),
                                       "--lang", "fr", *opts(world)])
        assert res.exit_code == 0, res.output


def test_schedule_writes_plan_and_calendars(world):
    out = world["root"] / "plan.csv"
    ics = world["root"] / "ics"
    res = CliRunner().invoke(cli, ["event", "schedule", str(world["file"]), "--rounds", "2", "--out", str(out),
                                   "--ics", str(ics), "--start", "2026-12-01T09:00", "--slot-minutes", "15",
                                   "--break-minutes", "5", "--pause", "1:30", "--lang", "fr", "--compare-greedy",
                                   *opts(world)])
    assert res.exit_code == 0, res.output
    assert "round(s) [lsa" in res.output and "greedy baseline" in res.output
    rows = [tuple(r.values()) for r in csv.DictReader(io.StringIO(out.read_text(encoding="utf-8")))]
    # The must-meet first, the best pair of the event in round 1, Eauville never with Rheinstadt (avoid).
    assert [r for r in rows if r[4] == "true"] == [r for r in rows if r[:3] == ("1", "reg", "kan")]
    assert rows[0][:3] == ("1", "eau", "ndi") and rows[0][4] == "false"
    assert not any({a, b} == {"eau", "rhe"} for _, a, b, *_ in rows)
    assert sorted(p.name for p in ics.iterdir()) == ["eau.ics", "kan.ics", "ndi.ics", "reg.ics", "rhe.ics"]
    text = (ics / "eau.ics").read_text(encoding="utf-8")
    # Round 2 starts one slot (15 min), one break (5 min) and the pause (30 min) after round 1.
    assert "DTSTART:20261201T090000" in text and "DTSTART:20261201T095000" in text
    assert "SUMMARY:Rendez-vous avec" in text and "Pourquoi cette rencontre" in text.replace("\r\n ", "")
    assert rows[0][-2:] == ("2026-12-01 09:00", "2026-12-01 09:15")


def test_bad_output_suffix_and_missing_start(world):
    res = CliRunner().invoke(cli, ["event", "rank", str(world["file"]), "--out", "x.pdf", *opts(world)])
    assert res.exit_code == 2 and "--out" in res.output
    res = CliRunner().invoke(cli, ["event", "schedule", str(world["file"]), "--rounds", "2", "--out", "x.csv",
                                   "--ics", "dir", *opts(world)])
    assert res.exit_code == 2 and "--start" in res.output


def test_bad_file_exits_2_and_lists_every_row(world, monkeypatch, capsys):
    bad = world["root"] / "bad.csv"
    bad.write_text("name,country,population\n" + "".join(f"Town {i},Atlantis,\n" for i in range(25))
                   + "Ok,FR,lots\n", encoding="utf-8")
    monkeypatch.setattr(sys, "argv", ["twinmatch", "event", "rank", str(bad), "--out",
                                      str(world["root"] / "r.csv"), *opts(world)])
    with pytest.raises(SystemExit) as info:
        main()
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "bad.csv: 26 bad row(s)" in err
    for line in range(2, 27):
        assert f"line {line}, column 'country': unknown country 'Atlantis'" in err
    assert "line 27, column 'population': not a whole number: 'lots'" in err
    assert not (world["root"] / "r.csv").exists()
