"""Load benchmark for consultation respondents (issue 4, "Security and load"). Not part of the tests.

Starts gunicorn from the venv with the repository's gunicorn.conf.py (what production runs) on a
private database (SQLite in a fresh temporary data folder, or a PostgreSQL database the script
creates and drops), creates an open-link consultation with three questions and measures, at the
same concurrency (50 by default):

1. submits (the issue's "submissions per second"): respondents who have the form open all send it.
   The forms are opened first (link exchanged for the grant cookie, form loaded, not timed); then
   wrk, a load generator written in C, sends the submits with bench/submits.lua, so that the client
   takes little of the two cores the server runs on;
2. whole respondents, driven by Python (``requests``, one session each): open the link (302 to the
   form), load the form, submit (302 to the thanks page). This shows a respondent's whole visit,
   with a heavier client on the same cores.

Every tenth submit in both phases is sent twice (a double click or a retry). Afterwards it checks
that stored responses == distinct submission keys == respondents who submitted, with three answers
each. Baselines in the same run and concurrency, with wrk: a static file (whitenoise) and the thanks
page (the cheapest Django page: middleware and a template, no database). CPU seconds per process
kind (gunicorn, postgres, wrk) during the submits show where the time went.

    .venv/bin/python bench/consultation_load.py                     # SQLite in a temporary folder
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_consult .venv/bin/python bench/consultation_load.py

Needs wrk (Debian: ``apt-get install wrk``). For PostgreSQL the named database must start with
``bench_``; it is created and dropped here. Options: --respondents 3000 (submits phase; the whole-
respondent phase uses a third) --concurrency 50 --workers (default: gunicorn.conf.py) --runs 3
--gunicorn-args "..." (other server settings, to compare).
Each run prints JSON; the last lines are the median of the runs. docs/performance.md records them.
"""

import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode, urlparse

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
from tailorkit.consultations.services import builder, delivery
user = User.objects.create_user(email="bench@example.org", password="x-bench-password-1")
org = core.organisation_create(user=user, name="Bench clinic", country="Netherlands")
q = builder.questionnaire_create(organisation=org, actor=user, title="Bench")
s = q.sections.get()
builder.question_create(section=s, actor=user, key="role", kind="single", text="Role", required=True,
    options=[{"value": "gp", "label": "GP"}, {"value": "nurse", "label": "Nurse"}])
builder.question_create(section=s, actor=user, key="time", kind="likert5", text="Time", required=True)
builder.question_create(section=s, actor=user, key="help", kind="text", text="What would help?")
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


def start_server(env, port, workers, extra=""):
    cmd = [str(Path(PY).parent / "gunicorn"), "tailorkit.wsgi:application", "--config", str(ROOT / "gunicorn.conf.py"),
           "--bind", f"127.0.0.1:{port}", "--log-level", "warning", *extra.split()]
    if workers:
        cmd += ["--workers", str(workers)]
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


def wrk_get(base, path, concurrency, seconds=5):
    """GETs of one URL with wrk: (requests per second, p99 in ms, gunicorn CPU ms per request)."""
    before = process_cpu()
    out = subprocess.run(["wrk", "-t1", f"-c{concurrency}", f"-d{seconds}s", "--latency", base + path],
                         check=True, capture_output=True, text=True).stdout
    cpu = process_cpu().get("gunicorn", 0) - before.get("gunicorn", 0)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    count = int(re.search(r"(\d+) requests in", out).group(1))
    value, unit = re.search(r"99%\s+([\d.]+)(us|ms|s)", out).groups()
    return rps, float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit], cpu / max(count, 1) * 1000


def open_forms(base, token, first, count):
    """Open ``count`` forms as separate respondents (not timed): lines of "cookie<TAB>form body"."""
    def one(n):
        s, data, _latency, status = respondent_open(base, token, n)
        if s is None:
            raise RuntimeError(f"opening a form failed with HTTP {status}")
        cookie = "; ".join(f"{k}={v}" for k, v in s.cookies.items())
        return f"{cookie}\t{urlencode(data)}", data["submission_key"]

    with ThreadPoolExecutor(8) as pool:
        return list(pool.map(one, range(first, first + count)))


