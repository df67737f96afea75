"""The only write path for a practitioner's competencies and reflection. Keyword-only, atomic."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tailorkit.core.locking import apply_versioned
from tailorkit.core.permissions import can
from tailorkit.library.models import PackKind

from .models import (
    AssessmentComment,
    AssessmentShare,
    CompetencyRating,
    DevelopmentPlan,
    FollowUp,
    Level,
    Reflection,
    SelfAssessment,
    SupportContact,
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


# --- The support log ---------------------------------------------------------------------------


def _contact_checks(*, organisation, supporter, project, contact_on, start_time, minutes, channel, kind,
                    competencies, strategies, exclude=None):
    if not can(supporter, "comment", organisation):
        raise ValidationError(_("Only the site's members and support practitioners can log a contact."))
    errors = {}
    if contact_on > timezone.localdate():
        errors["contact_on"] = _("This date is in the future. Log a contact after it took place.")
    if minutes is None or minutes < 1:
        errors["minutes"] = _("Give the length in minutes: 1 or more.")
    elif minutes > 720:
        errors["minutes"] = _("A contact longer than 12 hours is unlikely. Split it over days, one entry each.")
    if project is not None and project.organisation_id != organisation.pk:
        errors["project"] = _("Choose one of this site's projects.")
    guide = {c.pk for c in framework().competencies}
    if any(c.pk not in guide for c in competencies):
        errors["competencies"] = _("Choose competencies of the Practice Guide.")
    if any(s.pack.kind != PackKind.STRATEGIES for s in strategies):
        errors["strategies"] = _("Choose implementation strategies from a strategy catalogue.")
    if errors:
        raise ValidationError(errors)
    same_day = SupportContact.objects.filter(supporter=supporter, contact_on=contact_on)
    if exclude is not None:
        same_day = same_day.exclude(pk=exclude)
    if start_time is not None:
        start = start_time.hour * 60 + start_time.minute
        for other in same_day.exclude(start_time=None).select_related("organisation"):
            other_start = other.start_time.hour * 60 + other.start_time.minute
            if start < other_start + other.minutes and other_start < start + minutes:
                raise ValidationError({"start_time": _(
                    "This overlaps your contact with %(site)s from %(time)s (%(minutes)d minutes). Change the "
                    "time, or edit that entry instead.") % {"site": other.organisation.name,
                                                            "time": other.start_time.strftime("%H:%M"),
                                                            "minutes": other.minutes}})
    elif same_day.filter(organisation=organisation, project=project, start_time=None, channel=channel, kind=kind,
                         minutes=minutes).exists():
        raise ValidationError(_("You already logged the same contact (same day, site, project, channel, kind and "
                                "length). Edit that entry instead, or add a start time to tell them apart."))


def _follow_up_rows(contact, follow_ups):
    errors = {}
    rows = []
    for i, (what, due_on) in enumerate(follow_ups, start=1):
        what = (what or "").strip()
        if not what and due_on is None:
            continue
        if not what:
            errors[f"next_step_{i}"] = _("Say what the next step is, or clear its date.")
        elif due_on is None:
            errors[f"due_{i}"] = _("Give the date this step is due.")
        elif due_on < contact.contact_on:
            errors[f"due_{i}"] = _("A next step cannot be due before the contact took place.")
        else:
            rows.append(FollowUp(contact=contact, organisation_id=contact.organisation_id, what=what, due_on=due_on))
    if errors:
        raise ValidationError(errors)
    return rows


@transaction.atomic
def support_contact_create(*, organisation, supporter, contact_on, minutes, channel, kind, summary, project=None,
                           start_time=None, people="", competencies=(), strategies=(), follow_ups=()):
    """Log a contact; ``follow_ups`` is a list of (next step, due date) that become dated follow-ups."""
    _contact_checks(organisation=organisation, supporter=supporter, project=project, contact_on=contact_on,
                    start_time=start_time, minutes=minutes, channel=channel, kind=kind,
                    competencies=competencies, strategies=strategies)
    contact = SupportContact(organisation=organisation, supporter=supporter, project=project, contact_on=contact_on,
                             start_time=start_time, minutes=minutes, channel=channel, kind=kind, people=people,
                             summary=summary)
    contact.full_clean()
    rows = _follow_up_rows(contact, follow_ups)
    contact.save()
    contact.competencies.set(competencies)
    contact.strategies.set(strategies)
    FollowUp.objects.bulk_create(rows)
    return contact


@transaction.atomic
def support_contact_update(*, contact, user, version, contact_on, minutes, channel, kind, summary, project=None,
                           start_time=None, people="", competencies=(), strategies=()):
    """Change a contact (its author only); ``StaleEdit`` when it was saved elsewhere meanwhile."""
    if contact.supporter_id != user.pk:
        raise ValidationError(_("Only the person who logged this contact can change it."))
    _contact_checks(organisation=contact.organisation, supporter=user, project=project, contact_on=contact_on,
                    start_time=start_time, minutes=minutes, channel=channel, kind=kind,
                    competencies=competencies, strategies=strategies, exclude=contact.pk)
    contact = apply_versioned(SupportContact, pk=contact.pk, supporter=user, expected_version=version, changes={
        "project": project, "contact_on": contact_on, "start_time": start_time, "minutes": minutes,
        "channel": channel, "kind": kind, "people": people, "summary": summary})
    contact.competencies.set(competencies)
    contact.strategies.set(strategies)
    return contact


@transaction.atomic
def support_contact_delete(*, contact, user):
    if contact.supporter_id != user.pk:
        raise ValidationError(_("Only the person who logged this contact can delete it."))
    contact.delete()


@transaction.atomic
def follow_up_mark(*, follow_up, user, done):
    """Tick a next step off (or on again): its contact's author or a member of the site who may edit."""
    if follow_up.contact.supporter_id != user.pk and not can(user, "edit", follow_up.contact.organisation):
        raise ValidationError(_("Only the supporter or the site's team can tick off this step."))
    FollowUp.objects.filter(pk=follow_up.pk).update(done=done)
