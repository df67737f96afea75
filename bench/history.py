"""Benchmark of the project's record (issue 11, point 2). Not part of the tests.

On a private database (SQLite in a fresh temporary data folder, or a PostgreSQL database the script
creates and drops) it makes one project per size with one goal of 100 / 1,000 / 5,000 versions (a
minute apart, each its own timeline entry), and one project with 1,000 iterations (each with a task
and a success criterion), then measures in process, median of ``--runs``:

1. the timeline's first page (``timeline_page``);
2. a deep page: the middle of the goal's versions (page ``versions / 50``), by its number (the old
   ``?page=N``) and by the cursor that the "Older" links now carry;
3. the "Newer" page above that deep page (cursor only);
4. the project as it was at the middle of the goal's life (``project_as_of``), and for the project
   with 1,000 iterations at the end;
5. the baseline: a plain SELECT of the 25 newest goal history rows (through the history_date index,
   so it does not grow with the versions), measured before each size, so figures from other
   machines compare as ratios.

``--before FILE`` also times the same calls with an earlier ``services/timeline.py``, imported from
FILE as a module of the same package (git stash is not needed):

    git show 821c638:tailorkit/projects/services/timeline.py > /tmp/timeline_before.py
    .venv/bin/python bench/history.py --before /tmp/timeline_before.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_history .venv/bin/python bench/history.py \\
        --before /tmp/timeline_before.py

For PostgreSQL the named database must start with ``bench_``; it is created and dropped here. The
earlier code takes minutes at 5,000 versions: above ``--before-max`` (default 1000) it is timed
once (no warm-up call) and its deep page is not timed.
Each measurement prints a JSON line; the last line is the table of medians.
"""

import argparse
import importlib.util
import json
import os
import re
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def pg_admin(url, sql):
    import psycopg

    with psycopg.connect(urlparse(url)._replace(path="/postgres").geturl(), autocommit=True) as conn:
        conn.execute(sql)


