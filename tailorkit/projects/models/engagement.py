"""Stakeholder engagement across the cycle (issue 17): who to involve, when and how, and what came of it.

The structure follows the ImpleMentAll team's model of stakeholder engagement in implementation
(I-STEM: Potthoff et al., Health Expectations 2023;26:1997–2012): why a team engages (its objective),
whom (a map of groups), how (the approach), in every phase of the work. The trial of the
ItFits-toolkit found that teams engaged their stakeholders through meetings, workshops and informal
checks as much as surveys, and asked for guidance on whom to involve at each step (Finch et al.,
Implement Sci 2024;19:48, Table 5, suggestions 4 and 5).

- ``StakeholderGroup``: a group on the project's map (clinicians, referrers, patients…), with how much
  the service affects them and how much they can influence it (the usual interest/influence grid).
  Removing a group only marks it removed, so a plan or a record that names it keeps its history.
- ``StakeholderPerson``: a named person in a group, optional. Personal data: visible only to the
  project team and erased for good on request, so it keeps no history table.
- ``EngagementPlan``: for one step of an iteration, a group to involve, why and how; a survey may
  point to the consultation made for it.
- ``EngagementRecord``: what was done (date, groups reached, how many people, what was heard, what
  the team changed); a consultation of the project that closes adds one by itself.
- ``EngagementChange``: an item the team changed because of a record (a barrier added, a strategy
  dropped…), so the timeline can show cause and effect.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from tailorkit.core.history import HistoricalRecords
from tailorkit.core.locking import Versioned

from .cycle import Iteration, ProjectOwned, Step

SCALE = [MinValueValidator(1), MaxValueValidator(5)]


class Objective(models.TextChoices):
    """Why a team engages a group: from telling them to deciding and designing with them (I-STEM)."""

    INFORM = "inform", _("Inform them")
    LEARN = "learn", _("Learn their view")
    DECIDE = "decide", _("Decide together")
    CODESIGN = "codesign", _("Design together")
    TEST = "test", _("Try it out with them")


class Approach(models.TextChoices):
    MEETING = "meeting", _("Meeting")
    WORKSHOP = "workshop", _("Workshop")
    INTERVIEW = "interview", _("Interview")
    INFORMAL = "informal", _("Informal check")
    SURVEY = "survey", _("Survey")


class StakeholderGroup(ProjectOwned, Versioned):
    class Side(models.TextChoices):
        INTERNAL = "internal", _("Inside the organisation")
        EXTERNAL = "external", _("Outside the organisation")

    class Relation(models.TextChoices):
        DELIVERS = "delivers", _("They deliver the service")
        RECEIVES = "receives", _("They receive the service")
        REFERS = "refers", _("They refer people to it")
        MANAGES = "manages", _("They manage or fund it")
        SUPPORTS = "supports", _("They support it (IT, administration)")
        PARTNER = "partner", _("Partner organisation")
        OTHER = "other", _("Other")

    name = models.CharField(_("group"), max_length=200)
    side = models.CharField(_("inside or outside"), max_length=10, choices=Side.choices, default=Side.INTERNAL)
    relation = models.CharField(_("relation to the service"), max_length=10, choices=Relation.choices,
                                default=Relation.DELIVERS)
    affected = models.PositiveSmallIntegerField(_("how much the service affects them"), default=3, validators=SCALE,
                                                help_text=_("1 = hardly at all, 5 = a great deal"))
    influence = models.PositiveSmallIntegerField(_("how much they can influence it"), default=3, validators=SCALE,
                                                 help_text=_("1 = hardly at all, 5 = a great deal"))
    notes = models.TextField(_("notes"), max_length=2000, blank=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], condition=models.Q(removed_at__isnull=True),
                                    name="stakeholder_group_name_unique_in_project"),
        ]

    def __str__(self):
        return self.name


class StakeholderPerson(ProjectOwned):
    """A named person; no history table, so that erasing one leaves nothing behind."""

    group = models.ForeignKey(StakeholderGroup, on_delete=models.CASCADE, related_name="people")
    name = models.CharField(_("name"), max_length=200)
    role = models.CharField(_("role"), max_length=200, blank=True)
    contact = models.CharField(_("how to reach them"), max_length=254, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name


class EngagementPlan(ProjectOwned, Versioned):
    iteration = models.ForeignKey(Iteration, on_delete=models.CASCADE, related_name="engagement_plans")
    step = models.CharField(_("step"), max_length=10, choices=Step.choices)
    group = models.ForeignKey(StakeholderGroup, on_delete=models.PROTECT, related_name="plans")
    objective = models.CharField(_("why"), max_length=10, choices=Objective.choices, default=Objective.LEARN)
    approach = models.CharField(_("how"), max_length=10, choices=Approach.choices, default=Approach.MEETING)
    consultation = models.ForeignKey("consultations.Consultation", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["iteration", "step", "group__name", "pk"]

    def __str__(self):
        return f"{self.group} ({self.get_step_display()})"


class EngagementRecord(ProjectOwned, Versioned):
    iteration = models.ForeignKey(Iteration, on_delete=models.CASCADE, related_name="engagement_records")
    step = models.CharField(_("step"), max_length=10, choices=Step.choices)
    date = models.DateField(_("date"))
    approach = models.CharField(_("how"), max_length=10, choices=Approach.choices, default=Approach.MEETING)
    groups = models.ManyToManyField(StakeholderGroup, related_name="records", verbose_name=_("groups reached"))
    people = models.PositiveIntegerField(_("how many people"), null=True, blank=True,
                                         validators=[MaxValueValidator(100_000)])
    heard = models.TextField(_("what you heard"), max_length=4000)
    changed = models.TextField(_("what you changed because of it"), max_length=4000, blank=True)
    # A consultation of the project that closed added this record by itself (one record each).
    consultation = models.OneToOneField("consultations.Consultation", null=True, blank=True,
                                        on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(m2m_fields=[groups])

    class Meta:
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["project", "step"])]

    def __str__(self):
        return f"{self.get_approach_display()}, {self.date:%Y-%m-%d}"


class EngagementChange(ProjectOwned):
    """One item the team changed because of a record; ``label`` keeps its name if it is deleted."""

    class Kind(models.TextChoices):
        GOAL = "goal", _("Goal")
        BARRIER = "barrier", _("Barrier")
        OPTION = "option", _("Strategy")
        TASK = "task", _("Task")
        CRITERION = "criterion", _("Success criterion")

    class What(models.TextChoices):
        ADDED = "added", _("added")
        RERATED = "rerated", _("re-rated")
        ADAPTED = "adapted", _("adapted")
        DROPPED = "dropped", _("dropped")

    record = models.ForeignKey(EngagementRecord, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    object_id = models.PositiveBigIntegerField()
    label = models.CharField(max_length=300)
    what = models.CharField(max_length=10, choices=What.choices)

    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["project", "kind", "object_id"])]

    def __str__(self):
        return f"{self.get_kind_display()} “{self.label}” {self.get_what_display()}"
