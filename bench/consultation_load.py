"""Load benchmark for consultation respondents (issue 4, "Security and load"). Not part of the tests.

Starts a real gunicorn server from the venv on a private database (SQLite in a fresh temporary
data folder, or a PostgreSQL database the script creates and drops), creates an open-link
consultation and measures two phases at the same concurrency:

1. whole respondents: each opens the link (302 to the form), loads the form and submits it;
2. submits only: as many respondents first open the form, then all send it at once.

Every tenth submit in both phases is sent twice (a double click or a retry). Afterwards it checks
that stored responses == distinct submission keys == successful submits and that every response has
its three answers. Baselines in the same run, same concurrency: a static GET (whitenoise) and the
thanks page (the cheapest Django page: middleware and a template, no database).

    .venv/bin/python bench/consultation_load.py                     # SQLite in a temporary folder
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_consult .venv/bin/python bench/consultation_load.py

For PostgreSQL the named database must start with ``bench_``; it is created and dropped here.
Options: --respondents 1000 (per phase) --concurrency 50 --workers 4 --threads 4 --runs 3. Each run
prints JSON; the last line is the median of the runs. docs/performance.md records them.
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


def count_stored(env, consultation_id, warm=0):
    code = f"""
import django, json; django.setup()
from tailorkit.consultations.models import Response, Answer
rs = Response.objects.filter(consultation_id={consultation_id}).order_by("pk")
keys = list(rs.values_list("submission_key", flat=True))
warm = list(rs.values_list("pk", flat=True)[:{warm}])
answers = Answer.objects.filter(response__consultation_id={consultation_id})
print(json.dumps({{"responses": len(keys), "distinct_keys": len(set(keys)),
                   "answers_new": answers.exclude(response_id__in=warm).count()}}))
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


def respondent_open(base, token, n):
    """Open the link (302 to the form) and load the form. Returns (session, form data, latency, status)."""
    s = requests.Session()
    t = time.perf_counter()
    r = s.get(f"{base}/c/o/{token}/", allow_redirects=True, timeout=30)
    latency = time.perf_counter() - t
    if r.status_code != 200:
        return None, None, latency, r.status_code
    fields = dict(HIDDEN.findall(r.text))
    data = {**fields, "q-role": "gp" if n % 2 else "nurse", "q-time": str(1 + n % 5),
            "q-help": f"respondent {n} =1+1", "action": "submit"}
    return s, data, latency, 200


def respondent_submit(base, s, data, resend):
    """Send the form (302 to thanks); ``resend`` sends the very same submit again, as a double click or
    a retry would. Returns (ok, submit latency, key, status)."""
    t = time.perf_counter()
    r = s.post(f"{base}/c/form/", data=data, allow_redirects=False, timeout=30,
               headers={"Referer": f"{base}/c/form/"})
    submit = time.perf_counter() - t
    ok = r.status_code == 302 and r.headers.get("Location", "").endswith("/c/thanks/")
    if ok and resend:
        r2 = s.post(f"{base}/c/form/", data=data, allow_redirects=False, timeout=30,
                    headers={"Referer": f"{base}/c/form/"})
        ok = r2.status_code == 302 and r2.headers.get("Location", "").endswith("/c/thanks/")
    return ok, submit, data.get("submission_key"), r.status_code


def respondent(base, token, n, resend):
    """One whole respondent: open link → form → submit. Returns (ok, submit latency, all latencies, key, status)."""
    s, data, opened, status = respondent_open(base, token, n)
    if s is None:
        return False, None, [opened], None, status
    ok, submit, key, status = respondent_submit(base, s, data, resend)
    return ok, submit, [opened, submit], key, status


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] * 1000


