"""Turn published CFIR–ERIC tables into the long links format (construct, strategy, percent, source).

Papers print the CFIR–ERIC Matching Tool output one strategy per row, with the percent of experts
endorsing it for each barrier packed into one cell ("Adaptability=73%;Complexity=40%"). The library
imports one link per (barrier, strategy), so this module unpacks those cells. It copies numbers as
printed and never fills gaps: a row without per-barrier percents yields no links.
"""

import csv
import io

LONG_COLUMNS = ["construct", "strategy", "percent", "source"]


def per_barrier_to_long(rows, *, source_id, skip_zero=True):
    """Rows of cfir_eric_published_rows.csv → long rows for one source.

    skip_zero: a printed 0% means no expert endorsed the strategy for that barrier, so it is not an
    endorsement link; leaving it out keeps suggestion lists to strategies someone recommended.
    """
    long_rows = []
    for row in rows:
        if row.get("source_id") != source_id:
            continue
        cell = (row.get("per_barrier_percent") or "").strip()
        for part in filter(None, (p.strip() for p in cell.split(";"))):
            barrier, _, percent = part.rpartition("=")
            if not barrier:
                raise ValueError(f"row {row.get('row_in_source')}: cannot read '{part}'")
            percent = percent.strip().removesuffix("%").strip()
            if skip_zero and float(percent) == 0:
                continue
            long_rows.append({"construct": barrier.strip(), "strategy": row["strategy"].strip(),
                              "percent": percent, "source": source_id})
    return long_rows


def long_csv(long_rows):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=LONG_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(long_rows)
    return out.getvalue()
