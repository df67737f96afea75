"""Benchmark of uploading the values of a measure from a file (issue 13, quality bar: "an upload of
100,000 rows is validated and stored streaming, with memory that does not grow with the file, and a
progress indicator for the person waiting"). Not part of the tests.

The measure counts by day, so that every row is its own period (100,000 rows are 100,000 days from
1800-01-01, ISO dates). Files: CSV of 10,000, 30,000 and 100,000 rows, and XLSX of 10,000 and 30,000
rows written with openpyxl's write-only mode, dates typed as dates. For each file the script runs the
pipeline of ``tailorkit.measures.services.uploads`` in this process, without the task queue (the
database queue's task rows are left unrun and deleted at the end): ``measure_upload_queue`` (what the
request does), ``measure_upload_run`` (the check pass: status "ready"), ``measure_upload_confirm`` and
``measure_upload_run`` again (the store pass: status "done"), then the same file a second time (stores
0 new and N unchanged). It asserts the outcome of every step, so that a broken path is never measured.

Figures:

* **time** of the check pass and of the store pass (seconds and rows/s), first upload (N new values)
  and second upload (N unchanged), median of ``--runs`` runs, each on a fresh measure;
* **the baseline**: ``csv.reader`` over the same CSV text in memory, doing nothing else (rows/s), so that
  figures from other machines compare as ratios (upload rows/s ÷ bare csv rows/s). For XLSX files the
  ratio is to the CSV of the same rows; openpyxl's read-only reading of the same bytes in memory is shown
  beside it;
* **memory**, in separate uploads of each file (never while timing): one under ``tracemalloc`` (the peak
  of traced Python memory minus its level at the start of the pass, MB), one with a thread reading the
  process's resident memory from /proc/self/statm every 10 ms (the highest reading minus the first, MB:
  memory outside Python's allocator too, such as the database driver's; tracemalloc's own tables would
  count there, hence two uploads), both for the check and for the store of new values. The growth of
  ``ru_maxrss`` (the process's high-water mark, so only memory beyond what it already held) is shown too.
  Files run from small to large after a warm-up upload; flat figures as N grows are the point;
* **progress**: ``uploads._progress`` is wrapped with a counter; the number of updates the person
  waiting would see, and the longest wait without one, during each pass.

    .venv/bin/python bench/measure_upload.py --runs 3          # SQLite in a temporary folder
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_measure_upload .venv/bin/python bench/measure_upload.py

Options: ``--runs 3``, ``--sizes 10000,30000,100000`` (CSV), ``--xlsx-sizes 10000,30000``,
``--largest-runs N`` (runs for the largest CSV, default ``--runs``). A PostgreSQL database named here must
start with ``bench_``; it is created and migrated if needed, and the organisation this script makes is
deleted at the end. Prints one JSON line per figure and tables at the end.
"""

import argparse
import csv
import gc
import io
import json
import os
import random
import resource
import statistics
import sys
import tempfile
import threading
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FIRST_DAY = date(1800, 1, 1)
EMAIL = "bench-measure-upload@example.org"
MB = 1024 * 1024


def setup_django():
    url = os.environ.get("DATABASE_URL", "")
    folder = tempfile.mkdtemp(prefix="bench_measure_upload_")
    if url.startswith("postgres"):
        if not url.rsplit("/", 1)[1].startswith("bench_"):
            sys.exit("The PostgreSQL database must be named bench_…")
        _ensure_pg_database(url)
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
    os.environ.setdefault("TAILORKIT_DATA_DIR", folder)
    # The database queue: a queued task is a row nobody runs; this script calls the worker's body itself.
    os.environ["TAILORKIT_TASKS_IMMEDIATE"] = "false"
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


# --- the files ------------------------------------------------------------------------------------

def day_values(n, seed=13):
    rng = random.Random(seed)
    return [(FIRST_DAY + timedelta(days=i), rng.randint(0, 200)) for i in range(n)]


def csv_file(n):
    lines = ["date,count"] + [f"{day.isoformat()},{value}" for day, value in day_values(n)]
    return ("\n".join(lines) + "\n").encode()


def xlsx_file(n):
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Values")
    sheet.append(["Date", "Count"])
    for day, value in day_values(n):
        sheet.append([day, value])  # a date cell (a number with a date format), not text
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def bare_csv_s(content):
    """The baseline: the same CSV read by ``csv.reader`` from memory, nothing else."""
    start = time.perf_counter()
    rows = sum(1 for _row in csv.reader(io.StringIO(content.decode())))
    elapsed = time.perf_counter() - start
    return elapsed, rows - 1


def bare_xlsx_s(content):
    import openpyxl

    start = time.perf_counter()
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    rows = sum(1 for _row in book.worksheets[0].iter_rows(values_only=True))
    book.close()
    return time.perf_counter() - start, rows - 1


