"""Stakeholder consultations: questionnaires, their frozen versions, consultations, invitations,
drafts, responses and answers (issue 4).

How the pieces fit:

* A **Questionnaire** is edited as live rows (``Section``, ``Question``). Respondents never see the
  live rows: they answer a **QuestionnaireVersion**, a frozen JSON snapshot (see
  ``services.builder.questionnaire_sync_version``). While a version has no responses or drafts,
  edits update its snapshot in place; once it has any, an edit makes a new version number and every
  ``Response`` keeps the version it answered.
* A **Consultation** sends one questionnaire to stakeholders, by personal **Invitation** (one link
  each) or by an open link (optionally with an access code).
* Answers in progress live in a **Draft** (tied to the invitation, or to a random key kept in the
  respondent's session for open links). Submitting turns the draft into one **Response** with its
  **Answer** rows and deletes the draft.
* **InstrumentWording** holds the official wording of the validated instruments, imported once for
  the whole instance.

Anonymity (issue 4, point 6): ``Draft``, ``Response`` and ``Answer`` deliberately have no
``HistoricalRecords``: history rows carry exact timestamps and the request's user/IP, which would
undo the day-only dates and could link an anonymous response to an invitation. In anonymous
consultations a response has no invitation, no time of day and no IP.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tailorkit.core.history import HistoricalRecords
from tailorkit.core.locking import Versioned
from tailorkit.core.models import Organisation


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    LIKERT5 = "likert5", _("Agreement scale, 5 points")
    LIKERT7 = "likert7", _("Agreement scale, 7 points")
    SCALE0_10 = "scale0_10", _("Scale from 0 to 10")
    RANKING = "ranking", _("Ranking")
    NUMBER = "number", _("Number")
    TEXT = "text", _("Free text")


# Kinds whose answer is one of a fixed list of values (rendered as radio buttons).
CHOICE_KINDS = {QuestionKind.SINGLE, QuestionKind.LIKERT5, QuestionKind.LIKERT7, QuestionKind.SCALE0_10}
# Kinds that need options written by the questionnaire author.
OPTION_KINDS = {QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.RANKING}


class RespondentGroup(models.TextChoices):
    CLINICIAN = "clinician", _("Clinician")
    MANAGER = "manager", _("Manager")
    PATIENT = "patient", _("Patient or service user")
    REFERRER = "referrer", _("Referrer")
    IT = "it", _("IT staff")
    OTHER = "other", _("Other")


class ConsultationTemplate(models.TextChoices):
    """Which tailoring-cycle step a consultation was made for (issue 4, point 2)."""

    NONE = "", _("None")
    BARRIER_PRIORITISATION = "barrier_prioritisation", _("Barrier prioritisation")
    STRATEGY_APPRAISAL = "strategy_appraisal", _("Strategy appraisal")
    PLAN_FEEDBACK = "plan_feedback", _("Plan feedback")
    IMPACT_REVIEW = "impact_review", _("Impact review")


class Questionnaire(Versioned):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="questionnaires")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("introduction for respondents"), blank=True)
    # Set when made from a validated instrument (``services.instruments``: "nomad", "aim_iam_fim");
    # blank for own questionnaires.
    instrument = models.CharField(max_length=40, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The newest version, kept by ``services.builder.questionnaire_sync_version`` (the one place
    # versions are made), so each respondent request gets what it answers in the same query as the
    # consultation.
    current_version = models.ForeignKey("QuestionnaireVersion", null=True, blank=True, editable=False,
                                        on_delete=models.SET_NULL, related_name="+")

    history = HistoricalRecords(excluded_fields=["current_version"])

    class Meta:
        ordering = ["title", "pk"]

    def __str__(self):
        return self.title

    @property
    def latest_version(self):
        return self.versions.order_by("-number").first()


class Section(Versioned):
    """A page of the questionnaire. Respondents go through sections one page at a time."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="sections")
    title = models.CharField(_("title"), max_length=200)
    intro = models.TextField(_("introduction"), blank=True)
    position = models.PositiveIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self):
        return self.title


