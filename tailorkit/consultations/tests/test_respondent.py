"""Respondents without an account: links, the form, validation, save and resume, exactly-once."""

import uuid
from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from tailorkit.consultations.models import Answer, Draft, Invitation, Response
from tailorkit.consultations.services import delivery, responding

from .conftest import answer_all
from .factories import make_consultation


@pytest.fixture
def sam(client, alice, identified, invite):
    """A respondent who has followed their personal link."""
    token = invite(identified, alice, "sam@example.org")["sam@example.org"]
    response = client.get(f"/c/i/{token}/")
    assert response.status_code == 302 and response["Location"] == "/c/form/"
    return client


def test_the_link_is_swapped_for_a_session_and_a_token_free_url(sam):
    page = sam.get("/c/form/").content.decode()
    assert "Your role" in page and "/c/i/" not in page


def test_unknown_closed_and_not_yet_open_links_look_the_same(client, alice, org, identified, invite):
    token = invite(identified, alice, "sam@example.org")["sam@example.org"]
    unknown = client.get("/c/i/" + "x" * 43 + "/")
    delivery.consultation_close(consultation=identified, actor=alice)
    closed = client.get(f"/c/i/{token}/")
    later, _ = make_consultation(org, alice, identified.questionnaire, mode="open_link",
                                 opens_at=timezone.now() + timedelta(days=2))
    assert unknown.status_code == closed.status_code == 404
    assert unknown.content == closed.content
    assert "This link does not work" in unknown.content.decode()
    assert org.name not in unknown.content.decode()
    assert client.get("/c/form/").status_code == 404


@override_settings(TAILORKIT_CONSULTATION_RATE_LIMIT=3)
def test_link_guessing_is_rate_limited(client):
    codes = [client.get(f"/c/i/guess{n}/").status_code for n in range(5)]
    assert codes == [404, 404, 404, 429, 429]


def test_a_full_answer_is_stored_once_with_show_if_evaluated_on_the_server(sam, identified):
    response = answer_all(sam, {"q-role": "gp", "q-years": "12", "action": "next"})
    assert response["Location"] == "/c/form/?page=1"
    page = sam.get("/c/form/?page=1").content.decode()
    assert "What would help GPs?" in page
    response = answer_all(sam, {"q-importance": "__not_relevant__", "q-gp_only": "More time", "action": "submit"},
                          page=1)
    assert response["Location"] == "/c/thanks/"
    stored = Response.objects.get()
    assert {a.question_key: (a.value, a.not_relevant) for a in stored.answers.all()} == {
        "role": ("gp", False), "years": (12, False), "importance": (None, True), "gp_only": ("More time", False)}
    assert Invitation.objects.get().status == "completed"
    assert not Draft.objects.exists()
    assert sam.get("/c/form/")["Location"] == "/c/thanks/"


def test_answers_behind_a_condition_that_no_longer_holds_are_dropped(sam):
    answer_all(sam, {"q-role": "gp", "action": "next"})
    answer_all(sam, {"q-importance": "3", "q-gp_only": "More time", "action": "back"}, page=1)
    answer_all(sam, {"q-role": "nurse", "action": "next"})
    answer_all(sam, {"q-importance": "3", "action": "submit"}, page=1)
    assert not Answer.objects.filter(question_key="gp_only").exists()


def test_a_double_submission_stores_exactly_one_response(sam):
    answer_all(sam, {"q-role": "nurse", "action": "next"})
    page = sam.get("/c/form/?page=1").content.decode()
    import re
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page))
    data = {**hidden, "q-importance": "5", "action": "submit"}
    first = sam.post("/c/form/", data)
    second = sam.post("/c/form/", data)
    assert first["Location"] == second["Location"] == "/c/thanks/"
    assert Response.objects.count() == 1


def test_the_service_is_idempotent_on_the_submission_key(alice, identified, invite):
    invite(identified, alice, "sam@example.org")
    invitation = Invitation.objects.get()
    draft = responding.draft_get_or_create(consultation=identified, invitation=invitation)
    responding.draft_save(draft=draft, answers={"role": {"value": "nurse", "not_relevant": False},
                                                "importance": {"value": 2, "not_relevant": False}})
    one, created_one = responding.response_submit(draft=draft, submission_key=draft.submission_key,
                                                  version_number=1)
    two, created_two = responding.response_submit(draft=draft, submission_key=draft.submission_key,
                                                  version_number=1)
    assert one == two and (created_one, created_two) == (True, False)


