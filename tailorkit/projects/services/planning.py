"""Design and plan (issue 3, point 5): the specification, tasks and success criteria of an
iteration, and the "plan is ready" action.

Everything here writes to the *current* iteration only: earlier iterations are the record of what
the team did before it went back, so they stay readable but never change (``check_current``).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tailorkit.core.locking import apply_versioned
from tailorkit.measures.verdicts import AT_LEAST, AT_MOST

from ..dates import plan_date_error
from ..models import SPEC_FIELDS, Specification, Step, SuccessCriterion, Task
from .measures import check_measure
from .projects import project_set_step, project_touch
from .validation import check_current, check_lengths


def _required(values, *names):
    errors = {n: _("This cannot be empty.") for n in names if not str(values.get(n) or "").strip()}
    if errors:
        raise ValidationError(errors)


def _clean_text(values):
    return {k: v.strip() if isinstance(v, str) else v for k, v in values.items()}


# --- Specification ----------------------------------------------------------------------------------


@transaction.atomic
def spec_save(*, iteration, user, version, data):
    """Create the iteration's specification on first save, or update it if ``version`` is current.

    ``data`` maps specification fields (``SPEC_FIELDS``) to text; unknown keys are refused.
    Raises ``StaleEdit`` when someone saved meanwhile (also when two people both create it).
    """
    check_current(iteration)
    unknown = set(data) - set(SPEC_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown specification items: %(names)s.") % {"names": ", ".join(sorted(unknown))})
    changes = _clean_text({f: data.get(f) or "" for f in SPEC_FIELDS if f in data})
    check_lengths(Specification, changes)
    existing = Specification.objects.filter(iteration=iteration).first()
    if existing is None and not version:
        spec = Specification(organisation=iteration.organisation, iteration=iteration, updated_by=user, **changes)
        spec._history_user = user
        spec.full_clean()
        spec.save()
    else:
        # No row but a version: it was deleted meanwhile, which the app never does; a row and no
        # version: someone created it while this person was typing. Both are stale edits.
        if existing is None:
            raise ValidationError(_("This specification no longer exists. Reload the page."))
        spec = apply_versioned(Specification, pk=existing.pk, expected_version=version, changes=changes,
                               extra={"updated_by": user})
    project_touch(iteration.project)
    return spec


# --- Tasks --------------------------------------------------------------------------------------------


def _check_owner(iteration, owner):
    if owner is not None and not iteration.project.team.filter(pk=owner.pk).exists():
        raise ValidationError({"owner": _("%(name)s is not on the project team. Choose a team member, or add them "
                                          "to the team first (project details).") % {"name": owner}})


def _check_date(iteration, name, day):
    """The one rule for planned dates (``projects/dates.py``), keyed by the field that holds it."""
    if message := plan_date_error(iteration.project.started_on, day):
        raise ValidationError({name: message})


def _check_status(status):
    if status not in Task.Status.values:
        raise ValidationError({"status": _("Choose one of: to do, in progress, done, dropped.")})


@transaction.atomic
def task_create(*, iteration, user, title, owner=None, due_date=None, status=Task.Status.TODO):
    check_current(iteration)
    values = _clean_text({"title": title})
    _required(values, "title")
    check_lengths(Task, values)
    _check_owner(iteration, owner)
    _check_status(status)
    _check_date(iteration, "due_date", due_date)
    task = Task(organisation=iteration.organisation, project=iteration.project, iteration=iteration,
                owner=owner, due_date=due_date, status=status, **values)
    task._history_user = user
    task.full_clean()
    task.save()
    project_touch(iteration.project)
    return task


@transaction.atomic
def task_update(*, task, user, version, title, owner=None, due_date=None, status=Task.Status.TODO):
    check_current(task.iteration)
    values = _clean_text({"title": title})
    _required(values, "title")
    check_lengths(Task, values)
    _check_owner(task.iteration, owner)
    _check_status(status)
    if due_date != task.due_date:  # an unchanged date stays, even if the rule has moved past it
        _check_date(task.iteration, "due_date", due_date)
    changes = {**values, "owner": owner, "due_date": due_date, "status": status}
    task = apply_versioned(Task, pk=task.pk, expected_version=version, changes=changes)
    project_touch(task.project)
    return task


@transaction.atomic
def task_set_status(*, task, user, status, version):
    """The quick status change from the task list; still refuses a stale change."""
    check_current(task.iteration)
    _check_status(status)
    task = apply_versioned(Task, pk=task.pk, expected_version=version, changes={"status": status})
    project_touch(task.project)
    return task


@transaction.atomic
def task_delete(*, task, user):
    check_current(task.iteration)
    project = task.project
    task._history_user = user
    task.delete()          # the history keeps the deleted row (django-simple-history)
    project_touch(project)


# --- Success criteria --------------------------------------------------------------------------------


def _criterion_values(iteration, description, target_value, target_unit, target_date, kept_date=None,
                      measure=None, direction=AT_LEAST):
    values = _clean_text({"description": description, "target_unit": target_unit or ""})
    _required(values, "description")
    check_lengths(SuccessCriterion, values)
    errors = {}
    # Tied to a measure of the organisation (issue 13): the target is in the measure's plotted units.
    measure = check_measure(iteration.project, measure)
    if direction not in (AT_LEAST, AT_MOST):
        errors["direction"] = _("Choose “at least” or “at most”.")
    if measure is not None and measure.kind == "proportion" and target_value is not None \
            and not 0 <= target_value <= 100:
        errors["target_value"] = _("This measure is a proportion: give the target in per cent, from 0 to 100.")
    if measure is not None and target_value is not None and not values["target_unit"]:
        values["target_unit"] = "%" if measure.kind == "proportion" else measure.unit
    values.update(measure=measure, direction=direction)
    if values["target_unit"] and target_value is None:
        errors["target_value"] = _("Give the number that goes with the unit “%(unit)s”, or leave the unit empty.") % {
            "unit": values["target_unit"]}
    if target_date != kept_date and (message := plan_date_error(iteration.project.started_on, target_date)):
        errors["target_date"] = message
    if errors:
        raise ValidationError(errors)
    return {**values, "target_value": target_value, "target_date": target_date}


KEEP = object()  # an argument left out of an update: the stored value stays


@transaction.atomic
def criterion_create(*, iteration, user, description, target_value=None, target_unit="", target_date=None,
                     measure=None, direction=AT_LEAST):
    check_current(iteration)
    values = _criterion_values(iteration, description, target_value, target_unit, target_date, measure=measure,
                               direction=direction)
    criterion = SuccessCriterion(organisation=iteration.organisation, project=iteration.project,
                                 iteration=iteration, **values)
    criterion._history_user = user
    criterion.full_clean()
    criterion.save()
    project_touch(iteration.project)
    return criterion


@transaction.atomic
def criterion_update(*, criterion, user, version, description, target_value=None, target_unit="",
                     target_date=None, measure=KEEP, direction=KEEP):
    """``measure`` and ``direction`` left out (``KEEP``) stay as they are."""
    check_current(criterion.iteration)
    measure = criterion.measure_id if measure is KEEP else measure
    direction = criterion.direction if direction is KEEP else direction
    values = _criterion_values(criterion.iteration, description, target_value, target_unit, target_date,
                               kept_date=criterion.target_date, measure=measure, direction=direction)
    criterion = apply_versioned(SuccessCriterion, pk=criterion.pk, expected_version=version, changes=values)
    project_touch(criterion.project)
    return criterion


@transaction.atomic
def criterion_delete(*, criterion, user):
    check_current(criterion.iteration)
    # A judged criterion is part of a review's record; deleting it would silently delete the
    # judgements too (cascade), so it is refused: reword it instead.
    if criterion.judgements.exists():
        raise ValidationError(_("This criterion has already been judged in a review, so it cannot be deleted. "
                                "Edit its description instead if it no longer fits."))
    project = criterion.project
    criterion._history_user = user
    criterion.delete()
    project_touch(project)


# --- Ready to apply -------------------------------------------------------------------------------------


@transaction.atomic
def plan_mark_ready(*, project, user):
    """Move the project on to applying and reviewing. Never blocked (issue 3, point 7): an incomplete plan is allowed,
    the plan page shows what is still unspecified."""
    iteration = project.current_iteration
    if iteration is not None:
        check_current(iteration)
    return project_set_step(project=project, user=user, step=Step.REVIEW)