BENCH_DATABASE = urlparse(os.environ.get("DATABASE_URL", "")).path.lstrip("/").encode()


def process_cpu():
    """CPU seconds so far of gunicorn, postgres and wrk processes (Linux /proc). PostgreSQL counts only
    the backends serving the benchmark's database (their title names it): on a shared machine other
    databases' work would be counted too. Its background writers are not counted."""
    ticks, hz = Counter(), os.sysconf("SC_CLK_TCK")
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        name = stat[stat.index("(") + 1:stat.rindex(")")]
        kind = ("gunicorn" if b"gunicorn" in cmdline else "wrk" if name == "wrk"
                else "postgres" if name == "postgres" and BENCH_DATABASE and b" " + BENCH_DATABASE + b" " in cmdline
                else None)
        if kind:
            fields = stat[stat.rindex(")") + 2:].split()
            ticks[kind] += int(fields[11]) + int(fields[12])
    return {k: v / hz for k, v in ticks.items()}


def wrk_submits(base, lines, concurrency, data_dir):
    """Send the prepared submits with wrk; returns the script's figures and CPU seconds by process."""
    forms, marker = Path(data_dir) / "forms.txt", Path(data_dir) / "wrk-done"
    forms.write_text("\n".join(lines) + "\n")
    marker.unlink(missing_ok=True)
    before = process_cpu()
    proc = subprocess.Popen(["wrk", "-t1", f"-c{concurrency}", "-d600s", "-s", str(ROOT / "bench" / "submits.lua"),
                             base, "--", str(forms), "10", str(marker)], stdout=subprocess.PIPE, text=True)
    while not marker.exists() and proc.poll() is None:
        time.sleep(0.05)
    after = process_cpu()  # while wrk still runs, so that its own CPU counts
    proc.send_signal(signal.SIGINT)  # wrk's main thread waits for -d otherwise; done() still runs
    out = proc.communicate(timeout=60)[0]
    result = json.loads(out.split("RESULT ", 1)[1].splitlines()[0])
    result["cpu_seconds"] = {k: round(after[k] - before.get(k, 0), 2) for k in after}
    return result


def per_request(burst, kind):
    """CPU milliseconds of one process kind per submit request sent."""
    return round(burst["cpu_seconds"].get(kind, 0) / burst["planned"] * 1000, 3)


