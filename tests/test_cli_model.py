"""`twinmatch train`, `evaluate` and `match` on the tiny world (fake encoder)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner
from profiles_fixture import write_tiny_cases, write_tiny_data

from matcher.cli import cli, common
from matcher.encoding import HashingEncoder
from matcher.ranking.artifact import load_ranker


@pytest.fixture()
def tiny(tmp_path, monkeypatch):
    data = write_tiny_data(tmp_path / "data")
    cases, translations = write_tiny_cases(data)
    monkeypatch.setattr(common, "make_encoder", lambda model: HashingEncoder(dim=128))
    return {"data": data, "db": tmp_path / "t.db", "ranker": tmp_path / "models" / "ranker.joblib",
            "cases": ["--cases", str(cases), "--translations", str(translations)]}


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_train_then_match(tiny):
    res = run("train", "--folds", "2", "--out", str(tiny["ranker"]), "--db", str(tiny["db"]),
              "--data-dir", str(tiny["data"]), *tiny["cases"])
    assert res.exit_code == 0, res.output
    assert "ranker" in res.output and "neighbour_prior" in res.output  # the evaluation table
    load_ranker(tiny["ranker"])
    card = (tiny["ranker"].parent / "MODEL_CARD.md").read_text()
    assert "Grouped 2-fold" in card and "scikit-learn" in card

    res = run("match", "FR-COM-00001", "FR-COM-00003", "--k", "2", "--json", "--db", str(tiny["db"]),
              "--data-dir", str(tiny["data"]), "--ranker", str(tiny["ranker"]))
    assert res.exit_code == 0, res.output
    lines = [json.loads(x) for x in res.output.strip().splitlines()]
    assert [x["query"] for x in lines] == ["FR-COM-00001", "FR-COM-00003"]
    first = lines[0]["matches"][0]
    assert set(first) >= {"id", "name", "country", "lat", "lon", "score", "rank", "reasons"}
    # A ranker trained on the tiny world's 3 links is not meaningful: only check the shape here
    # (known-answer rankings are tested in test_engine.py).
    assert first["rank"] == 1 and first["reasons"] and {"code", "value", "contribution", "text"} <= set(
        first["reasons"][0])

    res = run("match", "FR-COM-00001", "--k", "5", "--lang", "fr", "--db", str(tiny["db"]),
              "--data-dir", str(tiny["data"]), "--ranker", str(tiny["ranker"]))
    assert res.exit_code == 0 and "Ndiaye" in res.output


def test_decisions_become_labels(tiny):
    from matcher.store.sqlite import SQLiteStore

    store = SQLiteStore.open(tiny["db"], tiny["data"])
    store.add_decision("FR-COM-00001", "GN-100", "accepted", "signed", "staff-test")
    store.add_decision("FR-COM-00002", "GN-400", "rejected", "no", "staff-test")
    res = run("train", "--no-evaluate", "--out", str(tiny["ranker"]), "--db", str(tiny["db"]),
              "--data-dir", str(tiny["data"]), *tiny["cases"])
    assert res.exit_code == 0, res.output
    assert "2 decisions" in res.output


def _main(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", "from matcher.cli import main; main()", *args],
                          check=False, capture_output=True, text=True, timeout=120)


def test_unknown_id_exits_2_naming_it(tiny):
    p = _main("match", "FR-COM-99999", "--db", str(tiny["db"]), "--data-dir", str(tiny["data"]))
    assert p.returncode == 2 and "FR-COM-99999" in p.stderr


def test_bad_test_links_file_exits_2_with_line(tiny, tmp_path):
    bad = tmp_path / "links.csv"
    bad.write_text("french_name,french_lat,french_lon,partner_name,partner_country,partner_lat,partner_lon\n"
                   "Eauville,45.0,2.0,Ndiaye,Senegal,14.8,-16.9\nEauville,north,2.0,Ndiaye,SN,14.8,-16.9\n")
    p = _main("evaluate", "--test-links", str(bad), "--db", str(tiny["db"]), "--data-dir", str(tiny["data"]),
              "--ranker", str(tiny["ranker"]))
    assert p.returncode == 2 and "line 3" in p.stderr and "french_lat" in p.stderr


def test_external_links_evaluation(tiny, tmp_path):
    assert run("train", "--no-evaluate", "--out", str(tiny["ranker"]), "--db", str(tiny["db"]),
               "--data-dir", str(tiny["data"]), *tiny["cases"]).exit_code == 0
    f = tmp_path / "links.csv"
    f.write_text("french_name,french_lat,french_lon,partner_name,partner_country,partner_lat,partner_lon\n"
                 "Lyonville,45.76,4.84,Rheinstadt,Germany,49.0,8.4\n"
                 "Nowhere,10,10,Atlantis,Narnia,,\n")
    res = run("evaluate", "--test-links", str(f), "--json", "--db", str(tiny["db"]), "--data-dir",
              str(tiny["data"]), "--ranker", str(tiny["ranker"]))
    assert res.exit_code == 0, res.output
    report = json.loads(res.output[res.output.index('{\n "mode"'):])
    assert report["resolution"]["both_resolved"] == 1 and report["resolution"]["rows"] == 2
    assert report["results"]["ranker"]["queries"] == 1


@pytest.mark.parametrize("results, expected", [
    ({"ranker": {"HR@50": 0.3}, "nearest": {"HR@50": 0.1}, "random": {"HR@50": 0.0}}, ("nearest", 3.0)),
    ({"ranker": {"HR@50": 0.2}, "nearest": {"HR@50": 0.05}, "neighbour_prior": {"HR@50": 0.08}},
     ("neighbour_prior", 2.5)),
    ({"ranker": {"HR@50": 0.2}}, None),
])
def test_lift_is_against_the_best_baseline(results, expected):
    from matcher.learning.evaluation import lift

    got = lift(results)
    assert got == expected if expected is None else (got[0] == expected[0] and got[1] == pytest.approx(expected[1]))


def test_suggest_lists_reciprocal_pairs_in_the_third_person(tiny):
    import re

    assert run("train", "--no-evaluate", "--out", str(tiny["ranker"]), "--db", str(tiny["db"]),
               "--data-dir", str(tiny["data"]), *tiny["cases"]).exit_code == 0
    res = run("suggest", "--json", "--limit", "5", "--db", str(tiny["db"]), "--data-dir", str(tiny["data"]),
              "--ranker", str(tiny["ranker"]))
    assert res.exit_code == 0, res.output
    rows = [json.loads(x) for x in res.output.strip().splitlines()]
    assert rows and all(r["french"].startswith("FR-") and not r["partner"].startswith("FR-") for r in rows)
    assert [r["score"] for r in rows] == sorted((r["score"] for r in rows), reverse=True)
    assert not any(re.search(r"\b(you|your)\b", t, re.IGNORECASE) for r in rows for t in r["reasons"])