class Question(Versioned):
    """One question. ``key`` is stable across versions: exports, codebooks and results use it.

    ``options``: for single / multiple / ranking a list of ``{"value": str, "label": str}``; for the
    Likert kinds optional labels for the points in the same form (values "1".."5"/"7"); unused
    otherwise. ``show_if``: ``{"question": <key of an earlier question>, "equals": v}`` or
    ``{"question": <key>, "in": [v, ...]}``; empty means always shown. ``meta`` is free for
    instruments and step templates (construct, subject object, APEASE criterion …).
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="questions")
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="questions")
    key = models.SlugField(_("short code"), max_length=60)
    kind = models.CharField(_("type"), max_length=20, choices=QuestionKind.choices, default=QuestionKind.SINGLE)
    text = models.TextField(_("question"))
    help_text = models.TextField(_("help text"), blank=True)
    options = models.JSONField(default=list, blank=True)
    required = models.BooleanField(_("an answer is required"), default=False)
    allow_not_relevant = models.BooleanField(_("offer “not relevant”"), default=False)
    show_if = models.JSONField(default=dict, blank=True)
    min_value = models.FloatField(_("lowest allowed number"), null=True, blank=True)
    max_value = models.FloatField(_("highest allowed number"), null=True, blank=True)
    min_label = models.CharField(_("label of the low end"), max_length=100, blank=True)
    max_label = models.CharField(_("label of the high end"), max_length=100, blank=True)
    meta = models.JSONField(default=dict, blank=True)
    position = models.PositiveIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["section__position", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "key"], name="question_key_unique_in_questionnaire")
        ]

    def __str__(self):
        return f"{self.key}: {self.text[:60]}"


class QuestionnaireVersion(models.Model):
    """A frozen copy of a questionnaire as respondents see it (format: ``services.builder.snapshot_of``)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    snapshot = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    history = HistoricalRecords()

    class Meta:
        ordering = ["questionnaire", "number"]
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "number"], name="one_version_number_per_questionnaire")
        ]

    def __str__(self):
        return f"{self.questionnaire} v{self.number}"

    def questions(self):
        """All questions of the snapshot in order, each a dict (see ``services.builder.snapshot_of``)."""
        return [q for s in self.snapshot.get("sections", []) for q in s.get("questions", [])]


class Consultation(Versioned):
    class Mode(models.TextChoices):
        INVITATIONS = "invitations", _("Personal invitations by email")
        OPEN_LINK = "open_link", _("One open link")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="consultations")
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.PROTECT, related_name="consultations")
    title = models.CharField(_("title"), max_length=200)
    purpose = models.TextField(_("purpose"), blank=True,
                               help_text=_("Shown to respondents: why you ask and what you will do with the answers."))
    mode = models.CharField(_("how people take part"), max_length=20, choices=Mode.choices,
                            default=Mode.INVITATIONS)
    anonymous = models.BooleanField(_("anonymous"), default=True)
    open_token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    access_code_hash = models.CharField(max_length=128, blank=True, editable=False)
    opens_at = models.DateTimeField(_("opens"), default=timezone.now)
    closes_at = models.DateTimeField(_("closes"), null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)  # closed early by hand
    response_limit = models.PositiveIntegerField(_("maximum number of responses"), null=True, blank=True)
    min_group_size = models.PositiveIntegerField(_("smallest group whose results are shown"), default=5)
    groups = models.JSONField(_("respondent groups"), default=list, blank=True)
    # Reminders: days after the invitation email, e.g. [3, 7]. Empty means no reminders.
    reminder_days = models.JSONField(_("reminders after (days)"), default=list, blank=True)
    # A generic link to what the consultation is about (a project step's object), so the models do
    # not depend on the projects app; tailorkit/projects/stakeholders.py is the one place that
    # joins the two, from above.
    subject_type = models.CharField(max_length=60, blank=True)
    subject_id = models.PositiveBigIntegerField(null=True, blank=True)
    template = models.CharField(max_length=40, choices=ConsultationTemplate.choices, blank=True, default="")
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    previous_round = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                       related_name="next_rounds")
    # When the retention job last deleted addresses (``services.delivery.consultation_emails_purge_due``);
    # it runs per invitation, so a consultation reopened and closed again is purged again.
    emails_purged_at = models.DateTimeField(null=True, blank=True)
    # When the apps above were told it had closed (``closings.py``): once per consultation.
    closing_announced_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["open_token_hash", "access_code_hash"])

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["subject_type", "subject_id"])]

    def __str__(self):
        return self.title

    @property
    def effective_close(self):
        """When it stopped or will stop taking answers (the earlier of planned and manual close)."""
        ends = [t for t in (self.closes_at, self.closed_at) if t]
        return min(ends) if ends else None

    def is_open(self, now=None):
        now = now or timezone.now()
        close = self.effective_close
        return self.opens_at <= now and (close is None or now < close)

    def is_closed(self, now=None):
        close = self.effective_close
        return close is not None and (now or timezone.now()) >= close

    def group_label(self, code):
        return dict(RespondentGroup.choices).get(code, code)


