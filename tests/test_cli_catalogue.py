"""``twinmatch catalogue`` over a tiny data directory."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from support.worlds import CATALOGUE, make_data_dir

from matcher.cli import cli, main
from matcher.domain import Contact
from matcher.store.sqlite import SQLiteStore


@pytest.fixture
def paths(tmp_path: Path) -> list[str]:
    data = make_data_dir(tmp_path)
    return ["--db", str(tmp_path / "t.db"), "--data-dir", str(data)]


def run(*args: str) -> str:
    result = CliRunner().invoke(cli, ["catalogue", *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_stats_json(paths: list[str]) -> None:
    st = json.loads(run("stats", "--json", *paths))
    assert st["profiles"] == len(CATALOGUE)
    assert st["by_country"]["FR"] == 6
    assert st["coordinates"]["french"]["share"] == 0.5
    assert st["links"] == 2 and st["link_resolution"]["resolved"] == 2


def test_stats_text(paths: list[str]) -> None:
    out = run("stats", *paths)
    assert "Authorities: 10" in out and "commune" in out and "FR" in out
    assert "Coordinates (French): 3 / 6 (50.00%)" in out and "Links: 2" in out and "resolved" in out


def test_db_from_environment(tmp_path: Path) -> None:
    data = make_data_dir(tmp_path)
    db = tmp_path / "env.db"
    result = CliRunner().invoke(cli, ["catalogue", "stats", "--json", "--data-dir", str(data)],
                                env={"TWINMATCH_DB": str(db)}, catch_exceptions=False)
    assert result.exit_code == 0 and db.is_file()


@pytest.mark.parametrize(
    ("args", "first"),
    [
        (["saint etienne"], "fr-42218"),
        (["ST-ÉTIENNE"], "fr-42218"),
        (["cologne"], "de-koeln"),
        (["", "--country", "SN"], "sn-thies"),
        (["loire", "--kind", "department"], "fr-dep-42"),
    ],
)
def test_search_json(paths: list[str], args: list[str], first: str) -> None:
    out = json.loads(run("search", *args, "--json", *paths))
    assert out["results"][0]["id"] == first
    assert all("contact" not in r for r in out["results"])


def test_search_text_and_paging(paths: list[str]) -> None:
    result = CliRunner().invoke(cli, ["catalogue", "search", "", "--limit", "3", *paths])
    assert result.exit_code == 0
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 3 and lines[0].startswith("es-madrid")
    cursor = result.stderr.split("--cursor ")[1].strip()
    page2 = run("search", "", "--limit", "3", "--cursor", cursor, *paths)
    assert page2.splitlines()[0].startswith("de-koeln")  # Madrid, Paris, Fès, then Köln
    assert "No match." in run("search", "zzzz", *paths)


def test_search_rejects_bad_limit(paths: list[str]) -> None:
    result = CliRunner().invoke(cli, ["catalogue", "search", "x", "--limit", "500", *paths])
    assert result.exit_code == 2


def test_show(tmp_path: Path, paths: list[str]) -> None:
    with SQLiteStore.open(tmp_path / "t.db", Path(paths[3])) as store:
        store.update(store.get("fr-42218").with_changes(contact=Contact("Secret Person", "s@x.org")))
    data = json.loads(run("show", "fr-42218", "--json", *paths))
    assert data["name"] == "Saint-Étienne" and data["population"] == 172_565
    assert "contact" not in data
    assert data["links"] == [{"id": "sn-thies", "name": "Thiès", "country": "SN"}]
    out = run("show", "fr-42218", *paths)
    assert "Saint-Étienne  [fr-42218]" in out and "Loire (fr-dep-42)" in out and "Thiès (SN, sn-thies)" in out
    assert "Secret" not in out and "s@x.org" not in out


def test_show_unknown_id_exits_2(paths: list[str], monkeypatch: pytest.MonkeyPatch,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "argv", ["twinmatch", "catalogue", "show", "fr-00000", *paths])
    with pytest.raises(SystemExit) as exit_info:
        main()
    assert exit_info.value.code == 2
    assert "fr-00000" in capsys.readouterr().err
