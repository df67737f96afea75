"""What is done in each step of the cycle and the next sensible action.

Two ways to the same counts (``Counts``): ``project_counts`` reads one project plainly, a count per
fact; ``projects_progress`` reads any number of projects at once in four queries, for pages and
API answers that list many projects. A test keeps the two equal. ``step_states`` and
``next_action`` turn the counts into what the project's overview page shows.
"""

from dataclasses import dataclass, field

from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .. import steps
from ..models import (
    Barrier,
    BarrierRating,
    Decision,
    Focus,
    Goal,
    Iteration,
    Project,
    Review,
    Step,
    StrategyOption,
    SuccessCriterion,
    Task,
)
from ..services.projects import CLOSING
from .planning import specification_percent


@dataclass
class Counts:
    """The facts of one project (and its current iteration) that the progress is made of."""

    team: int = 0
    goals: int = 0
    barriers: int = 0
    rated: int = 0                   # barriers rated by at least one person
    focus_goals: int = 0
    focus_barriers: int = 0
    options: int = 0                 # candidate strategies of the focused barriers
    chosen: bool = False             # the iteration has chosen a strategy
    spec: object = None              # the iteration's Specification, or None
    tasks: int = 0
    criteria: int = 0
    reviews: int = 0
    last_decision: object = None     # the iteration's latest Decision, or None

    @property
    def has_focus(self):
        return bool(self.focus_goals and self.focus_barriers)

    @property
    def spec_complete(self):
        return self.spec is not None and not self.spec.missing_fields()

    def key(self):
        """The counts as plain values (for comparing two reads of the same project)."""
        return (self.team, self.goals, self.barriers, self.rated, self.focus_goals, self.focus_barriers,
                self.options, self.chosen, getattr(self.spec, "pk", None), self.tasks, self.criteria,
                self.reviews, getattr(self.last_decision, "pk", None))


def project_counts(project, iteration):
    """The counts of one project, as of ``iteration`` (about ten small count queries)."""
    pid = project.pk
    focus = list(Focus.objects.filter(iteration=iteration).values_list("goal_id", "barrier_id"))
    focus_barriers = [b for _g, b in focus if b]
    return Counts(
        team=project.team.count(),
        goals=Goal.objects.filter(project_id=pid).count(),
        barriers=Barrier.objects.filter(project_id=pid).count(),
        rated=BarrierRating.objects.filter(barrier__project_id=pid).values("barrier").distinct().count(),
        focus_goals=len([g for g, _b in focus if g]),
        focus_barriers=len(focus_barriers),
        options=StrategyOption.objects.filter(project_id=pid, barrier_id__in=focus_barriers).count(),
        chosen=bool(iteration and iteration.chosen_option_id),
        spec=getattr(iteration, "specification", None) if iteration else None,
        tasks=Task.objects.filter(iteration=iteration).count(),
        criteria=SuccessCriterion.objects.filter(iteration=iteration).count(),
        reviews=Review.objects.filter(iteration=iteration).count(),
        last_decision=iteration.decisions.order_by("-decided_at", "-pk").first() if iteration else None,
    )