def timed(fn, runs, warm=True):
    """Median seconds of ``runs`` calls (after one call not timed, which fills caches)."""
    if warm:
        fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def make_projects(sizes, iterations):
    """{size: (project, goal, moment in the middle of its versions)}, and the project with many iterations."""
    from django.core.management import call_command

    from tailorkit.core import services
    from tailorkit.core.models import User
    from tailorkit.library.models import ContentPack
    from tailorkit.projects.models import Goal, Iteration, SuccessCriterion, Task
    from tailorkit.projects.services import projects as project_services

    call_command("migrate", "--noinput", verbosity=0)
    call_command("load_packs", verbosity=0)
    lead = User.objects.create_user(email="bench@example.org", password="x-bench-password-1", name="Bench Lead")
    org = services.organisation_create(user=lead, name="Bench clinic", country="Netherlands")
    packs = {"determinant_pack": ContentPack.objects.get(slug="icbt-determinants"),
             "strategy_pack": ContentPack.objects.get(slug="eric")}
    start = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)

    def new_project(name):
        project = project_services.project_create(organisation=org, user=lead, name=name, service="iCBT", **packs)
        project.history.update(history_date=start - timedelta(days=1))
        project.iterations.get(number=1).history.update(history_date=start - timedelta(days=1))
        return project

    made = {}
    for size in sizes:
        project = new_project(f"{size} versions")
        goal = Goal.objects.create(organisation=org, project=project, target_group="Adults", end_goal="Version 0",
                                   created_by=lead)
        first = goal.history.get()
        first.history_date, first.history_user = start, lead
        first.save()
        H = Goal.history.model
        fields = {f.attname: getattr(first, f.attname) for f in H._meta.concrete_fields if f.attname != "history_id"}
        H.objects.bulk_create([H(**{**fields, "end_goal": f"Version {i}", "version": i + 1, "history_type": "~",
                                    "history_date": start + timedelta(minutes=i)}) for i in range(1, size)],
                              batch_size=500)
        made[size] = (project, goal, start + timedelta(minutes=size // 2, seconds=30))

    project = new_project(f"{iterations} iterations")
    rows = Iteration.objects.bulk_create([Iteration(organisation=org, project=project, number=n,
                                                    started_at=start + timedelta(hours=n))
                                          for n in range(2, iterations + 1)])
    tasks = Task.objects.bulk_create([Task(organisation=org, project=project, iteration=it, title=f"Task {it.number}")
                                      for it in rows])
    criteria = SuccessCriterion.objects.bulk_create([
        SuccessCriterion(organisation=org, project=project, iteration=it, description=f"Criterion {it.number}")
        for it in rows])
    for model, objs in ((Iteration, rows), (Task, tasks), (SuccessCriterion, criteria)):
        model.history.bulk_history_create(objs, default_user=lead, default_date=start)
    return made, project


def load_before(path):
    spec = importlib.util.spec_from_file_location("tailorkit.projects.services.timeline_before", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def measure(made, iterations_project, args):
    from tailorkit.projects.models import Goal
    from tailorkit.projects.services import timeline as after

    before = load_before(args.before) if args.before else None
    results = []

    def record(**row):
        print(json.dumps(row), flush=True)
        results.append(row)

    for size, (project, _goal, middle) in made.items():
        baseline = timed(lambda: list(Goal.history.order_by("-history_date")[:25]), args.runs)
        deep = max(2, size // 50)
        cursor = after.parse_cursor(after.timeline_page(project, page=deep).newer)
        deep_cursor_page = after.timeline_page(project, at=cursor)
        assert deep_cursor_page.entries[0].changes[0].after == f"Version {size - 1 - (deep - 1) * 25}"
        above = after.parse_cursor(deep_cursor_page.newer)
        calls = {
            "timeline page 1": lambda m: m.timeline_page(project),  # noqa: B023
            f"timeline page {deep} by number": lambda m: m.timeline_page(project, page=deep),  # noqa: B023
            f"timeline page {deep} by cursor": lambda m: m.timeline_page(project, at=cursor),  # noqa: B023
            f"newer than page {deep} (cursor)": lambda m: m.timeline_page(project, newer_than=above),  # noqa: B023
            "as of the middle": lambda m: m.project_as_of(project, middle),  # noqa: B023
        }
        for name, call in calls.items():
            for label, module in (("before", before), ("after", after)):
                slow = label == "before" and size > args.before_max   # timed once; its deep page not at all
                if module is None or (label == "before" and "cursor" in name) or (slow and "number" in name):
                    continue
                runs = 1 if slow else args.runs
                seconds = timed(lambda: call(module), runs, warm=not slow)  # noqa: B023
                record(size=f"{size} versions", what=name, code=label, runs=runs, ms=round(seconds * 1000, 2),
                       baseline_ms=round(baseline * 1000, 3), ratio=round(seconds / baseline, 1))

    from tailorkit.projects.models import Iteration

    its = Iteration.objects.filter(project=iterations_project).count()
    baseline = timed(lambda: list(Goal.history.order_by("-history_date")[:25]), args.runs)
    now = datetime.now(UTC)
    for label, module in (("before", before), ("after", after)):
        if module is not None:
            seconds = timed(lambda: module.project_as_of(iterations_project, now), args.runs)  # noqa: B023
            record(size=f"{its} iterations", what="as of now", code=label, ms=round(seconds * 1000, 2),
                   baseline_ms=round(baseline * 1000, 3), ratio=round(seconds / baseline, 1))
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sizes", default="100,1000,5000")
    parser.add_argument("--iterations", type=int, default=1000)
    parser.add_argument("--before", help="an earlier services/timeline.py to time as well")
    parser.add_argument("--before-max", type=int, default=1000,
                        help="above this size the earlier code is timed once, and its deep page not at all")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    database_url = os.environ.get("DATABASE_URL", "")
    with tempfile.TemporaryDirectory(prefix="bench-history-") as data_dir:
        os.environ.update({"TAILORKIT_DATA_DIR": data_dir, "DJANGO_SETTINGS_MODULE": "tailorkit.settings",
                           "SECRET_KEY": "bench-only-secret-key-not-for-production-0123456789"})
        if database_url:
            name = urlparse(database_url).path.lstrip("/")
            if not re.fullmatch(r"bench_[a-z0-9_]+", name):
                sys.exit("Use a private database whose name starts with bench_, e.g. bench_history")
            pg_admin(database_url, f'DROP DATABASE IF EXISTS "{name}"')
            pg_admin(database_url, f'CREATE DATABASE "{name}"')
        import django

        django.setup()
        try:
            made, iterations_project = make_projects(sizes, args.iterations)
            results = measure(made, iterations_project, args)
        finally:
            if database_url:
                from django.db import connections

                connections.close_all()
                pg_admin(database_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    print(json.dumps({"database": "postgresql" if database_url else "sqlite", "runs": args.runs,
                      "results": results}))


if __name__ == "__main__":
    main()
