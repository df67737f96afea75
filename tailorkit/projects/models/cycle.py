"""The tailoring cycle: projects and everything a team records in its four steps.

Steps follow the ItFits-toolkit process (Finch et al., Implement Sci 2024;19:48, Tables 1–2):
0 set-up, 1 identify goals and barriers, 2 match strategies, 3 design and plan, 4 apply and review.
Nothing is ever locked: every model keeps its full history (django-simple-history), and editable
rows carry a ``version`` so that two people editing the same thing never overwrite each other
(see ``tailorkit/core/locking.py``).

Goals, barriers and strategy options belong to the project and stay on record across iterations.
What a team *decides* in one pass of the cycle (its focus, chosen strategy, specification, tasks,
success criteria, reviews and the closing decision) belongs to an ``Iteration``; going back starts
a new iteration and leaves the earlier one readable.
"""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tailorkit.core.history import HistoricalRecords
from tailorkit.core.locking import Versioned
from tailorkit.core.models import Organisation
from tailorkit.library.models import ContentPack, Item
from tailorkit.measures.verdicts import AT_LEAST, AT_MOST


class Step(models.TextChoices):
    """The stored values of the cycle's steps; everything else about a step is in ``steps.py``."""

    SETUP = "setup", _("Set up")
    GOALS = "goals", _("1 · Identify goals and barriers")
    MATCH = "match", _("2 · Match strategies")
    PLAN = "plan", _("3 · Design and plan")
    REVIEW = "review", _("4 · Apply and review")


class Project(Versioned):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        # The cycle ended with a decision to stop: "completed" when the strategy worked, "stopped"
        # for another reason. Either can be reopened; archiving is separate (see project_archive).
        COMPLETED = "completed", _("Completed")
        STOPPED = "stopped", _("Stopped")
        ARCHIVED = "archived", _("Archived")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="projects")
    name = models.CharField(_("name"), max_length=200)
    service = models.CharField(
        _("service being implemented"), max_length=300,
        help_text=_("The evidence-based service you want used in routine care, e.g. internet-delivered CBT."),
    )
    determinant_pack = models.ForeignKey(
        ContentPack, on_delete=models.PROTECT, related_name="+", verbose_name=_("barrier list"),
        help_text=_("The list of determinants you pick barriers from."),
    )
    strategy_pack = models.ForeignKey(
        ContentPack, on_delete=models.PROTECT, related_name="+", verbose_name=_("strategy catalogue"),
        help_text=_("The catalogue of implementation strategies you choose from."),
    )
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("owner"))
    team = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="projects", verbose_name=_("team"),
                                  blank=True)
    step = models.CharField(_("current step"), max_length=10, choices=Step.choices, default=Step.GOALS)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    started_on = models.DateField(_("start date"), default=timezone.localdate)
    created_at = models.DateTimeField(auto_now_add=True)
    last_activity_at = models.DateTimeField(default=timezone.now, db_index=True)

    history = HistoricalRecords(m2m_fields=[team])

    class Meta:
        ordering = ["-last_activity_at"]

    def __str__(self):
        return self.name

    @property
    def current_iteration(self):
        # Prefetched by the views that need it; one query otherwise.
        iterations = getattr(self, "_prefetched_objects_cache", {}).get("iterations")
        if iterations is not None:
            return max(iterations, key=lambda i: i.number, default=None)
        return self.iterations.order_by("-number").first()


