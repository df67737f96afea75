"""Benchmark of the project lists and the long step pages (issue 11, point 1). Not part of the tests.

Builds, in a private test database (``test_<name>`` of DATABASE_URL, made and dropped here), one
organisation with 1,000 projects; one project with 1,000 tasks, 1,000 success criteria, a review
judging all of them, 1,000 effort entries and ten focused barriers with their evidence links; and
one project with 1,000 iterations. Then it requests each page and API route with Django's test
client, in process, and prints the median of the runs: server time, bytes and SQL queries, with
time as a ratio to a baseline page (the guidance page of a step) measured in the same run, so
figures from a busy or another machine compare.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_plists .venv/bin/python bench/projectlists.py
    ... bench/projectlists.py --tree /tmp/before     # the same measurements on another checkout

``--tree`` names the source tree whose ``tailorkit`` is measured (default: this checkout), so a
copy of an earlier commit (``git archive HEAD | tar -x -C /tmp/before``) gives the "before".
"""

import argparse
import datetime
import json
import os
import statistics
import sys
import time
from pathlib import Path

N = 1000


def build():
    from django.core.management import call_command
    from django.db.models import Count
    from django.utils import timezone

    from tailorkit.api import services as api_services
    from tailorkit.core import services
    from tailorkit.core.models import User
    from tailorkit.library.models import ContentPack, Item, Link
    from tailorkit.projects.models import (
        Barrier,
        EffortEntry,
        Focus,
        Iteration,
        Project,
        SuccessCriterion,
        Task,
    )
    from tailorkit.projects.services import projects as project_services
    from tailorkit.projects.services import review as review_services

    call_command("load_packs", verbosity=0)
    lead = User.objects.create_user(email="lead@example.org", password="bench-password-1")
    org = services.organisation_create(user=lead, name="Bench clinic", country="Netherlands")
    eric = ContentPack.objects.get(slug="eric")
    determinants = ContentPack.objects.get(slug="cfir-2009")
    # Ten CFIR barriers, each linked to every ERIC strategy (the shape issue 11 measured: 730 links
    # for 10 barriers). The shipped Allen 2023 pack links five barriers to part of ERIC, so the bench
    # adds a pack of its own with the rest.
    top = list(Item.objects.filter(pack=determinants).annotate(n=Count("links_out")).order_by("-n", "pk")[:10])
    bench_links = ContentPack.objects.create(slug="bench-links", name="Bench links", version="1", kind="links",
                                             source="Bench", licence="CC0", checksum="0" * 64)
    have = set(Link.objects.filter(from_item__in=top, to_item__pack=eric).values_list("from_item_id", "to_item_id"))
    Link.objects.bulk_create(Link(pack=bench_links, from_item=item, to_item=strategy, weight=(i * 7) % 100,
                                  source="Bench 2026, Table 1")
                             for item in top for i, strategy in enumerate(Item.objects.filter(pack=eric))
                             if (item.pk, strategy.pk) not in have)
    now = timezone.now()
    projects = Project.objects.bulk_create(
        Project(organisation=org, name=f"Project {i:04}", service="iCBT", determinant_pack=determinants,
                strategy_pack=eric, owner=lead, last_activity_at=now - datetime.timedelta(minutes=i))
        for i in range(N))
    Iteration.objects.bulk_create(Iteration(organisation=org, project=p, number=1) for p in projects)
    Project.team.through.objects.bulk_create(Project.team.through(project=p, user=lead) for p in projects)

    def made(name):
        return project_services.project_create(organisation=org, user=lead, name=name, service="iCBT",
                                               determinant_pack=determinants, strategy_pack=eric)

    big = made("Big plan")
    it = big.current_iteration
    Task.objects.bulk_create(Task(organisation=org, project=big, iteration=it, title=f"Task {i}", owner=lead,
                                  due_date=datetime.date(2030, 1, 1) + datetime.timedelta(days=i % 300))
                             for i in range(N))
    criteria = SuccessCriterion.objects.bulk_create(
        SuccessCriterion(organisation=org, project=big, iteration=it, description=f"Criterion {i}",
                         target_value=i, target_unit="referrals") for i in range(N))
    review_services.review_create(iteration=it, user=lead, review_date=timezone.localdate(), what_was_done="Did it",
                                  judgements=[{"criterion": c.pk, "verdict": "met" if i % 2 else "not_met",
                                               "evidence": f"Seen {i}"} for i, c in enumerate(criteria)])
    EffortEntry.objects.bulk_create(EffortEntry(organisation=org, project=big, user=lead, minutes=30, step="plan",
                                                activity=f"Work {i}",
                                                date=datetime.date(2026, 1, 1) + datetime.timedelta(days=i % 300))
                                    for i in range(N))
    for item in top:
        barrier = Barrier.objects.create(organisation=org, project=big, item=item, created_by=lead)
        Focus.objects.create(organisation=org, iteration=it, barrier=barrier)
    deep = made("Many iterations")
    Iteration.objects.bulk_create(Iteration(organisation=org, project=deep, number=n) for n in range(2, N + 1))
    _token, raw = api_services.token_create(user=lead, name="bench", expires_in_days=30)
    links = Link.objects.filter(from_item__in=top, to_item__pack=eric).count()
    return {"lead": lead, "org": org, "big": big, "deep": deep, "token": raw, "links": links}


