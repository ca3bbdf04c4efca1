#!/usr/bin/env python3
"""Derive département -> water-agency basin(s) from the Sandre "Communes
administratives" referential (each commune with its circonscription
administrative de bassin, NumCircAdminBassin).

Inputs (read straight out of a local git snapshot of github.com/mgimpel/rade,
fetched with the library tool; nothing is downloaded here):
  * rade-initdb/src/main/resources/batchfiles/sandre/COM_20181016_SANDRE.csv
      Sandre commune file, extract of 2018-10-16 (unmodified; the repo's
      "-modified" variant carries local edits and is NOT used).
  * rade-initdb/src/main/sql/insert-CirconscriptionBassin.sql
      only read by a human to confirm the code -> basin labels below
      (01 AP, 02 RM, 03 SN, 04 LB, 05 AG, 06 RMED, 07-11 overseas, 12 Corse).
  * rade-batch/src/test/resources/batchfiles/insee/depts2018.txt
      INSEE COG 2018 list of départements (names, column NCCENR), Latin-1.

Rule: a département lists every basin that at least one of its communes
belongs to.  Overseas circonscriptions (07-11) are dropped (offices de l'eau,
not agences).  Circonscription 12 (Corse) is written "Rhône-Méditerranée"
(the Rhône-Méditerranée-Corse agency serves it).

Usage: python3 derive.py [MIRROR_GIT_DIR] [COMMIT]
Writes data/funding/water_basins.csv (basins per département) and
data/funding/water_basins_communes.csv (the basin of each commune of a département
that lies in several basins: there the département alone cannot say which agency
serves a commune).
"""
import csv
import io
import os
import subprocess
import sys
from collections import defaultdict

MIRROR = sys.argv[1] if len(sys.argv) > 1 else "/work/.mirror/mgimpel+rade/repo"
COMMIT = sys.argv[2] if len(sys.argv) > 2 else "12979d2e56b8a0f67c324cc06dc082ea11350ef8"
SANDRE = "rade-initdb/src/main/resources/batchfiles/sandre/COM_20181016_SANDRE.csv"
DEPTS = "rade-batch/src/test/resources/batchfiles/insee/depts2018.txt"
SOURCE_URL = f"https://github.com/mgimpel/rade/blob/{COMMIT}/{SANDRE}"

# NumCircAdminBassin -> name used by twinmatch (None = left out: overseas)
CIRC = {
    "01": "Artois-Picardie",
    "02": "Rhin-Meuse",
    "03": "Seine-Normandie",
    "04": "Loire-Bretagne",
    "05": "Adour-Garonne",
    "06": "Rhône-Méditerranée",
    "07": None, "08": None, "09": None, "10": None, "11": None,
    "12": "Rhône-Méditerranée",  # Corse circonscription, RMC agency
}
ORDER = ["Adour-Garonne", "Artois-Picardie", "Loire-Bretagne", "Rhin-Meuse",
         "Rhône-Méditerranée", "Seine-Normandie"]


def git_show(path, encoding):
    raw = subprocess.run(["git", "-C", MIRROR, "show", f"{COMMIT}:{path}"],
                         check=True, capture_output=True).stdout
    return raw.decode(encoding)


def dep_of(code):
    if code.startswith("97"):
        return code[:3]
    return code[:2]


def sort_key(dep):
    # '01'..'19', '2A', '2B', '21'..'95'
    if dep in ("2A", "2B"):
        return (20, dep)
    return (int(dep), "")


def main():
    names = {}
    for row in csv.DictReader(io.StringIO(git_show(DEPTS, "latin-1")), delimiter="\t"):
        names[row["DEP"]] = row["NCCENR"]

    text = git_show(SANDRE, "utf-8-sig")
    lines = text.splitlines()
    # line 1: field codes, line 2: French labels, then data
    reader = csv.reader(lines[2:], delimiter=";", quotechar='"')
    header = next(csv.reader([lines[0]], delimiter=";"))
    i_code = header.index("CdCommune")
    i_circ = header.index("NumCircAdminBassin")
    counts = defaultdict(lambda: defaultdict(int))
    commune_basin = {}
    unknown = set()
    n = 0
    for rec in reader:
        if not rec:
            continue
        n += 1
        code, circ = rec[i_code], rec[i_circ]
        if circ not in CIRC:
            unknown.add(circ)
            continue
        basin = CIRC[circ]
        if basin is None:
            continue
        counts[dep_of(code)][basin] += 1
        commune_basin[code] = basin
    if unknown:
        sys.exit(f"unknown circonscription codes: {sorted(unknown)}")

    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "funding")
    deps = sorted(counts, key=sort_key)
    with open(os.path.join(here, "water_basins.csv"), "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["departement", "name", "basins", "source_url"])
        for d in deps:
            basins = [b for b in ORDER if counts[d].get(b)]
            w.writerow([d, names[d], ";".join(basins), SOURCE_URL])
    with open(os.path.join(here, "water_basins_communes.csv"), "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["commune", "basin"])
        for code in sorted(commune_basin):
            if len(counts[dep_of(code)]) > 1:
                w.writerow([code, commune_basin[code]])
    multi = [d for d in deps if len(counts[d]) > 1]
    print(f"{n} commune rows read; {len(deps)} départements written; "
          f"{len(multi)} in 2+ basins")


if __name__ == "__main__":
    main()
