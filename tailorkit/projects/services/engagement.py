"""Stakeholder engagement (issue 17): the only write path for a project's stakeholder map, its
engagement plans and its records of what was done. Reads are in ``selectors/engagement.py``; the
model and its sources are described in ``models/engagement.py``.

Callers (views, API) have already checked that the user may edit the project. Every write that
belongs to an iteration goes to the current one (``check_current``), like the rest of the cycle.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tailorkit.core.locking import apply_versioned, lock_versioned
from tailorkit.core.services import audit_record

from ..models import (
    Barrier,
    EngagementChange,
    EngagementPlan,
    EngagementRecord,
    Goal,
    StakeholderGroup,
    StakeholderPerson,
    Step,
    StrategyOption,
    SuccessCriterion,
    Task,
)
from ..models.engagement import Approach, Objective
from .projects import project_touch
from .validation import check_current, length_errors, parse_rating

# What a change can point at, and the name shown for it (kept in the change as ``label``).
CHANGEABLE = {
    EngagementChange.Kind.GOAL: (Goal, lambda o: o.end_goal),
    EngagementChange.Kind.BARRIER: (Barrier, lambda o: o.name),
    EngagementChange.Kind.OPTION: (StrategyOption, lambda o: o.name),
    EngagementChange.Kind.TASK: (Task, lambda o: o.title),
    EngagementChange.Kind.CRITERION: (SuccessCriterion, lambda o: o.description),
}


def _choice(errors, key, value, choices, message):
    if value not in choices:
        errors[key] = message


# --- the stakeholder map ---------------------------------------------------------------------------


def _group_values(project, *, name, side, relation, affected, influence, notes, exclude_pk=None):
    values = {"name": (name or "").strip(), "side": side, "relation": relation, "notes": (notes or "").strip()}
    errors = {}
    if not values["name"]:
        errors["name"] = _("Name the group, for example “GPs who refer” or “patients”.")
    elif (StakeholderGroup.objects.filter(project=project, removed_at=None, name__iexact=values["name"])
          .exclude(pk=exclude_pk).exists()):
        errors["name"] = _("This project already has a group called “%(name)s”.") % {"name": values["name"]}
    _choice(errors, "side", side, StakeholderGroup.Side.values, _("Choose inside or outside the organisation."))
    _choice(errors, "relation", relation, StakeholderGroup.Relation.values, _("Choose their relation to the service."))
    for key, value, label in (("affected", affected, _("How much it affects them")),
                              ("influence", influence, _("How much they can influence it"))):
        try:
            values[key] = parse_rating(value, label)
        except ValueError as exc:
            errors[key] = str(exc)
    for key, message in length_errors(StakeholderGroup, values).items():
        errors.setdefault(key, message)
    if errors:
        raise ValidationError(errors)
    return values


@transaction.atomic
def stakeholder_group_create(*, project, user, name, side=StakeholderGroup.Side.INTERNAL,
                             relation=StakeholderGroup.Relation.DELIVERS, affected=3, influence=3, notes=""):
    values = _group_values(project, name=name, side=side, relation=relation, affected=affected,
                           influence=influence, notes=notes)
    group = StakeholderGroup(organisation=project.organisation, project=project, created_by=user, **values)
    group.full_clean()
    group.save()
    project_touch(project)
    return group


@transaction.atomic
def stakeholder_group_update(*, group, user, version, name, side, relation, affected, influence, notes=""):
    values = _group_values(group.project, name=name, side=side, relation=relation, affected=affected,
                           influence=influence, notes=notes, exclude_pk=group.pk)
    group = apply_versioned(StakeholderGroup, pk=group.pk, project=group.project, removed_at=None,
                            expected_version=version, changes=values)
    project_touch(group.project)
    return group


@transaction.atomic
def stakeholder_group_remove(*, group, user, version):
    """Take a group off the map. Plans and records that name it keep it (marked removed); its named
    people are erased, since nobody works with them through this project any more."""
    group = lock_versioned(StakeholderGroup, pk=group.pk, project=group.project, removed_at=None,
                           expected_version=version, submitted={})
    erased, _details = StakeholderPerson.objects.filter(group=group).delete()
    group.removed_at = timezone.now()
    group.version += 1
    group.save(update_fields=["removed_at", "version"])
    if erased:
        audit_record(action="stakeholders.people_erased", actor=user, organisation=group.organisation,
                     target=group.project.name, details={"group": group.pk, "people": erased})
    project_touch(group.project)
    return group


@transaction.atomic
def stakeholder_groups_copy(*, project, source, user):
    """Reuse the groups of another project of the same organisation (not its named people, who
    agreed to be listed for that project only). Groups with a name already on the map are skipped.
    Returns the groups made."""
    if source.organisation_id != project.organisation_id or source.pk == project.pk:
        raise ValidationError({"source": _("Choose another project of this organisation.")})
    have = {n.lower() for n in StakeholderGroup.objects.filter(project=project, removed_at=None)
            .values_list("name", flat=True)}
    made = [StakeholderGroup(organisation=project.organisation, project=project, created_by=user, name=g.name,
                             side=g.side, relation=g.relation, affected=g.affected, influence=g.influence,
                             notes=g.notes)
            for g in StakeholderGroup.objects.filter(project=source, removed_at=None) if g.name.lower() not in have]
    for group in made:   # one by one, so that each gets its history row
        group.save()
    if made:
        project_touch(project)
    return made


@transaction.atomic
def stakeholder_person_add(*, group, user, name, role="", contact=""):
    values = {"name": (name or "").strip(), "role": (role or "").strip(), "contact": (contact or "").strip()}
    errors = length_errors(StakeholderPerson, values)
    if not values["name"]:
        errors["name"] = _("Enter the person's name.")
    if group.removed_at is not None:
        errors["group"] = _("This group has been removed from the map.")
    if errors:
        raise ValidationError(errors)
    person = StakeholderPerson(organisation=group.organisation, project=group.project, group=group, **values)
    person.save()
    return person


@transaction.atomic
def stakeholder_person_erase(*, person, user, request=None):
    """Erase a named person for good (a request to be forgotten). The audit log keeps that someone
    was erased from the project, never who."""
    project = person.project
    person.delete()
    audit_record(action="stakeholders.person_erased", actor=user, organisation=project.organisation,
                 target=project.name, details={"project": project.pk}, request=request)


# --- engagement plans ------------------------------------------------------------------------------


def _live_group(project, group):
    if group is None or group.project_id != project.pk:
        return None
    return group


def _plan_values(project, *, step, group, objective, approach, note, consultation, allow_removed=None):
    errors = {}
    _choice(errors, "step", step, Step.values, _("Choose a step of the cycle."))
    group = _live_group(project, group)
    if group is None:
        errors["group"] = _("Choose a group from the project's stakeholder map.")
    elif group.removed_at is not None and group.pk != allow_removed:
        errors["group"] = _("This group has been removed from the map.")
    _choice(errors, "objective", objective, Objective.values, _("Choose why you involve them."))
    _choice(errors, "approach", approach, Approach.values, _("Choose how you involve them."))
    note = (note or "").strip()
    if len(note) > 500:
        errors["note"] = _("Keep this to %(n)d characters or fewer (it has %(m)d).") % {"n": 500, "m": len(note)}
    if consultation is not None and (consultation.organisation_id != project.organisation_id):
        errors["consultation"] = _("Choose a consultation of this organisation.")
    if errors:
        raise ValidationError(errors)
    return {"step": step, "group": group, "objective": objective, "approach": approach, "note": note,
            "consultation": consultation}


@transaction.atomic
def engagement_plan_add(*, project, iteration, user, step, group, objective, approach, note="", consultation=None):
    check_current(iteration)
    values = _plan_values(project, step=step, group=group, objective=objective, approach=approach, note=note,
                          consultation=consultation)
    plan = EngagementPlan(organisation=project.organisation, project=project, iteration=iteration,
                          created_by=user, **values)
    plan.save()
    project_touch(project)
    return plan


@transaction.atomic
def engagement_plan_update(*, plan, user, version, step, group, objective, approach, note="", consultation=None):
    check_current(plan.iteration)
    values = _plan_values(plan.project, step=step, group=group, objective=objective, approach=approach, note=note,
                          consultation=consultation, allow_removed=plan.group_id)
    plan = apply_versioned(EngagementPlan, pk=plan.pk, project=plan.project, expected_version=version,
                           changes=values)
    project_touch(plan.project)
    return plan


@transaction.atomic
def engagement_plan_delete(*, plan, user):
    check_current(plan.iteration)
    project = plan.project
    plan.delete()
    project_touch(project)


# --- records of what was done ----------------------------------------------------------------------


def _record_values(project, *, step, date, approach, groups, people, heard, changed, allow_removed=()):
    errors = {}
    _choice(errors, "step", step, Step.values, _("Choose a step of the cycle."))
    _choice(errors, "approach", approach, Approach.values, _("Choose how you involved them."))
    if date is None:
        errors["date"] = _("Enter the date.")
    elif date > timezone.localdate():
        errors["date"] = _("This date has not come yet: record what was done once it has happened, or plan it above.")
    groups = list(groups or [])
    if not groups:
        errors["groups"] = _("Tick at least one group you reached.")
    elif any(g.project_id != project.pk or (g.removed_at is not None and g.pk not in allow_removed) for g in groups):
        errors["groups"] = _("Choose groups from the project's stakeholder map.")
    if people is not None:
        try:
            people = int(people)
        except (TypeError, ValueError):
            errors["people"] = _("Enter a whole number of people, or leave it empty.")
        else:
            if not 1 <= people <= 100_000:
                errors["people"] = _("Enter a number of people from 1 to 100,000, or leave it empty.")
    values = {"step": step, "date": date, "approach": approach, "people": people,
              "heard": (heard or "").strip(), "changed": (changed or "").strip()}
    if not values["heard"]:
        errors["heard"] = _("Note briefly what you heard.")
    for key, message in length_errors(EngagementRecord, {"heard": values["heard"],
                                                          "changed": values["changed"]}).items():
        errors.setdefault(key, message)
    if errors:
        raise ValidationError(errors)
    return values, groups


def _changes(project, changes):
    """[(kind, object_id, what)] → unsaved EngagementChange rows, each checked to be the project's."""
    rows = []
    for kind, object_id, what in changes or ():
        model_and_name = CHANGEABLE.get(kind)
        obj = None
        if model_and_name:
            obj = model_and_name[0].objects.filter(project=project, pk=object_id).first()
        if obj is None or what not in EngagementChange.What.values:
            raise ValidationError({"changes": _("Choose a change from this project's goals, barriers, strategies, "
                                                "tasks or success criteria.")})
        label = str(model_and_name[1](obj))[:300]
        rows.append(EngagementChange(organisation=project.organisation, project=project, kind=kind,
                                     object_id=obj.pk, label=label, what=what))
    return rows


