"""Browser journey (issue 4, "How it will be checked"): from step 1 of a project the lead makes a
barrier consultation with one click, invites three people, they answer through their own links in
fresh browsers, and their ratings appear beside the team's in the step 1 ranking. Then a second
consultation with the default threshold of 5 gets only two answers, and the ranking withholds them.
Real Chromium, real server, real database; emails are in ``django.core.mail.outbox``."""

import re
import time
from urllib.parse import urlsplit

import pytest
from django.core import mail
from playwright.sync_api import expect

from tailorkit.library.models import Category, ContentPack, Item
from tailorkit.projects.services import goals as goal_services
from tailorkit.projects.services import projects as project_services

from .browser import sign_in

pytestmark = pytest.mark.browser

LINK = re.compile(r"https?://\S+/c/i/\S+/")
IMPORTANCE = {3: "Somewhat", 4: "A lot", 5: "Very much"}
CHANGEABILITY = {2: "Hard to change", 3: "Could be changed with effort", 4: "Fairly easy to change"}


@pytest.fixture
def project(transactional_db, org, alice, bob):
    packs = {}
    for slug, kind in (("j-determinants", "determinants"), ("j-strategies", "strategies")):
        pack = ContentPack.objects.create(slug=slug, name=slug, version="1", kind=kind, source="test",
                                          licence="test", checksum="0" * 64)
        Item.objects.create(pack=pack, category=Category.objects.create(pack=pack, code="c", name="Cat"),
                            code="1", name=f"{kind} one")
        packs[kind] = pack
    project = project_services.project_create(
        organisation=org, user=alice, name="iCBT in primary care", service="Internet CBT", team=[alice, bob],
        determinant_pack=packs["determinants"], strategy_pack=packs["strategies"])
    time_barrier = goal_services.barrier_add_custom(project=project, user=alice, name="No time for training",
                                                    category="Resources")
    goal_services.barrier_add_custom(project=project, user=alice, name="Waiting rooms lack privacy", category="Setting")
    goal_services.ratings_save(project=project, user=alice, ratings={time_barrier.pk: (2, 2)})
    return project


def new_links(before, count):
    """The invitation links of the last ``count`` emails (sending runs right after the commit)."""
    deadline = time.monotonic() + 10
    while len(mail.outbox) < before + count and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(mail.outbox) == before + count
    return [LINK.search(m.body).group(0) for m in mail.outbox[before:]]


def invite(page, lines):
    expect(page.get_by_role("heading", name="Invite people")).to_be_visible()
    page.get_by_label("Email addresses").fill("\n".join(lines))
    page.get_by_role("button", name="Send invitations").click()
    expect(page.get_by_text(f"{len(lines)} invitations are being sent.")).to_be_visible()


def answer(browser, base_url, link, importance, changeability, privacy_relevant=True):
    """One stakeholder answers in a browser of their own (no account, no shared cookies)."""
    context = browser.new_context(base_url=base_url)
    page = context.new_page()
    page.goto(link)
    assert "/c/form/" in page.url
    expect(page.get_by_role("link", name="Sign in")).to_have_count(0)  # a respondent is not a user
    page.get_by_role("group", name="How much does “No time for training” get in the way?") \
        .get_by_label(IMPORTANCE[importance], exact=True).check()
    page.get_by_role("group", name="How easy would it be to change “No time for training”?") \
        .get_by_label(CHANGEABILITY[changeability], exact=True).check()
    privacy = page.get_by_role("group", name="How much does “Waiting rooms lack privacy” get in the way?")
    privacy.get_by_label("Very much" if privacy_relevant else "Not relevant", exact=True).check()
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    context.close()


