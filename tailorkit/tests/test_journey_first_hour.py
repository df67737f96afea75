"""Browser journey (issue 10, "How it will be checked"): a respondent sends a consultation form with
nothing answered and is refused with a clear message, nothing stored; then a team at step 4 records
a review, decides "Stop: the strategy worked", sees the project as completed on its page, in the
project list and in the export file, and reopens it. Real Chromium, real server, real database; the
data before each part is made with the services, so only what the issue is about is driven."""

import json

import pytest
from playwright.sync_api import expect

from tailorkit.consultations.models import Consultation, Response
from tailorkit.consultations.tests.factories import make_consultation, make_questionnaire_asking
from tailorkit.projects.models import Project, Step
from tailorkit.projects.services import projects as project_services
from tailorkit.projects.tests.factories import add_criteria, choose_strategy, tiny_packs

from .browser import sign_in

pytestmark = pytest.mark.browser


def test_an_empty_answer_is_refused_and_a_finished_project_looks_finished_and_reopens(
        transactional_db, live_server, browser, org, alice, bob, password):
    # A respondent opens the consultation's link and sends the form without answering anything.
    questionnaire = make_questionnaire_asking(org, alice, [
        {"key": "years", "kind": "number", "text": "Years in post"},
        {"key": "help", "kind": "text", "text": "What would help?"}])
    _consultation, token = make_consultation(org, alice, questionnaire, mode=Consultation.Mode.OPEN_LINK)
    respondent = browser.new_context(base_url=live_server.url).new_page()
    respondent.goto(f"/c/o/{token}/")
    respondent.get_by_role("button", name="Send my answers").click()
    expect(respondent.get_by_role("alert").filter(has_text="Please answer at least one")).to_be_visible()
    expect(respondent.get_by_role("button", name="Send my answers")).to_be_visible()  # still the form
    assert not Response.objects.exists()

    # A project at step 4: a strategy chosen, one success criterion set.
    packs = tiny_packs()
    project = project_services.project_create(
        organisation=org, user=alice, name="iCBT in primary care", service="Internet CBT", team=[alice, bob],
        determinant_pack=packs["determinants"], strategy_pack=packs["strategies"])
    iteration = choose_strategy(project, alice)
    add_criteria(iteration, 1)
    project_services.project_set_step(project=project, user=alice, step=Step.REVIEW)
    base = f"/o/{org.slug}/projects"

    page = browser.new_context(base_url=live_server.url, accept_downloads=True).new_page()
    sign_in(page, alice, password)
    page.goto(f"{base}/{project.pk}/review/")
    page.get_by_label("What was done").fill("Monthly referral counts sent to every GP")
    page.get_by_role("group", name="Criterion 0").get_by_label("Met", exact=True).check()
    page.get_by_role("button", name="Save review").click()
    expect(page.get_by_text("Review recorded.")).to_be_visible()

    # The decision names the review by more than its date.
    chooser = page.get_by_label("The review it is based on")
    review_option = chooser.locator("option").filter(has_text="1 of 1 criterion met")
    expect(review_option).to_have_count(1)
    assert "Alice Lead" in review_option.inner_text()
    page.get_by_label("Stop: the strategy worked").check()
    chooser.select_option(label=review_option.inner_text())
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_role("heading", name="Decide what comes next")).to_have_count(0)

    # Completed on the project page: no "Next step", what was achieved, and a way to reopen.
    page.goto(f"{base}/{project.pk}/")
    expect(page.get_by_role("heading", name="Cycle completed on")).to_contain_text("the strategy worked")
    expect(page.get_by_text("Next step")).to_have_count(0)
    expect(page.get_by_text("1 of 1 criterion met")).to_be_visible()

    # ... in the list: under "Completed", with a badge instead of the step ...
    page.goto(f"{base}/")
    expect(page.get_by_role("link", name="iCBT in primary care")).to_have_count(0)
    page.get_by_role("link", name="Completed").click()
    row = page.get_by_role("row").filter(has_text="iCBT in primary care")
    expect(row).to_contain_text("Completed")
    expect(row).not_to_contain_text("4 · Apply and review")

    # ... and in the export file, downloaded as a person would.
    page.goto(f"{base}/{project.pk}/summary/")
    with page.expect_download() as download:
        page.get_by_role("button", name="Export the whole project (JSON)").click()
    exported = json.loads(open(download.value.path(), encoding="utf-8").read())
    assert exported["project"]["status"] == "completed"

    # Reopen: after a confirmation, active again at step 4 of the same iteration, ready to decide.
    page.goto(f"{base}/{project.pk}/")
    page.get_by_role("button", name="Reopen the project").click()
    expect(page.get_by_role("heading", name="Reopen this project?")).to_be_visible()
    page.get_by_label("Why reopen it? (optional)").fill("Referrals fell again")
    page.get_by_role("button", name="Yes, reopen").click()
    expect(page.get_by_role("heading", name="Decide what comes next")).to_be_visible()
    project.refresh_from_db()
    assert (project.status, project.step, project.iterations.count()) == (Project.Status.ACTIVE, Step.REVIEW, 1)
    page.goto(f"{base}/")
    expect(page.get_by_role("row").filter(has_text="iCBT in primary care")).to_contain_text("4 · Apply and review")
