"""Re-create ``service/static/vendor/`` from the npm registry: the pinned packages below are fetched with
``npm pack`` (through npm's own registry configuration, never a CDN), the listed files are read out of each
tarball, checked against the sha256 digests in ``FILES`` and only then written. A digest that does not
match writes nothing. ``--check`` verifies the files already on disk without going to the registry.

    python scripts/vendor_assets.py            # fetch, verify, write
    python scripts/vendor_assets.py --check    # verify what is on disk

The digests are also listed in ``service/static/vendor/VENDOR.md`` (tests/test_static_assets.py checks that
the two agree with the files). Bumping a version means changing ``PACKAGES``, running the script with
``--update`` (prints the new digests instead of failing), and pasting them here and into VENDOR.md.

One file is patched, not copied as is: ReDoc's sidebar footer shows a logo fetched from cdn.redoc.ly (there
is no ReDoc 2.x option to turn it off), so that URL is replaced by an inline (``data:``) empty image. The
upstream digest is checked before the patch and the patched digest after it.
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

VENDOR = Path(__file__).resolve().parent.parent / "service" / "static" / "vendor"

#: npm package -> (exact version, vendor folder, {path in the package: file name in the folder})
PACKAGES: dict[str, tuple[str, str, dict[str, str]]] = {
    "swagger-ui-dist": ("5.35.0", "swagger-ui", {
        "swagger-ui-bundle.js": "swagger-ui-bundle.js",
        "swagger-ui-bundle.js.LICENSE.txt": "swagger-ui-bundle.js.LICENSE.txt",
        "swagger-ui.css": "swagger-ui.css",
        "LICENSE": "LICENSE",
        "NOTICE": "NOTICE",
    }),
    "redoc": ("2.5.4", "redoc", {
        "bundles/redoc.standalone.js": "redoc.standalone.js",
        "bundles/redoc.standalone.js.LICENSE.txt": "redoc.standalone.js.LICENSE.txt",
        "LICENSE": "LICENSE",
    }),
    "d3-array": ("3.2.5", "d3-array", {"dist/d3-array.min.js": "d3-array.min.js", "LICENSE": "LICENSE"}),
    "d3-geo": ("3.1.2", "d3-geo", {"dist/d3-geo.min.js": "d3-geo.min.js", "LICENSE": "LICENSE"}),
    "topojson-client": ("3.1.0", "topojson-client", {
        "dist/topojson-client.min.js": "topojson-client.min.js",
        "LICENSE": "LICENSE",
    }),
    "world-atlas": ("2.0.2", "world-atlas", {
        "countries-110m.json": "countries-110m.json",
        "countries-50m.json": "countries-50m.json",
        "LICENSE": "LICENSE",
    }),
}

#: vendored file (relative to service/static/vendor) -> sha256 of the file as written
FILES: dict[str, str] = {
    "swagger-ui/swagger-ui-bundle.js": "e6a898692f2d768e807c3ba4626068a69a2c5dd960dd6c76f3e4d3a3de180af2",
    "swagger-ui/swagger-ui-bundle.js.LICENSE.txt": "37eb6e7e59aed57b2c1acf076574b818ea07b74265717e0bd67b59e0baf9abbb",
    "swagger-ui/swagger-ui.css": "5ed08757e53da3e026d6cbecc61fe5d43585c9560b302d534ad56692519a273d",
    "swagger-ui/LICENSE": "cfc7749b96f63bd31c3c42b5c471bf756814053e847c10f3eb003417bc523d30",
    "swagger-ui/NOTICE": "0d20d1adef18aee3f40dd258172155521ce702ac445cb5f7b7d60ed32dad2fb2",
    "redoc/redoc.standalone.js": "a913436cf13a0adfe4af7c6fe832a1bd92b17666f199a4e493b5714a494831d8",
    "redoc/redoc.standalone.js.LICENSE.txt": "eed602ec32e00b2b9df1984fbcc26a687b1b3193ec01961389c4b8439e6edf73",
    "redoc/LICENSE": "d3026d549cf68ab7355bcfa85877bf8f845b3334a7efbfdc63936432fb34ff0e",
    "d3-array/d3-array.min.js": "468f7b9ed38d6322083da4d5ae9fa57d47784f964f16dcff96e413d16cc8f9d9",
    "d3-array/LICENSE": "2a6d2d5f32ba0b755ddbc1c833f766e30cdbe6ebe9a6d4e3e24427721f0b63d3",
    "d3-geo/d3-geo.min.js": "1ea4c9608d0998f6468df3ab313c473bebbe81ba2c542a456b49db90e3672f89",
    "d3-geo/LICENSE": "3ded44a2c7935c8f5236f0543069406fdf7256b61b9eaeaddd007e80f19bc959",
    "topojson-client/topojson-client.min.js": "25cd02ae486cc5063e0215a4e4cfb15de83700c87ac48bac4d57dc6aaf3ebb89",
    "topojson-client/LICENSE": "4c4d15b635e04e691825a76db7d33f7f2033b55669a7430011694f31e6c65999",
    "world-atlas/countries-110m.json": "2516c915867c7baf18ddec727aec46c315541a07cfb3d79a6559b05d5e94eee8",
    "world-atlas/countries-50m.json": "04342cdc1e3016bcd7db1630de95684d67b79fe3c8c460321e87aef469502394",
    "world-atlas/LICENSE": "8048290dfdb6e83fbed17e8985c8cfc4ce9da9b842642f3d3e497280790cfa31",
}

#: vendored file -> (sha256 of the file in the npm tarball, bytes replaced, replacement)
PATCHES: dict[str, tuple[str, bytes, bytes]] = {
    "redoc/redoc.standalone.js": (
        "dcaf76612bc4a3fbcc923a8966dee2f6146a5f32e5ce1b6f02dd60cbbf89500b",
        (b'e?n.createElement("img",{alt:"redocly logo",onError:()=>t(!1),'
         b'src:"https://cdn.redoc.ly/redoc/logo-mini.svg"}):null'),
        b"null",
    ),
}


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def npm_pack(name: str, version: str, into: Path) -> Path:
    """The package's tarball, fetched by ``npm pack`` into ``into`` (npm checks the registry's integrity)."""
    out = subprocess.run(["npm", "pack", f"{name}@{version}", "--silent", "--pack-destination", str(into)],
                         check=True, capture_output=True, text=True, cwd=into).stdout
    return into / out.strip().splitlines()[-1]


def read_members(tarball: Path, paths: list[str]) -> dict[str, bytes]:
    """The listed files of an npm tarball (whose entries all sit under ``package/``), read, not extracted."""
    found: dict[str, bytes] = {}
    with tarfile.open(tarball, "r:gz") as tar:
        for path in paths:
            member = tar.getmember(f"package/{path}")
            stream = tar.extractfile(member) if member.isfile() else None
            if stream is None:
                raise SystemExit(f"{tarball.name}: {path} is not a regular file")
            found[path] = stream.read()
    return found


def apply_patch(rel: str, data: bytes, update: bool) -> bytes:
    if rel not in PATCHES:
        return data
    upstream, old, new = PATCHES[rel]
    if sha256(data) != upstream and not update:
        raise SystemExit(f"{rel}: upstream sha256 {sha256(data)} != {upstream} (cannot patch)")
    if data.count(old) != 1:
        raise SystemExit(f"{rel}: the patched text occurs {data.count(old)} times, not once")
    return data.replace(old, new)


def fetch(update: bool) -> dict[str, bytes]:
    """Every vendored file's bytes, from the registry, verified (or, with ``update``, printed)."""
    files: dict[str, bytes] = {}
    with tempfile.TemporaryDirectory(prefix="twinmatch-vendor-") as tmp:
        for name, (version, folder, members) in PACKAGES.items():
            tarball = npm_pack(name, version, Path(tmp))
            for path, data in read_members(tarball, list(members)).items():
                rel = f"{folder}/{members[path]}"
                if update and rel in PATCHES:
                    print(f"    upstream {rel}: {sha256(data)}")
                files[rel] = apply_patch(rel, data, update)
    bad = [rel for rel, data in files.items() if FILES.get(rel) != sha256(data)]
    if update:
        for rel, data in files.items():
            print(f'    "{rel}": "{sha256(data)}",')
    elif bad or set(FILES) != set(files):
        raise SystemExit(f"sha256 mismatch (nothing written): {bad or sorted(set(FILES) ^ set(files))}")
    return files


def check() -> int:
    bad = [rel for rel, digest in FILES.items()
           if not (VENDOR / rel).is_file() or sha256((VENDOR / rel).read_bytes()) != digest]
    for rel in bad:
        print(f"MISMATCH {rel}", file=sys.stderr)
    print(f"{len(FILES) - len(bad)}/{len(FILES)} vendored files match their sha256")
    return 1 if bad else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="verify the files on disk, fetch nothing")
    parser.add_argument("--update", action="store_true", help="print the digests of a new pin, write nothing")
    args = parser.parse_args()
    if args.check:
        return check()
    files = fetch(args.update)
    if args.update:
        return 0
    for rel, data in files.items():
        target = VENDOR / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    print(f"wrote {len(files)} files under {VENDOR}")
    return check()


if __name__ == "__main__":
    raise SystemExit(main())
