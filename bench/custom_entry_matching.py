"""Benchmark of suggestions for custom entries (issue 12, point 5). Not part of the tests.

For every labelled entry of ``tailorkit/library/tests/fixtures/custom_entries.yaml`` (a custom
barrier or strategy as a clinician writes it, with the item codes a reviewer accepts), ranks the
items of its pack (read from ``content/packs/<slug>/pack.yaml``, retired items left out) by each
method of ``tailorkit/library/similarity.py`` and prints:

* top-1 and top-3 hit rates (an accepted item first / among the first three), for the English
  entries, the multilingual subset (de, nl, da, es, fr) and per language;
* the computation time per entry, the median of ``--runs`` runs over the whole set, with the
  items of each pack prepared once beforehand (as a page does once per request).

    .venv/bin/python bench/custom_entry_matching.py [--runs 5] [--misses]
"""

import argparse
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from django.conf import settings  # noqa: E402

if not settings.configured:
    settings.configure(USE_I18N=False)

from tailorkit.library import similarity  # noqa: E402

FIXTURE = ROOT / "tailorkit/library/tests/fixtures/custom_entries.yaml"


def pack_candidates(slug):
    data = yaml.safe_load((ROOT / "content/packs" / slug / "pack.yaml").read_text(encoding="utf-8"))
    groups = {c["code"]: c["name"] for c in data.get("categories") or []}
    return [similarity.Candidate(item=str(it["code"]), name=it["name"], aliases=tuple(it.get("aliases") or ()),
                                 description=it.get("description") or "", category=groups.get(it.get("category"), ""))
            for it in data["items"] if not (it.get("attributes") or {}).get("retired")]


def evaluate(entries, matchers, method):
    """{subset: (n, top-1 hits, top-3 hits)} and the misses (entry, top 3)."""
    counts, misses = defaultdict(lambda: [0, 0, 0]), []
    for e in entries:
        ranked = [m.item for m in matchers[e["pack"]].closest(e["text"], k=3, method=method, min_score=0)]
        subsets = ["en" if e["lang"] == "en" else "multilingual", e["lang"], "all"]
        for s in dict.fromkeys(subsets):
            counts[s][0] += 1
            counts[s][1] += bool(ranked[:1] and ranked[0] in e["targets"])
            counts[s][2] += any(code in e["targets"] for code in ranked)
        if not any(code in e["targets"] for code in ranked):
            misses.append((e, ranked))
    return counts, misses


def time_per_entry(entries, matchers, method, runs):
    times = []
    for _run in range(runs):
        start = time.perf_counter()
        for e in entries:
            matchers[e["pack"]].closest(e["text"], k=3, method=method, min_score=0)
        times.append((time.perf_counter() - start) / len(entries))
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--misses", action="store_true", help="list the entries the default method misses")
    args = parser.parse_args()
    entries = yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))["entries"]
    candidates = {slug: pack_candidates(slug) for slug in {e["pack"] for e in entries}}
    start = time.perf_counter()
    matchers = {slug: similarity.Matcher(c) for slug, c in candidates.items()}
    prepare_ms = (time.perf_counter() - start) * 1000 / len(matchers)
    n_en = sum(e["lang"] == "en" for e in entries)
    print(f"{len(entries)} entries ({n_en} English, {len(entries) - n_en} multilingual); "
          f"packs: {', '.join(f'{s} ({len(m.candidates)} items)' for s, m in sorted(matchers.items()))}; "
          f"preparing a pack: {prepare_ms:.1f} ms")
    langs = sorted({e["lang"] for e in entries} - {"en"})
    header = ["method", "en top-1", "en top-3", "multi top-1", "multi top-3",
              *[f"{lang} top-3" for lang in langs], "ms/entry"]
    print(" | ".join(header))
    for method in similarity.METHODS:
        counts, misses = evaluate(entries, matchers, method)

        def pct(subset, k, counts=counts):
            n, top1, top3 = counts[subset]
            return f"{100 * (top1 if k == 1 else top3) / n:.0f}%"

        ms = time_per_entry(entries, matchers, method, args.runs) * 1000
        print(" | ".join([method, pct("en", 1), pct("en", 3), pct("multilingual", 1), pct("multilingual", 3),
                          *[f"{counts[lang][2]}/{counts[lang][0]}" for lang in langs], f"{ms:.2f}"]))
        if args.misses and method == similarity.DEFAULT_METHOD:
            misses_of_default = misses
    if args.misses:
        print(f"\nMissed by {similarity.DEFAULT_METHOD} (top 3 shown):")
        for e, ranked in misses_of_default:
            print(f"  [{e['lang']}] {e['text']!r} ({e['pack']}, wanted {e['targets']}): got {ranked}")


if __name__ == "__main__":
    main()
