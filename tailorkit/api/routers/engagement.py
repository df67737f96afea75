"""Stakeholder engagement through the API (issue 17): the project's stakeholder map and its named
people, the engagement plans of the current iteration, the records of what was done, and the
picture of groups × steps.

Named people are personal data: only the project team (its owner and members) sees them, through
``selectors.engagement.people_of``; for everyone else a group's ``people`` is null and the routes of
people answer 404, as if there were none. Plans and records are written into the current iteration
(the services refuse an earlier one with 400). Conventions as in ``projects``; refusals become
400/409/404 in ``tailorkit/api/api.py``.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from ninja import Query, Router, Status
from ninja.pagination import paginate

from tailorkit.consultations.models import Consultation
from tailorkit.core.permissions import can
from tailorkit.projects.access import get_row_or_404
from tailorkit.projects.models import EngagementPlan, EngagementRecord, StakeholderGroup, StakeholderPerson, Step
from tailorkit.projects.selectors import engagement as selectors
from tailorkit.projects.services import engagement as services

from ..pagination import BoundedLimitOffsetPagination, page_links
from ..refusals import renames
from ..schemas.common import DELETED, READ, VERSIONED, WRITE, Id, Slug, choices
from ..schemas.engagement import (
    EngagementGridOut,
    EngagementPlanIn,
    EngagementPlanOut,
    EngagementPlanPut,
    EngagementRecordIn,
    EngagementRecordOut,
    EngagementRecordPut,
    StakeholderGroupIn,
    StakeholderGroupOut,
    StakeholderGroupPut,
    StakeholderGroupRemoveIn,
    StakeholderGroupsOut,
    StakeholderPersonIn,
    StakeholderPersonOut,
)
from .projects import PROJECT, current_iteration, get_project

router = Router(tags=["stakeholder engagement"])

StepCode = choices(Step.values)
# The services name the groups and the consultation after the model; the request body names their ids.
GROUP_IDS = {"group": "group_id", "groups": "group_ids", "consultation": "consultation_id"}


# ---- helpers ---------------------------------------------------------------------------------------

def with_people(project, user, groups):
    """The groups, each with ``visible_people``: its named people for the project team, None for
    everyone else (one query for all of them)."""
    people = selectors.people_of(project, user)
    for group in groups:
        group.visible_people = None if people is None else people.get(group.pk, [])
    return groups


def group_out(project, user, group):
    """A group as the list shows it: with its counts, and its people for the team."""
    return with_people(project, user, [selectors.groups_of(project, with_removed=True).get(pk=group.pk)])[0]


def team_project(request, org_slug, project_id, action="view"):
    """The project for a route of named people: 404 unless the caller is on its team, as if the
    people did not exist; then, as everywhere, 403 for a role that may not ``action``."""
    project = get_project(request, org_slug, project_id)
    if not selectors.people_visible_to(request.auth, project):
        raise Http404
    if not can(request.auth, action, project):
        raise PermissionDenied
    return project


def groups_named(project, ids):
    """The project's groups with these ids (removed ones too: the services say what they refuse);
    an id of no group of the project is refused with 400."""
    groups = list(StakeholderGroup.objects.filter(project=project, pk__in=ids))
    missing = sorted(set(ids) - {g.pk for g in groups})
    if missing:
        raise ValidationError({"groups": f"Not a group of this project: {', '.join(map(str, missing))}."})
    return groups


def consultation_of(project, uuid):
    if uuid is None:
        return None
    consultation = Consultation.objects.filter(organisation=project.organisation_id, uuid=uuid).first()
    if consultation is None:
        raise ValidationError({"consultation": "Choose a consultation of this organisation."})
    return consultation


def changes_of(payload):
    if payload.changes is None:
        return None
    return [(c.kind, c.object_id, c.what) for c in payload.changes]


def plan_out(plan):
    return selectors.plans_of(plan.project).get(pk=plan.pk)


def record_out(record):
    return selectors.records_of(record.project).get(pk=record.pk)


# ---- the stakeholder map ---------------------------------------------------------------------------

@router.get(PROJECT + "/stakeholders", response={200: StakeholderGroupsOut, **READ},
            summary="The project's stakeholder groups, with their named people for the project team")
def stakeholder_group_list(request, org_slug: Slug, project_id: Id, page: Query[BoundedLimitOffsetPagination.Input],
                           removed: bool = False):
    """The groups on the map, by name; ``removed=true`` adds the groups taken off it (with
    ``removed_at``), which keep their plans and records. ``people`` lists a group's named people
    for the project team (its owner and members) only, and is null for everyone else.

    A page at a time: ``items`` holds at most ``limit`` groups (100 unless asked, 500 at most) from
    ``offset``; ``count``, ``next`` and ``previous`` as in every list."""
    project = get_project(request, org_slug, project_id)
    groups = selectors.groups_of(project, with_removed=removed)
    count = groups.count()
    items = with_people(project, request.auth, list(groups[page.offset:page.offset + page.limit]))
    return {"items": items, "count": count,
            **page_links(request, offset=page.offset, limit=page.limit, count=count)}


@router.post(PROJECT + "/stakeholders", response={201: StakeholderGroupOut, **WRITE},
             summary="Put a stakeholder group on the project's map")
def stakeholder_group_create(request, org_slug: Slug, project_id: Id, payload: StakeholderGroupIn):
    project = get_project(request, org_slug, project_id, "edit")
    group = services.stakeholder_group_create(project=project, user=request.auth, **payload.model_dump())
    return Status(201, group_out(project, request.auth, group))


@router.put(PROJECT + "/stakeholders/{group_id}", response={200: StakeholderGroupOut, **VERSIONED},
            summary="Change a stakeholder group")
def stakeholder_group_update(request, org_slug: Slug, project_id: Id, group_id: Id, payload: StakeholderGroupPut):
    """The whole group: fields left out take their defaults. A group taken off the map is a 404."""
    project = get_project(request, org_slug, project_id, "edit")
    group = get_row_or_404(StakeholderGroup, project, group_id, removed_at=None)
    group = services.stakeholder_group_update(group=group, user=request.auth, **payload.model_dump())
    return group_out(project, request.auth, group)


@router.delete(PROJECT + "/stakeholders/{group_id}", response={**DELETED, **VERSIONED},
               summary="Take a stakeholder group off the map (its named people are erased)")
def stakeholder_group_remove(request, org_slug: Slug, project_id: Id, group_id: Id,
                             payload: StakeholderGroupRemoveIn):
    """The body carries the ``version`` you read: a group changed since is a 409. Plans and records
    that name the group keep it, marked removed (``?removed=true`` on the list shows it); its named
    people are erased for good."""
    project = get_project(request, org_slug, project_id, "edit")
    group = get_row_or_404(StakeholderGroup, project, group_id, removed_at=None)
    services.stakeholder_group_remove(group=group, user=request.auth, version=payload.version)
    return Status(204, None)


@router.post(PROJECT + "/stakeholders/{group_id}/people", response={201: StakeholderPersonOut, **WRITE},
             summary="Name a person in a stakeholder group (project team only)")
def stakeholder_person_add(request, org_slug: Slug, project_id: Id, group_id: Id, payload: StakeholderPersonIn):
    """Only the project team may: for everyone else this route is a 404."""
    project = team_project(request, org_slug, project_id, "edit")
    group = get_row_or_404(StakeholderGroup, project, group_id)
    person = services.stakeholder_person_add(group=group, user=request.auth, **payload.model_dump())
    return Status(201, person)


@router.delete(PROJECT + "/stakeholder-people/{person_id}", response=DELETED,
               summary="Erase a named person for good (project team only)")
def stakeholder_person_erase(request, org_slug: Slug, project_id: Id, person_id: Id):
    """A request to be forgotten: the person is deleted with no history kept; the audit log records
    that someone was erased, never who. Only the project team may: for everyone else a 404."""
    project = team_project(request, org_slug, project_id, "edit")
    person = get_row_or_404(StakeholderPerson, project, person_id)
    services.stakeholder_person_erase(person=person, user=request.auth, request=request)
    return Status(204, None)


# ---- plans -----------------------------------------------------------------------------------------

@router.get(PROJECT + "/engagement/plans", response={200: list[EngagementPlanOut], **READ},
            summary="Whom the team plans to involve, in which step, why and how")
@paginate(BoundedLimitOffsetPagination)
def engagement_plan_list(request, org_slug: Slug, project_id: Id, step: StepCode | None = None):
    """The plans of every iteration (each names its ``iteration``), ``step`` for one step only. A page
    at a time: ``items``, ``count``, ``next`` and ``previous`` as in every list."""
    project = get_project(request, org_slug, project_id)
    return selectors.plans_of(project, step=step)


@router.post(PROJECT + "/engagement/plans", response={201: EngagementPlanOut, **WRITE},
             summary="Plan to involve a group in a step of the current iteration")
@renames(GROUP_IDS)
def engagement_plan_create(request, org_slug: Slug, project_id: Id, payload: EngagementPlanIn):
    project = get_project(request, org_slug, project_id, "edit")
    plan = services.engagement_plan_add(
        project=project, iteration=current_iteration(project), user=request.auth, step=payload.step,
        group=StakeholderGroup.objects.filter(project=project, pk=payload.group_id).first(),
        objective=payload.objective, approach=payload.approach, note=payload.note,
        consultation=consultation_of(project, payload.consultation_id))
    return Status(201, plan_out(plan))


@router.put(PROJECT + "/engagement/plans/{plan_id}", response={200: EngagementPlanOut, **VERSIONED},
            summary="Change an engagement plan of the current iteration")
@renames(GROUP_IDS)
def engagement_plan_update(request, org_slug: Slug, project_id: Id, plan_id: Id, payload: EngagementPlanPut):
    """The whole plan: fields left out take their defaults. A plan of an earlier iteration is a 400."""
    project = get_project(request, org_slug, project_id, "edit")
    plan = get_row_or_404(EngagementPlan, project, plan_id)
    plan = services.engagement_plan_update(
        plan=plan, user=request.auth, version=payload.version, step=payload.step,
        group=StakeholderGroup.objects.filter(project=project, pk=payload.group_id).first(),
        objective=payload.objective, approach=payload.approach, note=payload.note,
        consultation=consultation_of(project, payload.consultation_id))
    return plan_out(plan)


@router.delete(PROJECT + "/engagement/plans/{plan_id}", response=DELETED,
               summary="Delete an engagement plan of the current iteration")
def engagement_plan_delete(request, org_slug: Slug, project_id: Id, plan_id: Id):
    project = get_project(request, org_slug, project_id, "edit")
    services.engagement_plan_delete(plan=get_row_or_404(EngagementPlan, project, plan_id), user=request.auth)
    return Status(204, None)


# ---- records of what was done ----------------------------------------------------------------------

@router.get(PROJECT + "/engagement/records", response={200: list[EngagementRecordOut], **READ},
            summary="What the team did to involve its stakeholders, and what came of it, the newest first")
@paginate(BoundedLimitOffsetPagination)
def engagement_record_list(request, org_slug: Slug, project_id: Id, step: StepCode | None = None):
    """Each record with the groups it reached and the items the team changed because of it;
    ``consultation_id`` names the consultation whose closing added it. ``step`` for one step only. A
    page at a time: ``items``, ``count``, ``next`` and ``previous`` as in every list."""
    project = get_project(request, org_slug, project_id)
    return selectors.records_of(project, step=step)


@router.get(PROJECT + "/engagement/records/{record_id}", response={200: EngagementRecordOut, **READ},
            summary="One record of engagement")
def engagement_record_detail(request, org_slug: Slug, project_id: Id, record_id: Id):
    project = get_project(request, org_slug, project_id)
    record = selectors.records_of(project).filter(pk=record_id).first()
    if record is None:
        raise Http404
    return record


@router.post(PROJECT + "/engagement/records", response={201: EngagementRecordOut, **WRITE},
             summary="Record what was done to involve stakeholders, in the current iteration")
@renames(GROUP_IDS)
def engagement_record_create(request, org_slug: Slug, project_id: Id, payload: EngagementRecordIn):
    """``date`` is today or earlier: a date still to come is refused (plan it instead)."""
    project = get_project(request, org_slug, project_id, "edit")
    record = services.engagement_record_add(
        project=project, iteration=current_iteration(project), user=request.auth, step=payload.step,
        date=payload.date, approach=payload.approach, groups=groups_named(project, payload.group_ids),
        people=payload.people, heard=payload.heard, changed=payload.changed, changes=changes_of(payload) or ())
    return Status(201, record_out(record))


@router.put(PROJECT + "/engagement/records/{record_id}", response={200: EngagementRecordOut, **VERSIONED},
            summary="Change a record of engagement")
@renames(GROUP_IDS)
def engagement_record_update(request, org_slug: Slug, project_id: Id, record_id: Id, payload: EngagementRecordPut):
    """The whole record: fields left out take their defaults, except ``changes``, which stay as they
    are when left out (an empty list clears them)."""
    project = get_project(request, org_slug, project_id, "edit")
    record = get_row_or_404(EngagementRecord, project, record_id)
    record = services.engagement_record_update(
        record=record, user=request.auth, version=payload.version, step=payload.step, date=payload.date,
        approach=payload.approach, groups=groups_named(project, payload.group_ids), people=payload.people,
        heard=payload.heard, changed=payload.changed, changes=changes_of(payload))
    return record_out(record)


@router.delete(PROJECT + "/engagement/records/{record_id}", response=DELETED, summary="Delete a record of engagement")
def engagement_record_delete(request, org_slug: Slug, project_id: Id, record_id: Id):
    project = get_project(request, org_slug, project_id, "edit")
    services.engagement_record_delete(record=get_row_or_404(EngagementRecord, project, record_id), user=request.auth)
    return Status(204, None)


# ---- the picture of groups × steps -----------------------------------------------------------------

@router.get(PROJECT + "/engagement/grid", response={200: EngagementGridOut, **READ},
            summary="Groups × steps: in which step each group was planned for and reached")
def engagement_grid(request, org_slug: Slug, project_id: Id):
    """One row per group on the map (and per removed group that was planned for or reached), one cell
    per step of the cycle with how many plans and records name the group there; ``never_engaged``
    names the groups on the map no record has reached yet."""
    project = get_project(request, org_slug, project_id)
    return selectors.grid(project)
