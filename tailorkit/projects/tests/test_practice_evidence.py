"""What worked elsewhere (issue 12, point 4): practice-based evidence from other organisations'
projects, shown only above the threshold, never naming anyone; and the organisation's opt-in."""

import datetime
import itertools
import re

import pytest
from django.urls import reverse

from tailorkit.core import services as core_services
from tailorkit.core.models import AuditEvent, Organisation
from tailorkit.library.models import Item
from tailorkit.library.tests.factories import tiny_library
from tailorkit.projects.models import (
    Barrier,
    Decision,
    Focus,
    Iteration,
    Judgement,
    Project,
    Review,
    StrategyOption,
    SuccessCriterion,
)
from tailorkit.projects.selectors.practice import MIN_ORGANISATIONS, MIN_PROJECTS, practice_evidence
from tailorkit.projects.services import projects as project_services

from .factories import url

Kind = Decision.Kind
Verdict = Judgement.Verdict
_serial = itertools.count(1)


@pytest.fixture
def lib(db):
    library = tiny_library(prefix="tiny")
    library["strategy2"] = Item.objects.create(pack=library["strategies"], code="S2", name="Audit and feedback",
                                               order=2)
    return library


@pytest.fixture
def asking(lib, org, alice):
    """Alice's project, with the barrier "Lack of training" in focus."""
    project = project_services.project_create(
        organisation=org, user=alice, name="Asking project", service="iCBT",
        determinant_pack=lib["determinants"], strategy_pack=lib["strategies"])
    focus_on(project, lib["barrier"])
    return project


def focus_on(project, item):
    barrier = Barrier.objects.create(organisation=project.organisation, project=project, item=item)
    Focus.objects.create(organisation=project.organisation, iteration=project.iterations.get(number=1),
                         barrier=barrier)
    return barrier


def sharing_org(shares=True):
    n = next(_serial)
    return Organisation.objects.create(name=f"Secret Clinic {n}", slug=f"secret-clinic-{n}", country="Denmark",
                                       shares_practice_evidence=shares)


def chose(org, owner, lib, *, determinant=None, strategy=None, decisions=(), verdicts=()):
    """A project of ``org`` whose first iteration chose ``strategy`` for ``determinant``, then the
    ``decisions`` (kinds, in order) and success criteria judged with ``verdicts`` (None: not judged)."""
    n = next(_serial)
    project = Project.objects.create(organisation=org, name=f"Hidden project {n}", service="iCBT", owner=owner,
                                     determinant_pack=lib["determinants"], strategy_pack=lib["strategies"])
    iteration = Iteration.objects.create(organisation=org, project=project, number=1)
    barrier = Barrier.objects.create(organisation=org, project=project, item=determinant or lib["barrier"])
    option = StrategyOption.objects.create(organisation=org, project=project, barrier=barrier,
                                           item=strategy or lib["strategy"])
    iteration.chosen_option = option
    iteration.save()
    judge(iteration, verdicts)
    for i, kind in enumerate(decisions):
        Decision.objects.create(organisation=org, project=project, iteration=iteration, kind=kind,
                                decided_at=datetime.datetime(2025, 1, 1 + i, tzinfo=datetime.UTC))
    return project, iteration


def judge(iteration, verdicts, day=1):
    review = Review.objects.create(organisation=iteration.organisation, project=iteration.project,
                                   iteration=iteration, what_was_done="Done",
                                   review_date=datetime.date(2025, 2, day))
    for verdict in verdicts:
        criterion = SuccessCriterion.objects.create(organisation=iteration.organisation, project=iteration.project,
                                                    iteration=iteration, description="Criterion")
        if verdict:
            Judgement.objects.create(organisation=iteration.organisation, review=review, criterion=criterion,
                                     verdict=verdict)
    return review


def spread(lib, owner, n_projects, n_orgs, **kwargs):
    """``n_projects`` projects over ``n_orgs`` new sharing organisations; returns the organisations."""
    orgs = [sharing_org() for _ in range(n_orgs)]
    for i in range(n_projects):
        chose(orgs[i % n_orgs], owner, lib, **kwargs)
    return orgs


