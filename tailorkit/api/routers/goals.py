"""Goals and barriers of a project through the API (issue 3, point 11): goals, barriers, the caller's ratings
of the barriers, and the focus of the current iteration.

Conventions as in ``projects``: "view" to read, "edit" to write; a service's refusal is a 400 with
messages per field and a stale edit a 409 with the row as it is now saved (both made by the
exception handlers in ``tailorkit/api/api.py``).
"""

from django.core.exceptions import ValidationError
from ninja import Router, Status

from tailorkit.projects.access import get_row_or_404
from tailorkit.projects.models import Barrier, BarrierRating, Goal
from tailorkit.projects.selectors.goals import barrier_with_ratings
from tailorkit.projects.selectors.iterations import iteration_with_everything
from tailorkit.projects.services import goals as goal_services

from ..refusals import renames
from ..schemas.common import DELETED, READ, VERSIONED, WRITE, Id, Slug
from ..schemas.goals import (
    BarrierIn,
    BarrierOut,
    BarrierPatch,
    FocusIn,
    GoalIn,
    GoalOut,
    GoalPatch,
    MyRatingOut,
    RatingsIn,
    RatingsOut,
)
from ..schemas.projects import IterationOut
from .projects import PROJECT, current_iteration, get_project, given, item_of, pick

router = Router(tags=["project steps"])


# ---- goals -----------------------------------------------------------------------------------------

@router.post(PROJECT + "/goals", response={201: GoalOut, **WRITE}, summary="Write a goal")
def goal_create(request, org_slug: Slug, project_id: Id, payload: GoalIn):
    project = get_project(request, org_slug, project_id, "edit")
    goal = goal_services.goal_create(project=project, user=request.auth, target_group=payload.target_group,
                                     end_goal=payload.end_goal, emphasis=payload.emphasis)
    return Status(201, goal)


@router.patch(PROJECT + "/goals/{goal_id}", response={200: GoalOut, **VERSIONED}, summary="Change a goal")
def goal_update(request, org_slug: Slug, project_id: Id, goal_id: Id, payload: GoalPatch):
    project = get_project(request, org_slug, project_id, "edit")
    goal = get_row_or_404(Goal, project, goal_id)
    return goal_services.goal_update(project=project, user=request.auth, goal=goal, version=payload.version,
                                     **{f: pick(payload, f, getattr(goal, f)) for f in goal_services.GOAL_FIELDS})


@router.delete(PROJECT + "/goals/{goal_id}", response=DELETED, summary="Delete a goal")
def goal_delete(request, org_slug: Slug, project_id: Id, goal_id: Id):
    project = get_project(request, org_slug, project_id, "edit")
    goal_services.goal_delete(project=project, user=request.auth, goal=get_row_or_404(Goal, project, goal_id))
    return Status(204, None)


# ---- barriers --------------------------------------------------------------------------------------

# The services name a custom barrier's fields after the model; the request body uses shorter names.
CUSTOM_BARRIER = {"custom_name": "name", "custom_category": "category"}


@router.post(PROJECT + "/barriers", response={201: BarrierOut, **WRITE},
             summary="Add a barrier from the project's list, or a custom one")
@renames(CUSTOM_BARRIER)
def barrier_create(request, org_slug: Slug, project_id: Id, payload: BarrierIn):
    project = get_project(request, org_slug, project_id, "edit")
    if payload.item is not None:
        if payload.name is not None or payload.category is not None:
            raise ValidationError({"item": "Give either an item of the barrier list, or a name and category "
                                           "for a custom barrier, not both."})
        barrier = goal_services.barrier_add_from_pack(project=project, user=request.auth, item=item_of(payload.item),
                                                      notes=payload.notes)
    else:
        barrier = goal_services.barrier_add_custom(project=project, user=request.auth, name=payload.name or "",
                                                   category=payload.category or "", notes=payload.notes)
    return Status(201, barrier_with_ratings(barrier))


