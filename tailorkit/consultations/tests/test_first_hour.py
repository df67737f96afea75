"""What a new team meets in its first hour with a consultation (issue 10): the way from the
consultation to its results, a warning when the minimum group size will hide everything, wording
without internal codes or "(s)" plurals, and respondent pages of their own."""

import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from tailorkit.consultations import selectors
from tailorkit.consultations.services import delivery

from .factories import LIKERT, add_response, make_consultation, make_consultation_asking, make_questionnaire_asking


def detail(client, consultation):
    url = reverse("consultations:consultation_detail", args=[consultation.organisation.slug, consultation.uuid])
    return client.get(url).content.decode()


# --- The way to the results --------------------------------------------------------------------------

def test_the_consultation_page_links_to_its_results_with_the_number_of_responses(client_for, org, alice, dave):
    consultation = make_consultation_asking(org, alice, [LIKERT])
    results_url = reverse("consultations:consultation_results", args=[org.slug, consultation.uuid])
    assert f'<a href="{results_url}" role="button">Results (0 responses)</a>' in detail(client_for(alice), consultation)
    add_response(consultation, {"time": 4})
    assert f'<a href="{results_url}" role="button">Results (1 response)</a>' in detail(client_for(dave), consultation)


def test_a_consultation_of_no_project_has_no_link_back(client_for, org, alice):
    consultation = make_consultation_asking(org, alice, [LIKERT])
    assert "Made for" not in detail(client_for(alice), consultation)


# --- The minimum group size, before anyone answers -----------------------------------------------

def test_the_outlook_counts_who_is_invited_against_the_minimum(org, alice, invite):
    consultation = make_consultation_asking(org, alice, [LIKERT], groups=["clinician", "manager"])
    assert selectors.group_size_outlook(consultation)["short_by"] == 5
    clinicians = [f"c{i}@example.org, clinician" for i in range(5)]
    invite(consultation, alice, "\n".join([*clinicians, "m@example.org, manager"]))
    outlook = selectors.group_size_outlook(consultation)
    assert (outlook["invited"], outlook["short_by"], outlook["warn"]) == (6, 0, True)
    assert outlook["small_groups"] == [("Manager", 1)]
    delivery.consultation_update(consultation=consultation, actor=alice, version=consultation.version,
                                 min_group_size=1)
    consultation.refresh_from_db()
    assert selectors.group_size_outlook(consultation) is None


def test_an_open_link_warns_only_about_a_response_limit_below_the_minimum(org, alice):
    consultation = make_consultation_asking(org, alice, [LIKERT], mode="open_link")
    assert not selectors.group_size_outlook(consultation)["warn"]
    delivery.consultation_update(consultation=consultation, actor=alice, version=consultation.version,
                                 response_limit=3)
    consultation.refresh_from_db()
    outlook = selectors.group_size_outlook(consultation)
    assert outlook["warn"] and outlook["limit"] == 3


def test_the_page_says_plainly_what_a_too_small_consultation_will_hide(client_for, org, alice, dave, invite):
    consultation = make_consultation_asking(org, alice, [LIKERT])
    invite(consultation, alice, "a@example.org\nb@example.org")
    page = detail(client_for(alice), consultation)
    assert "Only 2 people are invited, but results are shown only where at least 5 people answered." in page
    assert "the results page shows no results" in page and "the answers cannot be downloaded" in page
    assert "Invite at least 3 more people." in page
    # Viewers cannot invite anyone: the warning is for the people who can act on it.
    assert "people are invited" not in detail(client_for(dave), consultation)


def test_a_response_limit_below_the_minimum_is_named_on_the_page(client_for, org, alice):
    consultation = make_consultation_asking(org, alice, [LIKERT], mode="open_link", response_limit=2)
    page = detail(client_for(alice), consultation)
    assert "At most 2 people can answer, but results are shown only where at least 5 people answered." in page


def test_small_invited_groups_are_named_when_the_total_is_enough(client_for, org, alice, invite):
    consultation = make_consultation_asking(org, alice, [LIKERT], groups=["clinician", "manager"])
    invite(consultation, alice, "\n".join([f"c{i}@example.org, clinician" for i in range(5)]
                                          + ["m1@example.org, manager", "m2@example.org, manager"]))
    page = detail(client_for(alice), consultation)
    assert "Some groups are smaller than the minimum group size" in page and "Manager (2 invited)" in page
    assert "Clinician (" not in page


# --- Plurals -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("addresses, message", [
    ("one@example.org", "1 invitation is being sent."),
    ("one@example.org\ntwo@example.org", "2 invitations are being sent."),
])
def test_the_invitation_message_uses_the_right_plural(client_for, org, alice, addresses, message):
    consultation = make_consultation_asking(org, alice, [LIKERT])
    url = reverse("consultations:consultation_invite", args=[org.slug, consultation.uuid])
    page = client_for(alice).post(url, {"addresses": addresses}, follow=True).content.decode()
    assert message in page and "(s)" not in page


