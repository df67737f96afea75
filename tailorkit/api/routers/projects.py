"""Projects (issue 3, point 11): list, start, read with every step object, change, archive and
restore; reading one iteration; and the helpers every project sub-route shares (finding the
project through the permission layer, the current iteration, PATCH semantics).

Same services and permission layer as the pages: "view" to read, "edit" to write (viewers and
supporters get 403), a row of another project is a 404 like one that does not exist. A foreign
organisation is refused in auth (404) before anything is parsed. Refusals of the services become
400/409/404 in the exception handlers of ``tailorkit/api/api.py``.
"""

from typing import Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from ninja import Router, Status
from ninja.pagination import paginate

from tailorkit.core.models import User
from tailorkit.core.permissions import can, get_organisation_or_404
from tailorkit.library.models import ContentPack, Item
from tailorkit.projects.models import Project
from tailorkit.projects.selectors.iterations import (
    iteration_criteria,
    iteration_numbered,
    iteration_queryset,
    iteration_tasks,
)
from tailorkit.projects.selectors.projects import project_detail_queryset as detail_queryset
from tailorkit.projects.selectors.projects import project_list_queryset, project_queryset
from tailorkit.projects.services import projects as project_services

from ..pagination import BoundedLimitOffsetPagination, FullRowsPagination
from ..schemas.common import CONFLICT, INVALID, NOT_FOUND, READ, UNAUTHORISED, WRITE, Id, Slug
from ..schemas.planning import CriterionOut, TaskOut
from ..schemas.projects import IterationOut, ProjectDetailOut, ProjectIn, ProjectOut, ProjectPatch, ProjectReopenIn

router = Router(tags=["projects"])

PROJECT = "/organisations/{org_slug}/projects/{project_id}"


# ---- helpers of every project route ----------------------------------------------------------------

def get_project(request, org_slug, project_id, action="view", queryset=project_queryset):
    org = get_organisation_or_404(request.auth, org_slug)
    project = queryset(org).filter(pk=project_id).first()
    if project is None:
        raise Http404
    project.organisation = org  # the same row (the filter above), so ``can`` needs no query for it
    if not can(request.auth, action, project):
        raise PermissionDenied
    return project


def current_iteration(project):
    iteration = project.current_iteration
    if iteration is None:  # every project starts with iteration 1; only a broken import lacks one
        raise Http404
    return iteration


def given(payload, name):
    """Was ``name`` sent with a value? PATCH fields left out (or null text) keep what is saved."""
    return name in payload.model_fields_set and getattr(payload, name) is not None


def pick(payload, name, current):
    return getattr(payload, name) if given(payload, name) else current


def sent(payload, name, current):
    """For values that null clears (owner, dates, numeric target): sent at all, or kept."""
    return getattr(payload, name) if name in payload.model_fields_set else current


def item_of(key, field="item"):
    item = Item.objects.filter(pack__slug=key.pack, code=key.code).select_related("pack").first()
    if item is None:
        raise ValidationError({field: f"There is no item “{key.code}” in the content pack “{key.pack}”."})
    return item


def people(org, emails):
    emails = [e.strip().lower() for e in emails]
    users = list(User.objects.filter(email__in=emails, memberships__organisation=org).distinct())
    unknown = sorted(set(emails) - {u.email for u in users})
    if unknown:
        raise ValidationError({"team": [f"Not a person in this organisation: {', '.join(unknown)}"]})
    return users


# ---- routes ----------------------------------------------------------------------------------------

@router.get("/organisations/{org_slug}/projects", response={200: list[ProjectOut], **UNAUTHORISED, **NOT_FOUND,
                                                            **INVALID}, summary="Projects of an organisation")
@paginate(BoundedLimitOffsetPagination)
def project_list(request, org_slug: Slug, archived: bool = False,
                 status: Literal[tuple(Project.Status.values)] | None = None):
    """Without parameters: the projects not archived (active, completed and stopped: ``status`` tells
    them apart). ``status`` lists only the projects with that status; ``archived=true`` only the
    archived ones (kept for older clients, the same as ``status=archived``).

    A page at a time, the most recently active first: ``items`` holds at most ``limit`` projects
    (100 unless asked, 500 at most) from ``offset``, ``count`` how many there are in all, ``next`` and
    ``previous`` the addresses of the neighbouring pages."""
    org = get_organisation_or_404(request.auth, org_slug)
    projects = project_list_queryset(org).order_by("-last_activity_at", "-pk")
    if status is not None:
        return projects.filter(status=status)
    if archived:
        return projects.filter(status=Project.Status.ARCHIVED)
    return projects.exclude(status=Project.Status.ARCHIVED)


@router.post("/organisations/{org_slug}/projects", response={201: ProjectOut, **WRITE}, summary="Start a project")
def project_create(request, org_slug: Slug, payload: ProjectIn):
    org = get_organisation_or_404(request.auth, org_slug, "edit")
    packs = {p.slug: p for p in ContentPack.objects.filter(slug__in=[payload.determinant_pack, payload.strategy_pack])}
    missing = {k: [f"Unknown content pack '{getattr(payload, k)}'."]
               for k in ("determinant_pack", "strategy_pack") if getattr(payload, k) not in packs}
    if missing:
        raise ValidationError(missing)
    project = project_services.project_create(
        organisation=org, user=request.auth, name=payload.name, service=payload.service,
        determinant_pack=packs[payload.determinant_pack], strategy_pack=packs[payload.strategy_pack],
        team=people(org, payload.team), started_on=payload.started_on)
    return Status(201, project_queryset(org).get(pk=project.pk))


