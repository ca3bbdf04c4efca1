"""``twinmatch keys create|list|revoke``, and a created key working against the API."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner
from fastapi.testclient import TestClient
from support.api import A, assert_error, bearer, make_settings

from matcher.cli import cli
from matcher.encoding import HashingEncoder
from service.app import create_app


def run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_keys_lifecycle(tmp_path: Path, ranker_file: Path) -> None:
    settings = make_settings(tmp_path, ranker_file)
    where = ["--db", str(settings.db), "--data-dir", str(settings.data_dir)]
    out = run("keys", "create", "--role", "staff", "--label", "Alice", *where)
    staff_id = re.search(r"key id:\s+(\w+)", out).group(1)  # type: ignore[union-attr]
    staff_secret = re.search(r"secret:\s+(\S+)", out).group(1)  # type: ignore[union-attr]
    out = run("keys", "create", "--role", "owner", "--authority", A, *where)
    owner_secret = re.search(r"secret:\s+(\S+)", out).group(1)  # type: ignore[union-attr]
    listed = run("keys", "list", *where)
    assert staff_id in listed and "Alice" in listed and A in listed
    assert staff_secret not in listed and owner_secret not in listed

    with TestClient(create_app(settings, encoder=HashingEncoder(dim=128))) as client:
        assert client.get("/decisions", headers=bearer(staff_secret)).status_code == 200
        r = client.patch(f"/authorities/{A}", headers=bearer(owner_secret), json={"description": "Par le CLI"})
        assert r.status_code == 200
        run("keys", "revoke", staff_id, *where)  # another connection to the same file: seen at once
        assert_error(client.get("/decisions", headers=bearer(staff_secret)), 401)
    assert "revoked" in run("keys", "list", *where)


def test_keys_errors(tmp_path: Path, ranker_file: Path) -> None:
    settings = make_settings(tmp_path, ranker_file)
    where = ["--db", str(settings.db), "--data-dir", str(settings.data_dir)]
    runner = CliRunner()
    for args in (["create", "--role", "owner"], ["create", "--role", "owner", "--authority", "NOPE"],
                 ["create", "--role", "staff", "--authority", A], ["revoke", "000000000000"]):
        result = runner.invoke(cli, ["keys", *args, *where])
        assert result.exit_code != 0
    result = runner.invoke(cli, ["keys", "create", "--role", "root", *where])
    assert result.exit_code == 2 and "root" in result.output