def figures(asking, lib, item=None):
    return practice_evidence(project=asking, item_ids=[(item or lib["barrier"]).pk]).by_item.get(
        (item or lib["barrier"]).pk, [])


# --- the threshold -------------------------------------------------------------------------------------


def test_the_threshold_is_five_projects_from_three_organisations():
    assert (MIN_PROJECTS, MIN_ORGANISATIONS) == (5, 3)


def test_four_projects_from_four_organisations_are_not_shown(asking, lib, alice):
    spread(lib, alice, 4, 4)
    assert figures(asking, lib) == []


def test_five_projects_from_two_organisations_are_not_shown(asking, lib, alice):
    spread(lib, alice, 5, 2)
    assert figures(asking, lib) == []


def test_five_projects_from_three_organisations_are_shown(asking, lib, alice):
    spread(lib, alice, 5, 3)
    [figure] = figures(asking, lib)
    assert (figure.strategy, figure.projects, figure.organisations) == (lib["strategy"], 5, 3)


def test_a_project_counts_once_however_many_iterations_chose_the_strategy(asking, lib, alice):
    orgs = spread(lib, alice, 4, 3)
    project, first = chose(orgs[0], alice, lib, decisions=[Kind.BACK_PLAN])
    second = Iteration.objects.create(organisation=orgs[0], project=project, number=2,
                                      chosen_option=first.chosen_option)
    Decision.objects.create(organisation=orgs[0], project=project, iteration=second, kind=Kind.SUCCESS,
                            decided_at=datetime.datetime(2025, 6, 1, tzinfo=datetime.UTC))
    [figure] = figures(asking, lib)
    assert figure.projects == 5
    assert (figure.success, figure.went_back) == (1, 0)   # its latest decision only


def test_each_strategy_passes_or_fails_on_its_own(asking, lib, alice):
    orgs = spread(lib, alice, 5, 3)
    for org in orgs[:2]:  # two projects, two organisations: too few for the second strategy
        chose(org, alice, lib, strategy=lib["strategy2"])
    assert [f.strategy for f in figures(asking, lib)] == [lib["strategy"]]


# --- whose projects count ------------------------------------------------------------------------------


def test_organisations_that_do_not_share_are_not_counted(asking, lib, alice):
    spread(lib, alice, 4, 2)
    closed = sharing_org(shares=False)
    chose(closed, alice, lib)
    chose(closed, alice, lib)
    assert figures(asking, lib) == []   # 6 projects from 3 organisations, but one does not share

    closed.shares_practice_evidence = True
    closed.save()
    [figure] = figures(asking, lib)
    assert (figure.projects, figure.organisations) == (6, 3)


def test_the_asking_organisation_is_left_out_even_when_it_shares(asking, lib, alice, org):
    org.shares_practice_evidence = True
    org.save()
    spread(lib, alice, 4, 2)
    chose(org, alice, lib)
    chose(org, alice, lib)
    assert figures(asking, lib) == []   # 6 projects from 3 organisations counting its own


def test_custom_strategies_and_other_catalogues_are_not_counted(asking, lib, alice):
    orgs = spread(lib, alice, 4, 3)
    other_pack = tiny_library(prefix="other")["strategies"]
    elsewhere = Item.objects.create(pack=other_pack, code="S9", name="Elsewhere strategy", order=9)
    chose(orgs[0], alice, lib, strategy=elsewhere)
    project, iteration = chose(orgs[1], alice, lib)
    option = iteration.chosen_option
    StrategyOption.objects.filter(pk=option.pk).update(item=None, custom_name="Our own words")
    assert figures(asking, lib) == []


def test_other_determinants_are_kept_apart(asking, lib, alice):
    spread(lib, alice, 5, 3, determinant=lib["other"])
    assert figures(asking, lib) == []
    assert len(figures(asking, lib, lib["other"])) == 1


# --- what came of it -----------------------------------------------------------------------------------


