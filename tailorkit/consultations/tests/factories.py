"""Builders shared by the consultation tests, the API's consultation tests and the outsider sweeps.

Two ways to get a consultation: ``make_consultation`` sends the two-section questionnaire of
``make_questionnaire`` (choices, a number, a scale and a show-if across sections) and returns the
open-link token too; ``make_consultation_asking`` sends a one-section questionnaire of the given
questions (``LIKERT``, ``CHOICE``, ``TEXT`` …) for the results, export, instrument and round tests,
whose responses ``add_response`` writes with the ORM directly, so those tests do not depend on the
respondent pages.
"""

import uuid
from datetime import date

from tailorkit.consultations.models import Answer, Consultation, Invitation, Response
from tailorkit.consultations.services import builder, delivery

NR = object()  # marks a "not relevant" answer in ``add_response``

LIKERT = {"key": "time", "kind": "likert5", "text": "Lack of time is a barrier", "allow_not_relevant": True}
CHOICE = {"key": "role", "kind": "single", "text": "Your role",
          "options": [{"value": "gp", "label": "GP"}, {"value": "nurse", "label": "Nurse"}]}
TEXT = {"key": "help", "kind": "text", "text": "What would help?"}


def make_questionnaire(org, user, title="Barriers to iCBT"):
    """Two sections exercising several kinds and a show-if across sections."""
    q = builder.questionnaire_create(organisation=org, actor=user, title=title,
                                     sections=["About you", "Barriers"])
    first, second = q.sections.order_by("position")
    builder.question_create(section=first, actor=user, key="role", kind="single", text="Your role",
                            options=[{"value": "gp", "label": "GP"}, {"value": "nurse", "label": "Nurse"}],
                            required=True)
    builder.question_create(section=first, actor=user, key="years", kind="number", text="Years in post",
                            min_value=0, max_value=50)
    builder.question_create(section=second, actor=user, key="importance", kind="likert5",
                            text="Lack of time is an important barrier", required=True, allow_not_relevant=True)
    builder.question_create(section=second, actor=user, key="gp_only", kind="text", text="What would help GPs?",
                            required=True, show_if={"question": "role", "equals": "gp"})
    return q


def make_consultation(org, user, questionnaire=None, **kwargs):
    """``(consultation, open-link token or None)`` of ``questionnaire`` (``make_questionnaire``'s by default)."""
    questionnaire = questionnaire or make_questionnaire(org, user)
    kwargs.setdefault("title", "Which barriers matter?")
    consultation, token = delivery.consultation_create(organisation=org, questionnaire=questionnaire, actor=user,
                                                       **kwargs)
    return consultation, token


def make_questionnaire_asking(org, user, questions, title="Survey"):
    """``questions``: list of dicts for ``builder.question_create`` (all in one section)."""
    questionnaire = builder.questionnaire_create(organisation=org, actor=user, title=title)
    section = questionnaire.sections.get()
    for fields in questions:
        builder.question_create(section=section, actor=user, **fields)
    return questionnaire


def make_consultation_asking(org, user, questions, **kwargs):
    """A consultation of a one-section questionnaire of ``questions``."""
    return make_consultation(org, user, make_questionnaire_asking(org, user, questions), **kwargs)[0]


def add_response(consultation, answers, group="", day=None, invitation=None):
    version = consultation.questionnaire.versions.order_by("-number").first()
    response = Response.objects.create(
        organisation=consultation.organisation, consultation=consultation, version=version, group=group,
        submission_key=uuid.uuid4(), submitted_on=day or date(2026, 11, 20), invitation=invitation)
    for key, value in answers.items():
        Answer.objects.create(organisation=consultation.organisation, response=response, question_key=key,
                              value=None if value is NR else value, not_relevant=value is NR)
    return response


def sweep_values(org, user):
    """Parameters of the consultation staff routes for the core outsider sweep."""
    consultation, _token = make_consultation(org, user, anonymous=False)
    delivery.invitations_send(consultation=consultation, actor=user, text="sweep@example.org, clinician")
    questionnaire = consultation.questionnaire
    return {
        "questionnaire_id": questionnaire.pk,
        "section_id": questionnaire.sections.first().pk,
        "question_id": questionnaire.questions.first().pk,
        "consultation_id": consultation.uuid,
        "respondent_id": Invitation.objects.get(consultation=consultation).uuid,
    }


__all__ = ["CHOICE", "LIKERT", "NR", "TEXT", "Consultation", "add_response", "make_consultation",
           "make_consultation_asking", "make_questionnaire", "make_questionnaire_asking", "sweep_values"]
