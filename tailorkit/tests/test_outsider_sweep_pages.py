"""Every object URL of another organisation is a 404 for an outsider (issue 2, point 4).

The test walks the whole URL configuration, so a new route is covered the moment it exists: a
route whose parameter has no value makes the test fail until someone says how to fill it (an
object of alice's organisation, in that app's ``tests/factories.py``: ``sweep_values``) or why it
is not an organisation's object (the sets below).
"""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

# Routes that are not an organisation's objects: third-party account flows keyed by a secret
# (allauth), the superuser-only Django admin, and the API, which has its own token-based sweep
# (test_outsider_sweep_api.py).
EXEMPT_PREFIXES = ("accounts/", "admin/", "api/")
# Capability links: the secret in the URL *is* the permission (an invitation token).
CAPABILITY_PARAMS = {"token"}
# Instance-wide content that every visitor may read (the content library, the help pages).
GLOBAL_PARAMS = {"pack_slug", "item_code", "topic"}


def walk(patterns, prefix=""):
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from walk(entry.url_patterns, route)
        elif isinstance(entry, URLPattern):
            yield route


PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


@pytest.fixture
def values(sweep_values):
    # The export format is part of the export route's path: one of the formats offered.
    return {**sweep_values, "fmt": "responses.csv"}


def object_routes():
    for route in walk(get_resolver().url_patterns):
        names = {m["name"] for m in PARAM.finditer(route)}
        if not names or route.startswith(EXEMPT_PREFIXES) or names & (CAPABILITY_PARAMS | GLOBAL_PARAMS):
            continue
        yield route


def test_the_sweep_sees_the_organisation_routes():
    routes = list(object_routes())
    assert "o/<slug:org_slug>/members/" in routes
    assert len(routes) >= 7


@pytest.mark.parametrize("route", list(object_routes()))
def test_an_outsider_gets_404_on_every_object_url(client, mallory, values, route):
    missing = {m["name"] for m in PARAM.finditer(route)} - values.keys()
    assert not missing, f"Route {route!r}: no value for {missing}; add one to the app's tests/factories.py"
    url = "/" + PARAM.sub(lambda m: str(values[m["name"]]), route)
    client.force_login(mallory)
    for method in ("get", "post"):
        response = getattr(client, method)(url)
        assert response.status_code == 404, f"{method.upper()} {url} gave {response.status_code} to an outsider"


# Pages for instance administrators only: a lead who is not staff is told "not allowed" (403).
STAFF_ONLY = {"o/<slug:org_slug>/consultations/instruments/wording/"}


@pytest.mark.parametrize("route", list(object_routes()))
def test_a_member_can_reach_every_object_url(client, alice, values, route):
    """Proves the sweep's URLs are real: for the lead the same URLs are not 404."""
    url = "/" + PARAM.sub(lambda m: str(values[m["name"]]), route)
    client.force_login(alice)
    allowed = {200, 302, 405} | ({403} if route in STAFF_ONLY else set())
    assert client.get(url).status_code in allowed
