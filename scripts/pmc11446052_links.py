"""Write content/packs/cfir-eric-pmc11446052/links.csv from the reference table of published rows.

Usage: python scripts/pmc11446052_links.py [path/to/cfir_eric_published_rows.csv]
(default: content/reference/cfir_eric_published_rows.csv). Each PMC11446052_T4 row names the CFIR
barriers for which the strategy is a level 1 or level 2 endorsement in the CFIR–ERIC Matching Tool
(column endorsed_barriers_level1_2). Every such barrier becomes one link with an EMPTY percent: the
table prints no per-barrier percent, and we never fill one in. A row printed "None" gives no links.
Barrier names are kept as printed; the cfir-2009 pack resolves them through its names and aliases.
"""

import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE_ID = "PMC11446052_T4"
CITATION_CODE = "P11446052T4"  # the code the reference README and the library's display use
DEFAULT = ROOT / "content" / "reference" / "cfir_eric_published_rows.csv"
TARGET = ROOT / "content" / "packs" / "cfir-eric-pmc11446052" / "links.csv"
COLUMNS = ["construct", "strategy", "percent", "source"]


def long_rows(rows):
    out = []
    for row in rows:
        if row.get("source_id") != SOURCE_ID:
            continue
        cell = (row.get("endorsed_barriers_level1_2") or "").strip()
        if cell.casefold() in ("", "none"):
            continue
        for barrier in filter(None, (b.strip() for b in cell.split(";"))):
            out.append({"construct": barrier, "strategy": row["strategy"].strip(), "percent": "",
                        "source": CITATION_CODE})
    return out


def main(argv):
    source = Path(argv[1]) if len(argv) > 1 else DEFAULT
    with source.open(encoding="utf-8") as handle:
        rows = long_rows(csv.DictReader(handle))
    with TARGET.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {len(rows)} links to {TARGET.relative_to(ROOT)}")


if __name__ == "__main__":
    main(sys.argv)