@transaction.atomic
def engagement_record_add(*, project, iteration, user, step, date, approach, groups, heard, people=None,
                          changed="", changes=(), consultation=None):
    check_current(iteration)
    values, groups = _record_values(project, step=step, date=date, approach=approach, groups=groups, people=people,
                                    heard=heard, changed=changed)
    change_rows = _changes(project, changes)
    record = EngagementRecord(organisation=project.organisation, project=project, iteration=iteration,
                              created_by=user, consultation=consultation, **values)
    record.save()
    record.groups.set(groups)
    for row in change_rows:
        row.record = record
        row.save()
    project_touch(project)
    return record


@transaction.atomic
def engagement_record_update(*, record, user, version, step, date, approach, groups, heard, people=None,
                             changed="", changes=None):
    """Edit a record; ``changes`` (when given) replaces its list of changed items."""
    check_current(record.iteration)
    values, groups = _record_values(record.project, step=step, date=date, approach=approach, groups=groups,
                                    people=people, heard=heard, changed=changed,
                                    allow_removed={g.pk for g in record.groups.all()})
    change_rows = _changes(record.project, changes) if changes is not None else None
    record = apply_versioned(EngagementRecord, pk=record.pk, project=record.project, expected_version=version,
                             changes=values)
    record.groups.set(groups)
    if change_rows is not None:
        kept = {(r.kind, r.object_id, r.what) for r in change_rows}
        for old in record.changes.all():
            if (old.kind, old.object_id, old.what) not in kept:
                old.delete()
        have = {(r.kind, r.object_id, r.what) for r in record.changes.all()}
        for row in change_rows:
            if (row.kind, row.object_id, row.what) not in have:
                row.record = record
                row.save()
    project_touch(record.project)
    return record


