"""Builders for part B's tests (results, instruments, exports, rounds). Responses are written with
the ORM directly so these tests do not depend on the respondent pages."""

import uuid
from datetime import date

from tailorkit.consultations import delivery, services
from tailorkit.consultations.models import Answer, Response

NR = object()  # marks a "not relevant" answer in ``add_response``


def make_questionnaire(org, user, questions, title="Survey"):
    """``questions``: list of dicts for ``services.question_create`` (all in one section)."""
    questionnaire = services.questionnaire_create(organisation=org, actor=user, title=title)
    section = questionnaire.sections.get()
    for fields in questions:
        services.question_create(section=section, actor=user, **fields)
    return questionnaire


def make_consultation(org, user, questions, **kwargs):
    questionnaire = make_questionnaire(org, user, questions)
    kwargs.setdefault("title", "Which barriers matter?")
    consultation, _token = delivery.consultation_create(organisation=org, questionnaire=questionnaire, actor=user,
                                                        **kwargs)
    return consultation


def add_response(consultation, answers, group="", day=None, invitation=None):
    version = consultation.questionnaire.versions.order_by("-number").first()
    response = Response.objects.create(
        organisation=consultation.organisation, consultation=consultation, version=version, group=group,
        submission_key=uuid.uuid4(), submitted_on=day or date(2026, 11, 20), invitation=invitation)
    for key, value in answers.items():
        Answer.objects.create(organisation=consultation.organisation, response=response, question_key=key,
                              value=None if value is NR else value, not_relevant=value is NR)
    return response


LIKERT = {"key": "time", "kind": "likert5", "text": "Lack of time is a barrier", "allow_not_relevant": True}
CHOICE = {"key": "role", "kind": "single", "text": "Your role",
          "options": [{"value": "gp", "label": "GP"}, {"value": "nurse", "label": "Nurse"}]}
TEXT = {"key": "help", "kind": "text", "text": "What would help?"}
