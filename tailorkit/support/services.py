"""The only write path for a practitioner's competencies and reflection. Keyword-only, atomic."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tailorkit.core.locking import apply_versioned

from .models import (
    AssessmentComment,
    AssessmentShare,
    CompetencyRating,
    DevelopmentPlan,
    Level,
    Reflection,
    SelfAssessment,
)
from .selectors import framework, peers_for

# "Pick two or three competencies to develop": more at once and none gets real attention.
MOST_ACTIVE_PLANS = 3


def _not_in_future(day, field):
    if day > timezone.localdate():
        raise ValidationError({field: _("This date is in the future. Use today or an earlier day.")})


@transaction.atomic
def assessment_create(*, user, taken_on, levels, note=""):
    """Store a self-assessment: ``levels`` is {competency item id: 1–5} with every competency of
    the guide rated."""
    _not_in_future(taken_on, "taken_on")
    competencies = {c.pk for c in framework().competencies}
    if not competencies:
        raise ValidationError(_("The Practice Guide pack is not loaded; ask an administrator to load it."))
    errors = {}
    for pk in competencies:
        if levels.get(pk) not in Level.values:
            errors[f"level_{pk}"] = _("Choose a level for this competency.")
    if errors:
        raise ValidationError(errors)
    assessment = SelfAssessment.objects.create(owner=user, taken_on=taken_on, note=note)
    CompetencyRating.objects.bulk_create(
        CompetencyRating(assessment=assessment, competency_id=pk, level=levels[pk]) for pk in sorted(competencies))
    return assessment


@transaction.atomic
def assessment_delete(*, assessment, user):
    if assessment.owner_id != user.pk:
        raise ValidationError(_("Only the person who made this self-assessment can delete it."))
    assessment.delete()


@transaction.atomic
def assessment_share(*, assessment, user, with_user):
    """Let ``with_user`` (someone in one of the owner's organisations) read and comment on it."""
    if assessment.owner_id != user.pk:
        raise ValidationError(_("Only the person who made this self-assessment can share it."))
    if not peers_for(user).filter(pk=with_user.pk).exists():
        raise ValidationError({"shared_with": _("You can share only with people in one of your organisations.")})
    share, _created = AssessmentShare.objects.get_or_create(assessment=assessment, shared_with=with_user)
    return share


@transaction.atomic
def assessment_unshare(*, share, user):
    if share.assessment.owner_id != user.pk:
        raise ValidationError(_("Only the person who made this self-assessment can stop sharing it."))
    share.delete()


@transaction.atomic
def assessment_comment_add(*, assessment, user, text):
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write a comment first.")})
    if assessment.owner_id != user.pk and not assessment.shares.filter(shared_with=user).exists():
        raise ValidationError(_("This self-assessment is not shared with you."))
    return AssessmentComment.objects.create(assessment=assessment, author=user, text=text)


def _check_competency(competency):
    if competency.pk not in {c.pk for c in framework().competencies}:
        raise ValidationError({"competency": _("Choose one of the Practice Guide's competencies.")})


def _check_active_count(user, status, exclude=None):
    if status != DevelopmentPlan.Status.ACTIVE:
        return
    active = DevelopmentPlan.objects.filter(owner=user, status=DevelopmentPlan.Status.ACTIVE)
    if exclude is not None:
        active = active.exclude(pk=exclude)
    if active.count() >= MOST_ACTIVE_PLANS:
        raise ValidationError({"status": _("You are already working on %(n)d competencies. Mark one as done "
                                           "before you start another.") % {"n": MOST_ACTIVE_PLANS}})


@transaction.atomic
def development_plan_create(*, user, competency, plan, review_on=None, status=DevelopmentPlan.Status.ACTIVE):
    _check_competency(competency)
    _check_active_count(user, status)
    row = DevelopmentPlan(owner=user, competency=competency, plan=plan, review_on=review_on, status=status)
    row.full_clean()
    row.save()
    return row


@transaction.atomic
def development_plan_update(*, development_plan, user, version, competency, plan, review_on, status):
    """Change a plan; ``StaleEdit`` when it was saved elsewhere meanwhile (another tab or device)."""
    _check_competency(competency)
    _check_active_count(user, status, exclude=development_plan.pk)
    return apply_versioned(DevelopmentPlan, pk=development_plan.pk, owner=user, expected_version=version,
                           changes={"competency": competency, "plan": plan, "review_on": review_on,
                                    "status": status})


@transaction.atomic
def development_plan_delete(*, development_plan, user):
    DevelopmentPlan.objects.filter(pk=development_plan.pk, owner=user).delete()


def _check_question(question):
    if question is not None and question.pk not in {q.pk for q in framework().questions}:
        raise ValidationError({"question": _("Choose one of the questions for reflection, or none.")})


@transaction.atomic
def reflection_create(*, user, written_on, text, question=None):
    _not_in_future(written_on, "written_on")
    _check_question(question)
    row = Reflection(owner=user, written_on=written_on, text=text, question=question)
    row.full_clean()
    row.save()
    return row


@transaction.atomic
def reflection_update(*, reflection, user, version, written_on, text, question):
    _not_in_future(written_on, "written_on")
    _check_question(question)
    return apply_versioned(Reflection, pk=reflection.pk, owner=user, expected_version=version,
                           changes={"written_on": written_on, "text": text, "question": question})


@transaction.atomic
def reflection_delete(*, reflection, user):
    Reflection.objects.filter(pk=reflection.pk, owner=user).delete()
