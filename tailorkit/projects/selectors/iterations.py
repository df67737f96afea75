"""Iterations: the passes a project made through the cycle. The newest is the current one; the
earlier ones are the record of what the team did before it went back, readable but unchanged."""

from django.db.models import Prefetch

from ..models import Decision, Iteration, Review


def load_iterations(project):
    """All iterations, oldest first, with their decisions; each gets ``ended_at`` (when the next
    began), ``decision_list`` and ``last_decision``. For the iteration switcher of the step pages."""
    decisions = Decision.objects.select_related("decided_by", "review").order_by("decided_at", "id")
    iterations = list(Iteration.objects.filter(project=project).order_by("number")
                      .select_related("chosen_option__item", "chosen_option__barrier__item")
                      .prefetch_related(Prefetch("decisions", queryset=decisions)))
    for it, nxt in zip(iterations, iterations[1:] + [None], strict=True):
        it.ended_at = nxt.started_at if nxt else None
        it.decision_list = list(it.decisions.all())
        it.last_decision = it.decision_list[-1] if it.decision_list else None
    return iterations


def iteration_queryset(project):
    """Iterations with their focus, plan, reviews and decisions (the API's iteration answers)."""
    return (Iteration.objects.filter(project=project).select_related("specification")
            .prefetch_related("focus", "tasks__owner", "criteria", "decisions__decided_by",
                              Prefetch("reviews", queryset=Review.objects.prefetch_related("judgements"))))


def iteration_with_everything(iteration):
    """One iteration as ``iteration_queryset`` reads it, e.g. again after a write."""
    return iteration_queryset(iteration.project_id).get(pk=iteration.pk)
