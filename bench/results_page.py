"""Benchmark of a consultation's results page (issue 11, point 1). Not part of the tests.

In-process, with Django's test client (no web server): builds one consultation with 1,000 and one
with 10,000 responses (ten questions of every kind, three respondent groups, two free-text
questions whose answers are 40–400 characters long), then measures, for each, GET of

1. the results page;
2. the first page of one free-text question's answers (``?texts=<key>``);
3. the baseline: a help page of the same site (login, middleware, template, no consultation
   data), so figures from other machines compare as ratios.

For each page: wall time (median of ``--runs``, after one warm-up), bytes of the HTML, number of
SQL queries, and the peak of Python memory during the request (``tracemalloc``, in separate runs,
because tracing slows Python down several times).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_results .venv/bin/python bench/results_page.py

The database named must start with ``bench_``; it is created and dropped here. Without
DATABASE_URL a temporary SQLite file is used. Options: --runs 3 --sizes 1000,10000.
"""

import argparse
import json
import os
import random
import statistics
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

WORDS = ("time staff training access waiting list patients clinic referral computer login video session "
         "manager support room privacy workload software phone evening childcare transport language").split()


def prepare_database():
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        folder = tempfile.mkdtemp(prefix="bench-results-")
        os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
        return None
    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    if not name.startswith("bench_"):
        sys.exit("The PostgreSQL database for the benchmark must be named bench_…")
    import psycopg

    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return admin, name


def drop_database(created):
    if created is None:
        return
    import psycopg
    from django.db import connections

    connections.close_all()
    admin, name = created
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


QUESTIONS = [
    {"key": "role", "kind": "single", "text": "Your role",
     "options": [{"value": v, "label": v.title()} for v in ("gp", "nurse", "psychologist", "manager")]},
    {"key": "time", "kind": "likert5", "text": "Lack of time is a barrier", "allow_not_relevant": True},
    {"key": "training", "kind": "likert5", "text": "Lack of training is a barrier"},
    {"key": "access", "kind": "likert7", "text": "Patients can get access"},
    {"key": "confidence", "kind": "scale0_10", "text": "How confident are you?"},
    {"key": "years", "kind": "number", "text": "Years in post", "min_value": 0, "max_value": 50},
    {"key": "helps", "kind": "multiple", "text": "What helps?",
     "options": [{"value": v, "label": v.title()} for v in ("time", "money", "training", "software")]},
    {"key": "order", "kind": "ranking", "text": "Rank these",
     "options": [{"value": v, "label": v.title()} for v in ("a", "b", "c", "d")]},
    {"key": "help", "kind": "text", "text": "What would help?"},
    {"key": "other", "kind": "text", "text": "Anything else?"},
]


def answer(question, rng):
    kind = question["kind"]
    if kind == "single":
        return rng.choice(question["options"])["value"]
    if kind == "likert5":
        return rng.randint(1, 5)
    if kind == "likert7":
        return rng.randint(1, 7)
    if kind == "scale0_10":
        return rng.randint(0, 10)
    if kind == "number":
        return rng.randint(0, 50)
    if kind == "multiple":
        return sorted(rng.sample([o["value"] for o in question["options"]], rng.randint(1, 3)))
    if kind == "ranking":
        order = [o["value"] for o in question["options"]]
        rng.shuffle(order)
        return order
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 60))).capitalize()


def build(org, user, n, rng):
    from tailorkit.consultations.models import Answer, Response
    from tailorkit.consultations.services import builder, delivery

    questionnaire = builder.questionnaire_create(organisation=org, actor=user, title=f"Survey {n}")
    section = questionnaire.sections.get()
    for fields in QUESTIONS:
        builder.question_create(section=section, actor=user, **fields)
    consultation, _token = delivery.consultation_create(
        organisation=org, questionnaire=questionnaire, actor=user, title=f"Bench {n}",
        groups=["clinician", "manager", "patient"])
    version = questionnaire.versions.order_by("-number").first()
    groups = ["clinician"] * 6 + ["manager"] * 2 + ["patient"] * 2
    for start in range(0, n, 1000):
        responses = Response.objects.bulk_create([
            Response(organisation=org, consultation=consultation, version=version, group=rng.choice(groups),
                     submission_key=uuid.uuid4(), submitted_on=date(2026, 11, 20))
            for _ in range(start, min(n, start + 1000))])
        answers = []
        for response in responses:
            for q in QUESTIONS:
                not_relevant = q.get("allow_not_relevant") and rng.random() < 0.05
                answers.append(Answer(organisation=org, response=response, question_key=q["key"],
                                      value=None if not_relevant else answer(q, rng), not_relevant=bool(not_relevant)))
        Answer.objects.bulk_create(answers, batch_size=2000)
    return consultation


def measure(client, url, runs):
    from django.db import connection

    response = client.get(url)  # warm-up
    assert response.status_code == 200, (url, response.status_code)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - start)
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        client.get(url)
    peaks = []
    for _ in range(runs):
        tracemalloc.start()
        client.get(url)
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    return {"ms": round(statistics.median(times) * 1000, 1), "kB": round(len(response.content) / 1024, 1),
            "queries": len(queries), "peak_MB": round(statistics.median(peaks) / 2**20, 2)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--no-texts", action="store_true", help="skip the page of one question's texts")
    args = parser.parse_args()
    created = prepare_database()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tailorkit.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    from tailorkit.core import services
    from tailorkit.core.models import User

    setup_test_environment()
    try:
        call_command("migrate", verbosity=0)
        user = User.objects.create_user(email="bench@example.org", password="x-bench-password-1", name="Bench")
        org = services.organisation_create(user=user, name="Bench clinic", country="Netherlands")
        rng = random.Random(11)
        client = Client()
        client.force_login(user)
        engine = "postgresql" if created else "sqlite"
        out = {"engine": engine, "runs": args.runs, "baseline": measure(
            client, reverse("projects:help_topic", args=["consultations"]), args.runs)}
        for n in (int(s) for s in args.sizes.split(",")):
            consultation = build(org, user, n, rng)
            if created:  # as autovacuum would soon after: the planner needs the tables' statistics
                from django.db import connection

                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
            url = reverse("consultations:consultation_results", args=[org.slug, consultation.uuid])
            out[f"results_{n}"] = measure(client, url, args.runs)
            if not args.no_texts:
                out[f"texts_{n}"] = measure(client, url + "?texts=help", args.runs)
        for key, row in out.items():
            if isinstance(row, dict) and key != "baseline":
                row["x_baseline"] = round(row["ms"] / out["baseline"]["ms"], 1)
        print(json.dumps(out, indent=1))
    finally:
        drop_database(created)


if __name__ == "__main__":
    main()