@pytest.mark.parametrize("data, message", [
    ({"q-role": "surgeon"}, "not one of the choices offered"),
    ({"q-role": "gp", "q-years": "99"}, "Enter a number from 0 to 50."),
    ({"q-role": "gp", "q-years": "many"}, "Enter a number"),
    ({}, "Please answer this question."),
])
def test_bad_answers_get_a_message_at_the_question(sam, data, message):
    response = answer_all(sam, {**data, "action": "next"})
    page = response.content.decode()
    assert response.status_code == 200 and message in page
    assert 'aria-invalid="true"' in page and 'href="#q-' in page
    assert Response.objects.count() == 0


def test_not_relevant_is_refused_where_it_is_not_offered(sam):
    response = answer_all(sam, {"q-role": "__not_relevant__", "action": "next"})
    assert "not offered for this question" in response.content.decode()


def test_a_stale_form_version_is_refused_and_nothing_is_stored(sam, alice, identified):
    answer_all(sam, {"q-role": "nurse", "action": "next"})
    page = sam.get("/c/form/?page=1").content.decode()
    import re
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page))
    response = sam.post("/c/form/", {**hidden, "version": "7", "q-importance": "5", "action": "submit"})
    assert "questionnaire changed" in response.content.decode()
    assert Response.objects.count() == 0


def test_answers_can_be_saved_and_resumed_from_the_link(client, alice, identified, invite, sam):
    answer_all(sam, {"q-role": "gp", "q-years": "4", "action": "save"})
    sam.logout()  # a new browser session
    token = invite(identified, alice, "kim@example.org")["kim@example.org"]
    assert token
    invitation = Invitation.objects.get(email="sam@example.org")
    from tailorkit.consultations.services.delivery import invitation_issue_link
    new_token = invitation_issue_link(invitation=invitation)
    client.get(f"/c/i/{new_token}/")
    page = client.get("/c/form/").content.decode()
    assert 'value="gp" checked' in page and 'value="4"' in page


def test_a_required_answer_on_an_earlier_page_is_asked_for_before_submitting(sam, identified):
    sam.get("/c/form/?page=1")  # jumps ahead without answering page 1
    response = answer_all(sam, {"q-importance": "2", "action": "submit"}, page=1)
    assert "Please answer this question." in response.content.decode()
    assert 'name="q-role"' in response.content.decode()
    assert Response.objects.count() == 0


def test_an_open_link_with_an_access_code_and_groups(client, org, alice, questionnaire):
    consultation, token = make_consultation(org, alice, questionnaire, mode="open_link", access_code="tulip",
                                            groups=["clinician", "manager"])
    assert client.get(f"/c/o/{token}/")["Location"] == "/c/form/"
    page = client.get("/c/form/").content.decode()
    assert "Access code" in page and "Your role" not in page
    assert "not right" in client.post("/c/form/", {"access_code": "rose"}).content.decode()
    client.post("/c/form/", {"access_code": "tulip"})
    response = answer_all(client, {"q-role": "nurse", "action": "next"})
    assert "describes you best" in response.content.decode()
    answer_all(client, {"q-role": "nurse", "group": "manager", "action": "next"})
    answer_all(client, {"q-importance": "4", "action": "submit"}, page=1)
    response = Response.objects.get()
    assert response.group == "manager" and response.invitation is None


def test_open_link_drafts_belong_to_the_browser_session(client, org, alice, questionnaire):
    _consultation, token = make_consultation(org, alice, questionnaire, mode="open_link")
    client.get(f"/c/o/{token}/")
    answer_all(client, {"q-role": "gp", "action": "save"})
    draft = Draft.objects.get()
    assert draft.invitation is None and draft.session_key_hash and draft.answers["role"]["value"] == "gp"
    client.get(f"/c/o/{token}/")  # same browser: same draft
    assert 'value="gp" checked' in client.get("/c/form/").content.decode()


def test_the_response_limit_closes_the_link(client, org, alice, questionnaire):
    _consultation, token = make_consultation(org, alice, questionnaire, mode="open_link", response_limit=1)
    client.get(f"/c/o/{token}/")
    answer_all(client, {"q-role": "nurse", "action": "next"})
    answer_all(client, {"q-importance": "4", "action": "submit"}, page=1)
    assert client.get(f"/c/o/{token}/").status_code == 404
    assert Response.objects.count() == 1


def test_a_consultation_closed_mid_way_stores_nothing(sam, alice, identified):
    answer_all(sam, {"q-role": "nurse", "action": "next"})
    delivery.consultation_close(consultation=identified, actor=alice)
    assert sam.get("/c/form/?page=1").status_code == 404
    assert Response.objects.count() == 0


def test_the_form_is_plain_html_with_labels_for_every_control(sam):
    page = sam.get("/c/form/").content.decode()
    assert "<fieldset" in page and "<legend>Your role" in page and 'label for="q-years"' in page
    assert "<script>" not in page and "style=" not in page


