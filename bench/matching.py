"""Benchmark of the combined ranking of strategies (issue 12, quality bar: ranking 10 barriers × 73
strategies, with crosswalks, in under 5 ms of computation once the data is loaded). Not part of the tests.

Loads the shipped packs into a temporary SQLite database (or a PostgreSQL database named ``bench_…``),
adds a synthetic full CFIR–ERIC matrix (every CFIR 2009 construct linked to every ERIC strategy with
a random percentage: the shape of the full Matching Tool workbook, 39 × 73 links), then times, each the
median of ``--runs`` runs:

* ``load``: ``evidence_for`` reading the evidence of 10 determinants from the database;
* ``rank``: ``combined_ranking`` on the loaded evidence (the computation the bar is about);
* ``baseline``: sorting the same number of (strategy, weight) pairs with ``sorted``, so that figures
  from other machines compare as ratios.

Two sets of 10 barriers: CFIR 2009 constructs (direct evidence only) and iCBT determinants (evidence
through the crosswalks to CFIR 2009 and CFIR 2.0, one to three counterparts each).

    .venv/bin/python bench/matching.py --runs 50
"""

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_django():
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        if not url.rsplit("/", 1)[1].startswith("bench_"):
            sys.exit("The PostgreSQL database must be named bench_…")
    else:
        folder = tempfile.mkdtemp(prefix="bench_matching_")
        os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tailorkit.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_packs", verbosity=0)


def full_matrix(rng):
    """Every CFIR 2009 construct → every ERIC strategy, a random 0–100 %: the full workbook's shape."""
    from tailorkit.library.models import ContentPack, Item, Link

    pack, _created = ContentPack.objects.get_or_create(slug="bench-full-matrix", defaults={
        "name": "Bench matrix", "version": "1", "kind": "links", "source": "bench", "licence": "bench",
        "checksum": "bench"})
    constructs = list(Item.objects.filter(pack__slug="cfir-2009"))
    strategies = list(Item.objects.filter(pack__slug="eric"))
    Link.objects.filter(pack=pack).delete()
    Link.objects.bulk_create(Link(pack=pack, from_item=c, to_item=s, weight=rng.randint(0, 100), source="bench")
                             for c in constructs for s in strategies)
    return len(constructs) * len(strategies)


def timed(fn):
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    setup_django()
    from tailorkit.library.evidence import combined_ranking, evidence_for
    from tailorkit.library.models import ContentPack, Item

    rng = random.Random(12)
    n_links = full_matrix(rng)
    eric = ContentPack.objects.get(slug="eric").pk
    results = []
    for label, pack in (("CFIR 2009, direct", "cfir-2009"), ("iCBT, through crosswalks", "icbt-determinants")):
        items = list(Item.objects.filter(pack__slug=pack).order_by("order", "code")[:10])
        ids = {i.pk for i in items}
        barriers = [(i.pk, i.pk) for i in items]
        evidence = evidence_for(ids, eric)
        pairs = [(e.strategy_id, e.weight or 0) for found in evidence.by_item.values() for e in found]
        rows = combined_ranking(barriers, evidence)
        load = statistics.median(timed(lambda ids=ids: evidence_for(ids, eric)) for _ in range(max(5, args.runs // 5)))
        rank = statistics.median(timed(lambda b=barriers, e=evidence: combined_ranking(b, e))
                                 for _ in range(args.runs))
        base = statistics.median(timed(lambda p=pairs: sorted(p, key=lambda x: (-x[1], x[0])))
                                 for _ in range(args.runs))
        result = {"barriers": label, "evidence_pairs": len(pairs), "strategies_ranked": len(rows),
                  "load_ms": round(load, 2), "rank_ms": round(rank, 3), "baseline_ms": round(base, 3),
                  "rank_to_baseline": round(rank / base, 1) if base else None}
        results.append(result)
        print(json.dumps(result))
    print(f"\nfull matrix links: {n_links}; median of {args.runs} runs")
    print("| barriers | evidence pairs | strategies ranked | load ms | rank ms | baseline ms | rank : baseline |")
    print("|---|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r['barriers']} | {r['evidence_pairs']} | {r['strategies_ranked']} | {r['load_ms']} | "
              f"{r['rank_ms']} | {r['baseline_ms']} | {r['rank_to_baseline']} |")


if __name__ == "__main__":
    main()
