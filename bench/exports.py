"""Benchmark of the response downloads of a large consultation (issue 11, point 4). Not part of the tests.

Builds one anonymous consultation with 10,000 responses to eight questions (three respondent groups)
on a private database (SQLite in a fresh temporary data folder, or a PostgreSQL database the script
creates and drops), then measures in process, per format (responses CSV and XLSX):

* **after**: the streamed export (``consultations.services.exports``), read to the end as the server
  would send it, without keeping it;
* **before** (with ``--before REV``): the export of that commit (its ``services/results.py``, loaded
  from git), which builds the whole file in memory;
* the **baseline**: reading every answer of the consultation as plain values (the least any export
  must do), so that figures from other machines compare as ratios.

Time is measured without tracing; peak memory in separate runs with ``tracemalloc`` (Python
allocations, which is where the old export's 400 MB went).

    .venv/bin/python bench/exports.py --before 821c638
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_exports .venv/bin/python bench/exports.py --before 821c638

Options: --runs 3 --responses 10000. For PostgreSQL the named database must start with ``bench_``; it is
created and dropped here. Each run prints JSON; the last line holds the medians.
"""

import argparse
import importlib.util
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import uuid
from datetime import date
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GROUPS = ["clinician", "manager", "patient"]
QUESTIONS = [
    {"key": "role", "kind": "single", "text": "Your role",
     "options": [{"value": "gp", "label": "GP"}, {"value": "nurse", "label": "Nurse"}]},
    *({"key": f"q{i}", "kind": "likert5", "text": f"Statement {i}", "allow_not_relevant": True} for i in range(4)),
    {"key": "channels", "kind": "multiple", "text": "Where do you refer?",
     "options": [{"value": "web", "label": "Website"}, {"value": "gp", "label": "GP letter"},
                 {"value": "phone", "label": "Phone"}]},
    {"key": "years", "kind": "number", "text": "Years in post", "min_value": 0, "max_value": 50},
    {"key": "help", "kind": "text", "text": "What would help?"},
]


def pg_admin(url, sql):
    import psycopg

    with psycopg.connect(urlparse(url)._replace(path="/postgres").geturl(), autocommit=True) as conn:
        conn.execute(sql)


def prepare(n):
    """Migrate, make a lead, an organisation and the consultation with ``n`` responses (bulk)."""
    from django.core.management import call_command

    from tailorkit.consultations.models import Answer, Response
    from tailorkit.consultations.tests.factories import make_consultation_asking
    from tailorkit.core import services
    from tailorkit.core.models import User

    call_command("migrate", "--noinput", verbosity=0)
    call_command("createcachetable", verbosity=0)
    lead = User.objects.create_user(email="bench@example.org", password="x-bench-password-1")
    org = services.organisation_create(user=lead, name="Bench clinic", country="Netherlands")
    consultation = make_consultation_asking(org, lead, QUESTIONS, groups=GROUPS, min_group_size=5)
    version = consultation.questionnaire.versions.get()
    for start in range(0, n, 1000):
        responses = Response.objects.bulk_create([
            Response(organisation=org, consultation=consultation, version=version, group=GROUPS[i % 3],
                     submission_key=uuid.uuid4(), submitted_on=date(2026, 11, 1 + i % 28))
            for i in range(start, min(n, start + 1000))])
        answers = []
        for i, r in enumerate(responses, start=start):
            values = {"role": ["gp", "nurse"][i % 2], **{f"q{k}": 1 + (i + k) % 5 for k in range(4)},
                      "channels": [["web"], ["gp", "phone"], []][i % 3], "years": i % 40,
                      "help": f"More time in the week for referrals, answer {i}" if i % 2 else "=1+1"}
            answers += [Answer(organisation=org, response=r, question_key=k, value=v) for k, v in values.items()]
        Answer.objects.bulk_create(answers, batch_size=2000)
    return lead, consultation


def old_module(rev):
    """``services/results.py`` of commit ``rev``, loaded as a module beside the current one."""
    source = subprocess.run(["git", "show", f"{rev}:tailorkit/consultations/services/results.py"], cwd=ROOT,
                            check=True, capture_output=True).stdout
    path = Path(tempfile.mkdtemp(prefix="bench-exports-")) / "old_results.py"
    path.write_bytes(source)
    spec = importlib.util.spec_from_file_location("tailorkit.consultations.services._bench_old_results", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def drain(chunks):
    return sum(len(c) for c in chunks)


def cases(lead, consultation, old):
    from tailorkit.consultations.models import Answer
    from tailorkit.consultations.services import exports

    def baseline():
        rows = Answer.objects.filter(response__consultation=consultation).values_list(
            "response_id", "question_key", "value", "not_relevant")
        return sum(1 for _r in rows.iterator(chunk_size=2000))

    def new_xlsx():
        with exports.export_responses_xlsx_file(consultation=consultation, actor=lead) as f:
            return drain(iter(lambda: f.read(65536), b""))

    found = {"baseline": baseline,
             "after_csv": lambda: drain(exports.stream_responses_csv(consultation=consultation, actor=lead)),
             "after_xlsx": new_xlsx}
    if old is not None:
        found["before_csv"] = lambda: len(old.export_responses_csv(consultation=consultation, actor=lead))
        found["before_xlsx"] = lambda: len(old.export_responses_xlsx(consultation=consultation, actor=lead))
    return found


def run_once(found):
    result = {}
    for name, build in found.items():
        t = time.perf_counter()
        size = build()
        result[f"{name}_s"] = time.perf_counter() - t
        if name != "baseline":
            result[f"{name}_bytes"] = size
    for name, build in found.items():
        tracemalloc.start()
        build()
        result[f"{name}_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--responses", type=int, default=10_000)
    parser.add_argument("--before", help="a git revision whose export to measure as 'before'")
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL", "")
    with tempfile.TemporaryDirectory(prefix="bench-exports-") as data_dir:
        os.environ.update({"TAILORKIT_DATA_DIR": data_dir, "DJANGO_SETTINGS_MODULE": "tailorkit.settings",
                           "SECRET_KEY": "bench-only-secret-key-not-for-production-0123456789"})
        if database_url:
            name = urlparse(database_url).path.lstrip("/")
            if not re.fullmatch(r"bench_[a-z0-9_]+", name):
                sys.exit("Use a private database whose name starts with bench_, e.g. bench_exports")
            pg_admin(database_url, f'DROP DATABASE IF EXISTS "{name}"')
            pg_admin(database_url, f'CREATE DATABASE "{name}"')
        import django

        django.setup()
        try:
            lead, consultation = prepare(args.responses)
            found = cases(lead, consultation, old_module(args.before) if args.before else None)
            runs = []
            for i in range(args.runs):
                result = run_once(found)
                print(json.dumps({"run": i + 1, **{k: round(v, 3) for k, v in result.items()}}), flush=True)
                runs.append(result)
        finally:
            if database_url:
                from django.db import connections

                connections.close_all()
                pg_admin(database_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    median = {k: round(statistics.median(r[k] for r in runs), 3) for k in runs[0]}
    base = median["baseline_s"]
    summary = {"database": "postgresql" if database_url else "sqlite", "runs": len(runs),
               "responses": args.responses, **median,
               "time_ratios_to_baseline": {k: round(v / base, 1) for k, v in median.items()
                                           if k.endswith("_s") and k != "baseline_s"}}
    print(json.dumps({"median_of_runs": summary}))


if __name__ == "__main__":
    main()