def test_opening_the_form_writes_no_draft(sam):
    assert 'name="submission_key"' in sam.get("/c/form/").content.decode()
    assert not Draft.objects.exists()


def test_a_tampered_grant_cookie_is_refused(sam):
    value = sam.cookies["consultation_access"].value
    sam.cookies["consultation_access"] = value[:-2] + ("AA" if not value.endswith("AA") else "BB")
    assert sam.get("/c/form/").status_code == 404


def test_two_browsers_of_one_invitation_store_one_response(alice, identified, invite):
    invite(identified, alice, "sam@example.org")
    invitation = Invitation.objects.get()
    version = responding.latest_version(identified)
    answers = {"role": {"value": "nurse", "not_relevant": False}, "importance": {"value": 2, "not_relevant": False}}
    import uuid

    from django.core.exceptions import ValidationError

    kwargs = {"consultation": identified, "invitation": invitation, "respondent_key": None, "version": version,
              "group": "", "answers": answers}
    _one, created = responding.response_submit_new(**kwargs, submission_key=uuid.uuid4())
    with pytest.raises(ValidationError, match="already been sent"):
        responding.response_submit_new(**kwargs, submission_key=uuid.uuid4())
    assert created and Response.objects.count() == 1


# --- An empty form is not a response (issue 10) ---------------------------------------------------

@pytest.fixture
def optional_only(org, alice):
    """Two pages, no required question: only the "at least one answer" rule can refuse a send."""
    from tailorkit.consultations.services import builder

    q = builder.questionnaire_create(organisation=org, actor=alice, title="All optional", sections=["One", "Two"])
    first, second = q.sections.order_by("position")
    builder.question_create(section=first, actor=alice, key="years", kind="number", text="Years in post")
    builder.question_create(section=second, actor=alice, key="time", kind="likert5", text="Time is short",
                            allow_not_relevant=True)
    return q


def test_sending_a_form_with_no_answer_is_refused_and_nothing_is_stored(client, org, alice, invite):
    from .factories import make_questionnaire_asking

    one_page = make_questionnaire_asking(org, alice, [
        {"key": "years", "kind": "number", "text": "Years in post"},
        {"key": "help", "kind": "text", "text": "What would help?"}])
    consultation, _token = make_consultation(org, alice, one_page, anonymous=False)
    token = invite(consultation, alice, "sam@example.org")["sam@example.org"]
    client.get(f"/c/i/{token}/")
    response = answer_all(client, {"action": "submit"})
    page = response.content.decode()
    assert response.status_code == 200 and "Please answer at least one" in page and 'role="alert"' in page
    assert not Response.objects.exists() and not Draft.objects.exists()
    assert Invitation.objects.get().status == Invitation.Status.OPENED
    # The link still opens the form, and a real answer is then taken.
    assert client.get("/c/form/").status_code == 200
    assert answer_all(client, {"q-help": "More time", "action": "submit"})["Location"] == "/c/thanks/"
    assert Response.objects.get().answers.get().value == "More time"


def test_paging_through_a_form_without_answering_cannot_send_it(client, org, alice, optional_only):
    _consultation, token = make_consultation(org, alice, optional_only, mode="open_link")
    client.get(f"/c/o/{token}/")
    assert answer_all(client, {"action": "next"})["Location"] == "/c/form/?page=1"
    response = answer_all(client, {"action": "submit"}, page=1)
    assert response.status_code == 200 and "Please answer at least one" in response.content.decode()
    assert not Response.objects.exists()
    # "Not relevant" is an answer: it may be all someone has to say.
    assert answer_all(client, {"q-time": "__not_relevant__", "action": "submit"}, page=1)["Location"] == "/c/thanks/"
    assert Response.objects.get().answers.get().not_relevant


def test_the_services_refuse_an_empty_response_too(org, alice, optional_only, invite):
    from django.core.exceptions import ValidationError

    consultation, _token = make_consultation(org, alice, optional_only, anonymous=False)
    invite(consultation, alice, "sam@example.org")
    invitation = Invitation.objects.get()
    with pytest.raises(ValidationError, match="at least one"):
        responding.response_submit_new(consultation=consultation, invitation=invitation, respondent_key=None,
                                       version=responding.latest_version(consultation), group="", answers={},
                                       submission_key=uuid.uuid4())
    draft = responding.draft_get_or_create(consultation=consultation, invitation=invitation)
    # An answer to a question the version does not ask does not count either.
    responding.draft_save(draft=draft, answers={"gone": {"value": "x", "not_relevant": False}})
    with pytest.raises(ValidationError, match="at least one"):
        responding.response_submit(draft=draft, submission_key=draft.submission_key, version_number=1)
    assert not Response.objects.exists()
    assert Invitation.objects.get().status != Invitation.Status.COMPLETED
