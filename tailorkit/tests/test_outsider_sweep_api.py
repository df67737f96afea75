"""Mallory (another organisation, with her own valid token) gets 404 on every API route that names
an object of alice's organisation.

The routes come from the API's own OpenAPI schema, not from a hand-kept list, so a new route is
swept the day it is added. A route whose path names a parameter this file does not know fails the
test: whoever adds it must say below whether the parameter is owned by an organisation.
"""

import re

import pytest
from django.test import Client

from tailorkit.api.api import api
from tailorkit.api.services import token_create

pytestmark = pytest.mark.django_db

ORGANISATION_OWNED = "organisation-owned"
GLOBAL = "global"

# Parameter name → who owns it. The values come from each app's ``tests/factories.py``
# (``sweep_values``, merged in ``conftest.py``).
PATH_PARAMETERS = {
    **dict.fromkeys(["org_slug", "membership_id", "project_id", "goal_id", "barrier_id", "option_id", "task_id",
                     "criterion_id", "review_id", "entry_id", "iteration_number", "questionnaire_id",
                     "consultation_id", "question_key", "measure_id", "group_id", "person_id", "plan_id",
                     "record_id", "contact_id", "follow_up_id"], ORGANISATION_OWNED),
    **dict.fromkeys(["pack_slug", "item_code"], GLOBAL),
}

METHODS = ("get", "post", "put", "patch", "delete")


def _routes():
    schema = api.get_openapi_schema()
    for path, item in schema["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


def _fill(path, operation, ctx):
    """The path with every parameter replaced by a real object of alice's organisation (or the
    library), and whether any of them is owned by an organisation."""
    names = re.findall(r"{(\w+)}", path)
    required_query = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query" and p.get("required")]
    unknown = [name for name in names + required_query if name not in PATH_PARAMETERS]
    if unknown:
        pytest.fail(
            f"{path} has parameter(s) {', '.join(unknown)} that the outsider sweep does not know. Add them to "
            f"PATH_PARAMETERS in {__name__} as ORGANISATION_OWNED or GLOBAL, with a real value.",
            pytrace=False,
        )
    owned = any(PATH_PARAMETERS[name] == ORGANISATION_OWNED for name in names)
    url = path
    for name in names:
        url = url.replace("{" + name + "}", str(ctx["values"][name]))
    query = {name: ctx["values"][name] for name in required_query}
    return url, query, owned


def _call(client, method, url, query):
    if method == "get":
        return client.get(url, query)
    # Write routes get an empty JSON object: the organisation must be refused before the body is read.
    return getattr(client, method)(url, data={}, content_type="application/json", QUERY_STRING="")


def _bearer(user):
    _token, raw = token_create(user=user, name="sweep")
    return Client(headers={"Authorization": f"Bearer {raw}"})


@pytest.fixture
def sweep(alice, mallory, sweep_values):
    # One project holds a real row for every path parameter, so each filled URL names objects
    # that belong together (a goal of *this* project): alice reaches all of them.
    return {"values": sweep_values, "alice": _bearer(alice), "mallory": _bearer(mallory)}


def test_the_sweep_covers_every_route(sweep):
    routes = list(_routes())
    assert len(routes) >= 10, "the OpenAPI schema lost routes; is the API object imported correctly?"


def test_an_outsider_gets_404_on_every_route_of_another_organisation(sweep):
    checked, problems = 0, []
    for path, method, operation in _routes():
        url, query, owned = _fill(path, operation, sweep)
        # The filled values are real: alice reaches them (so a 404 for mallory means "refused",
        # not "made-up id"). Only safe methods are tried for alice, to leave the data alone.
        if method == "get":
            as_alice = _call(sweep["alice"], method, url, query)
            if as_alice.status_code != 200:
                problems.append(f"{method.upper()} {url}: alice got {as_alice.status_code}, expected 200")
        as_mallory = _call(sweep["mallory"], method, url, query)
        expected = 404 if owned else 200
        if as_mallory.status_code != expected:
            problems.append(f"{method.upper()} {url}: mallory got {as_mallory.status_code}, expected {expected}")
        elif owned:
            assert as_mallory.json() == {"detail": "Not Found"}, f"{url} leaks detail to an outsider"
        checked += 1
    assert not problems, "\n".join(problems)
    assert checked >= 10


def test_the_sweep_fails_loudly_for_a_parameter_it_does_not_know():
    with pytest.raises(pytest.fail.Exception, match="widget_id"):
        _fill("/api/organisations/{org_slug}/widgets/{widget_id}", {}, {})