# --- progress ---------------------------------------------------------------------------------------

class ProgressCounter:
    """Wraps ``uploads._progress`` (looked up as a module global by ``_check``): counts the updates and
    the longest time without one."""

    def __init__(self, uploads):
        self.uploads, self.original = uploads, uploads._progress
        uploads._progress = self
        self.begin()

    def begin(self):
        self.updates, self.last_done, self.started = 0, 0, time.perf_counter()
        self.previous, self.longest_gap = self.started, 0.0

    def __call__(self, upload, done):
        now = time.perf_counter()
        self.updates += 1
        self.last_done = done
        self.longest_gap = max(self.longest_gap, now - self.previous)
        self.previous = now
        self.original(upload, done)

    def end(self):
        self.longest_gap = max(self.longest_gap, time.perf_counter() - self.previous)
        return {"updates": self.updates, "last_done": self.last_done, "longest_wait_s": round(self.longest_gap, 2)}

    def restore(self):
        self.uploads._progress = self.original


# --- one upload -----------------------------------------------------------------------------------

class Pipeline:
    def __init__(self, org, lead, progress):
        self.org, self.lead, self.progress, self.serial = org, lead, progress, 0

    def new_measure(self):
        from tailorkit.measures.models import Measure
        from tailorkit.measures.tests.factories import make_measure

        self.serial += 1
        return make_measure(self.org, self.lead, name=f"Daily count {self.serial}", kind=Measure.Kind.COUNT,
                            period=Measure.Period.DAY)

    def drop(self, measure):
        """Delete the values of ``measure`` and their history with one statement each (not stored by
        the next run, and the organisation's deletion at the end does not load them one by one)."""
        from django.db import connection, transaction

        from tailorkit.measures.models import Observation

        with transaction.atomic(), connection.cursor() as cursor:
            for model in (Observation.history.model, Observation):
                table = connection.ops.quote_name(model._meta.db_table)
                cursor.execute(f"DELETE FROM {table} WHERE measure_id = %s", [measure.pk])

    def upload(self, measure, name, content, n, expect, memory=None):
        """Queue, check, confirm and store ``content``; asserts each step and the counts stored.
        Returns the figures of each step."""
        from tailorkit.measures.models import MeasureUpload, Observation
        from tailorkit.measures.services import uploads

        figures = {}
        start = time.perf_counter()
        upload = uploads.measure_upload_queue(measure=measure, actor=self.lead, file_name=name, content=content)
        figures["queue_s"] = time.perf_counter() - start
        assert upload.status == MeasureUpload.Status.QUEUED, upload.status

        status, figures["check"] = self.timed_pass(lambda: uploads.measure_upload_run(upload_id=upload.pk), memory)
        upload.refresh_from_db()
        assert status == "ready" and upload.status == "ready", (status, upload.errors[:3])
        assert upload.rows == n and upload.error_count == 0, (upload.rows, upload.error_count, upload.errors[:3])
        uploads.measure_upload_confirm(upload=upload, actor=self.lead)

        status, figures["store"] = self.timed_pass(lambda: uploads.measure_upload_run(upload_id=upload.pk), memory)
        upload.refresh_from_db()
        assert status == "done" and upload.status == "done", (status, upload.errors[:3])
        assert upload.counts == expect, (upload.counts, expect)
        assert not bytes(upload.content), "the stored file was kept"
        stored = Observation.objects.filter(measure=measure).count()
        assert stored == n, (stored, n)
        return figures

    def timed_pass(self, fn, measure_memory):
        """``fn()`` timed; with ``measure_memory="traced"`` under tracemalloc, with ``"rss"`` with the RSS
        sampler (never both: tracemalloc's own tables would count as RSS)."""
        gc.collect()
        maxrss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        if measure_memory == "rss":
            sampler = RssSampler()
        elif measure_memory == "traced":
            tracemalloc.start()
            tracemalloc.reset_peak()
            traced_before = tracemalloc.get_traced_memory()[0]
        self.progress.begin()
        start = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - start
        figures = {"s": elapsed, "progress": self.progress.end()}
        if measure_memory == "traced":
            figures["peak_mb"] = (tracemalloc.get_traced_memory()[1] - traced_before) / MB
            tracemalloc.stop()
        elif measure_memory == "rss":
            figures["rss_growth_mb"] = sampler.stop()
        figures["maxrss_growth_mb"] = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - maxrss_before) / 1024
        return result, figures


