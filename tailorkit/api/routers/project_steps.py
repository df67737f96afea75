"""Steps 1 and 2 of a project through the API (issue 3, point 11): goals, barriers, ratings, the
focus, strategy options, their APEASE appraisal and the choice. Steps 3, 4 and effort are in
``project_plan``; both use the shared helpers below.

Same services and permission layer as the pages: "view" to read, "edit" to write (viewers and
supporters get 403), a row of another project is a 404 like one that does not exist, a service's
refusal is a 400 with messages per field and a stale edit a 409 with the row as it is now saved.
A foreign organisation is refused in auth (404) before any body is parsed.
"""

import functools

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.models import Prefetch
from django.http import Http404
from ninja import Router, Status

from tailorkit.core.locking import StaleEdit
from tailorkit.library.models import Item
from tailorkit.projects.access import get_row_or_404
from tailorkit.projects.models import (
    APEASE,
    Barrier,
    BarrierRating,
    Goal,
    Iteration,
    Review,
    Specification,
    StrategyOption,
    SuccessCriterion,
    Task,
)
from tailorkit.projects.services import step1, step2

from ..schemas import INVALID, NOT_FOUND, UNAUTHORISED, Slug
from ..schemas_projects import (
    BarrierOut,
    CriterionOut,
    GoalOut,
    IterationOut,
    OptionOut,
    ReviewOut,
    TaskOut,
)
from ..schemas_steps import (
    AppraisalIn,
    AppraisalStateOut,
    BarrierIn,
    BarrierPatch,
    ChoiceIn,
    FocusIn,
    GoalIn,
    GoalPatch,
    Id,
    MyRatingOut,
    OptionIn,
    OptionPatch,
    RatingsIn,
    RatingsOut,
    SpecificationOut,
)
from .projects import BAD, CONFLICT, FORBIDDEN, get_project

router = Router(tags=["project steps"])

PROJECT = "/organisations/{org_slug}/projects/{project_id}"
READ = {**UNAUTHORISED, **NOT_FOUND, **INVALID}
WRITE = {**BAD, **UNAUTHORISED, **FORBIDDEN, **NOT_FOUND, **INVALID}
VERSIONED = {**WRITE, **CONFLICT}
DELETED = {204: None, **WRITE}


# ---- shared helpers --------------------------------------------------------------------------------

# How the row a stale edit was refused for is shown in the 409 body.
CURRENT_SCHEMAS = {Goal: GoalOut, Barrier: BarrierOut, StrategyOption: OptionOut, Iteration: IterationOut,
                   Specification: SpecificationOut, Task: TaskOut, SuccessCriterion: CriterionOut, Review: ReviewOut}


def current_of(obj):
    if isinstance(obj, dict):  # an appraisal: {criterion: Appraisal}
        return {c: AppraisalStateOut.from_orm(a).model_dump(mode="json") for c, a in obj.items()}
    return CURRENT_SCHEMAS[type(obj)].from_orm(obj).model_dump(mode="json")


def step_errors(exc, rename=None):
    """400 with the service's messages, keyed by the request's own field names."""
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    if not callable(rename):
        mapping = rename or {}
        rename = lambda key: mapping.get(key, key)  # noqa: E731
    errors = {rename(key): messages for key, messages in errors.items()}
    return Status(400, {"detail": " ".join(m for msgs in errors.values() for m in msgs), "errors": errors})


