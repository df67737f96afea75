"""Load benchmark for consultation respondents (issue 4, "Security and load"). Not part of the tests.

Starts a real gunicorn server from the venv on a private database, creates an open-link
consultation, then lets many concurrent respondents each open the link, load the form and submit
it. Measures submissions per second and p50/p99 latency, and checks that every successful submit
is stored exactly once (about one in ten respondents also re-sends the same submit, as a double
click or a retry would). A trivial static GET is measured in the same run as a baseline.

    .venv/bin/python bench/consultation_load.py                     # SQLite in a temporary folder
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_consult .venv/bin/python bench/consultation_load.py

For PostgreSQL the named database is created and dropped by the script (use a private name).
Options: --respondents 1000 --concurrency 50 --workers 4 --threads 4 --runs 3. Results go to stdout
as JSON; docs/performance.md records them.
"""

import argparse
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlparse

import requests

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pg_admin(url, sql):
    import psycopg

    parts = urlparse(url)
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql)


def prepare(env):
    """Migrate, create the cache table and an open-link consultation; return the link token."""
    for args in (["migrate", "--noinput", "-v", "0"], ["createcachetable"]):
        subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, check=True)
    code = r"""
import django, json; django.setup()
from tailorkit.core.models import User
from tailorkit.core import services as core
from tailorkit.consultations import delivery, services
user = User.objects.create_user(email="bench@example.org", password="x-bench-password-1")
org = core.organisation_create(user=user, name="Bench clinic", country="Netherlands")
q = services.questionnaire_create(organisation=org, actor=user, title="Bench")
s = q.sections.get()
services.question_create(section=s, actor=user, key="role", kind="single", text="Role", required=True,
    options=[{"value": "gp", "label": "GP"}, {"value": "nurse", "label": "Nurse"}])
services.question_create(section=s, actor=user, key="time", kind="likert5", text="Time", required=True)
services.question_create(section=s, actor=user, key="help", kind="text", text="What would help?")
c, token = delivery.consultation_create(organisation=org, questionnaire=q, actor=user, title="Bench",
    mode="open_link", anonymous=True)
print(json.dumps({"token": token, "id": c.pk}))
"""
    out = subprocess.run([PY, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def count_stored(env, consultation_id):
    code = f"""
import django, json; django.setup()
from tailorkit.consultations.models import Response, Answer
rs = Response.objects.filter(consultation_id={consultation_id})
keys = list(rs.values_list("submission_key", flat=True))
print(json.dumps({{"responses": len(keys), "distinct_keys": len(set(keys)),
                   "answers": Answer.objects.filter(response__consultation_id={consultation_id}).count()}}))
"""
    out = subprocess.run([PY, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def start_server(env, port, workers, threads):
    cmd = [str(Path(PY).parent / "gunicorn"), "tailorkit.wsgi:application", "--bind", f"127.0.0.1:{port}",
           "--workers", str(workers), "--worker-class", "gthread", "--threads", str(threads),
           "--backlog", "2048", "--log-level", "warning"]
    log = open(Path(env["TAILORKIT_DATA_DIR"]) / "gunicorn.log", "w")  # noqa: SIM115 (closed with the folder)
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            if requests.get(base + "/static/tailorkit/tailorkit.css", timeout=5).status_code == 200:
                return proc, base
        except requests.RequestException:
            time.sleep(0.5)
    proc.terminate()
    raise RuntimeError("gunicorn did not start")


def respondent(base, token, n, resend):
    """One respondent: open link → form → submit. Returns (ok, submit latency, all latencies, key)."""
    s = requests.Session()
    latencies = []
    t = time.perf_counter()
    r = s.get(f"{base}/c/o/{token}/", allow_redirects=True, timeout=30)
    latencies.append(time.perf_counter() - t)
    if r.status_code != 200:
        return False, None, latencies, None, r.status_code
    fields = dict(HIDDEN.findall(r.text))
    data = {**fields, "q-role": "gp" if n % 2 else "nurse", "q-time": str(1 + n % 5),
            "q-help": f"respondent {n} =1+1", "action": "submit"}
    t = time.perf_counter()
    r = s.post(f"{base}/c/form/", data=data, allow_redirects=False, timeout=30,
               headers={"Referer": f"{base}/c/form/"})
    submit = time.perf_counter() - t
    latencies.append(submit)
    ok = r.status_code == 302 and r.headers.get("Location", "").endswith("/c/thanks/")
    if ok and resend:
        r2 = s.post(f"{base}/c/form/", data=data, allow_redirects=False, timeout=30,
                    headers={"Referer": f"{base}/c/form/"})
        ok = r2.status_code == 302
    return ok, submit, latencies, fields.get("submission_key"), r.status_code


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] * 1000


def baseline(base, concurrency, seconds=5):
    """Static GET throughput (whitenoise) at the same concurrency: what this machine does at best."""
    stop = time.perf_counter() + seconds
    counts = []

    def loop():
        s, n = requests.Session(), 0
        while time.perf_counter() < stop:
            s.get(base + "/static/tailorkit/tailorkit.css", timeout=30)
            n += 1
        counts.append(n)

    threads = [threading.Thread(target=loop) for _ in range(concurrency)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(counts) / (time.perf_counter() - start)


def run_once(env, args, port):
    info = prepare(env)
    proc, base = start_server(env, port, args.workers, args.threads)
    try:
        for n in range(20):  # warm up workers (imports, first queries)
            respondent(base, info["token"], n, False)
        warm = count_stored(env, info["id"])["responses"]
        static_rps = baseline(base, args.concurrency)
        start = time.perf_counter()
        with ThreadPoolExecutor(args.concurrency) as pool:
            results = list(pool.map(lambda n: respondent(base, info["token"], n, n % 10 == 0),
                                    range(args.respondents)))
        elapsed = time.perf_counter() - start
    finally:
        proc.terminate()
        proc.wait(30)
    ok = [r for r in results if r[0]]
    submits = [r[1] for r in ok]
    every = [x for r in results for x in r[2]]
    stored = count_stored(env, info["id"])
    stored["responses"] -= warm
    keys = [r[3] for r in ok]
    return {
        "respondents": args.respondents, "successful_submits": len(ok),
        "failed": len(results) - len(ok), "failure_statuses": sorted({r[4] for r in results if not r[0]}),
        "resent_submits": sum(1 for n in range(args.respondents) if n % 10 == 0),
        "stored_responses": stored["responses"], "distinct_submission_keys_stored": stored["distinct_keys"] - warm,
        "duplicate_keys_sent": len(keys) - len(set(keys)),
        "exactly_once": stored["responses"] == len(ok) and stored["distinct_keys"] - warm == len(ok),
        "seconds": round(elapsed, 2), "submissions_per_s": round(len(ok) / elapsed, 1),
        "requests_per_s": round(len(every) / elapsed, 1),
        "submit_p50_ms": round(pct(submits, 50), 1), "submit_p99_ms": round(pct(submits, 99), 1),
        "any_request_p50_ms": round(pct(every, 50), 1), "any_request_p99_ms": round(pct(every, 99), 1),
        "static_get_per_s": round(static_rps, 1),
        "submissions_vs_static_ratio": round(len(ok) / elapsed / static_rps, 3),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    database_url = os.environ.get("DATABASE_URL", "")
    runs = []
    for i in range(args.runs):
        with tempfile.TemporaryDirectory(prefix="bench-consult-") as data_dir:
            env = {**os.environ, "TAILORKIT_DATA_DIR": data_dir, "DJANGO_SETTINGS_MODULE": "bench.settings_bench",
                   "PYTHONPATH": str(ROOT), "SECRET_KEY": "bench-only-secret-key-not-for-production-0123456789"}
            if database_url:
                name = urlparse(database_url).path.lstrip("/")
                if not re.fullmatch(r"bench_[a-z0-9_]+", name):
                    sys.exit("Use a private database whose name starts with bench_, e.g. bench_consult")
                pg_admin(database_url, f'DROP DATABASE IF EXISTS "{name}"')
                pg_admin(database_url, f'CREATE DATABASE "{name}"')
            try:
                result = run_once(env, args, free_port())
            finally:
                if database_url:
                    pg_admin(database_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        print(json.dumps({"run": i + 1, **result}), flush=True)
        runs.append(result)
    summary = {k: statistics.median(r[k] for r in runs) for k in runs[0] if isinstance(runs[0][k], int | float)}
    summary["all_exactly_once"] = all(r["exactly_once"] for r in runs)
    summary["database"] = "postgresql" if database_url else "sqlite"
    print(json.dumps({"median_of_runs": len(runs), **summary}, indent=1))


if __name__ == "__main__":
    main()
