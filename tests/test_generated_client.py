"""A client generated from the served ``/openapi.json`` by ``openapi-python-client`` with its default
configuration builds without a warning and works (issue 25, point 6): it reads every operation (clean ids:
``search_authorities``, ``authority_matches``), every enum (each value once) and the upload.

The generator is a command-line tool whose own requirements (httpx < 0.29, typer < 0.25) conflict with the
project's, so it lives in a virtual environment of its own, as pipx would put it: ``make api-client-tool``
makes ``.venv-tools`` (pinned version); ``OPENAPI_PYTHON_CLIENT`` may name another executable. The generated
package runs under that environment's interpreter (it has the client's requirements: httpx, attrs,
python-dateutil), against the app served on a loopback port."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.api import A, make_settings
from support.net import serve_in_thread

from matcher.encoding import HashingEncoder
from matcher.paths import REPO_ROOT
from service.app import create_app
from service.http_protocols import HTTP_PROTOCOL

FIXTURES = Path(__file__).parent / "fixtures" / "events"


def generator() -> Path | None:
    given = os.environ.get("OPENAPI_PYTHON_CLIENT")
    for candidate in (given, REPO_ROOT / ".venv-tools" / "bin" / "openapi-python-client",
                      shutil.which("openapi-python-client")):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


TOOL = generator()
pytestmark = pytest.mark.skipif(TOOL is None, reason="openapi-python-client is not installed: make api-client-tool")


@pytest.fixture()
def served(tmp_path: Path, ranker_file: Path) -> Iterator[tuple[str, str]]:
    app = create_app(make_settings(tmp_path, ranker_file), encoder=HashingEncoder(dim=128))
    with serve_in_thread(app, http=HTTP_PROTOCOL) as port:
        _, staff = app.state.resources.store.create_key("staff", None, "generated client")
        yield f"http://127.0.0.1:{port}", staff


USE = """
import json, sys
from twinmatch_client import AuthenticatedClient, Client
from twinmatch_client.api.meta import health
from twinmatch_client.api.authorities import search_authorities
from twinmatch_client.api.matches import authority_matches, adhoc_match
from twinmatch_client.api.events import create_event
from twinmatch_client.models import AdHocProfile, CreateEventBody, FacetIn, Kind, MatchRequest
from twinmatch_client.models.country_code import CountryCode
from twinmatch_client.types import File

base, staff, authority, csv_path = sys.argv[1:5]
anonymous = Client(base_url=base)
client = AuthenticatedClient(base_url=base, token=staff)
out = {"health": health.sync(client=anonymous).status}
page = search_authorities.sync(client=client, q="Eauville")
out["search"] = [a.id for a in page.items]
matches = authority_matches.sync(authority, client=client, k=3, country=[CountryCode("SN")])
out["matches"] = [m.id for m in matches.matches]
profile = AdHocProfile(name="Nouvelle commune", kind=Kind.COMMUNE, country=CountryCode.FR,
                       expertise=FacetIn(text="Assainissement et eau potable"), needs=FacetIn(text="Tourisme"))
adhoc = adhoc_match.sync(client=anonymous, body=MatchRequest(profile=profile, k=2))
out["adhoc"] = [m.country for m in adhoc.matches]
with open(csv_path, "rb") as f:
    body = CreateEventBody(file=File(payload=f, file_name="participants.csv", mime_type="text/csv"),
                                name="Assises")
    event = create_event.sync(client=client, body=body)
out["event"] = [event.name, event.participants]
print(json.dumps(out))
"""


def test_a_generated_client_builds_without_warnings_and_works(served: tuple[str, str], tmp_path: Path) -> None:
    assert TOOL is not None
    base, staff = served
    env = {**os.environ, "PATH": f"{TOOL.parent}{os.pathsep}{os.environ.get('PATH', '')}"}  # ruff, its post-hook
    made = subprocess.run([str(TOOL), "generate", "--url", f"{base}/openapi.json", "--output-path",
                           str(tmp_path / "client")], check=False, capture_output=True, text=True, env=env,
                          timeout=300)
    said = made.stdout + made.stderr
    assert made.returncode == 0 and "warning" not in said.lower() and "error" not in said.lower(), said
    python = TOOL.parent / "python"
    used = subprocess.run([str(python), "-c", USE, base, staff, A, str(FIXTURES / "participants.csv")],
                          check=False, capture_output=True, text=True, timeout=120,
                          env={**env, "PYTHONPATH": str(tmp_path / "client")})
    assert used.returncode == 0, used.stderr
    out = json.loads(used.stdout)
    assert out["health"] == "ok"
    assert out["search"] == [A]
    assert out["matches"][0] == "GN-100"  # the known answer of tests/test_api_matches.py, filtered to Senegal
    assert len(out["adhoc"]) == 2
    assert out["event"][0] == "Assises" and out["event"][1] > 0
