"""Browser journeys (issue 10) for steps 1 and 2: adding a barrier or a strategy keeps the page
where it was (with htmx, and without JavaScript through a #fragment), the catalogue filters as one
types, and the APEASE table shows its Mean column on a 1280 px screen. What only a real browser can
tell: where the page is scrolled, and where a column is drawn. Real Chromium, real server."""

import pytest
from playwright.sync_api import expect

from tailorkit.library.models import ContentPack, Item
from tailorkit.projects.models import Barrier, StrategyOption
from tailorkit.projects.services import goals, matching
from tailorkit.projects.services import projects as project_services

from .browser import sign_in

pytestmark = pytest.mark.browser

SCREEN = {"width": 1280, "height": 800}


def new_page(browser, live_server, user, password, **options):
    page = browser.new_context(base_url=live_server.url, viewport=SCREEN, **options).new_page()
    sign_in(page, user, password)
    return page


def make_project(org, alice):
    return project_services.project_create(
        organisation=org, user=alice, name="iCBT in primary care", service="Internet-delivered CBT",
        determinant_pack=ContentPack.objects.get(slug="icbt-determinants"),
        strategy_pack=ContentPack.objects.get(slug="eric"), team=[alice])


def focused_barrier(project, alice):
    goal = goals.goal_create(project=project, user=alice, target_group="Adults", end_goal="More patients start")
    barrier = goals.barrier_add_custom(project=project, user=alice, name="No private rooms", category="Resources")
    iteration = project.current_iteration
    goals.focus_set(project=project, user=alice, iteration=iteration, version=iteration.version, goals=[goal],
                    barriers=[barrier])
    return barrier


def item_far_down(pack):
    """An item two thirds down the list: far from the top, not at the page's end."""
    items = list(Item.objects.filter(pack=pack).order_by("category__order", "category__code", "order", "code"))
    return items[len(items) * 2 // 3]


def scroll_to(page, locator):
    locator.scroll_into_view_if_needed()
    page.mouse.wheel(0, 0)
    return page.evaluate("window.scrollY")


def test_adding_a_barrier_keeps_the_page_where_it_was_and_says_so(transactional_db, live_server, browser, packs,
                                                                  org, alice, password):
    project = make_project(org, alice)
    item = item_far_down(project.determinant_pack)
    page = new_page(browser, live_server, alice, password)
    page.goto(f"/o/{org.slug}/projects/{project.pk}/goals/barriers/add/")
    row = page.locator(f"#item-{item.pk}")
    before = scroll_to(page, row)
    assert before > 1000  # the whole list is shown, so the barrier is far down
    top = row.bounding_box()["y"]
    row.get_by_role("button", name=f"Add {item.name}").click()
    expect(row.get_by_text("On your list")).to_be_visible()
    expect(page.locator("#add-status")).to_contain_text(f"“{item.name}” added to your barriers.")
    assert page.evaluate("window.scrollY") == before and abs(row.bounding_box()["y"] - top) < 2
    assert Barrier.objects.filter(project=project, item=item).exists()


def test_without_javascript_adding_a_barrier_lands_back_at_its_row(transactional_db, live_server, browser, packs,
                                                                   org, alice, password):
    project = make_project(org, alice)
    item = item_far_down(project.determinant_pack)
    page = new_page(browser, live_server, alice, password, java_script_enabled=False)
    page.goto(f"/o/{org.slug}/projects/{project.pk}/goals/barriers/add/")
    page.locator(f"#item-{item.pk}").get_by_role("button", name=f"Add {item.name}").click()
    assert page.url.endswith(f"#item-{item.pk}")
    expect(page.locator(f"#item-{item.pk}").get_by_text("On your list")).to_be_in_viewport()
    assert page.evaluate("window.scrollY") > 1000


def test_the_catalogue_filters_as_one_types_and_add_keeps_the_place(transactional_db, live_server, browser, packs,
                                                                    org, alice, password):
    project = make_project(org, alice)
    barrier = focused_barrier(project, alice)
    page = new_page(browser, live_server, alice, password)
    page.goto(f"/o/{org.slug}/projects/{project.pk}/strategies/barriers/{barrier.pk}/catalogue/")
    page.get_by_label("Search the strategies").press_sequentially("feedback", delay=20)
    expect(page.locator("#catalogue-count")).to_contain_text("match “feedback”")
    expect(page.get_by_role("button", name="Add Audit and provide feedback as a candidate")).to_be_visible()
    expect(page.get_by_role("button", name="Add Conduct local consensus discussions as a candidate")).to_have_count(0)
    page.get_by_label("Search the strategies").fill("qqqzzz")
    expect(page.get_by_text("No strategy matches “qqqzzz”.")).to_be_visible()
    page.get_by_role("link", name="Clear the search").click()
    expect(page.locator("#catalogue-count")).to_contain_text("strategies in the catalogue")

    item = Item.objects.get(pack=project.strategy_pack, name="Use data experts")
    slot = page.locator(f"#add-{barrier.pk}-{item.pk}")
    before = scroll_to(page, slot)
    assert before > 1000
    row = slot.locator("xpath=ancestor::tr")
    top = row.bounding_box()["y"]
    slot.get_by_role("button").click()
    expect(slot.get_by_text("Candidate")).to_be_visible()
    expect(page.locator("#add-status")).to_contain_text("is now a candidate")
    assert page.evaluate("window.scrollY") == before and abs(row.bounding_box()["y"] - top) < 2
    assert StrategyOption.objects.filter(barrier=barrier, item=item).exists()


def test_the_apease_table_shows_its_mean_column_on_a_1280_px_screen(transactional_db, live_server, browser, packs,
                                                                    org, alice, password):
    project = make_project(org, alice)
    barrier = focused_barrier(project, alice)
    names = ["Conduct cyclical small tests of change", "Develop and implement tools for quality monitoring",
             "Facilitate relay of clinical data to providers"]
    for name in names:
        option = matching.option_add_from_pack(project=project, user=alice, barrier=barrier,
                                               item=Item.objects.get(pack=project.strategy_pack, name=name))
        matching.appraisal_save(project=project, user=alice, option=option,
                                values={c: ("4", "") for c in matching.APEASE},
                                versions={c: 0 for c in matching.APEASE})
    page = new_page(browser, live_server, alice, password)
    page.goto(f"/o/{org.slug}/projects/{project.pk}/strategies/#appraisal")
    mean = page.locator("#appraisal").get_by_role("columnheader", name="Mean")
    expect(mean).to_be_in_viewport()
    box = mean.bounding_box()
    assert box["x"] + box["width"] <= SCREEN["width"]
    region = page.get_by_role("region", name="APEASE ratings of the candidates")
    assert region.evaluate("el => el.scrollWidth <= el.clientWidth")  # nothing hidden to scroll to
    expect(page.locator("#appraisal")).to_contain_text("For side-effects/safety, 5 means few or no unwanted effects")
