"""``factories.sweep_values`` names an object for every parameter of every projects route, and the
lead can open each of those URLs (so the outsider sweep's 404s mean something)."""

import re

from django.urls import URLPattern, URLResolver, get_resolver

from .factories import sweep_values

PARAM = re.compile(r"<(?:[^>:]+:)?(?P<name>[^>]+)>")


def projects_routes():
    """Every route of the projects app: the site-wide ones (home, help) and, one level down, those
    of an organisation's projects."""
    projects = next(r for r in get_resolver().url_patterns if getattr(r, "namespace", None) == "projects")

    def walk(patterns, prefix):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                yield from walk(entry.url_patterns, prefix + str(entry.pattern))
            else:
                assert isinstance(entry, URLPattern)
                yield prefix + str(entry.pattern)

    return list(walk(projects.url_patterns, str(projects.pattern)))


def test_every_parameter_of_the_projects_routes_has_a_value(org, alice):
    values = sweep_values(org, alice)
    routes = list(projects_routes())
    assert len(routes) > 40
    client_values = {"org_slug": org.slug, **values}
    for route in routes:
        missing = {m["name"] for m in PARAM.finditer(route)} - client_values.keys()
        assert not missing, route


def test_the_lead_reaches_every_projects_url_with_those_values(client, org, alice):
    values = {"org_slug": org.slug, **sweep_values(org, alice)}
    client.force_login(alice)
    for route in projects_routes():
        url = "/" + PARAM.sub(lambda m: str(values[m["name"]]), route)
        assert client.get(url).status_code in {200, 302, 405}, url
