"""The respondent's side: link lookup, drafts (save and resume) and submitting exactly once."""

import uuid

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tailorkit.core.tokens import hash_token

from . import answering
from .delivery import _stamp
from .models import Answer, Consultation, Draft, Invitation, InvitationLink, QuestionnaireVersion, Response

TOKEN_MAX = 200


def invitation_for_token(token):
    if not token or len(token) > TOKEN_MAX:
        return None
    link = (InvitationLink.objects.select_related("invitation__consultation__organisation")
            .filter(token_hash=hash_token(token)).first())
    return link.invitation if link else None


def consultation_for_open_token(token):
    if not token or len(token) > TOKEN_MAX:
        return None
    return (Consultation.objects.select_related("organisation")
            .filter(open_token_hash=hash_token(token), mode=Consultation.Mode.OPEN_LINK).first())


def is_full(consultation):
    return consultation.response_limit is not None and consultation.responses.count() >= consultation.response_limit


def can_answer(consultation, invitation=None):
    """May this link be answered right now? One yes/no: the respondent is never told why not, so an
    unknown, expired, closed or full link all look the same from outside."""
    if consultation is None or not consultation.is_open() or is_full(consultation):
        return False
    if consultation.mode == Consultation.Mode.INVITATIONS:
        return invitation is not None and invitation.erased_at is None and invitation.email is not None
    return invitation is None


@transaction.atomic
def invitation_mark_opened(*, invitation):
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.status == Invitation.Status.SENT:
        invitation.status = Invitation.Status.OPENED
        invitation.opened_at = _stamp(invitation.consultation)
        invitation.save(update_fields=["status", "opened_at"])
    return invitation


def _draft_lookup(consultation, invitation, respondent_key):
    return ({"invitation": invitation} if invitation is not None
            else {"session_key_hash": hash_token(respondent_key), "consultation": consultation})


def draft_find(*, consultation, invitation=None, respondent_key=None):
    """The respondent's saved answers if there are any (a read only: opening the form writes nothing)."""
    return Draft.objects.select_related("version").filter(
        **_draft_lookup(consultation, invitation, respondent_key)).first()


def latest_version(consultation):
    versions = QuestionnaireVersion.objects.filter(questionnaire_id=consultation.questionnaire_id)
    return versions.order_by("-number").first()


def version_to_answer(consultation):
    """The version a respondent answers, for a consultation loaded by the respondent views with
    ``select_related("questionnaire__current_version")`` (so this costs no query); falls back to
    ``latest_version`` when the pointer is not set."""
    questionnaire = consultation.questionnaire
    if questionnaire.current_version_id is not None:
        return questionnaire.current_version
    return latest_version(consultation)


@transaction.atomic
def draft_get_or_create(*, consultation, invitation=None, respondent_key=None, version=None, submission_key=None):
    """The respondent's saved answers: by invitation, or by the random key in their grant cookie.

    A new draft takes the ``submission_key`` the form already carries (see ``respondent_views``),
    so a form opened before the draft existed still submits exactly once.
    """
    lookup = _draft_lookup(consultation, invitation, respondent_key)
    draft = Draft.objects.select_related("version").filter(**lookup).first()
    if draft is None:
        defaults = {"organisation_id": consultation.organisation_id, "consultation": consultation,
                    "version": version or latest_version(consultation),
                    "group": invitation.group if invitation else ""}
        if submission_key and submitted_with_key(submission_key) is None:
            defaults["submission_key"] = uuid.UUID(str(submission_key))
        draft, _created = Draft.objects.get_or_create(**lookup, defaults=defaults)
    return draft


@transaction.atomic
def draft_save(*, draft, answers, group=None):
    draft.answers = answers
    fields = ["answers", "updated_at"]
    if group is not None:
        draft.group = group
        fields.append("group")
    draft.save(update_fields=fields)
    return draft


def submitted_with_key(submission_key):
    try:
        return Response.objects.filter(submission_key=uuid.UUID(str(submission_key))).first()
    except ValueError:
        return None


def check_all(draft):
    """Errors for the whole questionnaire as the draft stands: ``{key: message}``."""
    questions = draft.version.questions()
    answers = answering.visible_answers(questions, draft.answers)
    errors = answering.missing_required(questions, answers)
    consultation = draft.consultation
    open_link = consultation.mode == Consultation.Mode.OPEN_LINK
    if open_link and consultation.groups and draft.group not in consultation.groups:
        errors["__group__"] = _("Please choose the group that describes you best.")
    return errors


