"""Tests guard the shape, not the time (issue 11, point 7): every page and every API GET route sends
as many queries for an organisation with 7 of everything as for one with 2.

The routes come from the URL configuration (pages) and the OpenAPI schema (API), like the outsider
sweeps, so a new route is counted the day it exists; its URL parameters are filled from each app's
``tests/factories.py`` (``sweep_values``). A route that is not flat yet is listed in ``NOT_FLAT``
with who owns the fix: it is reported as an expected failure with its two counts, and the day it
becomes flat the test fails until it is taken off the list (``strict``), so the list cannot rot.

Both sizes are built once for the module, inside a transaction rolled back at its end (the tests'
own transactions are savepoints inside it), in two separate worlds: a lead in 2 (or 7)
organisations, the main one with 2 (or 7) members, invitations, projects, iterations, goals,
barriers, ratings, options, tasks (each edited once, for history rows), criteria, reviews, effort
entries, consultations, questions, responses and invitations to answer.
"""

import re
from collections import Counter

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import get_resolver
from django.utils import timezone

from tailorkit.api.api import api
from tailorkit.api.services import token_create
from tailorkit.consultations.models import Consultation
from tailorkit.consultations.services import builder, delivery
from tailorkit.consultations.tests.factories import add_response, make_consultation
from tailorkit.core import services as core_services
from tailorkit.core.models import Membership, Role, User
from tailorkit.library.tests.factories import tiny_library
from tailorkit.projects import stakeholders, steps
from tailorkit.projects.models import Decision, Project, Step
from tailorkit.projects.services import effort, goals, matching, planning, review
from tailorkit.projects.services.projects import project_create, project_update

from .conftest import sweep_values_for
from .test_outsider_sweep_pages import PARAM, walk

SIZES = (2, 7)

# Page routes left out, with the reason. The API's routes are counted from its OpenAPI schema
# below (``api/tokens/`` is a page and is counted here).
SKIPPED_PREFIXES = {
    "accounts/": "allauth's sign-in and account pages: they list nothing of an organisation",
    "admin/": "Django's admin, for superusers only",
    "api/organisations": "API: counted from the OpenAPI schema",
    "api/library": "API: counted from the OpenAPI schema",
    "api/openapi.json": "the API's schema, the same for every organisation",
    "api/docs": "the API's documentation page, the same for every organisation",
    "c/i/": "a personal invitation's link: the open link's page (counted) after another token check",
    "invitation/": "an invitation's link (a token in the session, no list)",
}
SKIPPED_EXACT = {"api/": "the API's root, answers 404 by design"}

# Routes whose query count still grows with the rows they list: {route: "why / who fixes it"}.
# Lead engineer: clear this list. Every entry is checked on each run: once the route is flat the
# test fails and asks for the entry to go.
NOT_FLAT = {
}


# --- The two worlds ------------------------------------------------------------------------------------

def _answers_for(consultation):
    """A plausible answer to every scale question of the consultation's questionnaire."""
    answers = {}
    for question in consultation.questionnaire.questions.all():
        if question.kind in ("likert5", "likert7"):
            answers[question.key] = 3
        elif question.kind == "scale0_10":
            answers[question.key] = 5
        elif question.options:
            answers[question.key] = question.options[0]["value"]
    return answers


def _person(email, name):
    """A user without a password: hashing one takes a second, and the test signs in with
    ``force_login``."""
    return User.objects.create_user(email=email, password=None, name=name)


