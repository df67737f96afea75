"""The respondent's path: link look-up, the paged form (``RespondentForm``), drafts (save and
resume) and submitting exactly once.

The grant cookie that carries a respondent from request to request is read and written by
``views.responding``; everything here is told what the grant says.
"""

import uuid
from dataclasses import dataclass

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from tailorkit.core.errors import summary
from tailorkit.core.tokens import hash_token

from .. import answering
from ..models import (
    Answer,
    Consultation,
    Draft,
    Invitation,
    InvitationLink,
    QuestionnaireVersion,
    Response,
)
from .delivery import stamp
from .respondent_sql import consultation_for_grant, insert_rows

TOKEN_MAX = 200
SUBMISSION_KEY_SALT = "tailorkit.consultations.submission_key"


def stored_key(submission_key):
    """The key a response is stored under: a keyed hash (HMAC-SHA256 with ``SECRET_KEY``, cut to a
    UUID) of the key the form and the draft carry. So no stored response carries a key that a draft
    carried: a database backup taken while an invitation's draft existed cannot be matched to the
    later anonymous response without the secret key, which is not in the database. A repeat of the
    same submit hashes to the same key and finds the stored response. None for a key that is not a
    UUID."""
    try:
        raw = uuid.UUID(str(submission_key))
    except ValueError:
        return None
    return uuid.UUID(bytes=salted_hmac(SUBMISSION_KEY_SALT, raw.bytes, algorithm="sha256").digest()[:16])


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


def invitation_mark_opened(*, invitation):
    """Mark a sent invitation opened (the day only in anonymous consultations). update(), not
    save(), as on completion: save() would write an edit-history row stamped with the exact time
    the link was opened. One conditional UPDATE, so two openings at once change it once."""
    Invitation.objects.filter(pk=invitation.pk, status=Invitation.Status.SENT).update(
        status=Invitation.Status.OPENED, opened_at=stamp(invitation.consultation))


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
    """The version a respondent answers: the one ``grant_objects`` read with the consultation (no
    query), else the questionnaire's current version, else ``latest_version``."""
    if getattr(consultation, "answering_version", None) is not None:
        return consultation.answering_version
    questionnaire = consultation.questionnaire
    if questionnaire.current_version_id is not None:
        return questionnaire.current_version
    return latest_version(consultation)


def grant_objects(grant):
    """What a respondent's grant names: ``(consultation, invitation, draft)``, all None without one.

    Every respondent request starts with one statement, the consultation with the version it asks
    (``consultation_for_grant``). Whether a submit was stored already is asked only when the submit
    is refused (``RespondentForm``, the view): a repeat that gets past that breaks the unique key.
    The draft of an invitation comes with the invitation (one query; it may have been saved on
    another device). An open-link draft is looked up only when the grant says one was made ("d";
    grants from before that flag existed have no "d" and are looked up).
    """
    if not grant or grant.get("done"):
        return None, None, None
    consultation = consultation_for_grant(grant["c"])
    invitation = draft = None
    if grant.get("inv"):
        invitation = Invitation.objects.select_related("draft__version").filter(uuid=grant["inv"]).first()
        try:
            draft = invitation.draft if invitation is not None else None
        except ObjectDoesNotExist:
            draft = None
    elif consultation is not None and grant.get("rk") and grant.get("d", True):
        draft = draft_find(consultation=consultation, respondent_key=grant.get("rk"))
    return consultation, invitation, draft


