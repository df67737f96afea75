"""Write content/packs/cfir-eric-allen2023/links.csv from the reference table of published rows.

Usage: python scripts/allen2023_links.py [path/to/cfir_eric_published_rows.csv]
(default: content/reference/cfir_eric_published_rows.csv). Only the ALLEN2023_T3 rows carry
per-barrier percents; the other source in that file has none, so it contributes nothing.
"""

import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tailorkit.library.convert import long_csv, per_barrier_to_long  # noqa: E402

DEFAULT = ROOT / "content" / "reference" / "cfir_eric_published_rows.csv"
TARGET = ROOT / "content" / "packs" / "cfir-eric-allen2023" / "links.csv"


def main(argv):
    source = Path(argv[1]) if len(argv) > 1 else DEFAULT
    with source.open(encoding="utf-8") as handle:
        rows = per_barrier_to_long(csv.DictReader(handle), source_id="ALLEN2023_T3")
    TARGET.write_text(long_csv(rows), encoding="utf-8")
    print(f"wrote {len(rows)} links to {TARGET.relative_to(ROOT)}")


if __name__ == "__main__":
    main(sys.argv)