def _count(queryset, outer):
    """A correlated COUNT(*) subquery: one number per outer row, without joining the rows in."""
    counted = queryset.filter(**{outer: OuterRef("pk")}).order_by().values(outer).annotate(n=Count("*")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def projects_progress(projects):
    """``{project id: Counts}`` for every project in ``projects``, each as of its current (newest)
    iteration, in four queries however many projects there are."""
    ids = [p.pk for p in projects]
    rows = Project.objects.filter(pk__in=ids).annotate(
        n_team=Count("team", distinct=True),
        n_goals=_count(Goal.objects.all(), "project"),
        n_barriers=_count(Barrier.objects.all(), "project"),
        n_rated=Coalesce(Subquery(
            BarrierRating.objects.filter(barrier__project=OuterRef("pk")).order_by().values("barrier__project")
            .annotate(n=Count("barrier", distinct=True)).values("n"), output_field=IntegerField()), Value(0)),
    ).values("pk", "n_team", "n_goals", "n_barriers", "n_rated")
    counts = {row["pk"]: Counts(team=row["n_team"], goals=row["n_goals"], barriers=row["n_barriers"],
                                rated=row["n_rated"]) for row in rows}

    newest = Iteration.objects.filter(project=OuterRef("project")).order_by("-number").values("number")[:1]
    last_decision = Decision.objects.filter(iteration=OuterRef("pk")).order_by("-decided_at", "-pk")
    current = list(
        Iteration.objects.filter(project_id__in=ids, number=Subquery(newest)).select_related("specification")
        .annotate(n_tasks=_count(Task.objects.all(), "iteration"),
                  n_criteria=_count(SuccessCriterion.objects.all(), "iteration"),
                  n_reviews=_count(Review.objects.all(), "iteration"),
                  last_decision_id=Subquery(last_decision.values("pk")[:1]),
                  last_decision_kind=Subquery(last_decision.values("kind")[:1]))
    )
    focus = {}
    for iteration_id, goal_id, barrier_id in Focus.objects.filter(iteration__in=current).values_list(
            "iteration_id", "goal_id", "barrier_id"):
        focus.setdefault(iteration_id, []).append((goal_id, barrier_id))
    options = {}   # (project id, barrier id) → number of candidate strategies
    for project_id, barrier_id, n in (StrategyOption.objects.filter(project_id__in=ids).order_by()
                                      .values_list("project_id", "barrier_id").annotate(n=Count("pk"))):
        options[(project_id, barrier_id)] = n
    for it in current:
        c = counts[it.project_id]
        pairs = focus.get(it.pk, [])
        barriers = [b for _g, b in pairs if b]
        c.focus_goals, c.focus_barriers = len([g for g, _b in pairs if g]), len(barriers)
        c.options = sum(options.get((it.project_id, b), 0) for b in barriers)
        c.chosen = bool(it.chosen_option_id)
        c.spec = getattr(it, "specification", None)
        c.tasks, c.criteria, c.reviews = it.n_tasks, it.n_criteria, it.n_reviews
        # Only the decision's kind is shown, so it is read with the iteration instead of by itself.
        c.last_decision = Decision(pk=it.last_decision_id, kind=it.last_decision_kind) if it.last_decision_id else None
    return counts


@dataclass
class StepState:
    step: str
    done: list = field(default_factory=list)   # short facts, e.g. "2 goals"
    complete: bool = False


def step_states(counts):
    """{step code: StepState} of every step, set-up first."""
    c = counts
    return {
        Step.SETUP: StepState(Step.SETUP, [ngettext("team of %(n)d", "team of %(n)d", c.team) % {"n": c.team}], True),
        Step.GOALS: StepState(Step.GOALS, [
            ngettext("%(n)d goal", "%(n)d goals", c.goals) % {"n": c.goals},
            ngettext("%(n)d barrier", "%(n)d barriers", c.barriers) % {"n": c.barriers},
            ngettext("%(n)d rated", "%(n)d rated", c.rated) % {"n": c.rated},
            _("focus chosen") if c.has_focus else _("no focus yet"),
        ], c.has_focus),
        Step.MATCH: StepState(Step.MATCH, [
            ngettext("%(n)d candidate strategy", "%(n)d candidate strategies", c.options) % {"n": c.options},
            _("strategy chosen") if c.chosen else _("no strategy chosen"),
        ], c.chosen),
        Step.PLAN: StepState(Step.PLAN, [
            _("specification %(p)d%% complete") % {"p": specification_percent(c.spec)},
            ngettext("%(n)d task", "%(n)d tasks", c.tasks) % {"n": c.tasks},
            ngettext("%(n)d success criterion", "%(n)d success criteria", c.criteria) % {"n": c.criteria},
        ], bool(c.spec_complete and c.tasks and c.criteria)),
        Step.REVIEW: StepState(Step.REVIEW, [
            ngettext("%(n)d review", "%(n)d reviews", c.reviews) % {"n": c.reviews},
            c.last_decision.get_kind_display() if c.last_decision else _("no decision yet"),
        ], c.last_decision is not None),
    }


def next_action(project, counts):
    """(label, url) of the next sensible thing to do: the first gap, in the order of the cycle."""
    c = counts
    args = [project.organisation.slug, project.pk]
    if (c.last_decision is not None and c.last_decision.kind in CLOSING
            and project.status == Project.Status.ACTIVE):
        # Reopened: the team came back to step 4 to review and decide again, whatever else is open.
        return _("Review again and decide what comes next"), reverse(steps.get(Step.REVIEW).url_name, args=args)
    gaps = [
        (not c.goals, _("Write your first goal"), Step.GOALS),
        (not c.barriers, _("Add the barriers you see"), Step.GOALS),
        (not c.rated, _("Rate the barriers"), Step.GOALS),
        (not c.has_focus, _("Choose one goal and one barrier to focus on"), Step.GOALS),
        (not c.chosen, _("Find and appraise strategies for the focused barrier"), Step.MATCH),
        (not c.spec_complete, _("Specify the chosen strategy"), Step.PLAN),
        (not c.tasks, _("Break the strategy into tasks"), Step.PLAN),
        (not c.criteria, _("Set success criteria"), Step.PLAN),
        (not c.reviews, _("Carry out the plan and record a review"), Step.REVIEW),
        (c.last_decision is None, _("Decide what comes next"), Step.REVIEW),
    ]
    for missing, label, step in gaps:
        if missing:
            return label, reverse(steps.get(step).url_name, args=args)
    return _("Read the project summary"), reverse("projects:project_summary", args=args)


def project_progress(project, iteration):
    """(states by step, next action as (label, url)) of one project as of ``iteration``."""
    counts = project_counts(project, iteration)
    return step_states(counts), next_action(project, counts)
