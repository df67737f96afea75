"""Benchmark of the measures engine (issue 13, quality bars). Not part of the tests.

Two questions, each timed against a baseline measured in the same run, so that figures from other
machines compare as ratios:

* **a chart of 520 weekly points** (ten years): ``spc.analyse`` alone, the SVG drawn by
  ``measures.charts.spc_svg`` alone, and both together the way the measure page asks for them
  (``spc_chart``: analysis + drawing + the shared chart cache) cold (cache emptied) and warm.
  The issue asks for "well under a second".
* **the overview of 200 measures** (``measures:measure_overview``, the first page of 25 and the
  "needs attention" filter, which analyses all 200): the number of queries, which must be the same
  as for 20 measures, and the server time (Django's test client in this process, the whole stack),
  cold (charts cache emptied: every sparkline drawn) and warm (second visit).

The baseline is the respondents' thank-you page ``/c/thanks/`` (all middleware and a template, no
database), as in ``bench/pages.py``. Every figure is the median of ``--runs`` runs.

    .venv/bin/python bench/measures.py                 # SQLite in a temporary folder
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_measures .venv/bin/python bench/measures.py

A PostgreSQL database named here must start with ``bench_``; it is created and migrated if needed,
and the organisations this script makes are deleted at the end. Prints one JSON line per figure and
a table at the end.
"""

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BASELINE = "/c/thanks/"


def setup_django():
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        if not url.rsplit("/", 1)[1].startswith("bench_"):
            sys.exit("The PostgreSQL database must be named bench_…")
        _ensure_pg_database(url)
    else:
        folder = tempfile.mkdtemp(prefix="bench_measures_")
        os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tailorkit.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)


def _ensure_pg_database(url):
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def timed(fn, before=None):
    if before:
        before()
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def median_ms(fn, runs, before=None):
    return statistics.median(timed(fn, before) for _ in range(runs))


# --- data -------------------------------------------------------------------------------------------