@transaction.atomic
def draft_get_or_create(*, consultation, invitation=None, respondent_key=None, version=None, submission_key=None):
    """The respondent's saved answers: by invitation, or by the random key in their grant cookie.

    A new draft takes the ``submission_key`` the form already carries (see ``RespondentForm``),
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
    """The response stored for the form's ``submission_key``, if any (see ``stored_key``)."""
    key = stored_key(submission_key)
    return Response.objects.filter(submission_key=key).first() if key is not None else None


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

    Exactly once: the form carries ``submission_key`` (made with the draft), the database keeps its
    keyed hash (``stored_key``) unique, and a repeat of the same submit returns the stored response
    instead of a second one. A draft with no answer at all is refused (``answering.nothing_answered``).
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
    if answering.nothing_answered(draft.version.questions(), draft.answers):
        raise ValidationError(answering.nothing_answered_message())
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
    ``submission_key`` (issued in the respondent's signed grant, checked by ``RespondentForm``) is
    stored as a keyed hash that is unique in the database, so a repeat returns the stored response;
    an invitation is locked and must not be completed yet, so two browsers of one invitation cannot
    both store a response.

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
    if answering.nothing_answered(questions, answers):
        raise ValidationError(answering.nothing_answered_message())
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
        return Response.objects.get(submission_key=stored_key(submission_key)), False


def _insert(*, consultation, version, group, answers, invitation, submission_key):
    """INSERT one response and its answers (two statements, ``respondent_sql.insert_rows``); the caller holds
    the transaction."""
    answers = answering.visible_answers(version.questions(), answers)
    now = timezone.now()
    response = Response(
        organisation_id=consultation.organisation_id, consultation=consultation, version=version,
        group=group, submission_key=stored_key(submission_key), submitted=True, submitted_on=now.date(),
        # Anonymous: no invitation and no time of day (issue 4, point 6).
        invitation=None if consultation.anonymous else invitation,
        submitted_at=None if consultation.anonymous else now,
    )
    names = ("organisation", "consultation", "version", "group", "submission_key", "submitted", "submitted_on",
             "invitation", "submitted_at")
    response.pk = insert_rows(Response, names, [tuple(getattr(response, Response._meta.get_field(n).attname)
                                                       for n in names)], returning=True)
    response._state.adding = False
    if answers:
        insert_rows(Answer, ("organisation", "response", "question_key", "value", "not_relevant"), [
            (consultation.organisation_id, response.pk, key, entry.get("value"), bool(entry.get("not_relevant")))
            for key, entry in answers.items()])
    if invitation is not None:
        # update(), not save(): a history row would record the exact completion time, and the order
        # of completions could then be matched to the order of anonymous responses.
        Invitation.objects.filter(pk=invitation.pk).update(
            status=Invitation.Status.COMPLETED, completed_at=stamp(consultation, now), next_reminder_at=None)
    return response


# --- The paged form ---------------------------------------------------------------------------
# Plain HTML: every page is a POST that the server answers, show-if included, so the form works
# without JavaScript and with any screen reader.

@dataclass(frozen=True)
class Go:
    """Where the browser goes after a POST to the form: another ``page`` of it (None: the form's
    own address), with a ``message`` to show there; ``submitted`` once the answers are sent (for a
    preview: once it has come to its end)."""

    page: int | None = None
    message: str = ""
    submitted: bool = False


class RespondentForm:
    """One request to the paged form of a questionnaire ``snapshot``: which page to show with which
    answers, what to keep until the next request, and where to go.

    For a respondent, give the ``consultation``, the ``grant`` (a dict; ``grant["d"]`` is set when
    this request makes their draft, so the caller can put it in the cookie), their ``invitation``,
    ``draft`` and the ``version`` they answer: answers are kept in the draft and the last page
    submits them exactly once. For a staff preview, give ``preview_answers`` (kept in the session by
    the caller) instead: nothing is stored, and after ``post`` the caller keeps ``answers`` in the
    session when ``kept`` says so.
    """

    def __init__(self, *, snapshot, page=None, consultation=None, grant=None, invitation=None, draft=None,
                 version=None, preview_answers=None):
        self.snapshot, self.consultation, self.grant = snapshot, consultation, grant
        self.invitation, self.draft, self.version = invitation, draft, version
        self.preview = preview_answers is not None
        if self.preview:
            self.answers = preview_answers
            self.group, self.groups, self.version_number, self.submission_key = "", [], None, None
        else:
            self.answers = dict(draft.answers) if draft else {}
            self.group = draft.group if draft else (invitation.group if invitation else "")
            self.groups, self.version_number = consultation.groups, version.number
            self.submission_key = draft.submission_key if draft else grant["sk"]
        self.questions = [q for s in snapshot["sections"] for q in s["questions"]]
        self.visible_pages = answering.pages(snapshot, self.answers) or [0]
        try:
            self.page = int(page if page is not None else self.visible_pages[0])
        except (TypeError, ValueError):
            self.page = self.visible_pages[0]
        if self.page not in self.visible_pages:
            self.page = self.visible_pages[0]
        self.errors, self.notice, self.kept = {}, None, False

    def _shows_group(self):
        """Open links with respondent groups ask for the group on the first page."""
        return bool(self.groups) and self.invitation is None and self.page == self.visible_pages[0]

    def _keep(self):
        """Keep the answers until the next request: a preview's in the session (by the caller), a
        respondent's in their draft, made now if this is the first time something must be kept.
        Opening the form writes nothing: a draft row is made only when answers must be kept between
        requests (another page, "save", or errors), never for a one-page form sent straight away."""
        self.kept = True
        if self.preview:
            return
        if self.draft is None:
            self.draft = draft_get_or_create(consultation=self.consultation, invitation=self.invitation,
                                             respondent_key=self.grant.get("rk"), version=self.version,
                                             submission_key=self.grant["sk"])
            self.grant["d"] = True  # the view puts this in the cookie, so later requests look the draft up
        draft_save(draft=self.draft, answers=self.answers, group=self.group)

    def _sent_already(self, data):
        """Is a refused submit the same submit again (a double click, a retry), already stored? Asked
        only when a submit is refused, before anything is kept: a stored one goes to the thanks."""
        return (not self.preview and data.get("action") == "submit"
                and submitted_with_key(data.get("submission_key")) is not None)

    def post(self, data):
        """Read this page's answers from ``data`` (the POST) and act on its ``action``: "next",
        "submit", "save" or "back". Returns a ``Go``, or None to show the page again (with
        ``errors`` or a ``notice``)."""
        action = data.get("action", "next")
        if not self.preview and str(data.get("version")) != str(self.version_number):
            if self._sent_already(data):
                return Go(submitted=True)
            self.errors["__form__"] = _("The questionnaire changed since this page was opened. Nothing from this "
                                        "page was saved; please answer it again.")
            return None
        on_page = self.snapshot["sections"][self.page]["questions"]
        shown_before = answering.visible_keys(self.questions, self.answers)
        self.answers, errors = answering.check_page([q for q in on_page if q["key"] in shown_before], data,
                                                    self.answers)
        if self._shows_group():
            posted_group = data.get("group", "")
            if posted_group in self.groups:
                self.group = posted_group
            elif posted_group or action in ("next", "submit"):
                errors["__group__"] = _("Please choose the group that describes you best.")
        shown_after = answering.visible_keys(self.questions, self.answers)
        appeared = [q for q in on_page if q["key"] in shown_after and q["key"] not in shown_before]
        page_now = [q for q in on_page if q["key"] in shown_after]
        self.visible_pages = answering.pages(self.snapshot, self.answers) or [0]
        later = [p for p in self.visible_pages if p > self.page]
        finishing = action in ("next", "submit") and not errors and not appeared and not later
        if finishing:
            errors = answering.missing_required(page_now, self.answers)
        self.errors = errors
        if (errors or not finishing) and self._sent_already(data):
            return Go(submitted=True)
        if not finishing or errors or self.draft is not None or self.preview:
            self._keep()
        if action == "back":
            earlier = [p for p in self.visible_pages if p < self.page]
            return Go(page=earlier[-1] if earlier else self.visible_pages[0])
        if action == "save" and not errors:
            return Go(page=self.page, message=_("Preview: answers are kept for this session only.") if self.preview
                      else _("Your answers are saved. Open the same link again to finish."))
        if action not in ("next", "submit") or errors:
            return None
        self.errors = answering.missing_required(page_now, self.answers)
        if appeared:
            self.notice = _("Your answers opened more questions on this page. Please look at them.")
            return None
        if self.errors:
            return None
        if later:
            return Go(page=later[0])
        if answering.nothing_answered(self.questions, self.answers):
            # Checked here too, before anything is written: an empty one-page form stores no draft.
            self.errors = {"__form__": answering.nothing_answered_message()}
            return None
        return self._finish(data)

    def _finish(self, data):
        """Submit (a preview just ends). Returns ``Go(submitted=True)``, or None with the page to
        show and its errors when the submit is refused."""
        if self.preview:
            return Go(submitted=True,
                      message=_("End of the preview. In a real consultation the answers would now be sent."))
        posted_key = data.get("submission_key")
        try:
            if self.draft is not None:
                response_submit(draft=self.draft, submission_key=posted_key, version_number=data.get("version"))
            elif str(posted_key) != str(self.grant["sk"]):
                raise ValidationError(_("This form is out of date. Please reload the page; your saved answers are "
                                        "kept."))
            else:
                # Sent straight away from a one-page form: one transaction, no draft row written.
                response_submit_new(consultation=self.consultation, invitation=self.invitation,
                                    respondent_key=self.grant.get("rk"), version=self.version, group=self.group,
                                    answers=self.answers, submission_key=self.grant["sk"],
                                    may_have_draft=self.invitation is not None or self.grant.get("d", True))
        except ValidationError as exc:
            if self._sent_already(data):
                return Go(submitted=True)
            if hasattr(exc, "error_dict"):
                # A required answer is missing on an earlier page: go there and say so.
                self.page = next((p for p in self.visible_pages for q in self.snapshot["sections"][p]["questions"]
                                  if q["key"] in exc.error_dict), self.visible_pages[0])
                self.errors = {k: v[0] for k, v in exc.message_dict.items()}
            else:
                self.page, self.errors = self.visible_pages[-1], {"__form__": summary(exc)}
            if self.draft is None:
                self._keep()  # refused (e.g. a required answer on a page never opened): keep this page
            self.submission_key = self.draft.submission_key
            return None
        return Go(submitted=True)

    def context(self):
        """What the form template shows for the current page."""
        shown = answering.visible_keys(self.questions, self.answers)
        section = self.snapshot["sections"][self.page]
        pages = self.visible_pages
        consultation = self.consultation
        return {
            "snapshot": self.snapshot, "section": section, "errors": self.errors, "notice": self.notice,
            "items": answering.page_items(section, shown, self.answers, self.errors),
            "error_list": answering.error_list(self.errors, self.questions),
            "page": self.page, "page_number": pages.index(self.page) + 1 if self.page in pages else 1,
            "page_count": len(pages), "is_first": self.page == pages[0], "is_last": self.page == pages[-1],
            "consultation": consultation, "version_number": self.version_number,
            "submission_key": self.submission_key, "show_group": self._shows_group(), "group": self.group,
            "group_error": self.errors.get("__group__"),
            "group_choices": [(g, consultation.group_label(g)) for g in self.groups] if consultation else [],
            "feedback": _round_feedback(consultation),
        }


def _round_feedback(consultation):
    """A later consensus round shows each item's result from the round before (issue 4, point 8)."""
    if consultation is None or consultation.previous_round_id is None:
        return {}
    from .rounds import previous_round_feedback  # rounds imports results; only later rounds need them

    return previous_round_feedback(consultation)
