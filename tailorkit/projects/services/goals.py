"""Goals and barriers (issue 3, point 3): the only write path for goals, barriers, the team's
barrier ratings and the focus of an iteration. Reading them (and ranking the barriers) is in
``selectors/goals.py``.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tailorkit.core.locking import apply_versioned

from .. import steps
from ..models import Barrier, BarrierRating, Focus, Goal, Iteration, Step
from .projects import project_set_step, project_touch
from .validation import check_current, length_errors, parse_rating

GOAL_FIELDS = ("target_group", "end_goal", "emphasis")


def _required(errors, key, value, message):
    if not (value or "").strip():
        errors[key] = message


def _check_lengths(model, values, errors):
    for name, message in length_errors(model, values).items():
        errors.setdefault(name, message)


# --- goals -----------------------------------------------------------------------------------------


def _goal_values(target_group, end_goal, emphasis):
    values = {"target_group": (target_group or "").strip(), "end_goal": (end_goal or "").strip(),
              "emphasis": (emphasis or "").strip()}
    errors = {}
    _required(errors, "target_group", values["target_group"], _("Say who should benefit."))
    _required(errors, "end_goal", values["end_goal"], _("Say what should be different when you succeed."))
    _check_lengths(Goal, values, errors)
    if errors:
        raise ValidationError(errors)
    return values


@transaction.atomic
def goal_create(*, project, user, target_group, end_goal, emphasis=""):
    values = _goal_values(target_group, end_goal, emphasis)
    goal = Goal(organisation=project.organisation, project=project, created_by=user, **values)
    goal.full_clean()
    goal.save()
    project_touch(project)
    return goal


@transaction.atomic
def goal_update(*, project, user, goal, version, target_group, end_goal, emphasis=""):
    values = _goal_values(target_group, end_goal, emphasis)
    goal = apply_versioned(Goal, pk=goal.pk, project=project, expected_version=version, changes=values)
    project_touch(project)
    return goal


@transaction.atomic
def goal_delete(*, project, user, goal):
    Goal.objects.filter(project=project, pk=goal.pk).delete()
    project_touch(project)


# --- barriers --------------------------------------------------------------------------------------


@transaction.atomic
def barrier_add_from_pack(*, project, user, item, notes=""):
    """Add a determinant of the project's own list. An item of any other pack is refused."""
    if item is None or item.pack_id != project.determinant_pack_id:
        raise ValidationError({"item": _("That barrier is not in this project's barrier list (%(pack)s). "
                                         "Pick one from the list below or add it as a custom barrier.")
                                         % {"pack": project.determinant_pack.name}})
    if item.is_retired:
        raise ValidationError({"item": _("“%(name)s” is no longer part of the current barrier list.")
                                       % {"name": item.name}})
    if Barrier.objects.filter(project=project, item=item).exists():
        raise ValidationError({"item": _("“%(name)s” is already on your list.") % {"name": item.name}})
    values = {"notes": (notes or "").strip()}
    errors = {}
    _check_lengths(Barrier, values, errors)
    if errors:
        raise ValidationError(errors)
    barrier = Barrier(organisation=project.organisation, project=project, item=item, created_by=user, **values)
    barrier.full_clean()
    barrier.save()
    project_touch(project)
    return barrier


def _custom_values(name, category, notes):
    values = {"custom_name": (name or "").strip(), "custom_category": (category or "").strip(),
              "notes": (notes or "").strip()}
    errors = {}
    _required(errors, "custom_name", values["custom_name"], _("Name the barrier."))
    _required(errors, "custom_category", values["custom_category"],
              _("Give the barrier a category, e.g. one of the groups of your barrier list."))
    _check_lengths(Barrier, values, errors)
    if errors:
        raise ValidationError(errors)
    return values


@transaction.atomic
def barrier_add_custom(*, project, user, name, category, notes=""):
    values = _custom_values(name, category, notes)
    barrier = Barrier(organisation=project.organisation, project=project, created_by=user, **values)
    barrier.full_clean()
    barrier.save()
    project_touch(project)
    return barrier


@transaction.atomic
def barrier_update(*, project, user, barrier, version, notes, name=None, category=None):
    """Edit the notes (any barrier) and the name and category (custom barriers only)."""
    if barrier.is_custom:
        changes = _custom_values(name, category, notes)
    else:
        changes = {"notes": (notes or "").strip()}
        errors = {}
        _check_lengths(Barrier, changes, errors)
        if errors:
            raise ValidationError(errors)
    barrier = apply_versioned(Barrier, pk=barrier.pk, project=project, expected_version=version, changes=changes)
    project_touch(project)
    return barrier