class Invitation(models.Model):
    """A personal invitation. ``email`` becomes null after erasure or the retention deadline."""

    class Status(models.TextChoices):
        SENT = "sent", _("Sent")
        OPENED = "opened", _("Opened")
        COMPLETED = "completed", _("Completed")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="consultation_invitations")
    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("email address"), null=True, blank=True)
    group = models.CharField(_("group"), max_length=40, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.SENT)
    # In anonymous consultations these are kept to the day only (services truncate them).
    sent_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    next_reminder_at = models.DateTimeField(null=True, blank=True, db_index=True)
    erased_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    # The address is kept out of history so that erasure and the retention deadline really remove it.
    history = HistoricalRecords(excluded_fields=["email"])

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return self.email or _("(address deleted)")


class InvitationLink(models.Model):
    """One emailed link of an invitation. Every email (first and reminders) carries a fresh token,
    because only hashes are stored and an earlier token cannot be re-sent; all stay valid."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="links")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"link of invitation {self.invitation_id}"


class Draft(models.Model):
    """Answers saved before submission: keyed by the invitation, or by a random key kept in the
    respondent's cookie (open links; only its hash is stored). Deleted when submitted, when the
    consultation closes, and (open links) once the cookie that names it has expired
    (``services.delivery.drafts_purge_due``)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="drafts")
    version = models.ForeignKey(QuestionnaireVersion, on_delete=models.PROTECT, related_name="drafts")
    invitation = models.OneToOneField(Invitation, null=True, blank=True, on_delete=models.CASCADE,
                                      related_name="draft")
    session_key_hash = models.CharField(max_length=64, null=True, blank=True, unique=True)
    group = models.CharField(max_length=40, blank=True)
    answers = models.JSONField(default=dict, blank=True)  # {key: {"value": …, "not_relevant": bool}}
    # The response made from this draft stores a keyed hash of this key, not the key itself.
    submission_key = models.UUIDField(default=uuid.uuid4, unique=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"draft {self.pk} of {self.consultation_id}"


class Response(models.Model):
    """One submitted response. Only submitted responses exist as rows (drafts are ``Draft``)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="responses")
    version = models.ForeignKey(QuestionnaireVersion, on_delete=models.PROTECT, related_name="responses")
    group = models.CharField(max_length=40, blank=True)
    # The idempotency key from the form, stored as a keyed hash (``services.responding.stored_key``),
    # never as the draft and the form carried it: a retried or double-clicked submit cannot store
    # twice, and a draft kept in an old backup cannot be matched to the response.
    submission_key = models.UUIDField(unique=True)
    submitted = models.BooleanField(default=True)  # always True; kept so queries can say so plainly
    submitted_on = models.DateField()
    # Identified consultations only; both stay empty in anonymous mode.
    invitation = models.ForeignKey(Invitation, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="responses")
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return f"response {self.pk} to {self.consultation_id}"


class Answer(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    # No index of its own: the unique constraint below starts with the response, so it serves every
    # look-up by response, and a second index cost a page write per answer on every submit (issue 11).
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers", db_index=False)
    question_key = models.CharField(max_length=60)
    # single: "value"; multiple: ["v", …]; likert/scale/number: a number; ranking: ["v", …] best
    # first; text: a string. None when ``not_relevant``.
    value = models.JSONField(null=True, blank=True)
    not_relevant = models.BooleanField(default=False)

    class Meta:
        ordering = ["response", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["response", "question_key"], name="one_answer_per_question")
        ]

    def __str__(self):
        return f"{self.question_key}={self.value!r}"


class InstrumentWording(models.Model):
    """Official wording of a validated instrument's item, imported by an instance administrator
    (``services.instruments.instrument_wording_import``).

    The wording is instance-wide content like the library's packs (the administrator holds the
    licence for the official items), so it carries no organisation: no tenant data is in it.
    """

    instrument = models.CharField(_("instrument"), max_length=40)
    item = models.CharField(_("item code"), max_length=60)
    language = models.CharField(_("language"), max_length=10, default="en")
    text = models.TextField(_("official wording"))
    imported_at = models.DateTimeField(auto_now=True)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")

    history = HistoricalRecords()

    class Meta:
        ordering = ["instrument", "language", "item"]
        constraints = [models.UniqueConstraint(fields=["instrument", "language", "item"],
                                               name="one_wording_per_instrument_item")]

    def __str__(self):
        return f"{self.instrument}/{self.item} ({self.language})"
