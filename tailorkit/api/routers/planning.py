"""Design and plan of a project through the API (issue 3, point 11): the specification of the chosen
strategy, tasks, success criteria and "plan ready".

Writes go to the current iteration only (the services refuse an earlier one with 400): earlier
iterations are the record of a pass the team has left, readable through ``/iterations/{number}``.
Conventions as in ``projects``; refusals become 400/409/404 in ``tailorkit/api/api.py``.
"""

from django.core.exceptions import ValidationError
from ninja import Router, Status

from tailorkit.core.models import User
from tailorkit.projects.access import get_row_or_404
from tailorkit.projects.models import SuccessCriterion, Task
from tailorkit.projects.selectors.planning import task_with_owner
from tailorkit.projects.selectors.projects import project_queryset
from tailorkit.projects.services import planning as planning_services

from ..schemas.common import DELETED, VERSIONED, WRITE, Id, Slug
from ..schemas.planning import (
    SPEC_FIELDS,
    CriterionIn,
    CriterionOut,
    CriterionPatch,
    SpecificationIn,
    SpecificationOut,
    TaskIn,
    TaskOut,
    TaskPatch,
)
from ..schemas.projects import ProjectOut
from .projects import PROJECT, current_iteration, get_project, given, pick, sent

router = Router(tags=["project steps"])


# ---- specification ---------------------------------------------------------------------------------

@router.put(PROJECT + "/iterations/current/specification", response={200: SpecificationOut, **VERSIONED},
            summary="Specify the chosen strategy (TIDieR items, Proctor's dimensions)")
def specification_save(request, org_slug: Slug, project_id: Id, payload: SpecificationIn):
    project = get_project(request, org_slug, project_id, "edit")
    data = {f: getattr(payload, f) for f in SPEC_FIELDS if given(payload, f)}
    return planning_services.spec_save(iteration=current_iteration(project), user=request.auth, version=payload.version,
                                       data=data)


# ---- tasks -----------------------------------------------------------------------------------------

def team_member(project, email):
    """The person with this email address, to be checked against the team by the service."""
    if email is None:
        return None
    user = User.objects.filter(email__iexact=email.strip(), memberships__organisation=project.organisation).first()
    if user is None:
        raise ValidationError({"owner": f"{email} is not a person in this organisation."})
    return user


@router.post(PROJECT + "/tasks", response={201: TaskOut, **WRITE}, summary="Add a task to the current plan")
def task_create(request, org_slug: Slug, project_id: Id, payload: TaskIn):
    project = get_project(request, org_slug, project_id, "edit")
    task = planning_services.task_create(iteration=current_iteration(project), user=request.auth, title=payload.title,
                                         owner=team_member(project, payload.owner), due_date=payload.due_date,
                                         status=payload.status)
    return Status(201, task_with_owner(task))


@router.patch(PROJECT + "/tasks/{task_id}", response={200: TaskOut, **VERSIONED}, summary="Change a task")
def task_update(request, org_slug: Slug, project_id: Id, task_id: Id, payload: TaskPatch):
    """Fields left out stay as they are; ``owner`` or ``due_date`` null clears them."""
    project = get_project(request, org_slug, project_id, "edit")
    task = get_row_or_404(Task, project, task_id)
    if payload.model_fields_set <= {"version", "status"} and given(payload, "status"):
        # Only the status: the quick change, which does not re-check an owner who left the team.
        task = planning_services.task_set_status(task=task, user=request.auth, status=payload.status,
                                                 version=payload.version)
    else:
        owner = team_member(project, payload.owner) if "owner" in payload.model_fields_set else task.owner
        task = planning_services.task_update(task=task, user=request.auth, version=payload.version,
                                             title=pick(payload, "title", task.title), owner=owner,
                                             due_date=sent(payload, "due_date", task.due_date),
                                             status=pick(payload, "status", task.status))
    return task_with_owner(task)


@router.delete(PROJECT + "/tasks/{task_id}", response=DELETED, summary="Delete a task")
def task_delete(request, org_slug: Slug, project_id: Id, task_id: Id):
    project = get_project(request, org_slug, project_id, "edit")
    planning_services.task_delete(task=get_row_or_404(Task, project, task_id), user=request.auth)
    return Status(204, None)


# ---- success criteria ------------------------------------------------------------------------------

@router.post(PROJECT + "/criteria", response={201: CriterionOut, **WRITE},
             summary="Set a success criterion for the current iteration")
def criterion_create(request, org_slug: Slug, project_id: Id, payload: CriterionIn):
    project = get_project(request, org_slug, project_id, "edit")
    criterion = planning_services.criterion_create(
        iteration=current_iteration(project), user=request.auth,
        **payload.model_dump(include={"description", "target_value", "target_unit", "target_date"}))
    return Status(201, criterion)


@router.patch(PROJECT + "/criteria/{criterion_id}", response={200: CriterionOut, **VERSIONED},
              summary="Change a success criterion")
def criterion_update(request, org_slug: Slug, project_id: Id, criterion_id: Id, payload: CriterionPatch):
    """Fields left out stay as they are; ``target_value`` or ``target_date`` null clears them."""
    project = get_project(request, org_slug, project_id, "edit")
    criterion = get_row_or_404(SuccessCriterion, project, criterion_id)
    return planning_services.criterion_update(
        criterion=criterion, user=request.auth, version=payload.version,
        description=pick(payload, "description", criterion.description),
        target_value=sent(payload, "target_value", criterion.target_value),
        target_unit=pick(payload, "target_unit", criterion.target_unit),
        target_date=sent(payload, "target_date", criterion.target_date))


@router.delete(PROJECT + "/criteria/{criterion_id}", response=DELETED, summary="Delete a success criterion")
def criterion_delete(request, org_slug: Slug, project_id: Id, criterion_id: Id):
    project = get_project(request, org_slug, project_id, "edit")
    planning_services.criterion_delete(criterion=get_row_or_404(SuccessCriterion, project, criterion_id),
                                       user=request.auth)
    return Status(204, None)


@router.post(PROJECT + "/plan-ready", response={200: ProjectOut, **WRITE},
             summary="Mark the plan ready: the project moves on to step 4")
def plan_ready(request, org_slug: Slug, project_id: Id):
    project = get_project(request, org_slug, project_id, "edit")
    planning_services.plan_mark_ready(project=project, user=request.auth)
    return project_queryset(project.organisation).get(pk=project.pk)
