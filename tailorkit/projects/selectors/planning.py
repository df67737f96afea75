"""Design and plan: what an iteration's plan holds (focus, specification, tasks, success criteria)
and how complete its specification is (TIDieR, Hoffmann et al., BMJ 2014;348:g1687; Proctor,
Powell & McMillen, Implement Sci 2013;8:139)."""

from ..models import SPEC_FIELDS, Focus, Specification, SuccessCriterion, Task


def plan_of(iteration):
    """The plan of ``iteration``: its focus, specification (or None), tasks and success criteria."""
    return {
        "focus": Focus.objects.filter(iteration=iteration).select_related("goal", "barrier__item"),
        "spec": Specification.objects.filter(iteration=iteration).first(),
        "tasks": Task.objects.filter(iteration=iteration).select_related("owner"),
        "criteria": SuccessCriterion.objects.filter(iteration=iteration),
    }


def completeness(spec, labels):
    """How many planning items are filled, and the (field, label) of those still missing.

    ``labels`` maps each field to (label, help text), as ``forms.planning.pack_labels`` gives.
    """
    missing = spec.missing_fields() if spec else list(Specification.PLANNING_FIELDS)
    total = len(Specification.PLANNING_FIELDS)
    return {"filled": total - len(missing), "total": total, "missing": [(f, labels[f][0]) for f in missing]}


def spec_values(spec, labels):
    """(field, label, text) of every specification item, in form order ("" when not filled)."""
    return [(f, labels[f][0], getattr(spec, f) if spec else "") for f in SPEC_FIELDS]


def specification_percent(spec):
    """Share of the planning items that are filled, 0–100 (0 without a specification)."""
    if spec is None:
        return 0
    total = len(Specification.PLANNING_FIELDS)
    return round(100 * (total - len(spec.missing_fields())) / total)


def task_with_owner(task):
    """One task with its owner, e.g. again after a write."""
    return Task.objects.select_related("owner").get(pk=task.pk)