def test_decisions_and_criteria_are_counted(asking, lib, alice):
    orgs = [sharing_org() for _ in range(3)]
    chose(orgs[0], alice, lib, decisions=[Kind.CONTINUE, Kind.SUCCESS], verdicts=[Verdict.MET, Verdict.MET])
    chose(orgs[0], alice, lib, decisions=[Kind.CONTINUE], verdicts=[Verdict.NOT_MET, Verdict.NOT_YET])
    chose(orgs[1], alice, lib, decisions=[Kind.BACK_STRATEGY], verdicts=[Verdict.UNCLEAR, None])
    chose(orgs[1], alice, lib, decisions=[Kind.STOP_OTHER], verdicts=[Verdict.MET])
    chose(orgs[2], alice, lib, decisions=[Kind.SUCCESS, Kind.BACK_GOALS])
    chose(orgs[2], alice, lib)
    [f] = figures(asking, lib)
    assert (f.projects, f.organisations) == (6, 3)
    assert (f.success, f.continued, f.went_back, f.stopped_other, f.undecided) == (1, 1, 2, 1, 1)
    assert (f.criteria_met, f.criteria_assessed) == (3, 4)


def test_a_criterion_counts_with_its_latest_verdict_and_once_per_project(asking, lib, alice):
    orgs = spread(lib, alice, 4, 3)
    project, first = chose(orgs[0], alice, lib, verdicts=[Verdict.NOT_MET])
    criterion = SuccessCriterion.objects.get(iteration=first)
    later = judge(first, [], day=20)
    Judgement.objects.create(organisation=orgs[0], review=later, criterion=criterion, verdict=Verdict.MET)
    [f] = figures(asking, lib)
    assert (f.criteria_met, f.criteria_assessed) == (1, 1)

    # Going back to the plan copies the criterion into the next iteration: counted there, once.
    second = Iteration.objects.create(organisation=orgs[0], project=project, number=2,
                                      chosen_option=first.chosen_option)
    judge(second, [Verdict.NOT_MET], day=25)
    [f] = figures(asking, lib)
    assert (f.criteria_met, f.criteria_assessed) == (0, 1)


# --- the page ------------------------------------------------------------------------------------------


def test_the_page_shows_counts_and_never_names_another_organisation(client_for, alice, asking, lib):
    orgs = [sharing_org() for _ in range(3)]
    for i in range(5):
        chose(orgs[i % 3], alice, lib, decisions=[Kind.SUCCESS] if i < 3 else [Kind.CONTINUE],
              verdicts=[Verdict.MET])
    page = client_for(alice).get(url("projects:project_step_match", asking)).content.decode()
    block = page[page.index('id="practice-'):]
    block = block[:block.index("</div>\n")]
    assert "What worked elsewhere" in block and "practice-based" in block
    assert "Conduct educational meetings" in block
    assert "5 (3)" in block
    assert "3 stopped as a success" in block and "2 continued" in block and "0 went back" in block
    assert "5 of 5 assessed" in block
    assert "3 other organisations" in block
    assert re.search(r"<caption[^>]*>", block) and 'scope="col"' in block and 'scope="row"' in block
    for org in orgs:
        assert org.name not in page and org.slug not in page
    assert "Hidden project" not in page


def test_the_page_explains_the_threshold_when_nothing_passes(client_for, alice, asking, lib):
    spread(lib, alice, 4, 4)
    page = client_for(alice).get(url("projects:project_step_match", asking)).content.decode()
    assert "What worked elsewhere" in page
    assert "at least 5 projects from at least 3 organisations" in page
    assert "Conduct educational meetings (" not in page and "4 (4)" not in page


