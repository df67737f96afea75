"""What is done in each step and the next sensible action, in a fixed number of queries."""

from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import gettext as _

from .models import Barrier, BarrierRating, Focus, Goal, Review, Step, StrategyOption, SuccessCriterion, Task


@dataclass
class StepState:
    step: str
    done: list = field(default_factory=list)   # short facts, e.g. "2 goals"
    complete: bool = False


def project_progress(project, iteration):
    """Return (states by step, next action as (label, url))."""
    pid = project.pk
    n_goals = Goal.objects.filter(project_id=pid).count()
    n_barriers = Barrier.objects.filter(project_id=pid).count()
    n_rated = BarrierRating.objects.filter(barrier__project_id=pid).values("barrier").distinct().count()
    focus = list(Focus.objects.filter(iteration=iteration).values_list("goal_id", "barrier_id"))
    focus_goals = [g for g, _b in focus if g]
    focus_barriers = [b for _g, b in focus if b]
    n_options = StrategyOption.objects.filter(project_id=pid, barrier_id__in=focus_barriers).count()
    spec = getattr(iteration, "specification", None) if iteration else None
    n_tasks = Task.objects.filter(iteration=iteration).count()
    n_criteria = SuccessCriterion.objects.filter(iteration=iteration).count()
    n_reviews = Review.objects.filter(iteration=iteration).count()
    last_decision = iteration.decisions.order_by("-decided_at").first() if iteration else None

    def url(name, **kw):
        return reverse(name, kwargs={"org_slug": project.organisation.slug, "project_id": pid, **kw})

    states = {
        Step.SETUP: StepState(Step.SETUP, [_("team of %(n)d") % {"n": project.team.count()}], True),
        Step.GOALS: StepState(Step.GOALS, [
            _("%(n)d goals") % {"n": n_goals}, _("%(n)d barriers") % {"n": n_barriers},
            _("%(n)d rated") % {"n": n_rated},
            _("focus chosen") if focus_goals and focus_barriers else _("no focus yet"),
        ], bool(focus_goals and focus_barriers)),
        Step.MATCH: StepState(Step.MATCH, [
            _("%(n)d candidate strategies") % {"n": n_options},
            _("strategy chosen") if iteration and iteration.chosen_option_id else _("no strategy chosen"),
        ], bool(iteration and iteration.chosen_option_id)),
        Step.PLAN: StepState(Step.PLAN, [
            _("specification %(p)d%% complete") % {"p": specification_percent(spec)},
            _("%(n)d tasks") % {"n": n_tasks}, _("%(n)d success criteria") % {"n": n_criteria},
        ], bool(spec and not spec.missing_fields() and n_tasks and n_criteria)),
        Step.REVIEW: StepState(Step.REVIEW, [
            _("%(n)d reviews") % {"n": n_reviews},
            last_decision.get_kind_display() if last_decision else _("no decision yet"),
        ], last_decision is not None),
    }

    if not n_goals:
        nxt = (_("Write your first goal"), url("projects:project_step_goals"))
    elif not n_barriers:
        nxt = (_("Add the barriers you see"), url("projects:project_step_goals"))
    elif not n_rated:
        nxt = (_("Rate the barriers"), url("projects:project_step_goals"))
    elif not (focus_goals and focus_barriers):
        nxt = (_("Choose one goal and one barrier to focus on"), url("projects:project_step_goals"))
    elif not (iteration and iteration.chosen_option_id):
        nxt = (_("Find and appraise strategies for the focused barrier"), url("projects:project_step_match"))
    elif not (spec and not spec.missing_fields()):
        nxt = (_("Specify the chosen strategy"), url("projects:project_step_plan"))
    elif not n_tasks:
        nxt = (_("Break the strategy into tasks"), url("projects:project_step_plan"))
    elif not n_criteria:
        nxt = (_("Set success criteria"), url("projects:project_step_plan"))
    elif not n_reviews:
        nxt = (_("Carry out the plan and record a review"), url("projects:project_step_review"))
    elif last_decision is None:
        nxt = (_("Decide what comes next"), url("projects:project_step_review"))
    else:
        nxt = (_("Read the project summary"), url("projects:project_summary"))
    return states, nxt


def specification_percent(spec):
    from .models import Specification

    total = len(Specification.PLANNING_FIELDS)
    if spec is None:
        return 0
    return round(100 * (total - len(spec.missing_fields())) / total)
