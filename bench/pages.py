"""Server time of every page and API GET route over the large dataset (issue 11). Not part of the tests.

Needs the dataset of ``bench/dataset.py`` in the database named by ``DATABASE_URL``. Walks the whole
URL configuration (as ``tailorkit/tests/test_outsider_sweep_pages.py`` does), fills each route's
parameters with objects of the dataset and sends GET requests in this process with Django's test
client, signed in as the organisation's lead (pages: a session; API: the lead's bearer token). The
time is taken around ``client.get`` (the whole Django stack: middleware, view, queries, template; no
network, no web server), so it is the server time of one request with nothing else running.

Contexts (which routes run with which objects):

* ``typical``: every route, with the first organisation whose first project is at the review step
  (10 projects, a staff survey with 5 responses, a barrier prioritisation of that project);
* ``1,000 projects``: the routes of the heavy organisation that name no project or consultation
  (lists, home page, "my tasks", members, audit, API lists), as its lead;
* ``1,000 tasks``, ``1,000 iterations``, ``5,000 versions``: every route that names a project, with
  the heavy projects (the last one has a goal edited 5,000 times: timeline, "as of", history);
* ``10,000 responses``: every route that names a consultation, with the heavy open-link consultation.

Streamed downloads (the project's ``export.json``, the responses files) are timed twice: to their
first byte (what a person waits for before the download starts) and to their last. They are listed
in a table of their own, judged by the first byte, not counted among the pages: issue 11 asks of
them that they stream with memory flat (point 4), and their whole transfer grows with the file.

Per route and run: one untimed request first (it gives the status, the bytes and the number of
queries, counted with ``CaptureQueriesContext``), then up to ``--requests`` timed requests
(``--heavy-requests`` in the heavy contexts), stopping early once a route has used ``--budget``
seconds, but never fewer than 3 (1 when the untimed request alone took longer than the budget). p50
and p95 by nearest rank; with fewer than 20 samples p95 is the slowest. "app CPU" is the CPU time
of this process during the request (``time.process_time``, PostgreSQL's own work excluded): on a
shared, loaded machine the wall time grows with the load, the CPU time much less, so compare both.
The baseline is ``/c/thanks/`` (the respondents' thank-you page: all middleware and a template, no
database), timed the same way at the start of every run; each route's ratio is its p50 over the
baseline's p50. With ``--runs 3`` every figure is the median of the three runs.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_large .venv/bin/python bench/pages.py --runs 3 \\
        --out /tmp/pages.md

Routes answering 405 (POST only) are listed, not timed; 404/403/500 are reported as such (a 500
prints the exception). Options: --only REGEX (routes), --contexts typical,... .
"""

import argparse
import json
import logging
import math
import os
import re
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tailorkit.settings")

import django  # noqa: E402

django.setup()

from django.core.signals import got_request_exception  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import get_resolver  # noqa: E402

from bench.dataset import HEAVY_CONSULTATION, HEAVY_PROJECTS, HEAVY_SLUG, api_token_of  # noqa: E402

# The outsider sweep's walk over the URL configuration, so the bench times the routes the sweep covers.
from tailorkit.tests.test_outsider_sweep_pages import PARAM, walk  # noqa: E402

BASELINE = "/c/thanks/"
# Not timed: third-party account pages, the Django admin, capability links (the secret is the
# permission; the respondent flow has its own benchmark, bench/consultation_load.py), the
# respondent form (needs a grant cookie) and the page that reads an invitation from the session.
SKIP_PREFIXES = ("accounts/", "admin/", "c/", "invitation/")
SKIP_PARAMS = {"token"}
ERRORS = []


def routes():
    seen = []
    for route in walk(get_resolver().url_patterns):
        names = {m["name"] for m in PARAM.finditer(route)}
        if route.startswith(SKIP_PREFIXES) or names & SKIP_PARAMS or route in seen:
            continue
        seen.append(route)  # the API lists a path once per method
    return seen


def params(route):
    return {m["name"] for m in PARAM.finditer(route)}


def fill(route, values):
    return "/" + PARAM.sub(lambda m: str(values[m["name"]]), route)


# --- the objects of each context ----------------------------------------------------------------------

def first(qs, attr="pk"):
    obj = qs.first()
    return getattr(obj, attr) if obj is not None else None