def test_the_reads_stay_the_same_with_more_barriers(asking, lib, alice, django_assert_max_num_queries):
    determinants = [lib["barrier"], lib["other"]] + [
        Item.objects.create(pack=lib["determinants"], code=f"D{i}", name=f"Determinant {i}", order=i)
        for i in range(3, 9)]
    for item in determinants:
        spread(lib, alice, 5, 3, determinant=item)
        spread(lib, alice, 5, 3, determinant=item, strategy=lib["strategy2"])

    def reads(items):
        with django_assert_max_num_queries(4) as captured:
            found = practice_evidence(project=asking, item_ids=[i.pk for i in items])
        assert all(len(found.by_item[i.pk]) == 2 for i in items)
        return len(captured)

    assert reads(determinants[:1]) == reads(determinants)


def test_the_step_page_makes_the_same_number_of_queries_with_more_barriers(client_for, alice, asking, lib,
                                                                          django_assert_max_num_queries):
    # Two barriers to start with, one without expert evidence: the page then reads the whole
    # catalogue as well, whatever the number of barriers after that.
    focus_on(asking, lib["other"])
    spread(lib, alice, 5, 3)
    spread(lib, alice, 5, 3, determinant=lib["other"])
    client = client_for(alice)

    def count():
        with django_assert_max_num_queries(60) as captured:
            assert client.get(url("projects:project_step_match", asking)).status_code == 200
        return len(captured)

    two = count()
    for i in range(3, 9):
        item = Item.objects.create(pack=lib["determinants"], code=f"D{i}", name=f"Determinant {i}", order=i)
        focus_on(asking, item)
        spread(lib, alice, 5, 3, determinant=item)
    assert count() == two


# --- the opt-in ----------------------------------------------------------------------------------------


def _form_data(page):
    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', page))
    return {k: fields[k] for k in ("version", "name", "country", "language", "sector") if k in fields} | {
        "language": "en", "sector": "health"}


def test_a_lead_turns_sharing_on_and_it_is_audited(client_for, alice, org):
    assert org.shares_practice_evidence is False
    client = client_for(alice)
    edit = reverse("core:organisation_edit", kwargs={"org_slug": org.slug})
    page = client.get(edit).content.decode()
    assert 'name="shares_practice_evidence"' in page and "never shared" in page
    response = client.post(edit, {**_form_data(page), "shares_practice_evidence": "on"})
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.shares_practice_evidence is True
    event = AuditEvent.objects.get(action="organisation.sharing_changed", organisation=org)
    assert event.details == {"shares_practice_evidence": True} and event.actor == alice
    assert org.history.first().shares_practice_evidence is True

    page = client.get(edit).content.decode()
    client.post(edit, _form_data(page))   # an unticked box turns it off again
    org.refresh_from_db()
    assert org.shares_practice_evidence is False
    assert AuditEvent.objects.filter(action="organisation.sharing_changed").count() == 2


def test_a_member_cannot_change_sharing(client_for, bob, org):
    edit = reverse("core:organisation_edit", kwargs={"org_slug": org.slug})
    response = client_for(bob).post(edit, {"version": org.version, "name": org.name, "country": org.country,
                                           "language": "en", "sector": "health", "shares_practice_evidence": "on"})
    assert response.status_code == 403
    org.refresh_from_db()
    assert org.shares_practice_evidence is False


def test_a_stale_sharing_change_is_refused_and_shown_side_by_side(client_for, alice, org):
    client = client_for(alice)
    edit = reverse("core:organisation_edit", kwargs={"org_slug": org.slug})
    data = _form_data(client.get(edit).content.decode())
    core_services.organisation_update(organisation=org, actor=alice, version=org.version,
                                      shares_practice_evidence=False, name="Renamed meanwhile")
    page = client.post(edit, {**data, "shares_practice_evidence": "on"}).content.decode()
    assert "Someone else saved this" in page
    conflict = page[page.index('class="conflict"'):page.index("</article>")]
    # The sharing choice is compared side by side: theirs "No", yours "Yes".
    assert re.search(r'<th scope="row">Share counts from our projects[^<]*</th><td>No</td><td>Yes</td>', conflict)
    org.refresh_from_db()
    assert (org.name, org.shares_practice_evidence) == ("Renamed meanwhile", False)
    assert not AuditEvent.objects.filter(action="organisation.sharing_changed").exists()
