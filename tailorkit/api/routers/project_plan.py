"""Steps 3 and 4 of a project through the API (issue 3, point 11): the specification, tasks,
success criteria, "plan ready", reviews and decisions, plus effort and reading one iteration.

Writes go to the current iteration only (the services refuse an earlier one with 400): earlier
iterations are the record of a pass the team has left, readable through ``/iterations/{number}``.
Conventions as in ``project_steps``.
"""

from django.core.exceptions import ValidationError
from django.http import Http404
from ninja import Router, Status

from tailorkit.core.models import User
from tailorkit.projects.access import get_row_or_404
from tailorkit.projects.models import EffortEntry, Project, Review, SuccessCriterion, Task
from tailorkit.projects.services import effort as effort_services
from tailorkit.projects.services import step3, step4

from ..schemas import Slug
from ..schemas_projects import CriterionOut, IterationOut, ProjectOut, ReviewOut, TaskOut
from ..schemas_steps import (
    SPEC_FIELDS,
    CriterionIn,
    CriterionPatch,
    DecisionIn,
    DecisionRecordedOut,
    EffortEntryOut,
    EffortIn,
    EffortOut,
    Id,
    ReviewIn,
    ReviewPatch,
    SpecificationIn,
    SpecificationOut,
    TaskIn,
    TaskPatch,
)
from .project_steps import (
    DELETED,
    PROJECT,
    READ,
    VERSIONED,
    WRITE,
    answers_refusals,
    current_iteration,
    given,
    iteration_queryset,
    pick,
)
from .projects import get_project, project_queryset

router = Router(tags=["project steps"])


def sent(payload, name, current):
    """For values that null clears (owner, dates, numeric target): sent at all, or kept."""
    return getattr(payload, name) if name in payload.model_fields_set else current


# ---- specification ---------------------------------------------------------------------------------

@router.put(PROJECT + "/iterations/current/specification", response={200: SpecificationOut, **VERSIONED},
            summary="Specify the chosen strategy (TIDieR items, Proctor's dimensions)")
