"""Benchmark of a large project import (issue 9, point 5). Not part of the tests.

Generates a project file of the size the issue reports (6,000 goals and 4,000 tasks, each with its
"created" entry in the history: about 4.7 MB), then, on a private database (SQLite in a fresh
temporary data folder, or a PostgreSQL database the script creates and drops), measures:

1. the upload request: POST of the file to the import page with Django's test client, which checks
   the file's size and JSON, stores it and queues the import (must stay far below the 30 s request
   limit whatever the file holds);
2. the background import: the queued task run by the project's worker (``worker
   --batch``, in this process), from start to the project being there;
3. the synchronous service ``project_import`` on the same file (what the request used to do);
4. the baseline: ``json.loads`` of the same bytes, so that figures from other machines compare
   as ratios.

    .venv/bin/python bench/project_import.py                     # SQLite in a temporary folder
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_import .venv/bin/python bench/project_import.py

Options: --runs 3 --goals 6000 --tasks 4000 --write FILE (only write the generated file and stop).
For PostgreSQL the named database must start with ``bench_``; it is created and dropped here. Each
run prints JSON; the last line is the median of the runs. docs/performance.md records them.
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlparse

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.consultation_load import PY, free_port, start_server  # noqa: E402

PASSWORD = "x-bench-password-1"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
MEMBERS = ["bench@example.org", "nurse@example.org"]
OUTSIDERS = [f"gp{i}@example.net" for i in range(20)]
STATUSES = ["todo", "doing", "done", "dropped"]


def make_file(goals=6000, tasks=4000):
    """A valid project file (format version 1) with ``goals`` goals and ``tasks`` tasks in one
    iteration, each row with its "created" history entry. The text is varied and realistic in
    length, so that the file is the size the issue reports (4.7 MB for 6,000 + 4,000)."""
    people = MEMBERS + OUTSIDERS
    start = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
    history = []

    def created(kind, ref, when, who, data):
        history.append({"kind": kind, "ref": ref, "type": "created", "date": when.isoformat(), "user": who,
                        "reason": "", "data": data})

    project = {"ref": "project-1", "name": "Referrals to iCBT across the region", "service": "Internet-delivered CBT",
               "determinant_pack": "icbt-determinants", "strategy_pack": "eric", "owner": MEMBERS[0],
               "team": sorted(MEMBERS), "step": "plan", "status": "active", "started_on": "2025-01-06",
               "created_at": start.isoformat(), "last_activity_at": start.isoformat()}
    created("project", "project-1", start, MEMBERS[0], {k: v for k, v in project.items() if k not in {"ref", "team"}})
    iteration = {"ref": "iteration-1", "number": 1, "back_to": "", "started_at": start.isoformat(),
                 "focus_reason": "", "chosen_option": None, "choice_justification": ""}
    created("iteration", "iteration-1", start, MEMBERS[0], {k: v for k, v in iteration.items() if k != "ref"})
    goal_rows = []
    for i in range(goals):
        when = start + timedelta(minutes=7 * i)
        row = {"target_group": f"Adults at practice {i % 97}",
               "end_goal": f"More referrals to iCBT from practice {i % 97}",
               "emphasis": ["reach", "quality", "speed"][i % 3], "created_by": people[i % len(people)],
               "created_at": when.isoformat()}
        goal_rows.append({"ref": f"goal-{i + 1}", **row})
        created("goal", f"goal-{i + 1}", when, row["created_by"], row)
    task_rows = []
    for i in range(tasks):
        when = start + timedelta(minutes=11 * i)
        row = {"iteration": "iteration-1",
               "title": f"Invite the GPs of practice {i % 97}",
               "owner": people[i % len(people)] if i % 5 else None,
               "due_date": (date(2025, 3, 1) + timedelta(days=i % 365)).isoformat(), "status": STATUSES[i % 4]}
        task_rows.append({"ref": f"task-{i + 1}", **row})
        created("task", f"task-{i + 1}", when, people[i % len(people)], row)
    history.sort(key=lambda e: e["date"])
    data = {"format": "tailorkit.project", "version": 1, "exported_at": start.isoformat(), "project": project,
            "goals": goal_rows, "iterations": [iteration], "tasks": task_rows, "history": history}
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()




def pg_admin(url, sql):
    import psycopg

    with psycopg.connect(urlparse(url)._replace(path="/postgres").geturl(), autocommit=True) as conn:
        conn.execute(sql)


def prepare():
    """Migrate, load the packs, make the importing lead and a member (the others in the file are not
    members: their work is attributed to the lead, as on a real second site)."""
    from django.core.management import call_command

    from tailorkit.core import services
    from tailorkit.core.models import Membership, Role, User

    call_command("migrate", "--noinput", verbosity=0)
    call_command("createcachetable", verbosity=0)
    call_command("load_packs", verbosity=0)
    lead = User.objects.create_user(email=MEMBERS[0], password=PASSWORD)
    org = services.organisation_create(user=lead, name="Bench clinic", country="Netherlands")
    Membership.objects.create(organisation=org, user=User.objects.create_user(email=MEMBERS[1], password=PASSWORD),
                              role=Role.MEMBER)
    return lead, org




def session_for(user, base):
    """A signed-in requests session (the session is made in the database, as the test client does)."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    session = requests.Session()
    session.cookies.set("sessionid", client.cookies["sessionid"].value)
    return session