def baseline(base, concurrency, path="/static/tailorkit/tailorkit.css", seconds=5):
    """GETs of one URL at the same concurrency for a few seconds: requests per second and p99 (ms).
    The static file (whitenoise) shows what server and client do at best; the thanks page is the
    cheapest Django page (middleware and a template, no database)."""
    stop = time.perf_counter() + seconds
    counts, latencies = [], []

    def loop():
        s, n, mine = requests.Session(), 0, []
        while time.perf_counter() < stop:
            t = time.perf_counter()
            s.get(base + path, timeout=30)
            mine.append(time.perf_counter() - t)
            n += 1
        counts.append(n)
        latencies.extend(mine)

    threads = [threading.Thread(target=loop) for _ in range(concurrency)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(counts) / (time.perf_counter() - start), pct(latencies, 99)


def cpu_seconds():
    t = os.times()
    return t.user + t.system


def run_once(env, args, port):
    info = prepare(env)
    proc, base = start_server(env, port, args.workers, args.threads)
    try:
        for n in range(20):  # warm up workers (imports, first queries)
            respondent(base, info["token"], n, False)
        warm = count_stored(env, info["id"])["responses"]
        static_rps, static_p99 = baseline(base, args.concurrency)
        page_rps, page_p99 = baseline(base, args.concurrency, "/c/thanks/")
        load_before = os.getloadavg()[0]
        # Phase 1, whole respondents: open the link, load the form, submit (every tenth twice).
        cpu, start = cpu_seconds(), time.perf_counter()
        with ThreadPoolExecutor(args.concurrency) as pool:
            results = list(pool.map(lambda n: respondent(base, info["token"], n, n % 10 == 0),
                                    range(args.respondents)))
        elapsed, client_cpu = time.perf_counter() - start, cpu_seconds() - cpu
        # Phase 2, submits only: respondents who already have the form open all send it at once
        # (the "submissions per second at 50 concurrent respondents").
        offset = args.respondents
        with ThreadPoolExecutor(args.concurrency) as pool:
            opened = list(pool.map(lambda n: respondent_open(base, info["token"], n), range(offset, offset * 2)))
        ready = [(s, d) for s, d, _lat, _status in opened if s is not None]
        start = time.perf_counter()
        with ThreadPoolExecutor(args.concurrency) as pool:
            burst = list(pool.map(lambda i: respondent_submit(base, *ready[i], i % 10 == 0), range(len(ready))))
        burst_elapsed = time.perf_counter() - start
        load_after = os.getloadavg()[0]
    finally:
        proc.terminate()
        proc.wait(30)
    ok = [r for r in results if r[0]]
    burst_ok = [r for r in burst if r[0]]
    submits = [r[1] for r in ok]
    every = [x for r in results for x in r[2]]
    stored = count_stored(env, info["id"], warm)
    stored["responses"] -= warm
    stored["distinct_keys"] -= warm
    keys = [r[3] for r in ok] + [r[2] for r in burst_ok]
    successful = len(ok) + len(burst_ok)
    return {
        "respondents": args.respondents * 2, "successful_submits": successful,
        "failed": len(results) - len(ok) + len(opened) - len(burst_ok),
        "failure_statuses": sorted({r[4] for r in results if not r[0]} | {r[3] for r in burst if not r[0]}
                                   | {r[3] for r in opened if r[0] is None}),
        "resent_submits": sum(1 for n in range(args.respondents) if n % 10 == 0)
        + sum(1 for i in range(len(ready)) if i % 10 == 0),
        "stored_responses": stored["responses"], "distinct_submission_keys_stored": stored["distinct_keys"],
        "distinct_keys_sent": len(set(keys)),
        "answers_per_response": round(stored["answers_new"] / max(1, stored["responses"]), 3),
        "exactly_once": stored["responses"] == successful == len(set(keys)) == stored["distinct_keys"]
        and stored["answers_new"] == 3 * successful,
        "journeys_seconds": round(elapsed, 2), "submissions_per_s": round(len(ok) / elapsed, 1),
        "submit_p50_ms": round(pct(submits, 50), 1), "submit_p99_ms": round(pct(submits, 99), 1),
        "any_request_p50_ms": round(pct(every, 50), 1), "any_request_p99_ms": round(pct(every, 99), 1),
        "burst_submissions_per_s": round(len(burst_ok) / burst_elapsed, 1),
        "burst_submit_p50_ms": round(pct([r[1] for r in burst_ok], 50), 1),
        "burst_submit_p99_ms": round(pct([r[1] for r in burst_ok], 99), 1),
        "static_get_per_s": round(static_rps, 1), "static_get_p99_ms": round(static_p99, 1),
        "thanks_page_get_per_s": round(page_rps, 1), "thanks_page_p99_ms": round(page_p99, 1),
        "submissions_vs_static_ratio": round(len(ok) / elapsed / static_rps, 3),
        "burst_submissions_vs_static_ratio": round(len(burst_ok) / burst_elapsed / static_rps, 3),
        "client_cpu_share_of_2_cores": round(client_cpu / elapsed / 2, 2),
        "load_average_before_after": [round(load_before, 1), round(load_after, 1)],
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
