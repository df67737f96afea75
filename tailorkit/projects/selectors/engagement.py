"""Stakeholder engagement (issue 17): the map, the plans, the records and the picture of groups ×
steps, shared by the pages, the summary (and its PDF) and the API. Nothing here writes.

Named people are personal data: ``people_visible_to`` is the one rule for who may see them (the
project team: its owner and members), and every read of them goes through it.
"""

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Sum
from django.db.models.functions import Lower

from .. import steps
from ..models import (
    EngagementChange,
    EngagementPlan,
    EngagementRecord,
    Project,
    StakeholderGroup,
    StakeholderPerson,
)

RECORDS_PER_PAGE = 25


def people_visible_to(user, project):
    """Whether ``user`` may see the project's named stakeholders: only its team may."""
    if not getattr(user, "is_authenticated", False):
        return False
    if project.owner_id == user.pk:
        return True
    return project.team.filter(pk=user.pk).exists()


def groups_of(project, *, with_removed=False):
    """The project's stakeholder groups, each with ``records_count`` (how often reached) and
    ``plans_count``; removed groups only when asked (they keep their plans and records)."""
    qs = StakeholderGroup.objects.filter(project=project)
    if not with_removed:
        qs = qs.filter(removed_at=None)
    return qs.annotate(records_count=Count("records", distinct=True), plans_count=Count("plans", distinct=True))


def people_of(project, user):
    """group id → [named people], or None when ``user`` may not see them."""
    if not people_visible_to(user, project):
        return None
    people = {}
    for person in StakeholderPerson.objects.filter(project=project, group__removed_at=None):
        people.setdefault(person.group_id, []).append(person)
    return people


def plans_of(project, *, iteration=None, step=None):
    qs = EngagementPlan.objects.filter(project=project).select_related("group", "consultation", "iteration")
    if iteration is not None:
        qs = qs.filter(iteration=iteration)
    if step is not None:
        qs = qs.filter(step=step)
    return qs


def records_of(project, *, step=None):
    """Records, newest first, with their groups and changes (two queries for any number of them)."""
    qs = EngagementRecord.objects.filter(project=project).select_related("iteration", "consultation", "created_by")
    if step is not None:
        qs = qs.filter(step=step)
    return qs.prefetch_related(Prefetch("groups", queryset=StakeholderGroup.objects.order_by("name")), "changes")


def grid(project):
    """The picture of engagement across the project: one row per group (live ones, and removed ones
    that were planned for or reached), one cell per step with how many plans and records name it.

    Returns ``{"steps": [StepInfo], "rows": [{"group", "cells": [{"step", "planned", "done", "state"}],
    "engaged": bool}], "never_engaged": [group]}``; a cell's state is ``done``, ``planned`` (planned, not
    yet done), or ``""``.
    """
    cycle = list(steps.CYCLE)
    groups = list(StakeholderGroup.objects.filter(project=project).filter(
        Q(removed_at=None) | Q(plans__isnull=False) | Q(records__isnull=False)).distinct())
    planned = {(r["group_id"], r["step"]): r["n"] for r in EngagementPlan.objects.filter(project=project)
               .values("group_id", "step").annotate(n=Count("pk")).order_by()}
    done = {(r["groups"], r["step"]): r["n"] for r in EngagementRecord.objects.filter(project=project)
            .values("groups", "step").annotate(n=Count("pk")).order_by()}
    rows, never = [], []
    for group in groups:
        cells = []
        for info in cycle:
            p, d = planned.get((group.pk, info.code), 0), done.get((group.pk, info.code), 0)
            cells.append({"step": info, "planned": p, "done": d,
                          "state": "done" if d else ("planned" if p else "")})
        engaged = any(c["done"] for c in cells)
        rows.append({"group": group, "cells": cells, "engaged": engaged})
        if not engaged and group.removed_at is None:
            never.append(group)
    return {"steps": cycle, "rows": rows, "never_engaged": never}


def step_summary(project, iteration, step):
    """What a step page shows about engagement: the plans of this step in ``iteration`` and how many
    records the step has, and the live groups not yet reached anywhere in the project."""
    plans = list(plans_of(project, iteration=iteration, step=step))
    reached = EngagementRecord.objects.filter(project=project, groups=OuterRef("pk"))
    groups = StakeholderGroup.objects.filter(project=project, removed_at=None)
    return {
        "plans": plans,
        "records": EngagementRecord.objects.filter(project=project, step=step).count(),
        "groups": groups.count(),
        "not_reached": list(groups.filter(~Exists(reached)).values_list("name", flat=True)[:10]),
    }


def changes_for(project, kind, object_ids):
    """object id → [EngagementChange with its record] for the given objects of one kind (for the
    timeline's "because of" links)."""
    found = {}
    for change in (EngagementChange.objects.filter(project=project, kind=kind, object_id__in=list(object_ids))
                   .select_related("record")):
        found.setdefault(change.object_id, []).append(change)
    return found


def organisation_counts(organisation, projects=None):
    """Per group name across the organisation's projects (names compared without case): in how many
    projects it is on the map, how many records reached it, and how many people those records say
    took part. ``projects`` limits it to a queryset of projects (the caller's permission)."""
    qs = StakeholderGroup.objects.filter(organisation=organisation, removed_at=None)
    if projects is not None:
        qs = qs.filter(project__in=projects)
    rows = (qs.annotate(key=Lower("name")).values("key")
            .annotate(n_projects=Count("project", distinct=True), n_records=Count("records", distinct=True),
                      n_people=Sum("records__people"))
            .order_by("-n_records", "key"))
    names = dict(qs.annotate(key=Lower("name")).values_list("key", "name"))
    return [{"name": names.get(r["key"], r["key"]), "projects": r["n_projects"], "records": r["n_records"],
             "people": r["n_people"] or 0} for r in rows]


def projects_to_copy_from(project):
    """Other projects of the organisation that have groups to reuse."""
    return (Project.objects.filter(organisation=project.organisation_id).exclude(pk=project.pk)
            .filter(Exists(StakeholderGroup.objects.filter(project=OuterRef("pk"), removed_at=None)))
            .order_by("name"))
