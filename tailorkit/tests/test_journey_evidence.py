"""Browser journey (issue 12): matching that helps every project. A team with the five CFIR barriers of
a published CFIR–ERIC case sees the strategies ranked together, with the published top four in order;
tries a "what if" with one barrier; an iCBT team sees evidence through the crosswalk, marked as
indirect. Real Chromium, real server, real database."""

import pytest
from playwright.sync_api import expect

from tailorkit.library.models import ContentPack, Item
from tailorkit.projects.services import goals
from tailorkit.projects.services import projects as project_services

from .browser import sign_in

pytestmark = pytest.mark.browser

ALLEN_BARRIERS = ["Adaptability", "Complexity", "Patient Needs & Resources", "Compatibility", "Self-efficacy"]
# Allen et al. 2023, Table 3: the four highest cumulative percentages, as printed.
PUBLISHED_TOP_FOUR = [("Promote adaptability", 183), ("Tailor strategies", 125),
                      ("Identify and prepare champions", 108), ("Conduct local consensus discussions", 107)]


def project_with_focus(org, user, name, determinants, barrier_names):
    project = project_services.project_create(
        organisation=org, user=user, name=name, service="Internet-delivered CBT",
        determinant_pack=ContentPack.objects.get(slug=determinants),
        strategy_pack=ContentPack.objects.get(slug="eric"), team=[user])
    goal = goals.goal_create(project=project, user=user, target_group="Adults", end_goal="More patients start")
    barriers = [goals.barrier_add_from_pack(project=project, user=user,
                                            item=Item.objects.get(pack__slug=determinants, name=n))
                for n in barrier_names]
    iteration = project.current_iteration
    goals.focus_set(project=project, user=user, iteration=iteration, version=iteration.version, goals=[goal],
                    barriers=barriers, reason="" if len(barriers) == 1 else "The published case had five.")
    return project


def test_the_published_case_ranks_as_published_and_a_what_if_reranks(transactional_db, live_server, browser, packs,
                                                                      org, alice, password):
    project = project_with_focus(org, alice, "Genomic screening", "cfir-2009", ALLEN_BARRIERS)
    page = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900}).new_page()
    sign_in(page, alice, password)
    page.goto(f"/o/{org.slug}/projects/{project.pk}/strategies/")

    ranking = page.get_by_role("region", name="Combined ranking of strategies")
    expect(ranking).to_be_visible()
    rows = ranking.locator("tbody tr")
    for index, (name, printed) in enumerate(PUBLISHED_TOP_FOUR):
        row = rows.nth(index)
        expect(row.get_by_role("rowheader")).to_contain_text(name)
        total = int(row.locator("td strong").inner_text().rstrip("%"))
        assert abs(total - printed) <= 2, (name, total, printed)   # printed shares add up within rounding
    # Each barrier's share in its own column, with its source.
    expect(rows.first).to_contain_text("73%")
    expect(rows.first).to_contain_text("Allen 2023, Table 3")

    # What if only "Patient Needs & Resources" mattered?
    page.get_by_text("What if? Rank strategies for another set of barriers").click()
    for name in ALLEN_BARRIERS:
        if name != "Patient Needs & Resources":
            page.get_by_role("checkbox", name=name).uncheck()
    page.get_by_role("button", name="Rank these").click()
    expect(page.get_by_text("This is a “what if”")).to_be_visible()
    expect(ranking.locator("tbody tr").first.get_by_role("rowheader")).to_contain_text(
        "Involve patients/consumers and family members")
    page.get_by_role("link", name="Back to the focused barriers").click()
    expect(ranking.locator("tbody tr").first.get_by_role("rowheader")).to_contain_text("Promote adaptability")


def test_an_icbt_barrier_gets_evidence_through_the_crosswalk_shown_as_indirect(transactional_db, live_server, browser,
                                                                             packs, org, alice, password):
    project = project_with_focus(org, alice, "iCBT in primary care", "icbt-determinants", ["Access to treatment"])
    page = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900}).new_page()
    sign_in(page, alice, password)
    page.goto(f"/o/{org.slug}/projects/{project.pk}/strategies/")
    ranking = page.get_by_role("region", name="Combined ranking of strategies")
    expect(ranking.get_by_role("columnheader", name="Via a crosswalk (indirect)")).to_be_visible()
    expect(ranking.locator("tbody tr").first).to_contain_text("via Patient Needs & Resources")
    suggestions = page.locator("ol.suggestions").first
    expect(suggestions.get_by_text("indirect").first).to_be_visible()
    expect(suggestions.get_by_text("Crosswalk:").first).to_contain_text("Tailorkit contributors")
