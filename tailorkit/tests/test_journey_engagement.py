"""Browser journey (issue 17): stakeholder engagement across the cycle. A lead maps five stakeholder
groups, plans step 1 (a meeting with clinicians and a survey of referrers), records the meeting with
the barrier it added, closes the survey, and sees both entries, the changed barrier linked to the
meeting in the timeline, and the groups x steps picture showing the groups never engaged.
Real Chromium, real server, real database."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tailorkit.consultations.models import Consultation
from tailorkit.library.models import ContentPack
from tailorkit.projects.models import EngagementRecord
from tailorkit.projects.services import projects as project_services

from .browser import sign_in

pytestmark = pytest.mark.browser

GROUPS = [  # name, relation, affected, influence
    ("Clinicians", "delivers", "5", "4"),
    ("Referrers", "refers", "3", "5"),
    ("Managers", "manages", "2", "5"),
    ("Patients", "receives", "5", "2"),
    ("IT staff", "supports", "2", "3"),
]


@pytest.fixture
def project(packs, org, alice, bob):
    return project_services.project_create(
        organisation=org, user=alice, name="iCBT in primary care", service="Internet-delivered CBT",
        determinant_pack=ContentPack.objects.get(slug="icbt-determinants"),
        strategy_pack=ContentPack.objects.get(slug="eric"), team=[alice, bob])


def test_a_team_maps_plans_records_and_sees_whom_it_has_not_heard(transactional_db, live_server, browser, project,
                                                                 org, alice, password):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in(page, alice, password)
    base = f"/o/{org.slug}/projects/{project.pk}"

    # 1. Map five groups.
    page.goto(base + "/")
    page.get_by_role("link", name="Stakeholders", exact=True).click()
    expect(page.get_by_text("No groups on the map yet.")).to_be_visible()
    for name, relation, affected, influence in GROUPS:
        page.get_by_role("textbox", name="Group", exact=True).fill(name)
        page.get_by_label("Relation to the service").select_option(relation)
        page.get_by_label("How much the service affects them").select_option(affected)
        page.get_by_label("How much they can influence it").select_option(influence)
        page.get_by_role("button", name="Add group").click()
        expect(page.get_by_role("status").filter(has_text=f"“{name}” added to the map.")).to_be_visible()
    expect(page.get_by_text("5 groups have not been engaged yet.")).to_be_visible()
    expect(page.get_by_role("img", name="Stakeholder map")).to_be_visible()

    # 2. A barrier of their own, and a survey made from step 1 ("Ask stakeholders").
    page.goto(base + "/goals/barriers/custom/")
    page.get_by_label("Barrier").fill("Sessions are interrupted by phone calls")
    page.get_by_label("Category").fill("Setting")
    page.get_by_role("button", name="Save barrier").click()
    page.goto(base + "/goals/")
    page.get_by_role("button", name="Ask stakeholders").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    survey = Consultation.objects.get()

    # 3. Plan step 1: a meeting with the clinicians and the survey of the referrers.
    page.goto(base + "/engagement/")
    page.get_by_role("link", name="Plan whom to involve in 1 · Goals and barriers").click()
    page.get_by_label("Group").select_option(label="Clinicians")
    page.get_by_label("Why").select_option("learn")
    page.get_by_label("How").select_option("meeting")
    page.get_by_role("button", name="Save plan").click()
    expect(page.get_by_text("Planned: Clinicians")).to_be_visible()
    page.get_by_role("link", name="Plan whom to involve in 1 · Goals and barriers").click()
    page.get_by_label("Group").select_option(label="Referrers")
    page.get_by_label("How").select_option("survey")
    page.get_by_label("Survey").select_option(label=survey.title)
    page.get_by_role("button", name="Save plan").click()
    expect(page.get_by_text("Planned: Referrers")).to_be_visible()

    # The step page says whom the team plans to involve.
    page.goto(base + "/goals/")
    page.get_by_text("Whom to involve in this step").click()   # a fold, so the step page stays short
    expect(page.locator("#stakeholders").get_by_text("Clinicians", exact=True)).to_be_visible()

    # 4. Record the meeting, with the barrier it added; a date in the future is refused first.
    page.goto(base + "/engagement/")
    page.get_by_role("button", name="Record an engagement").click()
    page.get_by_label("Step", exact=True).select_option("goals")
    page.get_by_label("Date").fill("2999-01-01")
    page.get_by_role("combobox", name="How", exact=True).select_option("meeting")
    page.get_by_label("Clinicians").check()
    page.get_by_label("How many people").fill("6")
    page.get_by_label("What you heard").fill("The phone keeps ringing during sessions.")
    page.get_by_label("Items it changed").select_option(label="Sessions are interrupted by phone calls — added")
    page.get_by_role("button", name="Save record").click()
    expect(page.locator("#id_date_error")).to_contain_text("has not come yet")
    expect(page.get_by_label("What you heard")).to_have_value("The phone keeps ringing during sessions.")
    page.get_by_label("Date").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Save record").click()
    expect(page.get_by_text("Engagement recorded.")).to_be_visible()
    expect(page.get_by_text("Barrier “Sessions are interrupted by phone calls” added")).to_be_visible()
    meeting = EngagementRecord.objects.get()

    # 5. Close the survey: it adds its own entry, for the referrers it was planned for.
    page.goto(f"/o/{org.slug}/consultations/{survey.uuid}/")
    page.get_by_role("button", name="Close now").click()
    expect(page.get_by_text("The consultation is closed.")).to_be_visible()

    # 6. Both entries, and the picture: clinicians and referrers reached in step 1, three groups never.
    page.goto(base + "/engagement/")
    records = page.locator("#records tbody tr")
    expect(records).to_have_count(2)
    expect(page.locator("#records")).to_contain_text("added when the survey closed")
    expect(page.locator("#records")).to_contain_text("Barrier “Sessions are interrupted by phone calls” added")
    grid = page.locator("#engagement-grid")
    expect(grid.get_by_role("row", name="Clinicians")).to_contain_text("✓ done")
    expect(grid.get_by_role("row", name="Referrers")).to_contain_text("✓ done")
    expect(grid.get_by_role("row", name="Patients")).to_contain_text("never engaged")
    expect(page.get_by_role("note").filter(has_text="Not heard yet")).to_contain_text(
        "Not heard yet: IT staff, Managers, Patients")

    # 7. The timeline links the barrier to the meeting that led to it.
    page.goto(base + "/timeline/")
    link = page.locator(f"a[href$='/engagement/records/{meeting.pk}/']").first
    expect(link).to_be_visible()
    link.click()
    expect(page.get_by_text("The phone keeps ringing during sessions.")).to_be_visible()
    context.close()
