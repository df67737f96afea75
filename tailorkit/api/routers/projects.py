"""Projects and their step objects (issue 3, point 11), through the same services and permission
layer as the pages. A foreign organisation is refused in auth (404) before anything is parsed."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404
from ninja import Router, Status

from tailorkit.core.locking import StaleEdit
from tailorkit.core.models import User
from tailorkit.core.permissions import can, get_organisation_or_404
from tailorkit.library.models import ContentPack
from tailorkit.projects.models import BarrierRating, Iteration, Project, Review
from tailorkit.projects.services import projects as project_services

from ..schemas import INVALID, NOT_FOUND, UNAUTHORISED, ErrorOut, Slug
from ..schemas_projects import ConflictOut, FieldErrorsOut, ProjectDetailOut, ProjectIn, ProjectOut, ProjectPatch

router = Router(tags=["projects"])
FORBIDDEN = {403: ErrorOut}
BAD = {400: FieldErrorsOut}
CONFLICT = {409: ConflictOut}


def field_errors(exc: ValidationError):
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return Status(400, {"detail": " ".join(m for msgs in errors.values() for m in msgs), "errors": errors})


def project_queryset(org):
    return (Project.objects.filter(organisation=org)
            .select_related("owner", "determinant_pack", "strategy_pack").prefetch_related("team"))


def detail_queryset(org):
    from tailorkit.projects.models import Barrier, Goal, StrategyOption

    return project_queryset(org).prefetch_related(
        Prefetch("goals", queryset=Goal.objects.order_by("created_at", "id")),
        Prefetch("barriers", queryset=Barrier.objects.select_related("item__pack").prefetch_related(
            Prefetch("ratings", queryset=BarrierRating.objects.all()))),
        Prefetch("strategyoptions", queryset=StrategyOption.objects.select_related("item__pack")
                 .prefetch_related("appraisals")),
        Prefetch("iterations", queryset=Iteration.objects.order_by("number").select_related("specification")
                 .prefetch_related("focus", "tasks__owner", "criteria", "decisions__decided_by",
                                   Prefetch("reviews", queryset=Review.objects.prefetch_related("judgements")))),
    )


def get_project(request, org_slug, project_id, action="view", queryset=project_queryset):
    org = get_organisation_or_404(request.auth, org_slug)
    project = queryset(org).filter(pk=project_id).first()
    if project is None:
        raise Http404
    if not can(request.auth, action, project):
        raise PermissionDenied
    return project


def people(org, emails):
    emails = [e.strip().lower() for e in emails]
    users = list(User.objects.filter(email__in=emails, memberships__organisation=org).distinct())
    unknown = sorted(set(emails) - {u.email for u in users})
    if unknown:
        raise ValidationError({"team": [f"Not a person in this organisation: {', '.join(unknown)}"]})
    return users


@router.get("/organisations/{org_slug}/projects", response={200: list[ProjectOut], **UNAUTHORISED, **NOT_FOUND,
                                                            **INVALID}, summary="Projects of an organisation")
def project_list(request, org_slug: Slug, archived: bool = False):
    org = get_organisation_or_404(request.auth, org_slug)
    status = Project.Status.ARCHIVED if archived else Project.Status.ACTIVE
    return project_queryset(org).filter(status=status)


@router.post("/organisations/{org_slug}/projects",
             response={201: ProjectOut, **BAD, **UNAUTHORISED, **FORBIDDEN, **NOT_FOUND, **INVALID},
             summary="Start a project")
def project_create(request, org_slug: Slug, payload: ProjectIn):
    org = get_organisation_or_404(request.auth, org_slug, "edit")
    packs = {p.slug: p for p in ContentPack.objects.filter(slug__in=[payload.determinant_pack, payload.strategy_pack])}
    try:
        missing = {k: [f"Unknown content pack '{getattr(payload, k)}'."]
                   for k in ("determinant_pack", "strategy_pack") if getattr(payload, k) not in packs}
        if missing:
            raise ValidationError(missing)
        project = project_services.project_create(
            organisation=org, user=request.auth, name=payload.name, service=payload.service,
            determinant_pack=packs[payload.determinant_pack], strategy_pack=packs[payload.strategy_pack],
            team=people(org, payload.team), started_on=payload.started_on)
    except ValidationError as exc:
        return field_errors(exc)
    return Status(201, project_queryset(org).get(pk=project.pk))


@router.get("/organisations/{org_slug}/projects/{project_id}",
            response={200: ProjectDetailOut, **UNAUTHORISED, **NOT_FOUND, **INVALID},
            summary="A project with every step object")
def project_detail(request, org_slug: Slug, project_id: int):
    return get_project(request, org_slug, project_id, queryset=detail_queryset)


@router.patch("/organisations/{org_slug}/projects/{project_id}",
              response={200: ProjectOut, **BAD, **CONFLICT, **UNAUTHORISED, **FORBIDDEN, **NOT_FOUND, **INVALID},
              summary="Change a project's details or team")
def project_update(request, org_slug: Slug, project_id: int, payload: ProjectPatch):
    project = get_project(request, org_slug, project_id, "edit")
    try:
        team = people(project.organisation, payload.team) if payload.team is not None else list(project.team.all())
        project_services.project_update(
            project=project, user=request.auth, version=payload.version,
            name=payload.name if payload.name is not None else project.name,
            service=payload.service if payload.service is not None else project.service,
            team=team, started_on=payload.started_on)
    except StaleEdit as exc:
        return Status(409, {"detail": str(exc), "current": ProjectOut.from_orm(exc.current).dict()})
    except ValidationError as exc:
        return field_errors(exc)
    return project_queryset(project.organisation).get(pk=project.pk)


@router.post("/organisations/{org_slug}/projects/{project_id}/archive",
             response={200: ProjectOut, **BAD, **UNAUTHORISED, **FORBIDDEN, **NOT_FOUND, **INVALID},
             summary="Archive a project")
def project_archive(request, org_slug: Slug, project_id: int):
    project = get_project(request, org_slug, project_id, "edit")
    try:
        project_services.project_archive(project=project, user=request.auth, request=request)
    except ValidationError as exc:
        return field_errors(exc)
    return project_queryset(project.organisation).get(pk=project.pk)


@router.post("/organisations/{org_slug}/projects/{project_id}/restore",
             response={200: ProjectOut, **BAD, **UNAUTHORISED, **FORBIDDEN, **NOT_FOUND, **INVALID},
             summary="Restore an archived project")
def project_restore(request, org_slug: Slug, project_id: int):
    project = get_project(request, org_slug, project_id, "edit")
    try:
        project_services.project_restore(project=project, user=request.auth, request=request)
    except ValidationError as exc:
        return field_errors(exc)
    return project_queryset(project.organisation).get(pk=project.pk)