def test_the_commands_count_in_words_too(db, capsys):
    call_command("send_reminders")
    call_command("purge_consultation_emails")
    out = capsys.readouterr().out
    assert "0 reminders queued." in out and "0 addresses deleted" in out and "0 drafts deleted." in out
    assert "(s)" not in out and "(es)" not in out


# --- People read questions, not codes ------------------------------------------------------------------

STEP_LIKE = [
    {"key": "role", "kind": "single", "text": "Your role",
     "options": [{"value": "gp", "label": "GP"}, {"value": "nurse", "label": "Nurse"}]},
    {"key": "barrier-5__importance", "kind": "likert5", "text": "How much does “No time” get in the way?",
     "show_if": {"question": "role", "equals": "gp"}},
]


def test_the_builder_names_questions_by_their_text_and_keeps_the_code_as_a_note(client_for, org, alice):
    questionnaire = make_questionnaire_asking(org, alice, STEP_LIKE)
    url = reverse("consultations:questionnaire_detail", args=[org.slug, questionnaire.pk])
    page = client_for(alice).get(url).content.decode()
    assert "Edit barrier-5__importance" not in page and "Move barrier-5__importance" not in page
    assert 'Edit<span class="visually-hidden"> the question “How much does “No time” get in the way?”</span>' in page
    assert 'Move up<span class="visually-hidden">: “Your role”</span>' in page
    assert "shown depending on the answer to “Your role”" in page
    # The code stays, once per question, as a small note for the team.
    assert re.findall(r"barrier-5__importance", page) == ["barrier-5__importance"]
    assert "code <code>barrier-5__importance</code>" in page


def test_the_show_if_choice_names_the_earlier_question_by_its_text(client_for, org, alice):
    questionnaire = make_questionnaire_asking(org, alice, STEP_LIKE)
    question = questionnaire.questions.get(key="barrier-5__importance")
    page = client_for(alice).get(reverse("consultations:question_edit", args=[org.slug, question.pk]))
    assert '<option value="role" selected>Your role</option>' in page.content.decode()


def test_results_are_headed_by_the_question_and_its_kind_in_words(client_for, org, alice):
    consultation = make_consultation(org, alice, make_questionnaire_asking(org, alice, STEP_LIKE),
                                     min_group_size=1)[0]
    add_response(consultation, {"role": "gp", "barrier-5__importance": 4})
    url = reverse("consultations:consultation_results", args=[org.slug, consultation.uuid])
    page = client_for(alice).get(url).content.decode()
    assert "How much does “No time” get in the way?</h2>" in page
    assert "Agreement scale, 5 points · code <code>barrier-5__importance</code>" in page
    assert "· likert5" not in page and "· single" not in page


def test_a_questionnaire_of_several_sections_shows_its_results_under_their_titles(client_for, org, alice):
    consultation = make_consultation(org, alice, min_group_size=1)[0]  # sections "About you" and "Barriers"
    add_response(consultation, {"role": "nurse", "importance": 3})
    url = reverse("consultations:consultation_results", args=[org.slug, consultation.uuid])
    page = client_for(alice).get(url).content.decode()
    assert '<h2 class="result-section">About you</h2>' in page and '<h2 class="result-section">Barriers</h2>' in page
    assert page.index("About you</h2>") < page.index("Your role</h3>") < page.index("Barriers</h2>")


# --- Respondents' own pages ------------------------------------------------------------------------

def test_respondent_pages_carry_no_app_navigation(client, org, alice):
    consultation, token = make_consultation(org, alice, make_questionnaire_asking(org, alice, [LIKERT]),
                                            mode="open_link")
    form = client.get(f"/c/o/{token}/", follow=True).content.decode()
    thanks = client.get("/c/thanks/").content.decode()
    problem = client.get("/c/i/" + "x" * 43 + "/").content.decode()
    for page in (form, thanks, problem):
        assert "<nav" not in page and "Sign in" not in page and "Library" not in page and "/accounts/" not in page
    assert consultation.title in form


def test_an_agreement_scale_is_one_named_group_of_radio_buttons_laid_out_in_columns(client, org, alice):
    _consultation, token = make_consultation(org, alice, make_questionnaire_asking(org, alice, [LIKERT]),
                                             mode="open_link")
    page = client.get(f"/c/o/{token}/", follow=True).content.decode()
    fieldset = page.split('<fieldset id="q-time" class="question likert"')[1].split("</fieldset>")[0]
    assert "<legend>Lack of time is a barrier" in fieldset
    assert '<div class="choices columns-6">' in fieldset  # five points and "not relevant"
    assert len(re.findall(r'<input type="radio" name="q-time"', fieldset)) == 6