@transaction.atomic
def response_submit(*, draft, submission_key, version_number):
    """Turn a draft into one response. Returns ``(response, created)``.

    Exactly once: the form carries ``submission_key`` (made with the draft), the database keeps it
    unique, and a repeat of the same submit returns the stored response instead of a second one.
    """
    existing = submitted_with_key(submission_key)
    if existing is not None:
        return existing, False
    if draft.invitation_id is not None:
        # Lock the invitation first (same order as ``response_submit_new``): a second browser of the
        # same invitation may submit without a draft, and only one of the two may store a response.
        invitation = Invitation.objects.select_for_update().get(pk=draft.invitation_id)
        if invitation.status == Invitation.Status.COMPLETED:
            raise ValidationError(_("Answers for this invitation have already been sent."))
    # of=("self",): PostgreSQL cannot lock the nullable side of the join to the invitation.
    draft = (Draft.objects.select_for_update(of=("self",))
             .select_related("version", "consultation__organisation", "invitation").filter(pk=draft.pk).first())
    if draft is None or str(draft.submission_key) != str(submission_key):
        existing = submitted_with_key(submission_key)
        if existing is not None:
            return existing, False
        raise ValidationError(_("This form is out of date. Please reload the page; your saved answers are kept."))
    if str(version_number) != str(draft.version.number):
        raise ValidationError(_("The questionnaire changed since this page was opened. Please reload the page; "
                                "your saved answers are kept."))
    consultation = draft.consultation
    if consultation.response_limit is not None:
        # Serialise submissions of a limited consultation so the limit cannot be overshot.
        consultation = Consultation.objects.select_for_update().select_related("organisation").get(pk=consultation.pk)
    if not can_answer(consultation, draft.invitation):
        raise ValidationError(_("This consultation is not taking answers any more."))
    errors = check_all(draft)
    if errors:
        raise ValidationError(errors)
    response, created = _store(consultation=consultation, version=draft.version, group=draft.group,
                               answers=draft.answers, invitation=draft.invitation,
                               submission_key=draft.submission_key)
    if created:
        draft.delete()
    return response, created


def response_submit_new(*, consultation, invitation, respondent_key, version, group, answers, submission_key,
                        may_have_draft=True):
    """Submit answers that were never saved as a draft (a one-page form sent straight away).

    Returns ``(response, created)`` like ``response_submit``, with the same guarantees: the
    ``submission_key`` (issued in the respondent's signed grant, checked by the view) is unique in
    the database, so a repeat returns the stored response; an invitation is locked and must not be
    completed yet, so two browsers of one invitation cannot both store a response.

    This is the path every one-page respondent takes, so it is kept to one short transaction of two
    INSERTs (plus the invitation's lock and update when there is one). The view has just checked
    that the key is not stored yet; a repeat racing this one breaks the unique constraint, which
    rolls the whole transaction back here (no savepoint needed) and returns the stored response.
    """
    try:
        with transaction.atomic():
            return _submit_new(consultation=consultation, invitation=invitation, respondent_key=respondent_key,
                               version=version, group=group, answers=answers, submission_key=submission_key,
                               may_have_draft=may_have_draft)
    except IntegrityError:
        existing = submitted_with_key(submission_key)
        if existing is None:
            raise
        return existing, False


def _submit_new(*, consultation, invitation, respondent_key, version, group, answers, submission_key,
                may_have_draft):
    if invitation is not None:
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.status == Invitation.Status.COMPLETED:
            raise ValidationError(_("Answers for this invitation have already been sent."))
    if consultation.response_limit is not None:
        consultation = Consultation.objects.select_for_update().select_related("organisation").get(pk=consultation.pk)
    if not can_answer(consultation, invitation):
        raise ValidationError(_("This consultation is not taking answers any more."))
    questions = version.questions()
    errors = answering.missing_required(questions, answering.visible_answers(questions, answers))
    if consultation.mode == Consultation.Mode.OPEN_LINK and consultation.groups and group not in consultation.groups:
        errors["__group__"] = _("Please choose the group that describes you best.")
    if errors:
        raise ValidationError(errors)
    response = _insert(consultation=consultation, version=version, group=group, answers=answers,
                       invitation=invitation, submission_key=submission_key)
    if may_have_draft:
        # A draft saved meanwhile from another tab or device of the same respondent is now answered.
        Draft.objects.filter(**_draft_lookup(consultation, invitation, respondent_key)).delete()
    return response, True


def _store(*, consultation, version, group, answers, invitation, submission_key):
    """Write one response and its answers inside the caller's transaction, under a savepoint so
    that a repeat of the same key returns the stored response. Returns ``(response, created)``."""
    try:
        with transaction.atomic():
            return _insert(consultation=consultation, version=version, group=group, answers=answers,
                           invitation=invitation, submission_key=submission_key), True
    except IntegrityError:
        return Response.objects.get(submission_key=submission_key), False


def _insert(*, consultation, version, group, answers, invitation, submission_key):
    """INSERT one response and its answers; the caller holds the transaction."""
    answers = answering.visible_answers(version.questions(), answers)
    now = timezone.now()
    response = Response.objects.create(
        organisation_id=consultation.organisation_id, consultation=consultation, version=version,
        group=group, submission_key=submission_key, submitted_on=now.date(),
        # Anonymous: no invitation and no time of day (issue 4, point 6).
        invitation=None if consultation.anonymous else invitation,
        submitted_at=None if consultation.anonymous else now,
    )
    # One INSERT for all answers: no per-answer signals or history are needed here.
    Answer.objects.bulk_create([
        Answer(organisation_id=consultation.organisation_id, response=response, question_key=key,
               value=entry.get("value"), not_relevant=bool(entry.get("not_relevant")))
        for key, entry in answers.items()
    ])
    if invitation is not None:
        # update(), not save(): a history row would record the exact completion time, and the order
        # of completions could then be matched to the order of anonymous responses.
        Invitation.objects.filter(pk=invitation.pk).update(
            status=Invitation.Status.COMPLETED, completed_at=_stamp(consultation, now), next_reminder_at=None)
    return response
