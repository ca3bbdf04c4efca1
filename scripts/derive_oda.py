#!/usr/bin/env python3
"""Derive data/funding/oda.csv: the countries on the OECD DAC list of ODA recipients by the list's own rule,
where the rule can decide with sourced data.

The rule (OECD, "DAC List of ODA Recipients", page dated 2024-06-24): all low and middle income countries
by the World Bank's GNI per capita, except former G8 members, EU members and countries with a firm date for
EU entry; plus every least developed country. Countries the World Bank now classes high income may still be
on the list (a country leaves only after three consecutive years above the threshold), so they are left out
here (unknown), as are unclassified ones.

Input: ``src/bblocks/places/concordance.csv`` of ONEcampaign/bblocks-places (MIT), column ``income_level``
(World Bank income groups, updated in the repository on 2025-09-24: the FY2026 classification), read from a
local git snapshot (fetched with the library tool; nothing is downloaded here). EU members and former G8
members: data/funding/not_oda.csv. Usage: python3 scripts/derive_oda.py [MIRROR_GIT_DIR] [COMMIT]
"""

import csv
import io
import subprocess
import sys
from pathlib import Path

MIRROR = sys.argv[1] if len(sys.argv) > 1 else "/work/.mirror/ONEcampaign+bblocks-places/repo"
COMMIT = sys.argv[2] if len(sys.argv) > 2 else "d399c3f5fc0af139f336270a6aa7634501c55f18"
PATH = "src/bblocks/places/concordance.csv"
MIDDLE_OR_LOW = ("Low income", "Lower middle income", "Upper middle income")
OUT = Path(__file__).resolve().parents[1] / "data" / "funding"


def main() -> None:
    text = subprocess.run(["git", "-C", MIRROR, "show", f"{COMMIT}:{PATH}"], check=True,
                          capture_output=True).stdout.decode("utf-8")
    excluded = {r["iso2"] for r in csv.DictReader((OUT / "not_oda.csv").open(encoding="utf-8"))}
    ldc = {r["iso2"] for r in csv.DictReader((OUT / "ldc.csv").open(encoding="utf-8"))}
    import pycountry

    iso2 = {c.alpha_2 for c in pycountry.countries}  # Kosovo (XK) is no ISO code: its group stays unknown
    rows = []
    for r in csv.DictReader(io.StringIO(text)):
        code, level = r["iso2_code"], r["income_level"]
        if code not in iso2 or code in excluded or code in ldc or level not in MIDDLE_OR_LOW:
            continue
        rows.append((code, r["name_short"], level))
    rows.sort()
    with (OUT / "oda.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["iso2", "name", "income_level"])
        w.writerows(rows)
    print(f"{len(rows)} countries on the DAC list by income (LDCs apart: {len(ldc)})")


if __name__ == "__main__":
    main()
