"""A practitioner's own competencies and reflection, built on the Practice Guide pack.

The competencies, domains, principles and reflective questions are items of the library pack
``isp-practice-guide`` (Metz et al. 2020, the Implementation Support Practitioner Practice Guide).
Everything here belongs to one person, not to an organisation: it is private to its owner and to
the people they shared a self-assessment with (``selectors``). Nothing here keeps a history, so
deleting a self-assessment, plan or note leaves nothing behind.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from tailorkit.core.locking import Versioned
from tailorkit.library.models import Item

PACK = "isp-practice-guide"


class Level(models.IntegerChoices):
    """Tailorkit's own five-point scale for "how well can I do this today"; the guide has none."""

    NOT_YET = 1, _("Not yet")
    BEGINNING = 2, _("Beginning")
    DEVELOPING = 3, _("Developing")
    CONFIDENT = 4, _("Confident")
    GUIDING = 5, _("Could guide others")


class SelfAssessment(models.Model):
    """One sitting: how the owner rates themself on each competency on one day."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="self_assessments")
    taken_on = models.DateField(_("date"))
    note = models.TextField(_("note"), blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-taken_on", "-pk"]
        verbose_name = _("self-assessment")
        verbose_name_plural = _("self-assessments")
        indexes = [models.Index(fields=["owner", "taken_on"], name="support_assessment_owner_idx")]

    def __str__(self):
        return _("Self-assessment of %(date)s") % {"date": self.taken_on.isoformat()}


class CompetencyRating(models.Model):
    assessment = models.ForeignKey(SelfAssessment, on_delete=models.CASCADE, related_name="ratings")
    competency = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices,
                                             validators=[MinValueValidator(1), MaxValueValidator(5)])

    class Meta:
        constraints = [models.UniqueConstraint(fields=["assessment", "competency"],
                                               name="support_rating_once_per_competency")]

    def __str__(self):
        return f"{self.competency_id}: {self.level}"


class AssessmentShare(models.Model):
    """The owner lets one person (a peer or supervisor) read a self-assessment and comment on it."""

    assessment = models.ForeignKey(SelfAssessment, on_delete=models.CASCADE, related_name="shares")
    shared_with = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["assessment", "shared_with"], name="support_share_once")]

    def __str__(self):
        return str(self.shared_with)


class AssessmentComment(models.Model):
    assessment = models.ForeignKey(SelfAssessment, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    text = models.TextField(_("comment"), max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.text[:60]


class DevelopmentPlan(Versioned):
    """A competency the owner chose to develop, with what they will do (two or three at a time)."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Working on it")
        DONE = "done", _("Done")

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="development_plans")
    competency = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+", verbose_name=_("competency"))
    plan = models.TextField(_("what I will do"), max_length=2000)
    review_on = models.DateField(_("look at it again on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["status", "review_on", "pk"]
        verbose_name = _("development plan")

    def __str__(self):
        return self.competency.name


class Reflection(Versioned):
    """A reflective note, optionally prompted by one of the guide's reflective questions."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reflections")
    question = models.ForeignKey(Item, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("question"))
    written_on = models.DateField(_("date"))
    text = models.TextField(_("note"), max_length=5000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-written_on", "-pk"]
        verbose_name = _("reflective note")

    def __str__(self):
        return self.text[:60]


# --- The support log (issue 14, point 4) -------------------------------------------------------
# Kinds of support after Metz A, Jensen T, Farley A, Boaz A. Is implementation research out of step with
# implementation practice? Implementation Research and Practice 2022;3 (doi:10.1177/26334895221105585): support
# moved from "push" (training) to "push/pull" (responsive help) to co-creation and exchange. Our three kinds:
# training and information, responsive help when asked, co-creation with the team.


class SupportKind(models.TextChoices):
    TRAINING = "training", _("Training and information")
    RESPONSIVE = "responsive", _("Responsive help")
    CO_CREATION = "co_creation", _("Co-creation with the team")


class Channel(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    VIDEO = "video", _("Video call")
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("Email")


class SupportContact(Versioned):
    """One contact between a supporter and a site's team. It belongs to the site (its members see
    the support they received); only its author changes it."""

    organisation = models.ForeignKey("core.Organisation", on_delete=models.CASCADE, related_name="support_contacts")
    project = models.ForeignKey("projects.Project", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="support_contacts", verbose_name=_("project"))
    supporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="support_contacts")
    contact_on = models.DateField(_("date"))
    start_time = models.TimeField(_("start time"), null=True, blank=True)
    minutes = models.PositiveIntegerField(_("minutes"), validators=[MinValueValidator(1), MaxValueValidator(720)])
    channel = models.CharField(_("how"), max_length=12, choices=Channel.choices)
    kind = models.CharField(_("kind of support"), max_length=12, choices=SupportKind.choices)
    people = models.CharField(_("who took part"), max_length=300, blank=True)
    summary = models.TextField(_("what was done"), max_length=3000)
    competencies = models.ManyToManyField(Item, blank=True, related_name="+", verbose_name=_("competencies used"))
    strategies = models.ManyToManyField(Item, blank=True, related_name="+",
                                        verbose_name=_("implementation strategies used"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-contact_on", "-start_time", "-pk"]
        verbose_name = _("support contact")
        indexes = [models.Index(fields=["organisation", "contact_on"], name="support_contact_site_idx"),
                   models.Index(fields=["supporter", "contact_on"], name="support_contact_person_idx")]

    def __str__(self):
        return _("%(kind)s on %(date)s") % {"kind": self.get_kind_display(), "date": self.contact_on.isoformat()}


class FollowUp(models.Model):
    """A next step agreed in a contact, with the date it is due."""

    contact = models.ForeignKey(SupportContact, on_delete=models.CASCADE, related_name="follow_ups")
    organisation = models.ForeignKey("core.Organisation", on_delete=models.CASCADE, related_name="+")
    what = models.CharField(_("next step"), max_length=300)
    due_on = models.DateField(_("due"))
    done = models.BooleanField(_("done"), default=False)

    class Meta:
        ordering = ["done", "due_on", "pk"]

    def __str__(self):
        return self.what
