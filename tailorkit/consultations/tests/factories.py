"""Small builders shared by the consultation tests (and the core outsider sweep)."""

from tailorkit.consultations import delivery, services
from tailorkit.consultations.models import Consultation, Invitation


def make_questionnaire(org, user, title="Barriers to iCBT"):
    """Two sections exercising several kinds and a show-if across sections."""
    q = services.questionnaire_create(organisation=org, actor=user, title=title,
                                      sections=["About you", "Barriers"])
    first, second = q.sections.order_by("position")
    services.question_create(section=first, actor=user, key="role", kind="single", text="Your role",
                             options=[{"value": "gp", "label": "GP"}, {"value": "nurse", "label": "Nurse"}],
                             required=True)
    services.question_create(section=first, actor=user, key="years", kind="number", text="Years in post",
                             min_value=0, max_value=50)
    services.question_create(section=second, actor=user, key="importance", kind="likert5",
                             text="Lack of time is an important barrier", required=True, allow_not_relevant=True)
    services.question_create(section=second, actor=user, key="gp_only", kind="text", text="What would help GPs?",
                             required=True, show_if={"question": "role", "equals": "gp"})
    return q


def make_consultation(org, user, questionnaire=None, **kwargs):
    questionnaire = questionnaire or make_questionnaire(org, user)
    kwargs.setdefault("title", "Which barriers matter?")
    consultation, token = delivery.consultation_create(organisation=org, questionnaire=questionnaire, actor=user,
                                                       **kwargs)
    return consultation, token


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
        "consultation_uuid": consultation.uuid,  # the name part B's routes use
        "respondent_id": Invitation.objects.get(consultation=consultation).uuid,
    }


__all__ = ["Consultation", "make_consultation", "make_questionnaire", "sweep_values"]