class ProjectOwned(models.Model):
    """Every row of a project carries its organisation too (DESIGN.md: tenant-owned rows)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="%(class)ss")

    class Meta:
        abstract = True


# --- Goals and barriers ----------------------------------------------------------------


class Goal(ProjectOwned, Versioned):
    target_group = models.CharField(_("target group"), max_length=300,
                                    help_text=_("Who should benefit, e.g. adults with mild depression."))
    end_goal = models.TextField(_("end goal"), max_length=2000,
                                help_text=_("What should be different when you succeed."))
    emphasis = models.CharField(_("emphasis"), max_length=300, blank=True,
                                help_text=_("What matters most about this goal, e.g. reach, quality or speed."))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.end_goal[:80]


class Barrier(ProjectOwned, Versioned):
    """A barrier from the project's determinant list (``item``) or written by the team (custom)."""

    item = models.ForeignKey(Item, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    custom_name = models.CharField(_("barrier"), max_length=300, blank=True)
    custom_category = models.CharField(_("category"), max_length=200, blank=True)
    notes = models.TextField(_("how it shows at your site"), max_length=4000, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(item__isnull=False) | ~models.Q(custom_name=""), name="barrier_has_item_or_name"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def name(self):
        return self.item.name if self.item_id else self.custom_name

    @property
    def category_name(self):
        if self.item_id:
            return self.item.category.name if self.item.category_id else ""
        return self.custom_category

    @property
    def is_custom(self):
        return self.item_id is None


class BarrierRating(Versioned):
    """One team member's rating of a barrier (1–5 each). The team view is the mean of these."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    barrier = models.ForeignKey(Barrier, on_delete=models.CASCADE, related_name="ratings")
    rated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    importance = models.PositiveSmallIntegerField(_("importance"),
                                                  validators=[MinValueValidator(1), MaxValueValidator(5)])
    changeability = models.PositiveSmallIntegerField(_("changeability"),
                                                     validators=[MinValueValidator(1), MaxValueValidator(5)])
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["barrier", "rated_by"], name="one_rating_per_person")]

    def __str__(self):
        return f"{self.barrier}: {self.importance}/{self.changeability}"


# --- Iterations: one pass through the cycle ----------------------------------------------------


class Iteration(ProjectOwned, Versioned):
    class BackTo(models.TextChoices):
        START = "", _("First pass")
        GOALS = "goals", _("Back to goals")
        BARRIERS = "barriers", _("Back to barriers")
        STRATEGY = "strategy", _("Back to the strategy")
        PLAN = "plan", _("Back to the plan")

    number = models.PositiveIntegerField()
    back_to = models.CharField(max_length=10, choices=BackTo.choices, blank=True, default="")
    started_at = models.DateTimeField(default=timezone.now)
    focus_reason = models.TextField(
        _("why more than one"), max_length=2000, blank=True,
        help_text=_("“Be focused”: working on one goal and one barrier at a time works best. "
                    "If you choose more, say why."),
    )
    chosen_option = models.ForeignKey("StrategyOption", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="+", verbose_name=_("chosen strategy"))
    choice_justification = models.TextField(_("why this strategy"), max_length=4000, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "number"]
        constraints = [models.UniqueConstraint(fields=["project", "number"], name="iteration_number_unique")]

    def __str__(self):
        return f"{self.project} – {self.number}"


class Focus(models.Model):
    """A goal or barrier the team focuses on in one iteration."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    iteration = models.ForeignKey(Iteration, on_delete=models.CASCADE, related_name="focus")
    goal = models.ForeignKey(Goal, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    barrier = models.ForeignKey(Barrier, null=True, blank=True, on_delete=models.CASCADE, related_name="+")

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(goal__isnull=False, barrier__isnull=True)
                           | models.Q(goal__isnull=True, barrier__isnull=False)),
                name="focus_is_goal_or_barrier",
            ),
            models.UniqueConstraint(fields=["iteration", "goal"], name="focus_goal_once"),
            models.UniqueConstraint(fields=["iteration", "barrier"], name="focus_barrier_once"),
        ]

    def __str__(self):
        return str(self.goal or self.barrier)


# --- Matching: strategy options and their appraisal ------------------------------------------------