def _build_world(n):
    """A lead, their organisation with ``n`` of everything, and the values of every URL parameter."""
    lead = _person(f"lead{n}@example.org", f"Lead of {n}")
    member = _person(f"member{n}@example.org", f"Member of {n}")
    org = core_services.organisation_create(user=lead, name=f"Shape {n}", country="Netherlands")
    Membership.objects.create(organisation=org, user=member, role=Role.MEMBER)
    values = sweep_values_for(org, lead, member)  # one of every object a URL names
    more = n - 1
    today = timezone.localdate()

    # People: organisations of the lead, members, invitations, API tokens.
    people = []
    for i in range(more):
        core_services.organisation_create(user=lead, name=f"Shape {n} other {i}", country="Spain")
        person = _person(f"person{n}-{i}@example.org", f"Person {i}")
        Membership.objects.create(organisation=org, user=person, role=Role.MEMBER)
        people.append(person)
        core_services.invitation_create(organisation=org, email=f"invited{n}-{i}@example.org", role="member",
                                        invited_by=lead)
    tokens = [token_create(user=lead, name=f"Script {i}") for i in range(n)]
    values["token_id"] = tokens[0][0].pk

    # Projects, and in the swept project: iterations, goals, barriers, ratings, options.
    packs = tiny_library(prefix="tiny")
    for i in range(more):
        project_create(organisation=org, user=lead, name=f"Project {i}", service="iCBT", team=[lead, member],
                       determinant_pack=packs["determinants"], strategy_pack=packs["strategies"])
    project = Project.objects.get(pk=values["project_id"])
    project = project_update(project=project, user=lead, version=project.version, name=project.name,
                             service=project.service, team=[lead, member, *people])
    for i in range(more):
        review.decision_record(iteration=project.current_iteration, user=lead, kind=Decision.Kind.BACK_GOALS,
                               reason=f"Round {i}: try another focus")
    project.refresh_from_db()
    iteration = project.current_iteration
    # The project's own consultations, asked from the goals step (before the barriers below, so that
    # each asks about one barrier: the questionnaires stay small and the worlds quick to build).
    template = steps.get(Step.GOALS).consultation_template
    for i in range(n):
        asked = stakeholders.consultation_from_step(project=project, iteration=iteration, template=template,
                                                    user=lead)
        delivery.invitations_send(consultation=asked, actor=lead, text=f"stake{n}-{i}@example.org, clinician")
        for _j in range(n):
            add_response(asked, _answers_for(asked), group="clinician")
    barriers = []
    for i in range(more):
        goals.goal_create(project=project, user=lead, target_group=f"Group {i}", end_goal="More referrals")
        barrier = goals.barrier_add_custom(project=project, user=lead, name=f"Barrier {i}", category="Resources")
        matching.option_add_custom(project=project, user=lead, barrier=barrier, name=f"Option {i}", description="d")
        barriers.append(barrier)
    goals.ratings_save(project=project, user=lead, ratings={b.pk: (4, 3) for b in barriers})
    goals.ratings_save(project=project, user=member, ratings={b.pk: (2, 5) for b in barriers})

    # Plan and review of the current iteration; every task edited once (a history version each).
    tasks = [planning.task_create(iteration=iteration, user=lead, title=f"Task {i}", owner=member)
             for i in range(n)]
    for task in tasks:
        planning.task_update(task=task, user=lead, version=task.version, title=f"{task.title}, edited", owner=lead)
    criteria = [planning.criterion_create(iteration=iteration, user=lead, description=f"Criterion {i}")
                for i in range(n)]
    reviews = [review.review_create(iteration=iteration, user=lead, review_date=today, what_was_done=f"Step {i}")
               for i in range(n)]
    for i in range(more):
        effort.effort_log(project=project, user=member if i % 2 else lead, date=today, minutes=15 + i,
                          activity=f"Meeting {i}", step=Step.GOALS)
    values.update(task_id=tasks[0].pk, criterion_id=criteria[0].pk, review_id=reviews[0].pk,
                  iteration_number=iteration.number)

    # Consultations: questions, invitations and responses of the swept one; more consultations,
    # including the project's own (asked from the goals step).
    consultation = Consultation.objects.get(uuid=values["consultation_id"])
    section = consultation.questionnaire.sections.order_by("position").first()  # a respondent's first page
    for i in range(more):
        builder.question_create(section=section, actor=lead, kind="likert5", text=f"Extra barrier {i}")
    delivery.invitations_send(consultation=consultation, actor=lead,
                              text="\n".join(f"asked{n}-{i}@example.org, clinician" for i in range(more)))
    for _i in range(n):
        add_response(consultation, _answers_for(consultation), group="clinician")
    for i in range(more):
        make_consultation(org, lead, anonymous=False, title=f"Consultation {i}")
    # The respondent pages: an open link to the same questionnaire.
    _open, values["token"] = make_consultation(org, lead, consultation.questionnaire, title="Open to all",
                                               mode=Consultation.Mode.OPEN_LINK)
    # Results shown in both worlds (with 2 responses a minimum group size of 5 would withhold them all,
    # and a withheld page reads less than a shown one): the heavier path is the one counted.
    Consultation.objects.filter(organisation=org).update(min_group_size=1)
    return {"lead": lead, "values": values, "token": tokens[0][1]}