@answers_refusals()
def specification_save(request, org_slug: Slug, project_id: Id, payload: SpecificationIn):
    project = get_project(request, org_slug, project_id, "edit")
    data = {f: getattr(payload, f) for f in SPEC_FIELDS if given(payload, f)}
    return step3.spec_save(iteration=current_iteration(project), user=request.auth, version=payload.version,
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


def task_out(task):
    return Task.objects.select_related("owner").get(pk=task.pk)


@router.post(PROJECT + "/tasks", response={201: TaskOut, **WRITE}, summary="Add a task to the current plan")
@answers_refusals()
def task_create(request, org_slug: Slug, project_id: Id, payload: TaskIn):
    project = get_project(request, org_slug, project_id, "edit")
    task = step3.task_create(iteration=current_iteration(project), user=request.auth, title=payload.title,
                             owner=team_member(project, payload.owner), due_date=payload.due_date,
                             status=payload.status)
    return Status(201, task_out(task))


@router.patch(PROJECT + "/tasks/{task_id}", response={200: TaskOut, **VERSIONED}, summary="Change a task")
@answers_refusals()
def task_update(request, org_slug: Slug, project_id: Id, task_id: Id, payload: TaskPatch):
    """Fields left out stay as they are; ``owner`` or ``due_date`` null clears them."""
    project = get_project(request, org_slug, project_id, "edit")
    task = get_row_or_404(Task, project, task_id)
    if payload.model_fields_set <= {"version", "status"} and given(payload, "status"):
        # Only the status: the quick change, which does not re-check an owner who left the team.
        task = step3.task_set_status(task=task, user=request.auth, status=payload.status, version=payload.version)
    else:
        owner = team_member(project, payload.owner) if "owner" in payload.model_fields_set else task.owner
        task = step3.task_update(task=task, user=request.auth, version=payload.version,
                                 title=pick(payload, "title", task.title), owner=owner,
                                 due_date=sent(payload, "due_date", task.due_date),
                                 status=pick(payload, "status", task.status))
    return task_out(task)


@router.delete(PROJECT + "/tasks/{task_id}", response=DELETED, summary="Delete a task")
@answers_refusals()
def task_delete(request, org_slug: Slug, project_id: Id, task_id: Id):
    project = get_project(request, org_slug, project_id, "edit")
    step3.task_delete(task=get_row_or_404(Task, project, task_id), user=request.auth)
    return Status(204, None)


# ---- success criteria ------------------------------------------------------------------------------

@router.post(PROJECT + "/criteria", response={201: CriterionOut, **WRITE},
             summary="Set a success criterion for the current iteration")
@answers_refusals()
def criterion_create(request, org_slug: Slug, project_id: Id, payload: CriterionIn):
    project = get_project(request, org_slug, project_id, "edit")
    criterion = step3.criterion_create(iteration=current_iteration(project), user=request.auth,
                                       **payload.model_dump(include={"description", "target_value", "target_unit",
                                                                     "target_date"}))
    return Status(201, criterion)


@router.patch(PROJECT + "/criteria/{criterion_id}", response={200: CriterionOut, **VERSIONED},
              summary="Change a success criterion")
@answers_refusals()
def criterion_update(request, org_slug: Slug, project_id: Id, criterion_id: Id, payload: CriterionPatch):
    """Fields left out stay as they are; ``target_value`` or ``target_date`` null clears them."""
    project = get_project(request, org_slug, project_id, "edit")
    criterion = get_row_or_404(SuccessCriterion, project, criterion_id)
    return step3.criterion_update(
        criterion=criterion, user=request.auth, version=payload.version,
        description=pick(payload, "description", criterion.description),
        target_value=sent(payload, "target_value", criterion.target_value),
        target_unit=pick(payload, "target_unit", criterion.target_unit),
        target_date=sent(payload, "target_date", criterion.target_date))


@router.delete(PROJECT + "/criteria/{criterion_id}", response=DELETED, summary="Delete a success criterion")
@answers_refusals()
def criterion_delete(request, org_slug: Slug, project_id: Id, criterion_id: Id):
    project = get_project(request, org_slug, project_id, "edit")
    step3.criterion_delete(criterion=get_row_or_404(SuccessCriterion, project, criterion_id), user=request.auth)
    return Status(204, None)


@router.post(PROJECT + "/plan-ready", response={200: ProjectOut, **WRITE},
             summary="Mark the plan ready: the project moves on to step 4")
@answers_refusals()
def plan_ready(request, org_slug: Slug, project_id: Id):
    project = get_project(request, org_slug, project_id, "edit")
    step3.plan_mark_ready(project=project, user=request.auth)
    return project_queryset(project.organisation).get(pk=project.pk)


# ---- reviews and decisions -------------------------------------------------------------------------

def judgements_of(rows):
    return [{"criterion": j.criterion_id, "verdict": j.verdict or "", "evidence": j.evidence} for j in rows or ()]


def review_out(review):
    return Review.objects.prefetch_related("judgements").get(pk=review.pk)


@router.post(PROJECT + "/reviews", response={201: ReviewOut, **WRITE},
             summary="Record a review of the current iteration, with a judgement per success criterion")
@answers_refusals()
def review_create(request, org_slug: Slug, project_id: Id, payload: ReviewIn):
    project = get_project(request, org_slug, project_id, "edit")
    review = step4.review_create(iteration=current_iteration(project), user=request.auth,
                                 review_date=payload.review_date, what_was_done=payload.what_was_done,
                                 evidence=payload.evidence, judgements=judgements_of(payload.judgements))
    return Status(201, review_out(review))


@router.patch(PROJECT + "/reviews/{review_id}", response={200: ReviewOut, **VERSIONED},
              summary="Change a review and its judgements")
@answers_refusals()
def review_update(request, org_slug: Slug, project_id: Id, review_id: Id, payload: ReviewPatch):
    """Fields left out stay as they are; judgements are changed for the criteria sent (verdict null
    removes a judgement) and kept for the others."""
    project = get_project(request, org_slug, project_id, "edit")
    review = get_row_or_404(Review, project, review_id)
    review = step4.review_update(
        review=review, user=request.auth, version=payload.version,
        review_date=pick(payload, "review_date", review.review_date),
        what_was_done=pick(payload, "what_was_done", review.what_was_done),
        evidence=pick(payload, "evidence", review.evidence), judgements=judgements_of(payload.judgements))
    return review_out(review)


@router.post(PROJECT + "/decisions", response={201: DecisionRecordedOut, **WRITE},
             summary="Decide what comes next; a step back starts a new iteration")
@answers_refusals({"review": "review_id"})
def decision_create(request, org_slug: Slug, project_id: Id, payload: DecisionIn):
    project = get_project(request, org_slug, project_id, "edit")
    review = get_row_or_404(Review, project, payload.review_id) if payload.review_id is not None else None
    decision, new = step4.decision_record(iteration=current_iteration(project), user=request.auth,
                                          kind=payload.kind, reason=payload.reason, review=review)
    step = Project.objects.values_list("step", flat=True).get(pk=project.pk)
    return Status(201, {"decision": decision, "new_iteration": new.number if new else None, "step": step})


@router.get(PROJECT + "/iterations/{iteration_number}", response={200: IterationOut, **READ},
            summary="One iteration with its focus, choice, plan, reviews and decisions")
def iteration_detail(request, org_slug: Slug, project_id: Id, iteration_number: Id):
    project = get_project(request, org_slug, project_id)
    iteration = iteration_queryset(project).filter(number=iteration_number).first()
    if iteration is None:
        raise Http404
    return iteration


# ---- effort ----------------------------------------------------------------------------------------

@router.get(PROJECT + "/effort", response={200: EffortOut, **READ},
            summary="Time logged on the project, with totals by person and by step")
def effort_list(request, org_slug: Slug, project_id: Id):
    project = get_project(request, org_slug, project_id)
    by_person, by_step, total = effort_services.effort_totals(project)
    return {"entries": EffortEntry.objects.filter(project=project).select_related("user"),
            "total_minutes": total, "by_person": by_person, "by_step": by_step}


@router.post(PROJECT + "/effort", response={201: EffortEntryOut, **WRITE}, summary="Log time spent on the project")
@answers_refusals()
def effort_create(request, org_slug: Slug, project_id: Id, payload: EffortIn):
    project = get_project(request, org_slug, project_id, "edit")
    entry = effort_services.effort_log(project=project, user=request.auth, date=payload.date,
                                       minutes=payload.minutes, activity=payload.activity, step=payload.step)
    return Status(201, entry)


@router.delete(PROJECT + "/effort/{entry_id}", response=DELETED, summary="Delete one of your own effort entries")
@answers_refusals()
def effort_delete(request, org_slug: Slug, project_id: Id, entry_id: Id):
    project = get_project(request, org_slug, project_id, "edit")
    # Another person's entry is a 404, as on the page: people delete only their own.
    entry = EffortEntry.objects.filter(project=project, pk=entry_id, user=request.auth).first()
    if entry is None:
        raise Http404
    effort_services.effort_delete(entry=entry, user=request.auth)
    return Status(204, None)
