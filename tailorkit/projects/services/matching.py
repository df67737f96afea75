"""Matching strategies (issue 3, point 4): the only write path for strategy options, their APEASE
appraisal and the choice of one option. Reading them (and the appraisal table) is in
``selectors/matching.py``.

APEASE: Acceptability, Practicability, Effectiveness, Affordability, Side-effects, Equity (Michie,
Atkins & West 2014, The Behaviour Change Wheel); each rated 1 (poor) – 5 (good) with a note.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tailorkit.core.locking import StaleEdit, apply_versioned

from .. import steps
from ..models import APEASE, Appraisal, Iteration, Step, StrategyOption
from .projects import project_set_step, project_touch
from .validation import check_current, length_errors, parse_rating


def _check_lengths(model, values):
    return length_errors(model, values)


def _check_barrier(project, barrier):
    if barrier is None or barrier.project_id != project.pk:
        raise ValidationError({"barrier": _("Choose a barrier of this project.")})


# --- options ---------------------------------------------------------------------------------------


@transaction.atomic
def option_add_from_pack(*, project, user, barrier, item, description=""):
    """Make a catalogue strategy a candidate for ``barrier``; only the project's own catalogue."""
    _check_barrier(project, barrier)
    if item is None or item.pack_id != project.strategy_pack_id:
        raise ValidationError({"item": _("That strategy is not in this project's strategy catalogue (%(pack)s). "
                                         "Pick one from the catalogue or add it as a custom strategy.")
                                         % {"pack": project.strategy_pack.name}})
    if item.is_retired:
        raise ValidationError({"item": _("“%(name)s” is no longer part of the current catalogue.")
                                       % {"name": item.name}})
    if StrategyOption.objects.filter(project=project, barrier=barrier, item=item).exists():
        raise ValidationError({"item": _("“%(name)s” is already a candidate for this barrier.") % {"name": item.name}})
    values = {"description": (description or "").strip()}
    errors = _check_lengths(StrategyOption, values)
    if errors:
        raise ValidationError(errors)
    option = StrategyOption(organisation=project.organisation, project=project, barrier=barrier, item=item,
                            created_by=user, **values)
    option.full_clean()
    option.save()
    project_touch(project)
    return option


def _custom_values(name, description):
    values = {"custom_name": (name or "").strip(), "description": (description or "").strip()}
    errors = _check_lengths(StrategyOption, values)
    if not values["custom_name"]:
        errors["custom_name"] = _("Name the strategy.")
    if not values["description"] and "description" not in errors:
        errors["description"] = _("Say in a sentence or two what the strategy would mean here.")
    if errors:
        raise ValidationError(errors)
    return values


@transaction.atomic
def option_add_custom(*, project, user, barrier, name, description):
    _check_barrier(project, barrier)
    values = _custom_values(name, description)
    option = StrategyOption(organisation=project.organisation, project=project, barrier=barrier, created_by=user,
                            **values)
    option.full_clean()
    option.save()
    project_touch(project)
    return option


@transaction.atomic
def option_update(*, project, user, option, version, description, name=None):
    """Edit what the option would mean here (and the name of a custom option)."""
    if option.item_id:
        changes = {"description": (description or "").strip()}
        errors = _check_lengths(StrategyOption, changes)
        if errors:
            raise ValidationError(errors)
    else:
        changes = _custom_values(name, description)
    option = apply_versioned(StrategyOption, pk=option.pk, project=project, expected_version=version, changes=changes)
    project_touch(project)
    return option


@transaction.atomic
def option_delete(*, project, user, option):
    chosen_in = list(Iteration.objects.filter(project=project, chosen_option=option).values_list("number", flat=True))
    if chosen_in:
        raise ValidationError(_("“%(name)s” is the chosen strategy of iteration %(n)s. Choose another strategy "
                                "first; then it can be deleted.") % {"name": option.name,
                                                                     "n": ", ".join(map(str, chosen_in))})
    StrategyOption.objects.filter(project=project, pk=option.pk).delete()
    project_touch(project)


