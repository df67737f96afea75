"""Iterations: the passes a project made through the cycle. The newest is the current one; the
earlier ones are the record of what the team did before it went back, readable but unchanged."""

from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce

from ..models import Decision, Iteration, Review, SuccessCriterion, Task

# Iterations the switcher of a step page lists at a time. Most projects have one to five; a project
# that went round a thousand times still gets a short table, around the iteration shown.
SWITCHER_SIZE = 10


@dataclass
class IterationWindow:
    """The iterations around the one shown: ``rows`` (oldest first, each with ``ended_at``,
    ``decision_list`` and ``last_decision``), the ``shown`` and the ``current`` (newest) iteration,
    how many there are in all, and the numbers of the iterations just before and after the rows."""

    rows: list
    shown: Iteration
    current: Iteration
    total: int
    earlier_number: int | None
    later_number: int | None


def iterations_around(project, number=None, size=SWITCHER_SIZE):
    """The iteration numbered ``number`` (the current one when None) and up to ``size`` iterations
    around it, read in a fixed number of queries however many iterations the project has. None when
    the project has no iteration of that number."""
    numbers = Iteration.objects.filter(project=project).order_by("number").values_list("number", flat=True)
    newest = numbers.last()
    if newest is None or (number is not None and not numbers.filter(number=number).exists()):
        return None
    target = newest if number is None else number
    # A window ending at the newest iteration, or centred on an earlier one that is shown.
    below = numbers.filter(number__lte=target).reverse()[: size // 2 + 1 if target != newest else size]
    low = list(below)[-1]
    window_numbers = list(numbers.filter(number__gte=low)[: size + 1])  # one more: when the last ended
    decisions = Decision.objects.select_related("decided_by", "review").order_by("decided_at", "id")
    loaded = list(Iteration.objects.filter(project=project, number__in=window_numbers).order_by("number")
                  .select_related("chosen_option__item", "chosen_option__barrier__item")
                  .prefetch_related(Prefetch("decisions", queryset=decisions)))
    rows, after = loaded[:size], loaded[size:]
    for it, nxt in zip(rows, rows[1:] + after + [None], strict=False):
        it.ended_at = nxt.started_at if nxt else None
        it.decision_list = list(it.decisions.all())
        it.last_decision = it.decision_list[-1] if it.decision_list else None
    by_number = {it.number: it for it in rows}
    current = by_number.get(newest) or Iteration.objects.get(project=project, number=newest)
    earlier = numbers.filter(number__lt=rows[0].number).last()
    later = numbers.filter(number__gt=rows[-1].number).first()
    return IterationWindow(rows=rows, shown=by_number[target], current=current, total=numbers.count(),
                           earlier_number=earlier, later_number=later)


# Tasks and success criteria an iteration answer of the API carries (the plan page shows as many per
# section); ``n_tasks`` and ``n_criteria`` count them all, and their own routes page through the rest.
# An iteration with 1,000 tasks made the project's answer 232 kB and 190 ms (issue 11).
ROWS_IN_ITERATION = 50


def _count_of(model):
    rows = model.objects.filter(iteration=OuterRef("pk")).order_by().values("iteration").annotate(n=Count("pk"))
    return Coalesce(Subquery(rows.values("n"), output_field=IntegerField()), 0)


def iteration_queryset(project):
    """Iterations with their focus, plan (the first ``ROWS_IN_ITERATION`` tasks and criteria, with how
    many there are), reviews and decisions (the API's iteration answers)."""
    # Owners and deciders joined rather than prefetched: two queries fewer on every iteration answer.
    # A sliced prefetch is read with a window function: at most ROWS_IN_ITERATION rows per iteration
    # (Django needs ``to_attr`` for it: the related manager cannot filter a sliced queryset).
    tasks = Task.objects.select_related("owner").order_by("due_date", "id")[:ROWS_IN_ITERATION]
    criteria = SuccessCriterion.objects.order_by("id")[:ROWS_IN_ITERATION]
    return (Iteration.objects.filter(project=project).select_related("specification")
            .annotate(n_tasks=_count_of(Task), n_criteria=_count_of(SuccessCriterion))
            .prefetch_related("focus", Prefetch("tasks", queryset=tasks, to_attr="first_tasks"),
                              Prefetch("criteria", queryset=criteria, to_attr="first_criteria"),
                              Prefetch("decisions", queryset=Decision.objects.select_related("decided_by")),
                              Prefetch("reviews", queryset=Review.objects.prefetch_related("judgements"))))


def iteration_numbered(project, number):
    """The iteration of ``project`` with this number, or None."""
    return Iteration.objects.filter(project=project, number=number).first()


def iteration_tasks(iteration):
    """Every task of ``iteration``, in the plan's order (the API's paged list)."""
    return Task.objects.filter(iteration=iteration).select_related("owner").order_by("due_date", "id")


def iteration_criteria(iteration):
    """Every success criterion of ``iteration``, oldest first (the API's paged list)."""
    return SuccessCriterion.objects.filter(iteration=iteration).order_by("id")


def iteration_with_everything(iteration):
    """One iteration as ``iteration_queryset`` reads it, e.g. again after a write."""
    return iteration_queryset(iteration.project_id).get(pk=iteration.pk)