def answers_refusals(rename=None):
    """Turn the services' refusals into the documented answers: ValidationError → 400 with field
    errors (``rename`` maps service field names to the request's), StaleEdit → 409 with the row as
    it is now, a row gone meanwhile (deleted by someone else mid-request) → 404."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            try:
                return view(request, *args, **kwargs)
            except StaleEdit as exc:
                return Status(409, {"detail": str(exc), "current": current_of(exc.current)})
            except ValidationError as exc:
                return step_errors(exc, rename)
            except ObjectDoesNotExist:
                raise Http404 from None

        return wrapper

    return decorate


def given(payload, name):
    """Was ``name`` sent with a value? PATCH fields left out (or null text) keep what is saved."""
    return name in payload.model_fields_set and getattr(payload, name) is not None


def pick(payload, name, current):
    return getattr(payload, name) if given(payload, name) else current


def iteration_queryset(project):
    return (Iteration.objects.filter(project=project).select_related("specification")
            .prefetch_related("focus", "tasks__owner", "criteria", "decisions__decided_by",
                              Prefetch("reviews", queryset=Review.objects.prefetch_related("judgements"))))


def current_iteration(project):
    iteration = project.current_iteration
    if iteration is None:  # every project starts with iteration 1; only a broken import lacks one
        raise Http404
    return iteration


def iteration_out(iteration):
    return iteration_queryset(iteration.project_id).get(pk=iteration.pk)


def item_of(key, field="item"):
    item = Item.objects.filter(pack__slug=key.pack, code=key.code).select_related("pack").first()
    if item is None:
        raise ValidationError({field: f"There is no item “{key.code}” in the content pack “{key.pack}”."})
    return item


def barrier_out(barrier):
    return Barrier.objects.select_related("item__pack").prefetch_related("ratings").get(pk=barrier.pk)


def option_out(option):
    return StrategyOption.objects.select_related("item__pack").prefetch_related("appraisals").get(pk=option.pk)


# ---- goals -----------------------------------------------------------------------------------------

@router.post(PROJECT + "/goals", response={201: GoalOut, **WRITE}, summary="Write a goal")
@answers_refusals()
def goal_create(request, org_slug: Slug, project_id: Id, payload: GoalIn):
    project = get_project(request, org_slug, project_id, "edit")
    goal = step1.goal_create(project=project, user=request.auth, target_group=payload.target_group,
                             end_goal=payload.end_goal, emphasis=payload.emphasis)
    return Status(201, goal)


@router.patch(PROJECT + "/goals/{goal_id}", response={200: GoalOut, **VERSIONED}, summary="Change a goal")
@answers_refusals()
def goal_update(request, org_slug: Slug, project_id: Id, goal_id: Id, payload: GoalPatch):
    project = get_project(request, org_slug, project_id, "edit")
    goal = get_row_or_404(Goal, project, goal_id)
    return step1.goal_update(project=project, user=request.auth, goal=goal, version=payload.version,
                             **{f: pick(payload, f, getattr(goal, f)) for f in step1.GOAL_FIELDS})


@router.delete(PROJECT + "/goals/{goal_id}", response=DELETED, summary="Delete a goal")
@answers_refusals()
def goal_delete(request, org_slug: Slug, project_id: Id, goal_id: Id):
    project = get_project(request, org_slug, project_id, "edit")
    step1.goal_delete(project=project, user=request.auth, goal=get_row_or_404(Goal, project, goal_id))
    return Status(204, None)


# ---- barriers --------------------------------------------------------------------------------------

CUSTOM_BARRIER = {"custom_name": "name", "custom_category": "category"}


@router.post(PROJECT + "/barriers", response={201: BarrierOut, **WRITE},
             summary="Add a barrier from the project's list, or a custom one")
@answers_refusals(CUSTOM_BARRIER)
def barrier_create(request, org_slug: Slug, project_id: Id, payload: BarrierIn):
    project = get_project(request, org_slug, project_id, "edit")
    if payload.item is not None:
        if payload.name is not None or payload.category is not None:
            raise ValidationError({"item": "Give either an item of the barrier list, or a name and category "
                                           "for a custom barrier, not both."})
        barrier = step1.barrier_add_from_pack(project=project, user=request.auth, item=item_of(payload.item),
                                              notes=payload.notes)
    else:
        barrier = step1.barrier_add_custom(project=project, user=request.auth, name=payload.name or "",
                                           category=payload.category or "", notes=payload.notes)
    return Status(201, barrier_out(barrier))


@router.patch(PROJECT + "/barriers/{barrier_id}", response={200: BarrierOut, **VERSIONED},
              summary="Change a barrier's notes (and a custom barrier's name and category)")
@answers_refusals(CUSTOM_BARRIER)
def barrier_update(request, org_slug: Slug, project_id: Id, barrier_id: Id, payload: BarrierPatch):
    project = get_project(request, org_slug, project_id, "edit")
    barrier = get_row_or_404(Barrier, project, barrier_id)
    if not barrier.is_custom and (given(payload, "name") or given(payload, "category")):
        raise ValidationError({"name": "A barrier from the list keeps its name and category; add a custom "
                                       "barrier if you need another wording."})
    barrier = step1.barrier_update(
        project=project, user=request.auth, barrier=barrier, version=payload.version,
        notes=pick(payload, "notes", barrier.notes), name=pick(payload, "name", barrier.custom_name),
        category=pick(payload, "category", barrier.custom_category))
    return barrier_out(barrier)


@router.delete(PROJECT + "/barriers/{barrier_id}", response=DELETED,
               summary="Delete a barrier (with its ratings and candidate strategies)")
@answers_refusals()
def barrier_delete(request, org_slug: Slug, project_id: Id, barrier_id: Id):
    project = get_project(request, org_slug, project_id, "edit")
    step1.barrier_delete(project=project, user=request.auth, barrier=get_row_or_404(Barrier, project, barrier_id))
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
@answers_refusals()
def ratings_save(request, org_slug: Slug, project_id: Id, payload: RatingsIn):
    """Each person has their own rating of a barrier; barriers left out keep theirs. Errors are
    keyed by barrier id, and nothing is saved if any rating is wrong."""
    project = get_project(request, org_slug, project_id, "edit")
    step1.ratings_save(project=project, user=request.auth,
                       ratings={pk: (r.importance, r.changeability) for pk, r in payload.root.items()})
    return my_ratings(project, request.auth)


@router.put(PROJECT + "/iterations/current/focus", response={200: IterationOut, **VERSIONED},
            summary="Set the goal(s) and barrier(s) the current iteration works on")
@answers_refusals({"goals": "goal_ids", "barriers": "barrier_ids"})
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
    iteration = step1.focus_set(project=project, user=request.auth, iteration=current_iteration(project),
                                version=payload.version, goals=goals, barriers=barriers, reason=payload.reason)
    return iteration_out(iteration)


# ---- strategy options ------------------------------------------------------------------------------

CUSTOM_OPTION = {"custom_name": "name", "barrier": "barrier_id"}


@router.post(PROJECT + "/options", response={201: OptionOut, **WRITE},
             summary="Add a candidate strategy for a barrier, from the catalogue or custom")
@answers_refusals(CUSTOM_OPTION)
def option_create(request, org_slug: Slug, project_id: Id, payload: OptionIn):
    project = get_project(request, org_slug, project_id, "edit")
    barrier = get_row_or_404(Barrier, project, payload.barrier_id)
    if payload.item is not None:
        if payload.name is not None:
            raise ValidationError({"item": "Give either an item of the strategy catalogue, or a name for a custom "
                                           "strategy, not both."})
        option = step2.option_add_from_pack(project=project, user=request.auth, barrier=barrier,
                                            item=item_of(payload.item), description=payload.description)
    else:
        option = step2.option_add_custom(project=project, user=request.auth, barrier=barrier,
                                         name=payload.name or "", description=payload.description)
    return Status(201, option_out(option))


@router.patch(PROJECT + "/options/{option_id}", response={200: OptionOut, **VERSIONED},
              summary="Change what a candidate strategy would mean here (and a custom one's name)")
@answers_refusals(CUSTOM_OPTION)
def option_update(request, org_slug: Slug, project_id: Id, option_id: Id, payload: OptionPatch):
    project = get_project(request, org_slug, project_id, "edit")
    option = get_row_or_404(StrategyOption, project, option_id)
    if option.item_id and given(payload, "name"):
        raise ValidationError({"name": "A strategy from the catalogue keeps its name."})
    option = step2.option_update(project=project, user=request.auth, option=option, version=payload.version,
                                 description=pick(payload, "description", option.description),
                                 name=pick(payload, "name", option.custom_name))
    return option_out(option)


@router.delete(PROJECT + "/options/{option_id}", response=DELETED, summary="Delete a candidate strategy")
@answers_refusals()
def option_delete(request, org_slug: Slug, project_id: Id, option_id: Id):
    project = get_project(request, org_slug, project_id, "edit")
    step2.option_delete(project=project, user=request.auth, option=get_row_or_404(StrategyOption, project, option_id))
    return Status(204, None)


def _appraisal_key(key):
    # The service keys errors "rating-<criterion>"; the request nests them as <criterion>.rating.
    field, _, criterion = key.partition("-")
    return f"{criterion}.{field}" if criterion in APEASE else key


@router.put(PROJECT + "/options/{option_id}/appraisal", response={200: OptionOut, **VERSIONED},
            summary="Appraise a candidate strategy on the APEASE criteria")
@answers_refusals(_appraisal_key)
def appraisal_save(request, org_slug: Slug, project_id: Id, option_id: Id, payload: AppraisalIn):
    """Criteria left out keep their saved rating and note. A criterion someone else changed since
    the version you send is a 409 listing every criterion as it is now."""
    project = get_project(request, org_slug, project_id, "edit")
    option = get_row_or_404(StrategyOption, project, option_id)
    sent = payload.given()
    saved = {a.criterion: a for a in option.appraisals.all()}
    values, versions = {}, {}
    for c in APEASE:
        if c in sent:
            values[c], versions[c] = (sent[c].rating, sent[c].note), sent[c].version
        elif c in saved:
            values[c], versions[c] = (saved[c].rating, saved[c].note), saved[c].version
    step2.appraisal_save(project=project, user=request.auth, option=option, values=values, versions=versions)
    return option_out(option)


@router.put(PROJECT + "/iterations/current/choice", response={200: IterationOut, **VERSIONED},
            summary="Choose the strategy of the current iteration, with the reason")
@answers_refusals({"chosen_option": "option_id"})
def choice_set(request, org_slug: Slug, project_id: Id, payload: ChoiceIn):
    project = get_project(request, org_slug, project_id, "edit")
    option = get_row_or_404(StrategyOption, project, payload.option_id)
    iteration = step2.option_choose(project=project, user=request.auth, iteration=current_iteration(project),
                                    option=option, version=payload.version, justification=payload.justification)
    return iteration_out(iteration)

