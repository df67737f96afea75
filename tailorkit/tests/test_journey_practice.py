"""Browser journey (issue 14, point 5): a practitioner rates themself on the Practice Guide's
competencies twice and sees the change, picks a competency to develop, writes a note, and shares
the latest self-assessment with a colleague, who comments on it. Real Chromium, real server, the
real content pack."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tailorkit.support.models import AssessmentComment, SelfAssessment

from .browser import sign_in

pytestmark = pytest.mark.browser


def _rate(page, level_of):
    for fieldset in page.locator("fieldset.level-choice").all():
        name = fieldset.locator("legend strong").inner_text()
        fieldset.get_by_label(level_of(name), exact=True).check()


def test_a_practitioner_sees_their_competencies_change(transactional_db, live_server, browser, packs, org, alice,
                                                         bob, password):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in(page, alice, password)

    page.get_by_role("link", name="My practice").click()
    expect(page.get_by_text("You have not assessed yourself yet")).to_be_visible()
    page.get_by_role("button", name="Start a self-assessment").click()
    expect(page.locator("fieldset.level-choice")).to_have_count(15)
    earlier = timezone.localdate() - timedelta(days=120)
    page.get_by_label("Date").fill(earlier.isoformat())
    _rate(page, lambda name: "Beginning" if name == "Brokering" else "Developing")
    page.get_by_role("button", name="Save self-assessment").click()
    expect(page.get_by_text("Self-assessment saved.")).to_be_visible()

    # Months later, again: brokering has grown.
    page.get_by_role("link", name="My practice").first.click()
    page.get_by_role("button", name="Assess yourself again").click()
    expect(page.locator("fieldset.level-choice").first).to_contain_text("Last time: Developing")
    _rate(page, lambda name: "Confident" if name == "Brokering" else "Developing")
    page.get_by_role("button", name="Save self-assessment").click()
    expect(page.get_by_text("Self-assessment saved.")).to_be_visible()
    assert SelfAssessment.objects.filter(owner=alice).count() == 2

    page.get_by_role("link", name="My practice").first.click()
    row = page.locator("table.change-chart tr", has=page.get_by_role("rowheader", name="Brokering", exact=True))
    expect(row.locator("svg")).to_have_attribute("aria-label", "from 2 to 4")
    expect(row.locator(".change-up")).to_have_text("+2")

    # A competency to develop, and a note prompted by a question.
    page.get_by_role("button", name="Add a competency to develop").click()
    page.get_by_label("Competency").select_option(label="Brokering")
    page.get_by_label("What I will do").fill("Ask the lead to introduce me to the IT team before the next cycle.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Plan saved.")).to_be_visible()
    page.get_by_role("button", name="Write a note").click()
    page.get_by_label("Your note").fill("The meeting with the team went better once their manager joined.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Note saved.")).to_be_visible()
    expect(page.locator("main")).to_contain_text("once their manager joined")

    # Shared with a colleague, who reads it and comments.
    latest = SelfAssessment.objects.filter(owner=alice).order_by("-taken_on").first()
    page.goto(f"/support/practice/assessments/{latest.pk}/")
    page.get_by_label("Share with").select_option(str(bob.pk))
    page.get_by_role("button", name="Share", exact=True).click()
    expect(page.get_by_text("Shared. They can read")).to_be_visible()
    context.clear_cookies()
    sign_in(page, bob, password)
    page.goto("/support/practice/")
    page.get_by_role("link", name=f"{alice.name}, ").click()
    expect(page.get_by_text("Shared with you by")).to_be_visible()
    page.get_by_role("textbox", name="Comment").fill("Good progress on brokering; let's talk about it on Friday.")
    page.get_by_role("button", name="Add comment").click()
    expect(page.get_by_text("Comment added.")).to_be_visible()
    assert AssessmentComment.objects.get().author == bob
    context.close()


def test_a_supporter_logs_a_contact_and_the_site_ticks_off_the_next_step(transactional_db, live_server, browser,
                                                                          packs, org, alice, dave, password):
    """dave supports alice's site (the supporter role); alice leads it."""
    from tailorkit.core.models import Membership, Role
    from tailorkit.support.models import FollowUp, SupportContact

    Membership.objects.filter(organisation=org, user=dave).update(role=Role.SUPPORTER)
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    sign_in(page, dave, password)
    page.goto("/support/log/")
    expect(page.get_by_text("Nothing logged yet")).to_be_visible()
    page.get_by_role("link", name=f"with {org.name}").click()
    page.locator("#id_contact_on").fill((timezone.localdate() - timedelta(days=2)).isoformat())
    page.get_by_label("Minutes").fill("-30")
    page.get_by_label("How").select_option(label="Video call")
    page.get_by_label("Kind of support").select_option(label="Co-creation with the team")
    page.get_by_label("What was done").fill("Chose a strategy for the waiting-list barrier with the team.")
    page.get_by_label("Brokering").check()
    page.get_by_label("Next step 1").fill("Send the draft plan")
    page.get_by_label("Due date of step 1").fill((timezone.localdate() + timedelta(days=5)).isoformat())
    page.get_by_role("button", name="Log contact").click()
    # A negative length is named at its field; everything typed is still there.
    expect(page.locator("#id_minutes_error")).to_contain_text("1 or more")
    expect(page.get_by_label("What was done")).to_have_value("Chose a strategy for the waiting-list barrier with "
                                                             "the team.")
    page.get_by_label("Minutes").fill("50")
    page.get_by_role("button", name="Log contact").click()
    expect(page.get_by_text("Contact logged.")).to_be_visible()
    contact = SupportContact.objects.get()
    assert (contact.supporter, contact.minutes, contact.kind) == (dave, 50, "co_creation")

    page.goto("/support/log/")
    expect(page.locator("main")).to_contain_text("Send the draft plan")
    expect(page.locator("table.support-kinds")).to_contain_text("Co-creation with the team")

    # The site's lead sees the support received and ticks the step off.
    context.clear_cookies()
    sign_in(page, alice, password)
    page.goto(f"/o/{org.slug}/support/")
    expect(page.locator("main")).to_contain_text("Chose a strategy for the waiting-list barrier")
    page.get_by_role("link", name="agreed with").click()
    page.get_by_role("button", name="Mark as done").click()
    expect(page.get_by_text("(done)")).to_be_visible()
    assert FollowUp.objects.get().done
    context.close()
