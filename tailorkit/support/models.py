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
