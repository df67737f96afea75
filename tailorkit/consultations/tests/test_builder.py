"""Questionnaire builder, preview and versions (issue 4, point 1)."""

import pytest
from django.core.exceptions import ValidationError

from tailorkit.consultations.models import Question, QuestionnaireVersion, Response
from tailorkit.consultations.services import builder as services

from .conftest import answer_all


def base(org):
    return f"/o/{org.slug}/consultations"


def test_a_member_builds_a_questionnaire_with_every_kind_of_question(client_for, bob, org):
    client = client_for(bob)
    response = client.post(f"{base(org)}/questionnaires/new/", {"title": "Feedback on the plan"})
    assert response.status_code == 302
    q = org.questionnaires.get(title="Feedback on the plan")
    section = q.sections.get()
    for kind in ("single", "multiple", "likert5", "likert7", "scale0_10", "ranking", "number", "text"):
        response = client.post(f"{base(org)}/sections/{section.pk}/questions/new/", {
            "text": f"A {kind} question", "kind": kind, "options_text": "yes = Yes\nno = No\nmaybe",
            "required": "on", "allow_not_relevant": "on", "key": f"k_{kind}",
        })
        assert response.status_code == 302, response.content.decode()[:2000]
    assert q.questions.count() == 8
    assert Question.objects.get(key="k_single").options[2] == {"value": "maybe", "label": "maybe"}
    assert Question.objects.get(key="k_number").options == []
    version = q.latest_version
    assert version.number == 1 and len(version.questions()) == 8


def test_show_if_must_refer_to_an_earlier_question(client_for, alice, org, questionnaire):
    section = questionnaire.sections.order_by("position").first()
    response = client_for(alice).post(f"{base(org)}/sections/{section.pk}/questions/new/", {
        "text": "Depends on a later one", "kind": "text", "show_if_question": "importance", "show_if_values": "4"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()  # later questions are not offered
    with pytest.raises(ValidationError) as exc:
        services.question_create(section=section, actor=alice, kind="text", text="x",
                                 show_if={"question": "importance", "equals": "4"})
    assert "show_if" in exc.value.message_dict


def test_a_condition_value_must_be_one_of_the_answers(alice, questionnaire):
    section = questionnaire.sections.order_by("position").last()
    with pytest.raises(ValidationError) as exc:
        services.question_create(section=section, actor=alice, kind="text", text="x",
                                 show_if={"question": "role", "equals": "surgeon"})
    assert "gp, nurse" in exc.value.message_dict["show_if"][0]


def test_choice_questions_need_two_options(client_for, alice, org, questionnaire):
    section = questionnaire.sections.first()
    response = client_for(alice).post(f"{base(org)}/sections/{section.pk}/questions/new/",
                                      {"text": "Pick", "kind": "single", "options_text": "only one"})
    assert "at least two options" in response.content.decode()


def test_questions_can_be_reordered_edited_and_deleted(client_for, alice, org, questionnaire):
    client = client_for(alice)
    years = Question.objects.get(key="years")
    client.post(f"{base(org)}/questions/{years.pk}/move/", {"direction": "up"})
    first = questionnaire.sections.order_by("position").first()
    assert [q.key for q in first.questions.order_by("position")] == ["years", "role"]
    client.post(f"{base(org)}/questions/{years.pk}/edit/", {"text": "Years working here", "kind": "number",
                                                            "key": "years", "section": first.pk,
                                                            "version": years.version})
    assert Question.objects.get(pk=years.pk).text == "Years working here"
    client.post(f"{base(org)}/questions/{years.pk}/delete/")
    assert not Question.objects.filter(pk=years.pk).exists()


def test_deleting_a_condition_source_is_refused(client_for, alice, org, questionnaire):
    role = questionnaire.questions.get(key="role")
    response = client_for(alice).post(f"{base(org)}/questions/{role.pk}/delete/", follow=True)
    assert "gp_only" in response.content.decode()
    assert questionnaire.questions.filter(key="role").exists()


def test_moving_a_dependant_above_its_condition_is_refused(alice, questionnaire):
    second = questionnaire.sections.order_by("position").last()
    with pytest.raises(ValidationError):
        services.section_move(section=second, actor=alice, direction="up")
    assert questionnaire.sections.order_by("position").last() == second


def test_editing_before_anyone_answered_keeps_version_one(alice, questionnaire):
    services.questionnaire_update(questionnaire=questionnaire, actor=alice, version=questionnaire.version,
                                  title="Renamed")
    assert list(questionnaire.versions.values_list("number", flat=True)) == [1]
    assert questionnaire.latest_version.snapshot["title"] == "Renamed"


def test_editing_after_responses_makes_a_new_version_and_old_responses_keep_theirs(
        client, alice, identified, invite):
    links = invite(identified, alice, "sam@example.org")
    client.get(f"/c/i/{links['sam@example.org']}/")
    answer_all(client, {"q-role": "nurse", "action": "next"})
    answer_all(client, {"q-importance": "4", "action": "submit"}, page=1)
    response = Response.objects.get()
    assert response.version.number == 1

    question = identified.questionnaire.questions.get(key="importance")
    question = services.question_update(question=question, actor=alice, version=question.version, text="Time is short")
    versions = QuestionnaireVersion.objects.filter(questionnaire=identified.questionnaire).order_by("number")
    assert [v.number for v in versions] == [1, 2]
    assert versions[0].questions()[2]["text"] == "Lack of time is an important barrier"
    assert versions[1].questions()[2]["text"] == "Time is short"
    response.refresh_from_db()
    assert response.version.number == 1
    # A further edit while v2 has no answers changes v2 in place.
    services.question_update(question=question, actor=alice, version=question.version, text="Time is very short")
    assert identified.questionnaire.versions.count() == 2


def test_preview_shows_the_form_as_respondents_see_it_and_stores_nothing(client_for, alice, org, questionnaire):
    client = client_for(alice)
    url = f"{base(org)}/questionnaires/{questionnaire.pk}/preview/"
    page = client.get(url).content.decode()
    assert "Preview" in page and "Your role" in page and 'name="q-role"' in page
    response = client.post(url, {"page": "0", "q-role": "gp", "action": "next"})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "What would help GPs?" in page  # show-if evaluated on the server
    assert Response.objects.count() == 0


def test_a_viewer_cannot_edit_and_an_outsider_cannot_see(client_for, dave, mallory, org, questionnaire):
    client = client_for(dave)
    assert client.get(f"{base(org)}/questionnaires/{questionnaire.pk}/").status_code == 200
    assert client.post(f"{base(org)}/questionnaires/{questionnaire.pk}/edit/", {"title": "x"}).status_code == 403
    client = client_for(mallory)
    assert client.get(f"{base(org)}/questionnaires/{questionnaire.pk}/").status_code == 404


def test_every_builder_change_is_kept_in_history(alice, questionnaire):
    question = questionnaire.questions.get(key="years")
    services.question_update(question=question, actor=alice, version=question.version, text="Years")
    assert question.history.count() == 2
