"""Every object URL of another organisation is a 404 for an outsider (issue 2, point 4).

The test walks the whole URL configuration, so a new route is covered the moment it exists: a
route whose parameter is not in ``VALUES`` below makes the test fail until someone says how to
fill it (an object of alice's organisation) or why it is not an organisation's object.
"""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tailorkit.consultations.tests.factories import sweep_values as consultation_sweep_values
from tailorkit.core import services
from tailorkit.core.models import Membership

# Routes that are not an organisation's objects: third-party account flows keyed by a secret
# (allauth), the superuser-only Django admin, and the API, which has its own token-based sweep
# (tailorkit/api/tests).
EXEMPT_PREFIXES = ("accounts/", "admin/", "api/")
# Capability links: the secret in the URL *is* the permission (an invitation token).
CAPABILITY_PARAMS = {"token"}
# Instance-wide content that every visitor may read (the content library).
GLOBAL_PARAMS = {"pack_slug", "item_code"}


def walk(patterns, prefix=""):
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from walk(entry.url_patterns, route)
        elif isinstance(entry, URLPattern):
            yield route


PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


@pytest.fixture
def sweep_project(alice, bob, org):
    """A project of alice's organisation on two tiny packs (loading the real packs for every
    route would make the sweep slow)."""
    from tailorkit.library.models import Category, ContentPack, Item
    from tailorkit.projects.services.projects import project_create

    packs = {}
    for slug, kind in (("sweep-determinants", "determinants"), ("sweep-strategies", "strategies")):
        pack = ContentPack.objects.create(slug=slug, name=slug, version="1", kind=kind, source="test", licence="test",
                                          checksum="0" * 64)
        category = Category.objects.create(pack=pack, code="c", name="Category")
        Item.objects.create(pack=pack, category=category, code="1", name=f"{kind} one")
        packs[kind] = pack
    return project_create(organisation=org, user=alice, name="Swept", service="iCBT", team=[alice, bob],
                          determinant_pack=packs["determinants"], strategy_pack=packs["strategies"])


def step12_values(project, user):
    """Steps 1–2 of a project: a goal, a barrier and a strategy option."""
    from tailorkit.projects.services import step1, step2

    goal = step1.goal_create(project=project, user=user, target_group="Adults", end_goal="More patients")
    barrier = step1.barrier_add_custom(project=project, user=user, name="No rooms", category="Resources")
    option = step2.option_add_custom(project=project, user=user, barrier=barrier, name="Rooms", description="d")
    return {"goal_id": goal.pk, "barrier_id": barrier.pk, "option_id": option.pk}


def step34_values(project, user):
    """Steps 3–4 of a project: a task, a success criterion and a review."""
    from django.utils import timezone

    from tailorkit.projects.services import step3, step4

    iteration = project.iterations.get()
    task = step3.task_create(iteration=iteration, user=user, title="Book rooms")
    criterion = step3.criterion_create(iteration=iteration, user=user, description="More referrals")
    review = step4.review_create(iteration=iteration, user=user, review_date=timezone.localdate(),
                                 what_was_done="Booked")
    return {"task_id": task.pk, "criterion_id": criterion.pk, "review_id": review.pk}


def records_values(project, user):
    """Records of a project: an effort entry of the lead (only its author may delete it)."""
    from django.utils import timezone

    from tailorkit.projects.services.effort import effort_log

    entry = effort_log(project=project, user=user, date=timezone.localdate(), minutes=30, activity="Met",
                       step="goals")
    return {"entry_id": entry.pk}


@pytest.fixture
def values(alice, bob, org, sweep_project):
    invitation, _ = services.invitation_create(
        organisation=org, email="new@example.org", role="member", invited_by=alice
    )
    return {
        "org_slug": org.slug,
        "membership_id": Membership.objects.get(organisation=org, user=bob).pk,
        "invitation_id": invitation.uuid,
        "project_id": sweep_project.pk,
        # Guidance pages exist for every step; "goals" is one of them.
        "step": "goals",
        **step12_values(sweep_project, alice),
        **step34_values(sweep_project, alice),
        **records_values(sweep_project, alice),
        **consultation_sweep_values(org, alice),
        "fmt": "responses.csv",  # one of the export formats
        "step_template": "barrier_prioritisation",  # a consultation template offered on a project step
    }


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
    assert not missing, f"Route {route!r} has parameters {missing} the outsider sweep cannot fill: add them to VALUES"
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
