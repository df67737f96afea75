"""Benchmark of chart drawing (issue 11, point 3). Not part of the tests.

Times the prioritisation matrix and the effort chart at 1, 10, 100 and 1,000 points (barriers, or
steps for the effort chart), each the median of ``--runs`` runs:

* ``cold``: the shared cache emptied: the chart is drawn;
* ``warm``: drawn before, by this process or another: read from the shared cache (the database
  table of ``CACHES["charts"]``);
* ``before``: the code as it was before this change (altair chart, validated by ``to_dict()``,
  rendered by vl-convert, labels placed by the search over every box), taken from git
  (``--before-ref``, default HEAD) and run cold; at 1,000 points only once (``--before-max``
  limits it: it takes minutes there);
* ``baseline``: ``json.dumps`` of the same points, so that figures from other machines compare as
  ratios.

Two kinds of points: ``spread`` (means anywhere in 1–5, two decimals: every point its own place)
and ``team`` (means of three ratings, multiples of 1/3: points share places, as in real projects).

    .venv/bin/python bench/charts.py                 # SQLite in a temporary folder
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_charts .venv/bin/python bench/charts.py

A PostgreSQL database named here must start with ``bench_``; only its cache tables are made (and
dropped at the end). Prints one JSON line per measure and a table at the end.
"""

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import types
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_django():
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        if not url.rsplit("/", 1)[1].startswith("bench_"):
            sys.exit("The PostgreSQL database must be named bench_…")
    else:
        folder = tempfile.mkdtemp(prefix="bench_charts_")
        os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tailorkit.settings")
    import django

    django.setup()
    from django.core.management import call_command

    if url.startswith("postgres"):
        _ensure_pg_database(url)
    call_command("createcachetable", verbosity=0)


def _ensure_pg_database(url):
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def rows_for(n, kind, rng):
    def mean():
        return rng.randint(3, 15) / 3 if kind == "team" else round(rng.uniform(1, 5), 2)

    return [SimpleNamespace(barrier=SimpleNamespace(name=f"Barrier {i}"), rank=i + 1, mean_importance=mean(),
                            mean_changeability=mean(), n=3) for i in range(n)]


def steps_for(n, rng):
    return [{"label": f"Step {i} of the cycle", "minutes": rng.randint(5, 3000)} for i in range(n)]


def old_modules(ref):
    """The charts modules as they were at ``ref``, loaded beside the new ones."""
    def source(path):
        return subprocess.run(["git", "show", f"{ref}:{path}"], cwd=ROOT, check=True, capture_output=True,
                              text=True).stdout

    core = types.ModuleType("old_core_charts")
    exec(compile(source("tailorkit/core/charts.py"), "old_core_charts", "exec"), core.__dict__)
    projects = types.ModuleType("old_project_charts")
    text = source("tailorkit/projects/charts.py").replace("from tailorkit.core import charts\n", "")
    projects.__dict__["charts"] = core
    exec(compile(text, "old_project_charts", "exec"), projects.__dict__)
    return core, projects


def timed(fn, before=None):
    if before:
        before()
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def median_ms(fn, runs, before=None):
    return statistics.median(timed(fn, before) for _ in range(runs))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sizes", default="1,10,100,1000")
    parser.add_argument("--before-ref", default="HEAD")
    parser.add_argument("--before-max", type=int, default=1000, help="largest size to time the old code at")
    args = parser.parse_args()
    setup_django()
    from django.conf import settings
    from django.core.cache import caches

    from tailorkit.projects import charts

    old_core, old_projects = old_modules(args.before_ref)
    shared = caches["charts" if "charts" in settings.CACHES else "default"]

    # Start-up costs once, outside the timings: vl-convert's engine, templates, translations.
    charts.prioritisation_matrix(rows_for(3, "spread", random.Random(0)))
    charts.effort_by_step(steps_for(3, random.Random(0)))
    old_projects.prioritisation_matrix(rows_for(3, "spread", random.Random(0)))

    results = []
    for chart in ("matrix spread", "matrix team", "effort"):
        for n in [int(s) for s in args.sizes.split(",")]:
            rng = random.Random(n)
            if chart == "effort":
                data = steps_for(n, rng)
                new, old = (lambda d=data: charts.effort_by_step(d)), (lambda d=data: old_projects.effort_by_step(d))
                plain = data
            else:
                data = rows_for(n, chart.split()[1], rng)
                new = lambda d=data: charts.prioritisation_matrix(d)  # noqa: E731
                old = lambda d=data: old_projects.prioritisation_matrix(d)  # noqa: E731
                plain = [[r.rank, r.mean_changeability, r.mean_importance] for r in data]
            row = {"chart": chart, "points": n,
                   "baseline": median_ms(lambda p=plain: json.dumps(p), args.runs),
                   "cold": median_ms(new, args.runs, shared.clear)}
            new()
            row["warm"] = median_ms(new, args.runs)
            if n <= args.before_max:
                before_runs = args.runs if n < 1000 else 1
                row["before"] = median_ms(old, before_runs, old_core._svg.cache_clear)
            print(json.dumps(row), flush=True)
            results.append(row)
    shared.clear()

    print("\n| chart | points | baseline ms | before ms | cold ms | warm ms | before/cold | before/warm |")
    print("|---|---|---|---|---|---|---|---|")
    for r in results:
        before = r.get("before")
        was, cold, warm = ((f"{before:.0f}", f"{before / r['cold']:.0f}×", f"{before / r['warm']:.0f}×")
                           if before else ("–", "–", "–"))
        print(f"| {r['chart']} | {r['points']} | {r['baseline']:.2f} | {was} | {r['cold']:.1f} | "
              f"{r['warm']:.2f} | {cold} | {warm} |")


if __name__ == "__main__":
    main()
