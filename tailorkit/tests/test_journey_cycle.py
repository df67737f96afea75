"""Browser journey (issue 3): a new project goes through all four steps, goes back from step 4 to
step 2, chooses a different strategy, and the team sees both iterations and the changes in the
timeline. Real Chromium, real server, real database."""

import pytest
from playwright.sync_api import expect

from .browser import sign_in

pytestmark = pytest.mark.browser


def test_a_team_takes_a_project_round_the_cycle_and_back(transactional_db, live_server, browser, packs, org, alice,
                                                          bob, password):
    page = browser.new_context(base_url=live_server.url).new_page()
    sign_in(page, alice, password)

    # Set-up: a project on the CFIR barrier list, whose barriers have published expert links to ERIC.
    page.goto(f"/o/{org.slug}/projects/")
    page.get_by_role("button", name="Start your first project").click()
    page.get_by_label("Name").fill("Adaptable online CBT")
    page.get_by_label("Service being implemented").fill("Guided internet CBT")
    cfir = "CFIR (2009) constructs as barriers in the CFIR–ERIC Matching Tool (2009.1)"
    page.get_by_label("Barrier list").select_option(label=cfir)
    page.get_by_label("Bob Member").check()
    page.get_by_role("button", name="Create project").click()
    expect(page.get_by_role("link", name="Write your first goal")).to_be_visible()

    # Step 1: a goal, a barrier from the list, ratings, focus.
    page.get_by_role("link", name="Write your first goal").click()
    page.get_by_role("button", name="Add a goal").click()
    page.get_by_label("Target group").fill("Adults with depression on the waiting list")
    page.get_by_label("End goal").fill("Everyone on the waiting list is offered online CBT")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("button", name="Add from the barrier list").click()
    page.get_by_role("searchbox").fill("adaptability")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("button", name="Add Adaptability").click()
    # The add is an htmx POST: leaving before its answer could cancel it (seen twice under load).
    expect(page.get_by_role("status").filter(has_text="added to your barriers")).to_be_visible()
    page.goto(page.url.split("/goals/")[0] + "/goals/")
    page.get_by_label("Importance of Adaptability").select_option("5")
    page.get_by_label("Changeability of Adaptability").select_option("4")
    page.get_by_role("button", name="Save my ratings").click()
    expect(page.get_by_role("cell", name="20.0")).to_be_visible()
    page.get_by_role("checkbox", name="Everyone on the waiting list is offered online CBT").check()
    page.get_by_role("checkbox", name="Adaptability").check()
    page.get_by_role("button", name="Set the focus").click()

    # Step 2: suggestions with their evidence, two candidates, appraisal, a choice.
    page.get_by_role("link", name="2 · Match strategies").click()
    expect(page.get_by_text("Adaptability → Promote adaptability: 73% of experts").first).to_be_visible()
    page.get_by_role("button", name="Add Promote adaptability as a candidate").click()
    page.get_by_role("button", name="Add Tailor strategies as a candidate").click()
    expect(page.locator(".add-slot .badge", has_text="Candidate")).to_have_count(2)  # both htmx adds answered
    page.get_by_role("link", name="Appraise").first.click()
    page.get_by_label("Rating for Acceptability").select_option("5")
    page.get_by_role("button", name="Save appraisal").click()
    page.get_by_role("link", name="Choose").first.click()
    page.get_by_label("Why this strategy").fill("Best rated by the team")
    page.get_by_role("button", name="Choose this strategy").click()

    # Step 3: specification, a task and a success criterion.
    page.get_by_role("link", name="3 · Design and plan").click()
    page.get_by_text("Write the specification").click()
    page.get_by_label("Who provided (Proctor: Actor)").fill("The iCBT lead therapist")
    page.get_by_role("button", name="Save the specification").click()
    page.get_by_text("Add a task").click()
    page.get_by_role("textbox", name="Task", exact=True).fill("Adapt the intake letter")
    page.get_by_role("button", name="Add task").click()
    page.get_by_text("Add a success criterion").click()
    page.get_by_label("What will show it worked").fill("Waiting-list offers reach 80%")
    page.get_by_role("button", name="Add criterion").click()
    page.get_by_role("button", name="Plan is ready: start applying").click()

    # Step 4: a review, then go back to the strategy.
    page.get_by_role("link", name="4 · Apply and review").click()
    page.get_by_label("What was done").fill("Letters adapted in two teams")
    page.get_by_role("button", name="Save review").click()
    page.get_by_label("Go back to the strategy").check()
    page.get_by_role("textbox", name="Reason").fill("Adapting letters alone did not change uptake")
    page.get_by_role("button", name="Record the decision").click()

    # Iteration 2 starts in step 2 with the same focus; the team chooses the other candidate.
    expect(page.get_by_text("Iteration 2").first).to_be_visible()
    page.get_by_role("link", name="2 · Match strategies").click()
    page.get_by_role("link", name="Choose").last.click()
    page.get_by_label("Why this strategy").fill("Second try after the review")
    page.get_by_role("button", name="Choose this strategy").click()
    expect(page.get_by_text("Second try after the review")).to_be_visible()

    # Both iterations and the changes are on record.
    page.get_by_role("link", name="Timeline").click()
    expect(page.get_by_text("Go back to the strategy").first).to_be_visible()
    expect(page.get_by_text("Tailor strategies").first).to_be_visible()
    page.get_by_role("link", name="3 · Design and plan").click()
    page.goto(page.url + "?iteration=1")
    expect(page.get_by_text("Adapt the intake letter")).to_be_visible()
