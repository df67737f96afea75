"""Browser journey (issue 2): sign in → create organisation → invite → accept in a second browser
context → browse and search the library. Real Chromium, real server, real database."""

import re

import pytest
from django.core import mail
from django.core.management import call_command
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.fixture
def packs(transactional_db):
    call_command("load_packs", verbosity=0)


def test_a_lead_sets_up_an_organisation_and_a_colleague_joins(
    transactional_db, live_server, browser, packs, alice, password
):
    lead = browser.new_context(base_url=live_server.url).new_page()
    lead.goto("/accounts/login/")
    lead.get_by_label("Email").fill(alice.email)
    lead.get_by_label("Password").fill(password)
    lead.get_by_role("button", name="Sign In").click()
    expect(lead.get_by_role("heading", name="You are not in an organisation yet")).to_be_visible()

    lead.get_by_role("button", name="Create an organisation").click()
    lead.get_by_label("Name").fill("Harbour Wellbeing Service")
    lead.get_by_label("Country").fill("Denmark")
    lead.get_by_label("Sector").select_option("mental_health")
    lead.get_by_role("button", name="Create organisation").click()
    expect(lead.get_by_role("heading", name="Harbour Wellbeing Service")).to_be_visible()

    lead.get_by_role("link", name="Team and invitations").click()
    lead.get_by_label("Email address").fill("bob@example.org")
    lead.get_by_label("Role", exact=False).last.select_option("member")
    lead.get_by_role("button", name="Send invitation").click()
    expect(lead.get_by_text("Invitation sent to bob@example.org.")).to_be_visible()
    expect(lead.get_by_role("cell", name="bob@example.org")).to_be_visible()

    assert len(mail.outbox) == 1
    link = re.search(r"http://\S+/invitation/\S+", mail.outbox[0].body).group(0)

    # Bob opens the link in a browser of his own and creates his account.
    colleague = browser.new_context(base_url=live_server.url).new_page()
    colleague.goto(link)
    assert "/invitation/" in colleague.url and link.rsplit("/", 2)[-2] not in colleague.url  # token left the URL
    expect(colleague.get_by_role("heading", name="You are invited to join Harbour Wellbeing Service")).to_be_visible()
    colleague.get_by_role("button", name="Create account").click()
    colleague.get_by_label("Email").fill("bob@example.org")
    colleague.get_by_label("Password:", exact=True).fill("bobs-own-long-passphrase-3")
    colleague.get_by_label("Password (again)").fill("bobs-own-long-passphrase-3")
    colleague.get_by_role("button", name="Sign Up").click()
    colleague.get_by_role("button", name="Accept and join").click()
    expect(colleague.get_by_text("Welcome to Harbour Wellbeing Service.")).to_be_visible()

    lead.reload()
    expect(lead.get_by_role("cell", name="Bob", exact=False).first).to_be_visible()
    expect(lead.get_by_text("No invitations are waiting for an answer.")).to_be_visible()

    # Bob browses and searches the library.
    colleague.get_by_role("link", name="Library").first.click()
    colleague.get_by_role("link", name="ERIC implementation strategies").click()
    expect(colleague.get_by_role("heading", name="ERIC implementation strategies")).to_be_visible()
    expect(colleague.get_by_text("Powell BJ").first).to_be_visible()  # the source is shown with the content
    colleague.get_by_role("link", name="Library").first.click()
    colleague.get_by_role("searchbox").first.fill("audit and provide feedback")
    colleague.get_by_role("searchbox").first.press("Enter")
    colleague.get_by_role("link", name="Audit and provide feedback").first.click()
    expect(colleague.get_by_role("heading", name="Audit and provide feedback")).to_be_visible()
    expect(colleague.get_by_text("Use evaluative and iterative strategies").first).to_be_visible()