class StrategyOption(ProjectOwned, Versioned):
    """A candidate strategy for a barrier: from the project's catalogue (``item``) or custom."""

    barrier = models.ForeignKey(Barrier, on_delete=models.CASCADE, related_name="options")
    item = models.ForeignKey(Item, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    custom_name = models.CharField(_("strategy"), max_length=300, blank=True)
    description = models.TextField(_("what it would mean here"), max_length=4000, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(item__isnull=False) | ~models.Q(custom_name=""), name="option_has_item_or_name"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def name(self):
        return self.item.name if self.item_id else self.custom_name


# APEASE criteria (Michie, Atkins & West 2014, The Behaviour Change Wheel). Codes match the
# `apease` content pack.
APEASE = ["acceptability", "practicability", "effectiveness", "affordability", "side-effects", "equity"]


class Appraisal(Versioned):
    """The team's rating (1 poor – 5 good) and note for one option on one APEASE criterion."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    option = models.ForeignKey(StrategyOption, on_delete=models.CASCADE, related_name="appraisals")
    criterion = models.CharField(max_length=20, choices=[(c, c) for c in APEASE])
    rating = models.PositiveSmallIntegerField(null=True, blank=True,
                                              validators=[MinValueValidator(1), MaxValueValidator(5)])
    note = models.TextField(max_length=2000, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["option", "criterion"], name="one_appraisal_per_criterion")]

    def __str__(self):
        return f"{self.option} – {self.criterion}: {self.rating}"


# --- Planning: specification, tasks, success criteria ------------------------------------------------

# TIDieR items (Hoffmann et al., BMJ 2014;348:g1687) and Proctor's dimensions (Proctor, Powell &
# McMillen, Implement Sci 2013;8:139). Field name → code in the `tidier` / `proctor` packs.
# Where the two frameworks ask the same thing there is one field (issue 10): TIDieR's "why" also
# holds Proctor's justification, "who provided" the actor, "when and how much" the temporality and
# the dose (``MERGED_PROCTOR``). Proctor keeps the three dimensions TIDieR has no item for.
TIDIER_FIELDS = {
    "brief_name": "1", "why": "2", "what_materials": "3", "what_procedures": "4", "who_provides": "5",
    "how": "6", "where": "7", "when_how_much": "8", "tailoring": "9", "modifications": "10",
    "how_well_planned": "11", "how_well_actual": "12",
}
PROCTOR_FIELDS = {
    "action": "action", "action_target": "action-target", "implementation_outcome": "implementation-outcome",
}
# TIDieR field → the Proctor codes it also answers (its label names them).
MERGED_PROCTOR = {"why": ["justification"], "who_provides": ["actor"], "when_how_much": ["temporality", "dose"]}
# The former Proctor fields (still in old export files) → the field that holds their text now.
LEGACY_SPEC_FIELDS = {"justification": "why", "actor": "who_provides", "temporality": "when_how_much",
                      "dose": "when_how_much"}
LEGACY_SPEC_LABELS = {"justification": "Justification", "actor": "Actor", "temporality": "Temporality",
                      "dose": "Dose"}
SPEC_FIELDS = list(TIDIER_FIELDS) + list(PROCTOR_FIELDS)
# Room for the text of both frameworks once merged (migration 0004, old export files).
MERGED_MAX_LENGTH = 12500


def merge_legacy_spec(values):
    """``values`` with the text of former Proctor fields moved into the field that holds it now.

    Nothing is lost: a kept field's own text comes first; each former field's text follows on its
    own paragraph, headed with its Proctor name when there is more than one text to tell apart.
    Returns a new dict without the former keys."""
    merged = {k: v for k, v in values.items() if k not in LEGACY_SPEC_FIELDS}
    for kept in MERGED_PROCTOR:
        old = [(name, (values.get(name) or "").strip()) for name, target in LEGACY_SPEC_FIELDS.items()
               if target == kept and isinstance(values.get(name), str)]
        old = [(name, text) for name, text in old if text]
        if not old:
            continue
        own = (merged.get(kept) or "").strip() if isinstance(merged.get(kept), str) else ""
        if not own and len(old) == 1:
            merged[kept] = old[0][1]
            continue
        parts = [own] if own else []
        parts += [f"{LEGACY_SPEC_LABELS[name]}: {text}" for name, text in old if text != own]
        merged[kept] = "\n\n".join(parts)
    return merged


class Specification(Versioned):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    iteration = models.OneToOneField(Iteration, on_delete=models.CASCADE, related_name="specification")
    # TIDieR (with the Proctor dimensions it overlaps, see MERGED_PROCTOR)
    brief_name = models.CharField(max_length=200, blank=True)
    why = models.TextField(max_length=MERGED_MAX_LENGTH, blank=True)
    what_materials = models.TextField(max_length=4000, blank=True)
    what_procedures = models.TextField(max_length=4000, blank=True)
    who_provides = models.TextField(max_length=MERGED_MAX_LENGTH, blank=True)
    how = models.TextField(max_length=4000, blank=True)
    where = models.TextField(max_length=4000, blank=True)
    when_how_much = models.TextField(max_length=MERGED_MAX_LENGTH, blank=True)
    tailoring = models.TextField(max_length=4000, blank=True)
    modifications = models.TextField(max_length=4000, blank=True)
    how_well_planned = models.TextField(max_length=4000, blank=True)
    how_well_actual = models.TextField(max_length=4000, blank=True)
    # Proctor
    action = models.TextField(max_length=4000, blank=True)
    action_target = models.TextField(max_length=4000, blank=True)
    implementation_outcome = models.TextField(max_length=4000, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    def __str__(self):
        return f"Specification of {self.iteration}"

    # "how well (actual)" and "modifications" can only be known after delivery, so they do not
    # count as missing while planning.
    PLANNING_FIELDS = [f for f in SPEC_FIELDS if f not in {"how_well_actual", "modifications"}]

    def missing_fields(self):
        return [f for f in self.PLANNING_FIELDS if not getattr(self, f).strip()]


class Task(ProjectOwned, Versioned):
    class Status(models.TextChoices):
        TODO = "todo", _("To do")
        DOING = "doing", _("In progress")
        DONE = "done", _("Done")
        DROPPED = "dropped", _("Dropped")

    iteration = models.ForeignKey(Iteration, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(_("task"), max_length=300)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", verbose_name=_("owner"))
    due_date = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.TODO)

    history = HistoricalRecords()

    class Meta:
        ordering = ["due_date", "id"]

    def __str__(self):
        return self.title


class SuccessCriterion(ProjectOwned, Versioned):
    iteration = models.ForeignKey(Iteration, on_delete=models.CASCADE, related_name="criteria")
    description = models.TextField(_("what will show it worked"), max_length=2000)
    target_value = models.DecimalField(_("numeric target"), max_digits=12, decimal_places=2, null=True, blank=True)
    target_unit = models.CharField(_("unit"), max_length=50, blank=True)
    target_date = models.DateField(_("by when"), null=True, blank=True)
    # Judged from a measure's data (issue 13). SET_NULL, not PROTECT: the measure belongs to the
    # organisation and its engine cannot know about projects, so deleting it must not fail; the
    # criterion keeps its words and target, its history keeps the measure it was tied to, and
    # judgements keep what the data suggested (``Judgement.proposed``).
    measure = models.ForeignKey("measures.Measure", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+", verbose_name=_("measure"))
    direction = models.CharField(_("direction"), max_length=10, default=AT_LEAST,
                                 choices=[(AT_LEAST, _("At least the target")), (AT_MOST, _("At most the target"))])

    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.description[:80]


# --- Review: reviews and decisions -------------------------------------------------------------------


class Review(ProjectOwned, Versioned):
    iteration = models.ForeignKey(Iteration, on_delete=models.CASCADE, related_name="reviews")
    review_date = models.DateField(_("date of review"), default=timezone.localdate)
    what_was_done = models.TextField(_("what was done"), max_length=4000)
    evidence = models.TextField(_("evidence"), max_length=4000, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    history = HistoricalRecords()

    class Meta:
        ordering = ["review_date", "id"]

    def __str__(self):
        return f"Review {self.review_date}"


class Judgement(models.Model):
    class Verdict(models.TextChoices):
        MET = "met", _("Met")
        NOT_MET = "not_met", _("Not met")
        NOT_YET = "not_yet", _("Not yet")  # the date has not come and the target is not reached so far
        UNCLEAR = "unclear", _("Unclear")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="judgements")
    criterion = models.ForeignKey(SuccessCriterion, on_delete=models.CASCADE, related_name="judgements")
    verdict = models.CharField(max_length=10, choices=Verdict.choices)
    evidence = models.TextField(max_length=2000, blank=True)
    proposed = models.CharField(max_length=10, choices=Verdict.choices, blank=True)  # what the data suggested

    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["review", "criterion"], name="one_judgement_per_criterion")]

    def __str__(self):
        return f"{self.criterion}: {self.verdict}"


class Decision(ProjectOwned):
    """What the team decided after a review. Going back starts a new iteration."""

    class Kind(models.TextChoices):
        SUCCESS = "success", _("Stop: the strategy worked")
        CONTINUE = "continue", _("Continue as planned")
        BACK_GOALS = "back_goals", _("Go back to the goals")
        BACK_BARRIERS = "back_barriers", _("Go back to the barriers")
        BACK_STRATEGY = "back_strategy", _("Go back to the strategy")
        BACK_PLAN = "back_plan", _("Go back to the plan")
        STOP_OTHER = "stop_other", _("Stop for another reason")

    iteration = models.ForeignKey(Iteration, on_delete=models.CASCADE, related_name="decisions")
    review = models.ForeignKey(Review, null=True, blank=True, on_delete=models.SET_NULL, related_name="decisions")
    kind = models.CharField(_("decision"), max_length=20, choices=Kind.choices)
    reason = models.TextField(_("reason"), max_length=4000, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["decided_at", "id"]

    def __str__(self):
        return self.get_kind_display()

    # Decisions that need a written reason (a stop for "another reason" and every step back).
    REASON_REQUIRED = {Kind.STOP_OTHER, Kind.BACK_GOALS, Kind.BACK_BARRIERS, Kind.BACK_STRATEGY, Kind.BACK_PLAN}


class ProjectMeasure(ProjectOwned):
    """A measure of the organisation that the project relies on (shown on the project's measures page,
    in its summary, and with the project's events on the measure's chart)."""

    measure = models.ForeignKey("measures.Measure", on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["project", "measure"], name="one_link_per_measure")]

    def __str__(self):
        return str(self.measure)


# --- Effort -------------------------------------------------------------------------------------------


class EffortEntry(ProjectOwned):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    date = models.DateField(_("date"), default=timezone.localdate)
    minutes = models.PositiveIntegerField(_("minutes"), validators=[MinValueValidator(1), MaxValueValidator(24 * 60)])
    step = models.CharField(_("step"), max_length=10, choices=Step.choices)
    activity = models.CharField(_("what you did"), max_length=300)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name_plural = "effort entries"

    def __str__(self):
        return f"{self.user} {self.date} {self.minutes} min"


# --- Importing a project file in the background ---------------------------------------------------


class ProjectImport(models.Model):
    """One upload of a project file (``services/transfer``), imported by the background worker.

    The file's bytes are kept only until the import is done or has failed, then cleared: project
    files hold people's names and e-mail addresses. Progress is written in stages outside the
    import's write transaction (which other connections cannot see into), so the status page shows
    where the import really is. ``heartbeat_at`` is the last sign of life of the worker running
    it; a "running" import whose heartbeat is older than ``TAILORKIT_IMPORT_STALE_SECONDS`` lost its
    worker and is queued again (``project_imports_resume``).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Not imported")

    class Stage(models.TextChoices):
        WAITING = "waiting", _("Waiting for the background worker")
        READING = "reading", _("Reading the file")
        CHECKING = "checking", _("Checking the file")
        WRITING = "writing", _("Creating the project")
        FINISHED = "finished", _("Finished")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    file_name = models.CharField(max_length=255, blank=True)
    file_size = models.PositiveIntegerField(default=0)
    content = models.BinaryField(default=b"", editable=False)
    # The uploader's language: messages written by the worker are in it.
    language = models.CharField(max_length=10, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    stage = models.CharField(max_length=10, choices=Stage.choices, default=Stage.WAITING)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict, blank=True)  # rows per list of the file, e.g. {"goals": 6000}
    project = models.ForeignKey(Project, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    errors = models.JSONField(default=list, blank=True)
    notes = models.JSONField(default=list, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "heartbeat_at"], name="project_import_stale")]

    def __str__(self):
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def finished(self):
        return self.status in {self.Status.DONE, self.Status.FAILED}