def measure(client, address, runs):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(address)                    # warm-up: templates, caches
    times, size, queries = [], 0, 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = client.get(address)
            times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (address, response.status_code)
        size, queries = len(response.content), len(captured)
    return {"ms": statistics.median(times), "kB": size / 1000, "queries": queries}


def suggestions_ms(project, runs):
    from tailorkit.projects.selectors.matching import focused_barriers
    from tailorkit.projects.suggestions import suggestions_for

    barriers = focused_barriers(project.current_iteration)
    times = []
    for _ in range(runs + 1):
        start = time.perf_counter()
        suggestions_for(project, barriers)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times[1:])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tree", default=str(Path(__file__).resolve().parent.parent))
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    sys.path.insert(0, args.tree)
    os.chdir(args.tree)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tailorkit.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        data = build()
        org, big, deep = data["org"].slug, data["big"].pk, data["deep"].pk
        page = Client()
        page.force_login(data["lead"])
        api = Client(headers={"Authorization": f"Bearer {data['token']}"})
        routes = [
            ("baseline: guidance page", page, reverse("projects:project_guide", args=[org, big, "goals"])),
            ("project list (1,000 projects)", page, reverse("projects:project_list", args=[org])),
            ("API project list", api, f"/api/organisations/{org}/projects"),
            ("API project detail (1,000 iterations)", api, f"/api/organisations/{org}/projects/{deep}"),
            ("step 3 plan (1,000 tasks, 1,000 criteria)", page,
             reverse("projects:project_step_plan", args=[org, big])),
            ("step 4 review (1,000 criteria, 1 review)", page,
             reverse("projects:project_step_review", args=[org, big])),
            ("effort page (1,000 entries)", page, reverse("projects:project_effort", args=[org, big])),
            ("API effort (1,000 entries)", api, f"/api/organisations/{org}/projects/{big}/effort"),
            (f"step 2 match (10 barriers, {data['links']} links)", page,
             reverse("projects:project_step_match", args=[org, big])),
        ]
        results = {name: measure(client, address, args.runs) for name, client, address in routes}
        base = results["baseline: guidance page"]["ms"]
        for row in results.values():
            row["ratio"] = round(row["ms"] / base, 2)
            row["ms"], row["kB"] = round(row["ms"], 1), round(row["kB"], 1)
        results["suggestions_for (computation only)"] = {"ms": round(suggestions_ms(data["big"], args.runs), 2)}
        print(json.dumps({"tree": args.tree, "vendor": connection.vendor, "runs": args.runs, "results": results},
                         indent=1))
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