def test_stakeholders_answer_by_link_and_their_ratings_reach_the_step_1_ranking(
        live_server, browser, project, org, alice, password):
    lead = browser.new_context(base_url=live_server.url).new_page()
    sign_in(lead, alice, password)
    goals_url = f"/o/{org.slug}/projects/{project.pk}/goals/"

    # One click on step 1 makes the barrier consultation and opens its invitation page.
    lead.goto(goals_url)
    expect(lead.get_by_role("cell", name="4.0", exact=True)).to_be_visible()  # the team's own score, 2 × 2
    lead.get_by_role("button", name="Ask stakeholders").click()
    before = len(mail.outbox)
    invite(lead, ["sam@example.org, clinician", "kim@example.org, manager", "lee@example.org, patient"])
    links = new_links(before, 3)

    # Three are fewer than the default minimum of 5: the page says so and what it will hide.
    expect(lead.get_by_role("note").filter(has_text="Only 3 people are invited")).to_contain_text(
        "the answers do not reach")
    # Three people are enough for this consultation: the lead lowers its threshold in the settings.
    lead.get_by_role("main").get_by_role("link", name="Settings", exact=True).click()
    lead.get_by_label("Hide results of groups smaller than").fill("3")
    lead.get_by_role("button", name="Save").click()
    expect(lead.get_by_text("Consultation settings saved.")).to_be_visible()

    for link, (importance, changeability), relevant in zip(links, [(4, 2), (5, 3), (3, 4)], [True, True, False],
                                                           strict=True):
        answer(browser, live_server.url, link, importance, changeability, privacy_relevant=relevant)

    # Stakeholders' means (4.0 / 3.0 from three answers) beside the team's, and the combined score:
    # (2 + 4) / 2 × (2 + 3) / 2 = 3 × 2.5 = 7.5.
    lead.goto(goals_url)
    ranked = lead.locator("table.ranked")
    expect(ranked.get_by_role("cell", name="4.0 / 3.0 (3)")).to_be_visible()
    expect(ranked.get_by_role("cell", name="7.5", exact=True)).to_be_visible()
    # Only two rated the privacy barrier's importance (one said "not relevant"): withheld.
    expect(ranked.get_by_text("withheld – fewer than 3 answers")).to_be_visible()
    expect(lead.get_by_text("Stakeholder ratings from the consultation")).to_contain_text("(3 responses)")
    panel = lead.locator("#stakeholders")
    expect(panel.get_by_role("row").filter(has_text="Which barriers matter most?")).to_contain_text("3")

    # A second round with the default threshold of 5: two answers are not enough to show anything.
    lead.get_by_role("button", name="Ask stakeholders").click()
    before = len(mail.outbox)
    invite(lead, ["ali@example.org", "jo@example.org"])
    for link in new_links(before, 2):
        answer(browser, live_server.url, link, 5, 4)
    lead.goto(goals_url)
    ranked = lead.locator("table.ranked")
    expect(ranked.get_by_text("withheld – fewer than 5 answers").first).to_be_visible()
    expect(ranked.get_by_role("cell", name="4.0 / 3.0 (3)")).to_have_count(0)
    expect(ranked.get_by_text("5.0 / 4.0")).to_have_count(0)
    expect(lead.get_by_text("Stakeholder ratings from the consultation")).to_contain_text("(2 responses)")
    expect(lead.locator("#stakeholders tbody tr")).to_have_count(2)


def test_a_twelve_question_barrier_form_is_compact_on_a_wide_screen_and_stacked_on_a_phone(
        live_server, browser, project, alice, django_capture_on_commit_callbacks):
    """Six barriers make twelve 5-point questions (issue 10: about 5,500 px with stacked options)."""
    from tailorkit.consultations.models import ConsultationTemplate
    from tailorkit.consultations.services import delivery
    from tailorkit.projects import stakeholders

    for name in ("Staff turnover", "No room for calls", "Unclear referral route", "IT blocks the website"):
        goal_services.barrier_add_custom(project=project, user=alice, name=name, category="Setting")
    consultation = stakeholders.consultation_from_step(
        project=project, iteration=project.current_iteration, template=ConsultationTemplate.BARRIER_PRIORITISATION,
        user=alice)
    before = len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        delivery.invitations_send(consultation=consultation, actor=alice, text="wide@example.org\nphone@example.org")
    # Sent without a request, so the links name the default host: follow their paths on this server.
    wide_link, phone_link = (urlsplit(link).path for link in new_links(before, 2))

    wide = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 800}).new_page()
    wide.goto(wide_link)
    group = wide.get_by_role("group", name="How much does “Staff turnover” get in the way?")
    first, fifth = (group.get_by_label(label, exact=True).bounding_box() for label in ("Not at all", "Very much"))
    assert abs(first["y"] - fifth["y"]) < 2 and fifth["x"] > first["x"]  # one row
    height = wide.evaluate("document.documentElement.scrollHeight")
    assert height < 3000, f"the form is {height} px high"

    phone = browser.new_context(base_url=live_server.url, viewport={"width": 375, "height": 740}).new_page()
    phone.goto(phone_link)
    group = phone.get_by_role("group", name="How much does “Staff turnover” get in the way?")
    first, fifth = (group.get_by_label(label, exact=True).bounding_box() for label in ("Not at all", "Very much"))
    assert fifth["y"] > first["y"] + 20  # stacked, one answer under the other
    group.get_by_label("A lot", exact=True).check()
    expect(group.get_by_label("A lot", exact=True)).to_be_checked()