@router.get(PROJECT, response={200: ProjectDetailOut, **READ}, summary="A project with every step object")
def project_detail(request, org_slug: Slug, project_id: int):
    """Its goals, barriers and candidate strategies, and its current iteration (``current_iteration``)
    with its plan, reviews and decisions. ``recent_iterations`` names the newest ten iterations, each
    with the address that reads it in full; ``iterations_count`` says how many iterations there are and
    ``iterations_url`` (``…/iterations``) pages through every one of them in full."""
    project = get_project(request, org_slug, project_id, queryset=detail_queryset)
    newest = project.latest_iterations[0] if project.latest_iterations else None
    project.current_iteration_in_full = (
        iteration_queryset(project).filter(pk=newest.pk).first() if newest is not None else None)
    return project


@router.patch(PROJECT, response={200: ProjectOut, **WRITE, **CONFLICT}, summary="Change a project's details or team")
def project_update(request, org_slug: Slug, project_id: int, payload: ProjectPatch):
    project = get_project(request, org_slug, project_id, "edit")
    team = people(project.organisation, payload.team) if payload.team is not None else list(project.team.all())
    project_services.project_update(
        project=project, user=request.auth, version=payload.version,
        name=payload.name if payload.name is not None else project.name,
        service=payload.service if payload.service is not None else project.service,
        team=team, started_on=payload.started_on)
    return project_queryset(project.organisation).get(pk=project.pk)


@router.post(PROJECT + "/archive", response={200: ProjectOut, **WRITE}, summary="Archive a project")
def project_archive(request, org_slug: Slug, project_id: int):
    project = get_project(request, org_slug, project_id, "edit")
    project_services.project_archive(project=project, user=request.auth, request=request)
    return project_queryset(project.organisation).get(pk=project.pk)


@router.post(PROJECT + "/restore", response={200: ProjectOut, **WRITE}, summary="Restore an archived project")
def project_restore(request, org_slug: Slug, project_id: int):
    project = get_project(request, org_slug, project_id, "edit")
    project_services.project_restore(project=project, user=request.auth, request=request)
    return project_queryset(project.organisation).get(pk=project.pk)


@router.post(PROJECT + "/reopen", response={200: ProjectOut, **WRITE, **CONFLICT},
             summary="Reopen a completed or stopped project: active again at step 4 of the same iteration")
def project_reopen(request, org_slug: Slug, project_id: int, payload: ProjectReopenIn):
    """The body may be empty (``{}``): the reason is optional, and so is the version check."""
    project = get_project(request, org_slug, project_id, "edit")
    project_services.project_reopen(project=project, user=request.auth, reason=payload.reason,
                                    version=payload.version, request=request)
    return project_queryset(project.organisation).get(pk=project.pk)


# Tagged with the step routes, where it was documented first: an iteration is the record of one
# pass through the steps.
@router.get(PROJECT + "/iterations", response={200: list[IterationOut], **READ},
            summary="Every iteration with its focus, choice, plan, reviews and decisions, a page at a time",
            tags=["project steps"])
@paginate(FullRowsPagination)
def iteration_list(request, org_slug: Slug, project_id: Id):
    """Oldest first: ``items`` holds at most ``limit`` iterations (10 unless asked, 50 at most: each
    carries everything in it) from ``offset``; ``count``, ``next`` and ``previous`` as in every list."""
    project = get_project(request, org_slug, project_id)
    return iteration_queryset(project).order_by("number")


@router.get(PROJECT + "/iterations/{iteration_number}", response={200: IterationOut, **READ},
            summary="One iteration with its focus, choice, plan, reviews and decisions", tags=["project steps"])
def iteration_detail(request, org_slug: Slug, project_id: Id, iteration_number: Id):
    project = get_project(request, org_slug, project_id)
    iteration = iteration_queryset(project).filter(number=iteration_number).first()
    if iteration is None:
        raise Http404
    return iteration


def _iteration_or_404(request, org_slug, project_id, number):
    project = get_project(request, org_slug, project_id)
    iteration = iteration_numbered(project, number)
    if iteration is None:
        raise Http404
    return iteration


@router.get(PROJECT + "/iterations/{iteration_number}/tasks", response={200: list[TaskOut], **READ},
            summary="All the tasks of an iteration's plan, by due date, a page at a time", tags=["project steps"])
@paginate(BoundedLimitOffsetPagination)
def iteration_task_list(request, org_slug: Slug, project_id: Id, iteration_number: Id):
    return iteration_tasks(_iteration_or_404(request, org_slug, project_id, iteration_number))


@router.get(PROJECT + "/iterations/{iteration_number}/criteria", response={200: list[CriterionOut], **READ},
            summary="All the success criteria of an iteration, oldest first, a page at a time",
            tags=["project steps"])
@paginate(BoundedLimitOffsetPagination)
def iteration_criterion_list(request, org_slug: Slug, project_id: Id, iteration_number: Id):
    return iteration_criteria(_iteration_or_404(request, org_slug, project_id, iteration_number))