# --- appraisal -------------------------------------------------------------------------------------


@transaction.atomic
def appraisal_save(*, project, user, option, values, versions):
    """Save the APEASE appraisal of ``option`` in one go.

    ``values``: {criterion: (rating or "" , note)}; ``versions``: {criterion: the version the form
    was built from, 0 for a criterion not yet appraised}. Every value is checked first (errors keyed
    ``rating-<criterion>`` / ``note-<criterion>``); if anyone changed a criterion meanwhile, nothing
    is saved and ``StaleEdit`` carries {criterion: current Appraisal}.
    """
    if option.project_id != project.pk:
        raise ValidationError(_("That strategy belongs to another project."))
    errors, clean = {}, {}
    note_limit = Appraisal._meta.get_field("note").max_length
    for criterion in APEASE:
        rating, note = values.get(criterion, ("", ""))
        note = (note or "").strip()
        if rating in (None, ""):
            rating = None
        else:
            try:
                rating = parse_rating(rating, _("The rating"))
            except ValueError as exc:
                errors[f"rating-{criterion}"] = str(exc)
        if len(note) > note_limit:
            errors[f"note-{criterion}"] = _("Keep the note to %(n)d characters or fewer (it has %(m)d).") % {
                "n": note_limit, "m": len(note)}
        clean[criterion] = (rating, note)
    unknown = set(values) - set(APEASE)
    if unknown:
        errors["criterion"] = _("Unknown criteria: %(c)s.") % {"c": ", ".join(sorted(unknown))}
    if errors:
        raise ValidationError(errors)

    # Locking the option serialises appraisals of one option, so two first saves of the same
    # criterion cannot both insert a row.
    StrategyOption.objects.select_for_update().filter(pk=option.pk).first()
    current = {a.criterion: a for a in Appraisal.objects.select_for_update().filter(option=option)}
    stale = {}
    for criterion in APEASE:
        row = current.get(criterion)
        if row is None:
            continue
        try:
            expected = int(versions.get(criterion) or 0)
        except (TypeError, ValueError):
            expected = 0
        # Someone saved this criterion after the form was built, and the values differ.
        if expected != row.version and (row.rating, row.note) != clean[criterion]:
            stale[criterion] = row
    if stale:
        raise StaleEdit(current=current, submitted=clean)
    for criterion, (rating, note) in clean.items():
        row = current.get(criterion)
        if row is None:
            if rating is None and not note:
                continue
            Appraisal.objects.create(organisation=project.organisation, option=option, criterion=criterion,
                                     rating=rating, note=note, updated_by=user)
        elif (row.rating, row.note) != (rating, note):
            apply_versioned(Appraisal, pk=row.pk, option=option, expected_version=row.version,
                            changes={"rating": rating, "note": note}, extra={"updated_by": user})
    project_touch(project)


# --- choice ----------------------------------------------------------------------------------------


@transaction.atomic
def option_choose(*, project, user, iteration, option, version, justification):
    """Choose ``option`` for ``iteration`` with a written justification. The choice can be changed
    at any time; every change is kept in the iteration's history."""
    if option.project_id != project.pk or iteration.project_id != project.pk:
        raise ValidationError(_("That strategy belongs to another project."))
    check_current(iteration)
    justification = (justification or "").strip()
    limit = Iteration._meta.get_field("choice_justification").max_length
    if not justification:
        raise ValidationError({"justification": _("Write down why you chose this strategy: it is the record "
                                                  "your team and reviewers will come back to.")})
    if len(justification) > limit:
        raise ValidationError({"justification": _("Keep the justification to %(n)d characters or fewer.")
                                                % {"n": limit}})
    iteration = apply_versioned(Iteration, pk=iteration.pk, project=project, expected_version=version,
                                changes={"chosen_option": option, "choice_justification": justification})
    if steps.is_before(project.step, Step.PLAN):
        project_set_step(project=project, user=user, step=Step.PLAN)
    project_touch(project)
    return iteration