def project_values(project, lead):
    from tailorkit.projects.models import Barrier, EffortEntry, Goal, Review, StrategyOption, SuccessCriterion, Task

    return {
        "project_id": project.pk,
        "goal_id": first(Goal.objects.filter(project=project).order_by("pk")),
        "barrier_id": first(Barrier.objects.filter(project=project).order_by("pk")),
        "option_id": first(StrategyOption.objects.filter(project=project).order_by("pk")),
        "task_id": first(Task.objects.filter(project=project).order_by("pk")),
        "criterion_id": first(SuccessCriterion.objects.filter(project=project).order_by("pk")),
        "review_id": first(Review.objects.filter(project=project).order_by("pk")),
        # Only its author may delete an entry: the lead's own when there is one.
        "entry_id": first(EffortEntry.objects.filter(project=project, user=lead).order_by("pk"))
        or first(EffortEntry.objects.filter(project=project).order_by("pk")),
        "iteration_number": 1,
    }


def consultation_values(consultation):
    from tailorkit.consultations.models import Invitation, Question, Section

    q = consultation.questionnaire
    return {
        "consultation_id": consultation.uuid,
        "questionnaire_id": q.pk,
        "section_id": first(Section.objects.filter(questionnaire=q).order_by("pk")),
        "question_id": first(Question.objects.filter(questionnaire=q).order_by("pk")),
        "respondent_id": first(Invitation.objects.filter(consultation=consultation).order_by("pk"), "uuid"),
        # The free-text question whose answers the results page pages through.
        "question_key": first(Question.objects.filter(questionnaire=q, kind="text").order_by("pk"), "key"),
        "fmt": "responses.csv",
    }


def org_values(org):
    from tailorkit.api.models import ApiToken
    from tailorkit.consultations.models import Consultation
    from tailorkit.core.models import Invitation, Membership, Role
    from tailorkit.library.models import Item
    from tailorkit.projects.models import ProjectImport

    lead = Membership.objects.get(organisation=org, role=Role.LEAD).user
    item = Item.objects.filter(pack__slug="icbt-determinants").order_by("pk").first()
    values = {
        "org_slug": org.slug, "step": "goals", "topic": "plan", "step_template": "barrier_prioritisation",
        "membership_id": first(Membership.objects.filter(organisation=org).exclude(user=lead).order_by("pk")),
        "invitation_id": first(Invitation.objects.filter(organisation=org, status="pending").order_by("pk"), "uuid"),
        "import_id": first(ProjectImport.objects.filter(organisation=org).order_by("pk"), "uuid"),
        "token_id": first(ApiToken.objects.filter(user=lead)),
        "pack_slug": "icbt-determinants", "item_code": item.code,
    }
    survey = Consultation.objects.filter(organisation=org, subject_type="").order_by("pk").first()
    if survey is not None:
        values.update(consultation_values(survey))
    return lead, values


def contexts(heavy_requests, requests):
    """(name, lead, values, route filter, requests per route) for each context."""
    from tailorkit.consultations.models import Consultation
    from tailorkit.core.models import Organisation
    from tailorkit.projects.models import Project

    typical = None
    for org in Organisation.objects.filter(slug__startswith="org-").order_by("slug")[:50]:
        project = Project.objects.filter(organisation=org).order_by("pk").first()
        if project.step == "review":
            typical = (org, project)
            break
    org, project = typical
    lead, values = org_values(org)
    yield "typical", lead, {**values, **project_values(project, lead)}, lambda r: True, requests
    heavy = Organisation.objects.get(slug=HEAVY_SLUG)
    lead, values = org_values(heavy)
    yield ("1,000 projects", lead, values,
           lambda r: not params(r) & {"project_id", "consultation_id", "questionnaire_id", "section_id",
                                      "question_id", "membership_id", "invitation_id", "token_id", "import_id",
                                      "pack_slug", "item_code", "topic"} and not r.startswith(("library/", "help/")),
           heavy_requests)
    for label, key in (("1,000 tasks", "tasks"), ("1,000 iterations", "iterations"), ("5,000 versions", "versions")):
        project = Project.objects.get(organisation=heavy, name=HEAVY_PROJECTS[key])
        yield (label, lead, {**values, **project_values(project, lead)}, lambda r: "project_id" in params(r),
               heavy_requests)
    consultation = Consultation.objects.get(organisation=heavy, title=HEAVY_CONSULTATION)
    yield ("10,000 responses", lead, {**values, **consultation_values(consultation)},
           lambda r: "consultation_id" in params(r), heavy_requests)