@transaction.atomic
def engagement_record_delete(*, record, user):
    check_current(record.iteration)
    project = record.project
    record.delete()
    project_touch(project)


def record_from_consultation(consultation, *, project, iteration, step, responses):
    """The record a closed consultation of the project adds by itself: a survey of the groups
    planned for it (or, with none planned, of no named group: the team can tick them afterwards).
    Called by ``engagement_consultation_closed``; one record per consultation at most."""
    if EngagementRecord.objects.filter(consultation=consultation).exists():
        return None
    closed = consultation.effective_close or timezone.now()
    record = EngagementRecord(
        organisation=project.organisation, project=project, iteration=iteration, step=step,
        date=min(timezone.localdate(closed), timezone.localdate()), approach=Approach.SURVEY,
        people=responses or None, consultation=consultation,
        heard=_("The survey “%(title)s” closed with %(n)d responses. Its results are on the consultation's page.")
        % {"title": consultation.title, "n": responses})
    record.save()
    groups = StakeholderGroup.objects.filter(plans__consultation=consultation).distinct()
    record.groups.set(groups)
    project_touch(project)
    return record


def engagement_consultation_closed(consultation):
    """Listener for ``consultations.closings``: a consultation made for a project adds a record of
    the survey to the project's engagement log, in the step it was made from (or the step of a plan
    that names it), in the project's current iteration."""
    from .. import steps
    from ..models import Project
    from ..stakeholders import SUBJECT_TYPE

    if consultation.subject_type != SUBJECT_TYPE or consultation.subject_id is None:
        return None
    project = Project.objects.filter(pk=consultation.subject_id, organisation=consultation.organisation_id).first()
    iteration = project.current_iteration if project else None
    if iteration is None:
        return None
    plan = EngagementPlan.objects.filter(project=project, consultation=consultation).first()
    info = steps.for_template(consultation.template)
    step = plan.step if plan else (info.code if info else project.step)
    with transaction.atomic():
        # Always the current iteration: an earlier one is a closed record, even if the survey was
        # planned in it (the plan keeps saying so).
        record = record_from_consultation(consultation, project=project, iteration=iteration,
                                          step=step, responses=consultation.responses.count())
        if record is not None and not record.groups.exists():
            # No plan names this consultation: the groups planned for a survey in that step, if any.
            record.groups.set(StakeholderGroup.objects.filter(
                plans__iteration=iteration, plans__step=step, plans__approach=Approach.SURVEY,
                plans__consultation=None).distinct())
    return record