class RssSampler(threading.Thread):
    """The process's resident memory read from /proc/self/statm every 10 ms: ``stop()`` returns the highest
    reading minus the first, in MB (0 where /proc is missing)."""

    def __init__(self):
        super().__init__(daemon=True)
        self.page = os.sysconf("SC_PAGE_SIZE")
        self.first = self.highest = self.rss()
        self.done = threading.Event()
        self.start()

    def rss(self):
        try:
            with open("/proc/self/statm") as f:
                return int(f.read().split()[1]) * self.page
        except OSError:
            return 0

    def run(self):
        while not self.done.wait(0.01):
            self.highest = max(self.highest, self.rss())

    def stop(self):
        self.done.set()
        self.join()
        self.highest = max(self.highest, self.rss())
        return (self.highest - self.first) / MB


def emit(**fields):
    print(json.dumps(fields), flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--largest-runs", type=int, default=None, help="runs for the largest CSV (default --runs)")
    parser.add_argument("--sizes", default="10000,30000,100000", help="rows of the CSV files")
    parser.add_argument("--xlsx-sizes", default="10000,30000", help="rows of the XLSX files (empty: none)")
    args = parser.parse_args()
    begun = time.perf_counter()
    csv_sizes = sorted(int(s) for s in args.sizes.split(",") if s)
    xlsx_sizes = sorted(int(s) for s in args.xlsx_sizes.split(",") if s)
    setup_django()
    from django.db import connection

    from tailorkit.core import services as core_services
    from tailorkit.core.models import Organisation, User
    from tailorkit.measures.services import uploads

    emit(database=connection.vendor, migrate_s=round(time.perf_counter() - begun, 1))
    lead = User.objects.filter(email=EMAIL).first() or User.objects.create_user(email=EMAIL, password=None,
                                                                               name="Bench Lead")
    Organisation.objects.filter(memberships__user=lead).delete()
    org = core_services.organisation_create(user=lead, name="Bench measure upload", country="Netherlands")
    progress = ProgressCounter(uploads)
    pipeline = Pipeline(org, lead, progress)
    started = time.perf_counter()

    files = [("csv", n, csv_file(n)) for n in csv_sizes] + [("xlsx", n, xlsx_file(n)) for n in xlsx_sizes]
    bare = {}
    for n in sorted(set(csv_sizes + xlsx_sizes)):
        content = csv_file(n)
        bare_csv_s(content)
        bare[("csv", n)] = statistics.median(bare_csv_s(content)[0] for _ in range(max(args.runs, 5)))
    for fmt, n, content in files:
        if fmt == "xlsx":
            bare_xlsx_s(content)
            bare[("xlsx", n)] = statistics.median(bare_xlsx_s(content)[0] for _ in range(args.runs))
    for (fmt, n), s in bare.items():
        emit(baseline=f"bare {fmt} reader, in memory", rows=n, s=round(s, 4), rows_per_s=round(n / s))
    emit(files={f"{fmt} {n}": len(content) for fmt, n, content in files},
         setup_s=round(time.perf_counter() - started, 1))

    # Warm-up: imports (openpyxl), translations and caches, so that they count in no pass below.
    for fmt, content in (("csv", csv_file(200)), ("xlsx", xlsx_file(200))):
        measure = pipeline.new_measure()
        pipeline.upload(measure, f"warm.{fmt}", content, 200, {"created": 200, "updated": 0, "unchanged": 0})
        pipeline.drop(measure)

    # Memory: per file, smallest first, an upload under tracemalloc and one with the RSS sampler.
    memory = {}
    for fmt, n, content in sorted(files, key=lambda f: (f[1], f[0])):
        expect = {"created": n, "updated": 0, "unchanged": 0}
        measure = pipeline.new_measure()
        figures = pipeline.upload(measure, f"values.{fmt}", content, n, expect, memory="traced")
        pipeline.drop(measure)
        rss = pipeline.upload(measure, f"values.{fmt}", content, n, expect, memory="rss")
        pipeline.drop(measure)
        for step in ("check", "store"):
            figures[step]["rss_growth_mb"] = rss[step]["rss_growth_mb"]
            figures[step]["maxrss_growth_mb"] = rss[step]["maxrss_growth_mb"]
        memory[(fmt, n)] = figures
        for step in ("check", "store"):
            emit(memory=step, format=fmt, rows=n, traced_peak_mb=round(figures[step]["peak_mb"], 2),
                 rss_growth_mb=round(figures[step]["rss_growth_mb"], 1),
                 maxrss_growth_mb=round(figures[step]["maxrss_growth_mb"], 1), traced_s=round(figures[step]["s"], 2))

    # Time: each run a fresh measure, the file uploaded twice (N new values, then N unchanged).
    timing = {}
    largest = max(csv_sizes) if csv_sizes else None
    for fmt, n, content in files:
        runs = args.largest_runs if (fmt == "csv" and n == largest and args.largest_runs) else args.runs
        results = []
        for run in range(runs):
            measure = pipeline.new_measure()
            first = pipeline.upload(measure, f"values.{fmt}", content, n, {"created": n, "updated": 0, "unchanged": 0})
            again = pipeline.upload(measure, f"values.{fmt}", content, n, {"created": 0, "updated": 0, "unchanged": n})
            pipeline.drop(measure)
            result = {"queue_s": first["queue_s"], "check_s": first["check"]["s"], "store_s": first["store"]["s"],
                      "check_again_s": again["check"]["s"], "store_unchanged_s": again["store"]["s"],
                      "check_progress": first["check"]["progress"], "store_progress": first["store"]["progress"]}
            emit(run=run + 1, format=fmt, rows=n, **{k: round(v, 3) if isinstance(v, float) else v
                                                    for k, v in result.items()})
            results.append(result)
        keys = ["queue_s", "check_s", "store_s", "check_again_s", "store_unchanged_s"]
        median = {k: statistics.median(r[k] for r in results) for k in keys}
        median["runs"] = runs
        median["check_progress"] = results[-1]["check_progress"]
        median["store_progress"] = results[-1]["store_progress"]
        timing[(fmt, n)] = median
        base_rate = n / bare[("csv", n)]
        emit(median_of_runs=runs, format=fmt, rows=n, bytes=len(content),
             **{k: round(median[k], 3) for k in keys},
             check_rows_per_s=round(n / median["check_s"]), store_rows_per_s=round(n / median["store_s"]),
             bare_csv_rows_per_s=round(base_rate),
             check_ratio=round((n / median["check_s"]) / base_rate, 4),
             store_ratio=round((n / median["store_s"]) / base_rate, 4))
        if median["check_s"] > 2 * uploads.PROGRESS_SECONDS:
            assert median["check_progress"]["updates"] > 0, "no progress during a long check"

    total = time.perf_counter() - begun
    print(f"\n{connection.vendor}, daily counts, median of {args.runs} runs"
          + (f" ({args.largest_runs} for the {largest:,}-row CSV)" if args.largest_runs else "")
          + f"; whole script {total:.0f} s\n")
    print("| file | rows | KB | bare csv rows/s | check s | check rows/s | × bare | store s | store rows/s | "
          "× bare | 2nd upload: check s | store (unchanged) s | queue s |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for fmt, n, content in files:
        t, base_rate = timing[(fmt, n)], n / bare[("csv", n)]
        check_rate, store_rate = n / t["check_s"], n / t["store_s"]
        print(f"| {fmt} | {n:,} | {len(content) / 1024:.0f} | {base_rate:,.0f} | {t['check_s']:.2f} | "
              f"{check_rate:,.0f} | {check_rate / base_rate:.3f} | {t['store_s']:.2f} | {store_rate:,.0f} | "
              f"{store_rate / base_rate:.4f} | {t['check_again_s']:.2f} | {t['store_unchanged_s']:.2f} | "
              f"{t['queue_s']:.3f} |")
    if xlsx_sizes:
        print("\nbare openpyxl read-only, in memory: " + ", ".join(
            f"{n:,} rows {n / bare[('xlsx', n)]:,.0f} rows/s" for n in xlsx_sizes))
    print(f"\nmemory of one traced upload per file (RSS growth: highest sample minus start; max RSS growth: the "
          f"process's high-water mark, {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB at the end)")
    print("\n| file | rows | check: traced peak MB | RSS growth MB | max RSS growth MB | store: traced peak MB | "
          "RSS growth MB | max RSS growth MB | check: progress updates (last done, longest wait s) | "
          "store: progress updates (longest wait s) |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for fmt, n, _content in files:
        m, t = memory[(fmt, n)], timing[(fmt, n)]
        p, q = t["check_progress"], t["store_progress"]
        print(f"| {fmt} | {n:,} | {m['check']['peak_mb']:.2f} | {m['check']['rss_growth_mb']:.1f} | "
              f"{m['check']['maxrss_growth_mb']:.1f} | {m['store']['peak_mb']:.2f} | "
              f"{m['store']['rss_growth_mb']:.1f} | {m['store']['maxrss_growth_mb']:.1f} | "
              f"{p['updates']} ({p['last_done']:,}, {p['longest_wait_s']:.1f}) | "
              f"{q['updates']} ({q['longest_wait_s']:.1f}) |")

    progress.restore()
    Organisation.objects.filter(memberships__user=lead).delete()
    _drop_task_rows()
    emit(cleanup_done_s=round(time.perf_counter() - begun, 1))


def _drop_task_rows():
    """The queued tasks nobody ran (the database queue's rows for the uploads)."""
    try:
        from django_tasks_db.models import DBTaskResult
    except ImportError:
        return
    DBTaskResult.objects.filter(task_path__endswith="run_measure_upload").delete()


if __name__ == "__main__":
    main()