def run_once(content, lead, org, base, env, session):
    from tailorkit.projects.models import Project, ProjectImport
    from tailorkit.projects.services.transfer import project_import

    result = {}
    t = time.perf_counter()
    json.loads(content)
    result["baseline_json_loads_s"] = time.perf_counter() - t

    page = f"{base}/o/{org.slug}/projects/import/"
    token = CSRF.search(session.get(page, timeout=60).text).group(1)
    t = time.perf_counter()
    r = session.post(page, data={"csrfmiddlewaretoken": token}, files={"file": ("project.json", content)},
                     headers={"Referer": page}, allow_redirects=False, timeout=60)
    result["upload_request_s"] = time.perf_counter() - t
    assert r.status_code == 302 and "/import/" in r.headers["Location"], (r.status_code, r.text[:500])
    job = ProjectImport.objects.get(uuid=r.headers["Location"].rstrip("/").rsplit("/", 1)[1])

    # The background import, by django-tasks-db's own worker. While it runs, this process reads the
    # row (autocommit, each read its own transaction) as the status page does, so the stages it
    # sees are what a person would see.
    worker = subprocess.Popen([PY, "manage.py", "worker", "--batch", "--no-startup-delay", "-v", "0"], cwd=ROOT,
                              env=env)
    seen, writing_from = [], None
    while worker.poll() is None:
        row = ProjectImport.objects.values("stage", "done", "total", "heartbeat_at").get(pk=job.pk)
        if not seen or seen[-1][:3] != (row["stage"], row["done"], row["total"]):
            seen.append((row["stage"], row["done"], row["total"], time.perf_counter()))
        if row["stage"] == "writing":
            writing_from = row["heartbeat_at"]
        time.sleep(0.1)
    job.refresh_from_db()
    assert job.status == "done", (job.status, job.errors)
    result["background_import_s"] = (job.finished_at - job.started_at).total_seconds()
    result["write_transaction_s"] = (job.finished_at - writing_from).total_seconds() if writing_from else None
    result["stages_seen"] = [f"{stage} {done}/{total}" for stage, done, total, _t in seen]
    t = time.perf_counter()
    status = session.get(f"{base}{r.headers['Location']}", timeout=60)
    result["status_page_s"] = time.perf_counter() - t
    assert "Project imported" in status.text

    # What the request used to do: the same import, synchronously (in this process, no HTTP).
    t = time.perf_counter()
    project_import(organisation=org, user=lead, data=content)
    result["synchronous_import_s"] = time.perf_counter() - t
    result["projects"] = Project.objects.filter(organisation=org).count()
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--goals", type=int, default=6000)
    parser.add_argument("--tasks", type=int, default=4000)
    parser.add_argument("--write", help="only write the generated file here and stop")
    args = parser.parse_args()
    content = make_file(args.goals, args.tasks)
    if args.write:
        Path(args.write).write_bytes(content)
        print(json.dumps({"file": args.write, "bytes": len(content)}))
        return

    database_url = os.environ.get("DATABASE_URL", "")
    with tempfile.TemporaryDirectory(prefix="bench-import-") as data_dir:
        env = {**os.environ, "TAILORKIT_DATA_DIR": data_dir, "DJANGO_SETTINGS_MODULE": "tailorkit.settings",
               "PYTHONPATH": str(ROOT), "TAILORKIT_TASKS_IMMEDIATE": "false",
               "SECRET_KEY": "bench-only-secret-key-not-for-production-0123456789"}
        if database_url:
            name = urlparse(database_url).path.lstrip("/")
            if not re.fullmatch(r"bench_[a-z0-9_]+", name):
                sys.exit("Use a private database whose name starts with bench_, e.g. bench_import")
            pg_admin(database_url, f'DROP DATABASE IF EXISTS "{name}"')
            pg_admin(database_url, f'CREATE DATABASE "{name}"')
        os.environ.update(env)
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        server = None
        try:
            lead, org = prepare()
            server, base = start_server(env, free_port(), None)
            session = session_for(lead, base)
            runs = []
            for i in range(args.runs):
                result = run_once(content, lead, org, base, env, session)
                print(json.dumps({"run": i + 1, **result}), flush=True)
                runs.append(result)
        finally:
            if server is not None:
                server.terminate()
                server.wait()
            if database_url:
                from django.db import connections

                connections.close_all()
                pg_admin(database_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    keys = ["baseline_json_loads_s", "upload_request_s", "status_page_s", "background_import_s",
            "write_transaction_s", "synchronous_import_s"]
    median = {k: round(statistics.median(r[k] for r in runs), 3) for k in keys if runs[0][k] is not None}
    base = median["baseline_json_loads_s"]
    summary = {"database": "postgresql" if database_url else "sqlite", "runs": len(runs), "file_bytes": len(content),
               "goals": args.goals, "tasks": args.tasks, **median,
               "ratios_to_baseline": {k: round(v / base, 1) for k, v in median.items() if k != "baseline_json_loads_s"}}
    print(json.dumps({"median_of_runs": summary}))


if __name__ == "__main__":
    main()