def run_once(env, args, port):
    info = prepare(env)
    proc, base = start_server(env, port, args.workers, args.gunicorn_args)
    data_dir = env["TAILORKIT_DATA_DIR"]
    try:
        # Warm up every worker (imports, templates, first queries) before anything is timed.
        warm = open_forms(base, info["token"], 10**6, 200)
        wrk_submits(base, [line for line, _key in warm], args.concurrency, data_dir)
        warmed = count_stored(env, info["id"])["responses"]
        static_rps, static_p99, _static_cpu = wrk_get(base, "/static/tailorkit/tailorkit.css", args.concurrency)
        page_rps, page_p99, page_cpu = wrk_get(base, "/c/thanks/", args.concurrency)
        load_before = os.getloadavg()[0]
        # Phase 1, submits: all respondents have the form open, then send it (wrk).
        opened = open_forms(base, info["token"], 0, args.respondents)
        burst = wrk_submits(base, [line for line, _key in opened], args.concurrency, data_dir)
        # Phase 2, whole respondents (Python client): open the link, load the form, submit.
        whole = args.respondents // 3
        start = time.perf_counter()
        with ThreadPoolExecutor(args.concurrency) as pool:
            results = list(pool.map(lambda n: respondent(base, info["token"], n, n % 10 == 0),
                                    range(args.respondents, args.respondents + whole)))
        elapsed = time.perf_counter() - start
        load_after = os.getloadavg()[0]
    finally:
        proc.terminate()
        proc.wait(30)
    ok = [r for r in results if r[0]]
    submits = [r[1] for r in ok]
    every = [x for r in results for x in r[2]]
    stored = count_stored(env, info["id"], warmed)
    new_responses = stored["responses"] - warmed
    expected = len(opened) + len(ok)
    keys = [key for _line, key in opened] + [r[3] for r in ok]
    submissions = len(opened)
    return {
        "submits_phase": {
            "respondents": submissions, "submit_requests": burst["planned"], "resent": burst["planned"] - submissions,
            "answered_302_to_thanks": burst["ok"], "other_answers": burst["bad"], "wrk_timeouts": burst["timeouts"],
            "seconds": round(burst["elapsed_s"], 2),
            "submissions_per_s": round(submissions / burst["elapsed_s"], 1),
            "submit_requests_per_s": round(burst["planned"] / burst["elapsed_s"], 1),
            "p50_ms": burst["p50_ms"], "p90_ms": burst["p90_ms"], "p99_ms": burst["p99_ms"], "max_ms": burst["max_ms"],
            "cpu_seconds": burst["cpu_seconds"],
            "server_cpu_ms_per_submit_request": per_request(burst, "gunicorn"),
            "database_cpu_ms_per_submit_request": per_request(burst, "postgres"),
        },
        "whole_respondents_phase": {
            "respondents": whole, "submitted": len(ok), "failed": whole - len(ok),
            "failure_statuses": sorted({r[4] for r in results if not r[0]}),
            "seconds": round(elapsed, 2), "submissions_per_s": round(len(ok) / elapsed, 1),
            "submit_p50_ms": round(pct(submits, 50), 1), "submit_p99_ms": round(pct(submits, 99), 1),
            "any_request_p50_ms": round(pct(every, 50), 1), "any_request_p99_ms": round(pct(every, 99), 1),
        },
        "baselines": {"static_get_per_s": round(static_rps, 1), "static_get_p99_ms": round(static_p99, 1),
                      "thanks_page_get_per_s": round(page_rps, 1), "thanks_page_p99_ms": round(page_p99, 1),
                      "server_cpu_ms_per_thanks_page": round(page_cpu, 3)},
        "submissions_vs_thanks_page_ratio": round(submissions / burst["elapsed_s"] / page_rps, 3),
        # The same ratio from server CPU alone (thanks page CPU / submit request CPU): what the rate
        # ratio tends to on an idle machine, and much less disturbed by other work on the cores.
        "cpu_ratio_thanks_page_to_submit": round(page_cpu / max(per_request(burst, "gunicorn"), 1e-9), 3),
        "stored": {"new_responses": new_responses, "distinct_keys": stored["distinct_keys"] - warmed,
                   "distinct_keys_sent": len(set(keys)), "answers_new": stored["answers_new"]},
        "exactly_once": new_responses == expected == len(set(keys)) == stored["distinct_keys"] - warmed
        and stored["answers_new"] == 3 * expected and burst["ok"] == burst["planned"] and burst["bad"] == 0,
        "load_average_before_after": [round(load_before, 1), round(load_after, 1)],
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--workers", type=int, default=None, help="default: gunicorn.conf.py")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--gunicorn-args", default="", help='to compare other settings, e.g. "--threads 4"')
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("This benchmark needs wrk: apt-get install wrk")

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
    summary = {"database": "postgresql" if database_url else "sqlite", "runs": len(runs),
               "all_exactly_once": all(r["exactly_once"] for r in runs)}
    for group in ("submits_phase", "whole_respondents_phase", "baselines"):
        summary[group] = {k: statistics.median(r[group][k] for r in runs) for k, v in runs[0][group].items()
                          if isinstance(v, int | float)}
    for key in ("submissions_vs_thanks_page_ratio", "cpu_ratio_thanks_page_to_submit"):
        summary[key] = statistics.median(r[key] for r in runs)
    print(json.dumps({"median_of_runs": summary}, indent=1))


if __name__ == "__main__":
    main()