def weekly_values(n, rng):
    """``n`` weekly counts around 15 with a step up two thirds of the way (a signal to find)."""
    return [max(0, round(rng.gauss(15 if i < n * 2 // 3 else 19, 3))) for i in range(n)]


def organisation_with_measures(name, n, lead, rng):
    """An organisation with ``n`` measures: monthly proportions (24 values), weekly counts (52) and
    monthly means (24), a rebase on every tenth, stopped early on every seventh (data overdue)."""
    from tailorkit.core import services as core_services
    from tailorkit.measures import periods
    from tailorkit.measures.models import Measure
    from tailorkit.measures.services.measures import baseline_create, measure_create
    from tailorkit.measures.services.observations import observations_save
    from tailorkit.measures.tests.factories import make_measure

    org = core_services.organisation_create(user=lead, name=name, country="Netherlands")
    for i in range(n):
        kind = (Measure.Kind.PROPORTION, Measure.Kind.COUNT, Measure.Kind.MEAN)[i % 3]
        period = Measure.Period.WEEK if kind == Measure.Kind.COUNT else Measure.Period.MONTH
        count = (52 if period == Measure.Period.WEEK else 24) - (12 if i % 7 == 0 else 0)
        first = date(2024, 1, 1) if i % 7 else date(2023, 1, 2)
        if kind == Measure.Kind.PROPORTION:
            dens = [rng.randint(80, 120) for _ in range(count)]
            make_measure(org, lead, name=f"Measure {i:03d}", kind=kind, period=period, first=first,
                         values=[round(d * rng.uniform(0.3, 0.5)) for d in dens], denominators=dens)
        else:
            measure = measure_create(organisation=org, actor=lead, name=f"Measure {i:03d}", kind=kind,
                                     period=period)
            values = weekly_values(count, rng) if kind == Measure.Kind.COUNT else [
                round(rng.gauss(20, 2), 1) for _ in range(count)]
            start, rows = periods.start_of(period, first), []
            for v in values:
                rows.append({"period": start, "numerator": v})
                start = periods.following(period, start)
            observations_save(measure=measure, actor=lead, rows=rows)
            if i % 10 == 1:
                baseline_create(measure=measure, actor=lead, first_period=rows[len(rows) // 2]["period"],
                                reason="The process changed")
    return org


# --- the two questions -----------------------------------------------------------------------------

def chart_figures(lead, runs, rng, clear):
    from tailorkit.core import services as core_services
    from tailorkit.measures import charts, selectors, spc
    from tailorkit.measures.models import Measure
    from tailorkit.measures.tests.factories import make_measure

    org = core_services.organisation_create(user=lead, name="Bench charts", country="Netherlands")
    measure = make_measure(org, lead, name="Ten years of weeks", period=Measure.Period.WEEK, first=date(2015, 1, 5),
                           values=weekly_values(520, rng))
    points, phases = selectors.points_of(measure), selectors.phases_of(measure)
    analysis = spc.analyse(measure.kind, points, better=measure.better, phases=phases)
    charts.spc_svg(measure, analysis)  # start-up costs once: templates, translations

    def page_chart():
        charts.spc_chart(measure, selectors.analysis_of(measure))

    rows = {
        "analyse 520 weekly points": median_ms(
            lambda: spc.analyse(measure.kind, points, better=measure.better, phases=phases), runs),
        "draw the SVG (no cache)": median_ms(lambda: charts.spc_svg(measure, analysis), runs),
        "read + analyse + draw, cold": median_ms(page_chart, runs, clear),
    }
    page_chart()
    rows["read + analyse, drawing cached"] = median_ms(page_chart, runs)
    return measure, analysis, rows


def overview_figures(client, orgs, runs, clear):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    figures = []
    for label, query in (("all (first 25)", ""), ("needs attention (all analysed)", "?show=attention")):
        counts = {}
        for n, org in orgs.items():
            address = reverse("measures:measure_overview", args=[org.slug]) + query
            assert client.get(address).status_code == 200, address
            with CaptureQueriesContext(connection) as ctx:
                client.get(address)
            counts[n] = len(ctx)
        address = reverse("measures:measure_overview", args=[orgs[max(orgs)].slug]) + query
        cold = median_ms(lambda a=address: client.get(a), runs, clear)
        warm = median_ms(lambda a=address: client.get(a), runs)
        figures.append({"page": label, "queries": counts, "cold": cold, "warm": warm})
    return figures


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--measures", type=int, default=200)
    args = parser.parse_args()
    setup_django()
    from django.conf import settings
    from django.core.cache import caches
    from django.db import connection
    from django.test import Client

    from tailorkit.core.models import Organisation, User

    shared = caches["charts" if "charts" in settings.CACHES else "default"]

    def clear():
        from tailorkit.core import charts as core_charts

        shared.clear()
        core_charts._local.clear()

    rng = random.Random(13)
    lead = User.objects.filter(email="bench-measures@example.org").first() or User.objects.create_user(
        email="bench-measures@example.org", password=None, name="Bench Lead")
    Organisation.objects.filter(memberships__user=lead).delete()
    started = time.perf_counter()
    orgs = {n: organisation_with_measures(f"Bench {n} measures", n, lead, rng) for n in (20, args.measures)}
    print(json.dumps({"setup_s": round(time.perf_counter() - started, 1), "database": connection.vendor}),
          flush=True)

    client = Client()
    client.force_login(lead)
    client.get(BASELINE)
    baseline = median_ms(lambda: client.get(BASELINE), max(args.runs, 30))
    print(json.dumps({"baseline": BASELINE, "ms": round(baseline, 3)}), flush=True)

    _measure, _analysis, chart_rows = chart_figures(lead, args.runs, rng, clear)
    for label, ms in chart_rows.items():
        print(json.dumps({"chart": label, "ms": round(ms, 2), "ratio": round(ms / baseline, 1)}), flush=True)
    overview = overview_figures(client, orgs, args.runs, clear)
    for row in overview:
        print(json.dumps(row), flush=True)

    print(f"\n{connection.vendor}, baseline {BASELINE} p50 {baseline:.2f} ms, median of {args.runs} runs\n")
    print("| 520 weekly points | ms | × baseline |\n|---|---|---|")
    for label, ms in chart_rows.items():
        print(f"| {label} | {ms:.1f} | {ms / baseline:.1f} |")
    print(f"\n| overview, {args.measures} measures | queries (20 → {args.measures} measures) | cold ms | "
          "warm ms | warm × baseline |\n|---|---|---|---|---|")
    for r in overview:
        q = " → ".join(str(c) for c in r["queries"].values())
        print(f"| {r['page']} | {q} | {r['cold']:.0f} | {r['warm']:.0f} | {r['warm'] / baseline:.1f} |")
    Organisation.objects.filter(memberships__user=lead).delete()


if __name__ == "__main__":
    main()