@transaction.atomic
def barrier_delete(*, project, user, barrier):
    # A chosen strategy is protected (Iteration.chosen_option); say so instead of a ProtectedError.
    if Iteration.objects.filter(project=project, chosen_option__barrier=barrier).exists():
        raise ValidationError(_("A strategy chosen in an iteration is attached to this barrier; choose another "
                                "strategy first, then delete the barrier."))
    Barrier.objects.filter(project=project, pk=barrier.pk).delete()
    project_touch(project)


# --- ratings ---------------------------------------------------------------------------------------


@transaction.atomic
def ratings_save(*, project, user, ratings):
    """Save ``user``'s ratings: ``{barrier_id: (importance, changeability)}``. Both blank leaves a
    barrier unrated. Every row is checked first; errors are keyed ``"<barrier_id>"`` and nothing is
    saved if any row is wrong. Each person edits only their own rating, so no version check."""
    barriers = {b.pk: b for b in Barrier.objects.filter(project=project, pk__in=list(ratings))}
    errors, clean = {}, {}
    for barrier_id, (importance, changeability) in ratings.items():
        if barrier_id not in barriers:
            errors[str(barrier_id)] = _("This barrier is not part of the project.")
            continue
        blank_i, blank_c = importance in (None, ""), changeability in (None, "")
        if blank_i and blank_c:
            continue
        problems = []
        values = []
        for value, blank, label in ((importance, blank_i, _("Importance")), (changeability, blank_c,
                                                                            _("Changeability"))):
            if blank:
                problems.append(_("%(label)s is missing: rate both or neither.") % {"label": label})
                continue
            try:
                values.append(parse_rating(value, label))
            except ValueError as exc:
                problems.append(str(exc))
        if problems:
            errors[str(barrier_id)] = " ".join(problems)
        else:
            clean[barrier_id] = values
    if errors:
        raise ValidationError(errors)
    existing = {r.barrier_id: r for r in BarrierRating.objects.select_for_update()
                .filter(barrier_id__in=list(clean), rated_by=user)}
    for barrier_id, (importance, changeability) in clean.items():
        rating = existing.get(barrier_id)
        if rating is None:
            BarrierRating.objects.create(organisation=project.organisation, barrier_id=barrier_id, rated_by=user,
                                         importance=importance, changeability=changeability)
        elif (rating.importance, rating.changeability) != (importance, changeability):
            rating.importance, rating.changeability = importance, changeability
            rating.version += 1
            rating.save()
    project_touch(project)
    return len(clean)


# --- focus -----------------------------------------------------------------------------------------


@transaction.atomic
def focus_set(*, project, user, iteration, version, goals, barriers, reason=""):
    """Set the goal(s) and barrier(s) of ``iteration``. One of each is the norm ("be focused",
    Finch et al. 2024, Table 1); more needs a written reason. Moves the project on to matching."""
    goals, barriers, reason = list(goals), list(barriers), (reason or "").strip()
    errors = {}
    if any(g.project_id != project.pk for g in goals) or any(b.project_id != project.pk for b in barriers):
        raise ValidationError(_("Choose goals and barriers of this project."))
    if iteration.project_id != project.pk:
        raise ValidationError(_("That iteration belongs to another project."))
    check_current(iteration)
    if not goals:
        errors["goals"] = _("Choose the goal you will work on in this round.")
    if not barriers:
        errors["barriers"] = _("Choose the barrier you will tackle in this round.")
    if (len(goals) > 1 or len(barriers) > 1) and not reason:
        errors["reason"] = _("You chose more than one goal or barrier. “Be focused”: one of each works best. "
                             "If you still want more, say why.")
    if len(reason) > Iteration._meta.get_field("focus_reason").max_length:
        errors["reason"] = _("Keep the reason to %(n)d characters or fewer.") % {
            "n": Iteration._meta.get_field("focus_reason").max_length}
    if errors:
        raise ValidationError(errors)
    if len(goals) == 1 and len(barriers) == 1:
        reason = ""  # a reason is only recorded when the team chose to go wider
    iteration = apply_versioned(Iteration, pk=iteration.pk, project=project, expected_version=version,
                                changes={"focus_reason": reason})
    current = set(Focus.objects.filter(iteration=iteration).values_list("goal_id", "barrier_id"))
    wanted = {(g.pk, None) for g in goals} | {(None, b.pk) for b in barriers}
    for goal_id, barrier_id in current - wanted:
        Focus.objects.filter(iteration=iteration, goal_id=goal_id, barrier_id=barrier_id).delete()
    for goal_id, barrier_id in wanted - current:
        Focus.objects.create(organisation=project.organisation, iteration=iteration, goal_id=goal_id,
                             barrier_id=barrier_id)
    if steps.is_before(project.step, Step.MATCH):
        project_set_step(project=project, user=user, step=Step.MATCH)
    project_touch(project)
    return iteration