# --- timing ---------------------------------------------------------------------------------------------

def remember_exception(sender, request=None, **kwargs):
    ERRORS.append(f"{request.path if request else '?'}: {sys.exc_info()[1]!r}")


def read_body(response, started):
    """``(bytes, seconds from started to the first byte)`` of the response, read to its end. A
    streamed response (a download) is a generator the test client has not run yet: its first byte
    is the first chunk it yields, the rest is the transfer."""
    if not getattr(response, "streaming", False):
        return len(response.content), time.perf_counter() - started
    chunks = iter(response.streaming_content)
    size = len(next(chunks, b""))
    first = time.perf_counter() - started
    return size + sum(len(chunk) for chunk in chunks), first


def nearest_rank(samples, q):
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def measure(client, url, headers, n, budget):
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, headers=headers)
        size, _first = read_body(response, started)
    first_s = time.perf_counter() - started
    result = {"status": response.status_code, "bytes": size, "queries": len(queries),
              "streamed": bool(getattr(response, "streaming", False))}
    if response.status_code not in (200, 302):
        return result
    # A route slower than the whole budget gets one timed request: its verdict is plain anyway.
    samples, firsts, cpu, spent, least = [], [], [], 0.0, 1 if first_s > budget else 3
    while len(samples) < n and (len(samples) < least or spent < budget):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(url, headers=headers)
        _size, first = read_body(response, started)
        samples.append((time.perf_counter() - started) * 1000)
        firsts.append(first * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        spent += samples[-1] / 1000
    result.update(p50=nearest_rank(samples, 0.5), p95=nearest_rank(samples, 0.95), n=len(samples),
                  cpu=nearest_rank(cpu, 0.5), first_p50=nearest_rank(firsts, 0.5),
                  first_p95=nearest_rank(firsts, 0.95))
    return result


def one_run(args, selected):
    client = Client(raise_request_exception=False)
    baseline = measure(client, BASELINE, {}, max(args.requests, 50), 10)
    rows = []
    for name, lead, values, keep, n in contexts(args.heavy_requests, args.requests):
        if args.contexts and name not in args.contexts:
            continue
        client = Client(raise_request_exception=False)
        client.force_login(lead)
        headers_api = {"Authorization": f"Bearer {api_token_of(values['org_slug'])}"}
        for route in selected:
            if not keep(route):
                continue
            missing = params(route) - {k for k, v in values.items() if v is not None}
            if missing:
                rows.append({"context": name, "route": route, "status": f"no {', '.join(sorted(missing))}"})
                continue
            url = fill(route, values)
            headers = headers_api if route.startswith("api/organisations") or route.startswith("api/library") else {}
            before = len(ERRORS)
            result = measure(client, url, headers, n, args.budget)
            if result["status"] == 500:
                result["error"] = ERRORS[before] if len(ERRORS) > before else "500"
            rows.append({"context": name, "route": route, "url": url, **result})
            print(f"  {name:17} {result['status']} {result.get('p50', 0):8.1f} {result.get('p95', 0):8.1f} "
                  f"{result['queries']:5} {url}", flush=True)
    return baseline, rows


def combine(runs):
    """Median of the runs' figures, route by route."""
    baselines = [b for b, _rows in runs]
    merged = []
    for rows in zip(*(rows for _b, rows in runs), strict=True):
        row = dict(rows[0])
        for key in ("p50", "p95", "cpu", "bytes", "queries", "first_p50", "first_p95"):
            values = [r[key] for r in rows if key in r]
            if values:
                row[key] = statistics.median(values)
        row["p50_runs"] = [round(r["p50"], 1) for r in rows if "p50" in r]
        merged.append(row)
    base = {"p50": statistics.median(b["p50"] for b in baselines),
            "p95": statistics.median(b["p95"] for b in baselines), "p50_runs": [round(b["p50"], 2) for b in baselines]}
    return base, merged


def table(base, rows, target):
    """Pages first, judged by their p95; then the streamed downloads, whose time to the first byte
    is the wait a person sees and whose full transfer grows with the file (issue 11, point 4 judges
    them: streamed, memory flat), so they are listed apart rather than counted as slow pages."""
    lines = [f"Baseline `{BASELINE}`: p50 {base['p50']:.2f} ms, p95 {base['p95']:.2f} ms "
             f"(runs: {base['p50_runs']})", ""]
    timed = [r for r in rows if "p95" in r and not r.get("streamed")]
    downloads = [r for r in rows if "p95" in r and r.get("streamed")]
    over = [r for r in timed if r["p95"] > target]
    lines.append(f"{len(timed)} page route×context timed; {len(over)} with p95 over {target} ms. "
                 f"{len(downloads)} streamed downloads listed apart, with their time to the first byte.")
    other = [r for r in rows if "p95" not in r]
    for context in dict.fromkeys(r["context"] for r in timed):
        lines += ["", f"### {context}", "",
                  "| route | status | p50 ms | p95 ms | ratio p50 : baseline | app CPU p50 ms | bytes | queries | n |",
                  "|---|---|---|---|---|---|---|---|---|"]
        for r in sorted((r for r in timed if r["context"] == context), key=lambda r: -r["p95"]):
            flag = " **over**" if r["p95"] > target else ""
            lines.append(f"| `{r['route']}` | {r['status']} | {r['p50']:.1f} | {r['p95']:.1f}{flag} | "
                         f"{r['p50'] / base['p50']:.0f} | {r['cpu']:.1f} | {r['bytes']:,.0f} | {r['queries']:.0f} | "
                         f"{r['n']} |")
    if downloads:
        lines += ["", "### Streamed downloads", "",
                  "| context | route | first byte p50 ms | first byte p95 ms | whole file p50 ms | whole file p95 ms | "
                  "app CPU p50 ms | bytes | queries | n |", "|---|---|---|---|---|---|---|---|---|---|"]
        for r in sorted(downloads, key=lambda r: -r["first_p95"]):
            flag = " **over**" if r["first_p95"] > target else ""
            lines.append(f"| {r['context']} | `{r['route']}` | {r['first_p50']:.1f} | {r['first_p95']:.1f}{flag} | "
                         f"{r['p50']:.1f} | {r['p95']:.1f} | {r['cpu']:.1f} | {r['bytes']:,.0f} | {r['queries']:.0f} | "
                         f"{r['n']} |")
    lines += ["", "Not timed (405 = POST only; other statuses as answered; 'no x' = the dataset has none):", ""]
    for r in other:
        lines.append(f"* {r['context']}: `{r['route']}` → {r['status']}" + (f" — {r['error']}" if r.get("error")
                                                                              else ""))
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--requests", type=int, default=10, help="timed requests per route, typical context")
    parser.add_argument("--heavy-requests", type=int, default=3, help="the same, heavy contexts")
    parser.add_argument("--budget", type=float, default=1.0, help="seconds per route before sampling stops")
    parser.add_argument("--target", type=float, default=100.0, help="p95 target in ms")
    parser.add_argument("--only", default="", help="regular expression on the routes")
    parser.add_argument("--contexts", type=lambda s: [c.strip() for c in s.split(";")], default=None,
                        help="names separated by semicolons, e.g. 'typical;5,000 versions'")
    parser.add_argument("--out", help="write the markdown table here")
    parser.add_argument("--json", help="write the raw figures here")
    args = parser.parse_args()
    got_request_exception.connect(remember_exception)
    for noisy in ("weasyprint", "fontTools"):  # the PDF route logs every layout step
        logging.getLogger(noisy).setLevel(logging.ERROR)
    selected = [r for r in routes() if re.search(args.only, r)]
    started, load = datetime.now(UTC), os.getloadavg()
    runs = []
    for n in range(args.runs):
        print(f"Run {n + 1} of {args.runs}", flush=True)
        runs.append(one_run(args, selected))
    base, rows = combine(runs)
    head = (f"Pages benchmark, {started:%Y-%m-%d %H:%M} UTC, {args.runs} run(s), database "
            f"{connection.vendor} {connection.settings_dict['NAME']}, {(datetime.now(UTC) - started).seconds} s, "
            f"load average at start {load[0]:.1f}, at end {os.getloadavg()[0]:.1f} ({os.cpu_count()} cores)\n")
    text = head + "\n" + table(base, rows, args.target)
    print("\n" + text)
    if args.out:
        Path(args.out).write_text(text + "\n")
    if args.json:
        Path(args.json).write_text(json.dumps({"baseline": base, "rows": rows}, default=str, indent=1))


if __name__ == "__main__":
    main()