@pytest.fixture(scope="module")
def worlds(django_db_setup, django_db_blocker):
    """Both sizes, built once; everything is rolled back when the module's tests are done."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield {n: _build_world(n) for n in SIZES}
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


# --- Counting ----------------------------------------------------------------------------------------

def _queries(client, url, query=None):
    """The statements of a GET, after one GET of the same URL (caches warm, like a second visit)."""
    client.get(url, query)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, query)
    return response.status_code, [q["sql"] for q in ctx.captured_queries]


NUMBERS = re.compile(r"\b\d+\b|'[^']*'|%s")
IN_LISTS = re.compile(r"IN \((\?, )*\?\)")


def _shape(sql):
    return IN_LISTS.sub("IN (…)", NUMBERS.sub("?", sql))


def _growth(small, large):
    """The statements (literals blanked) sent more often for more rows: what to look at first."""
    a, b = Counter(map(_shape, small)), Counter(map(_shape, large))
    grown = sorted(((b[q] - a[q], q) for q in b if b[q] > a[q]), reverse=True)
    return "\n".join(f"  {d:+}× {q[:300]}" for d, q in grown[:3])


def _check_flat(route, counts):
    (small_status, small), (large_status, large) = counts[SIZES[0]], counts[SIZES[1]]
    assert small_status == large_status, (f"{route}: {small_status} with {SIZES[0]} of everything, "
                                          f"{large_status} with {SIZES[1]}")
    flat = len(small) == len(large)
    if route in NOT_FLAT:
        assert not flat, f"{route} is flat now ({len(small)} queries): take it off NOT_FLAT"
        pytest.xfail(f"{NOT_FLAT[route]} ({len(small)} → {len(large)} queries)")
    assert flat, (f"{route}: {len(small)} queries with {SIZES[0]} of everything, {len(large)} with {SIZES[1]}. "
                  f"Fix it, or list it in NOT_FLAT with who fixes it.\n{_growth(small, large)}")


# --- Pages -------------------------------------------------------------------------------------------

def _skipped(route):
    return route in SKIPPED_EXACT or route.startswith(tuple(SKIPPED_PREFIXES))


def page_routes():
    return sorted({route for route in walk(get_resolver().url_patterns) if not _skipped(route)})


def _page_url(route, values):
    missing = {m["name"] for m in PARAM.finditer(route)} - values.keys()
    assert not missing, f"Route {route!r}: no value for {missing}; add one to the app's tests/factories.py"
    return "/" + PARAM.sub(lambda m: str(values[m["name"]]), route)


def test_the_pages_are_all_counted():
    routes = page_routes()
    assert "o/<slug:org_slug>/members/" in routes and "" in routes  # an organisation's page, the home page
    assert len(routes) >= 90, "the URL walk lost routes"


@pytest.mark.parametrize("route", page_routes())
def test_a_page_sends_as_many_queries_for_more_rows(db, worlds, route):
    counts = {}
    for n, world in worlds.items():
        client = Client()
        client.force_login(world["lead"])
        values = {**world["values"], "fmt": "responses.csv"}
        if route.startswith("c/"):  # a respondent: no account, the open link's grant cookie
            client.logout()
            client.get(f"/c/o/{values['token']}/")
        counts[n] = _queries(client, _page_url(route, values))
    if route == "c/form/":
        assert counts[SIZES[0]][0] == 200, "the respondent's grant did not work: the form was not counted"
    _check_flat(route, counts)


# --- API ---------------------------------------------------------------------------------------------

def api_routes():
    return sorted(path for path, item in api.get_openapi_schema()["paths"].items() if "get" in item)


def test_the_api_routes_are_all_counted():
    assert "/api/organisations" in api_routes() and len(api_routes()) >= 15


@pytest.mark.parametrize("path", api_routes())
def test_an_api_route_sends_as_many_queries_for_more_rows(db, worlds, path):
    counts = {}
    for n, world in worlds.items():
        client = Client(headers={"Authorization": f"Bearer {world['token']}"})
        url = re.sub(r"{(\w+)}", lambda m, values=world["values"]: str(values[m[1]]), path)
        # Lists take limit/offset: ask for as many as the route gives, so that paging does not hide a
        # per-row query.
        limit = _query_parameters(path).get("limit")
        counts[n] = _queries(client, url, {"limit": min(100, limit.get("maximum", 100))} if limit else None)
        assert counts[n][0] == 200 or not limit, f"{path} refused its own largest page: {counts[n][0]}"
    _check_flat(path, counts)


def _query_parameters(path):
    """{name: JSON schema} of the route's query parameters."""
    operation = api.get_openapi_schema()["paths"][path]["get"]
    return {p["name"]: p["schema"] for p in operation.get("parameters", []) if p["in"] == "query"}