@router.patch(PROJECT + "/barriers/{barrier_id}", response={200: BarrierOut, **VERSIONED},
              summary="Change a barrier's notes (and a custom barrier's name and category)")
@renames(CUSTOM_BARRIER)
def barrier_update(request, org_slug: Slug, project_id: Id, barrier_id: Id, payload: BarrierPatch):
    project = get_project(request, org_slug, project_id, "edit")
    barrier = get_row_or_404(Barrier, project, barrier_id)
    if not barrier.is_custom and (given(payload, "name") or given(payload, "category")):
        raise ValidationError({"name": "A barrier from the list keeps its name and category; add a custom "
                                       "barrier if you need another wording."})
    barrier = goal_services.barrier_update(
        project=project, user=request.auth, barrier=barrier, version=payload.version,
        notes=pick(payload, "notes", barrier.notes), name=pick(payload, "name", barrier.custom_name),
        category=pick(payload, "category", barrier.custom_category))
    return barrier_with_ratings(barrier)


@router.delete(PROJECT + "/barriers/{barrier_id}", response=DELETED,
               summary="Delete a barrier (with its ratings and candidate strategies)")
def barrier_delete(request, org_slug: Slug, project_id: Id, barrier_id: Id):
    project = get_project(request, org_slug, project_id, "edit")
    goal_services.barrier_delete(project=project, user=request.auth,
                                         barrier=get_row_or_404(Barrier, project, barrier_id))
    return Status(204, None)


# ---- ratings and focus -----------------------------------------------------------------------------

def my_ratings(project, user):
    rows = BarrierRating.objects.filter(barrier__project=project, rated_by=user)
    return {"ratings": {r.barrier_id: MyRatingOut.from_orm(r) for r in rows}}


@router.get(PROJECT + "/ratings", response={200: RatingsOut, **READ}, summary="Your own ratings of the barriers")
def ratings_read(request, org_slug: Slug, project_id: Id):
    project = get_project(request, org_slug, project_id)
    return my_ratings(project, request.auth)


@router.put(PROJECT + "/ratings", response={200: RatingsOut, **WRITE},
            summary="Rate barriers: importance and changeability, 1–5, by barrier id")
def ratings_save(request, org_slug: Slug, project_id: Id, payload: RatingsIn):
    """Each person has their own rating of a barrier; barriers left out keep theirs. Errors are
    keyed by barrier id, and nothing is saved if any rating is wrong."""
    project = get_project(request, org_slug, project_id, "edit")
    goal_services.ratings_save(project=project, user=request.auth,
                               ratings={pk: (r.importance, r.changeability) for pk, r in payload.root.items()})
    return my_ratings(project, request.auth)


@router.put(PROJECT + "/iterations/current/focus", response={200: IterationOut, **VERSIONED},
            summary="Set the goal(s) and barrier(s) the current iteration works on")
@renames({"goals": "goal_ids", "barriers": "barrier_ids"})
def focus_set(request, org_slug: Slug, project_id: Id, payload: FocusIn):
    project = get_project(request, org_slug, project_id, "edit")
    goals = list(Goal.objects.filter(project=project, pk__in=payload.goal_ids))
    barriers = list(Barrier.objects.filter(project=project, pk__in=payload.barrier_ids))
    missing = {name: [f"Not a {what} of this project: {', '.join(map(str, sorted(set(ids) - found)))}."]
               for name, what, ids, found in (("goal_ids", "goal", payload.goal_ids, {g.pk for g in goals}),
                                              ("barrier_ids", "barrier", payload.barrier_ids, {b.pk for b in barriers}))
               if set(ids) - found}
    if missing:
        raise ValidationError(missing)
    iteration = goal_services.focus_set(project=project, user=request.auth, iteration=current_iteration(project),
                                        version=payload.version, goals=goals, barriers=barriers, reason=payload.reason)
    return iteration_with_everything(iteration)
