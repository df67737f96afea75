"""Projects: the list, creating and editing one, its overview page with the process, the guidance
of each step, and archiving."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from tailorkit.core import errors
from tailorkit.core.locking import StaleEdit, conflict_context
from tailorkit.core.permissions import can, get_organisation_or_404

from .. import steps
from ..access import get_project_or_404
from ..forms.projects import ProjectForm
from ..forms.review import ReopenForm
from ..guidance import load_principles, principles_for
from ..models import Project
from ..selectors import engagement as engagement_reads
from ..selectors.iterations import SWITCHER_SIZE
from ..selectors.progress import project_progress
from ..selectors.review import cycle_outcome
from ..services import projects as services

# The tabs of the project list: which statuses each shows. "Completed" holds every finished cycle,
# whether the strategy worked or the team stopped for another reason (the badge tells them apart).
LIST_TABS = {
    "active": [Project.Status.ACTIVE],
    "completed": [Project.Status.COMPLETED, Project.Status.STOPPED],
    "archived": [Project.Status.ARCHIVED],
}
PROJECTS_PER_PAGE = 50


@login_required
def project_list(request, org_slug):
    org = get_organisation_or_404(request.user, org_slug)
    shown = request.GET.get("show") or ("archived" if request.GET.get("archived") == "1" else "active")
    if shown not in LIST_TABS:
        shown = "active"
    counts = dict(Project.objects.filter(organisation=org).order_by().values_list("status")
                  .annotate(n=Count("pk")))
    tabs = [(key, label, sum(counts.get(s, 0) for s in LIST_TABS[key]))
            for key, label in (("active", _("Active")), ("completed", _("Completed")), ("archived", _("Archived")))]
    projects = (Project.objects.filter(organisation=org, status__in=LIST_TABS[shown])
                .select_related("owner").annotate(n_iterations=Count("iterations"))
                .order_by("-last_activity_at", "-pk"))
    page = Paginator(projects, PROJECTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "projects/project_list.html", {
        "org": org, "projects": page.object_list, "page": page, "query": f"show={shown}&", "shown": shown,
        "show_archived": shown == "archived", "tabs": tabs, "can_edit": can(request.user, "edit", org),
    })


@login_required
def project_create(request, org_slug):
    org = get_organisation_or_404(request.user, org_slug, "edit")
    form = ProjectForm(request.POST or None, organisation=org, team_choices=services.team_candidates(org),
                       creator=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            project = services.project_create(
                organisation=org, user=request.user, name=data["name"], service=data["service"],
                determinant_pack=data["determinant_pack"], strategy_pack=data["strategy_pack"],
                team=list(data["team"]), started_on=data.get("started_on"))
        except ValidationError as exc:
            errors.add_to_form(form, exc)
        else:
            messages.success(request, _("Project created. Start with step 1: your goals and barriers."))
            return redirect("projects:project_home", org_slug=org.slug, project_id=project.pk)
    return render(request, "projects/project_form.html", {"org": org, "form": form})


@login_required
def project_edit(request, org_slug, project_id):
    project = get_project_or_404(request, org_slug, project_id, "edit")
    org = project.organisation
    form = ProjectForm(request.POST or None, instance=project, organisation=org, editing=True,
                       team_choices=services.team_candidates(org),
                       initial={"version": project.version})
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.project_update(project=project, user=request.user, version=data.get("version"),
                                    name=data["name"], service=data["service"], team=list(data["team"]),
                                    started_on=data.get("started_on"))
        except StaleEdit as exc:
            conflict = exc
            project.refresh_from_db()
            form = ProjectForm(request.POST, instance=project, organisation=org, editing=True,
                               team_choices=services.team_candidates(org))
            form.data = form.data.copy()
            form.data["version"] = exc.current.version
        except ValidationError as exc:
            errors.add_to_form(form, exc)
        else:
            messages.success(request, _("Project details saved."))
            return redirect("projects:project_home", org_slug=org.slug, project_id=project.pk)
    return render(request, "projects/project_form.html", {"org": org, "form": form, "project": project,
                                                          "conflict": conflict})


@login_required
def project_home(request, org_slug, project_id):
    project = get_project_or_404(request, org_slug, project_id)
    iteration = project.current_iteration
    states, next_action = project_progress(project, iteration)
    outcome = cycle_outcome(project, iteration) if iteration else None
    principles = load_principles()
    step_list = [{"step": s.code, "info": s, "label": s.label, "state": states[s.code], "guidance": s.guidance,
                  "principles": principles_for(s.code, principles), "current": project.step == s.code}
                 for s in steps.STEPS]
    return render(request, "projects/project_home.html", {
        "project": project, "org": project.organisation, "iteration": iteration, "steps": step_list,
        "next_action": next_action, "outcome": outcome, "can_edit": can(request.user, "edit", project),
        **_latest_iterations(project), "grid": engagement_reads.grid(project),
    })


def _latest_iterations(project):
    """The newest iterations for the project page's list, oldest of them first, and how many in all."""
    latest = list(project.iterations.order_by("-number")[:SWITCHER_SIZE])[::-1]
    return {"iterations": latest, "iterations_total": project.iterations.count()}


@login_required
def project_guide(request, org_slug, project_id, step):
    """Guidance for any step, readable at any time, including steps not reached yet."""
    project = get_project_or_404(request, org_slug, project_id)
    info = steps.get(step)
    if info is None:
        raise Http404
    return render(request, "projects/project_guide.html", {
        "project": project, "org": project.organisation, "step": step, "label": info.label,
        "guidance": info.guidance, "principles": principles_for(step, load_principles()),
    })


@login_required
def project_archive(request, org_slug, project_id):
    project = get_project_or_404(request, org_slug, project_id, "edit")
    restoring = project.status == Project.Status.ARCHIVED
    if request.method == "POST":
        try:
            if restoring:
                services.project_restore(project=project, user=request.user, request=request)
                messages.success(request, _("Project restored."))
            else:
                services.project_archive(project=project, user=request.user, request=request)
                messages.success(request, _("Project archived. You can restore it from the archived list."))
        except ValidationError as exc:
            errors.flash(request, exc)
        return redirect("projects:project_list", org_slug=project.organisation.slug)
    return render(request, "projects/project_archive.html", {"project": project, "org": project.organisation,
                                                             "restoring": restoring})


@login_required
def project_reopen(request, org_slug, project_id):
    """"Reopen this project?" (GET) and reopening a completed or stopped project (POST)."""
    project = get_project_or_404(request, org_slug, project_id, "edit")
    home = redirect("projects:project_home", org_slug=project.organisation.slug, project_id=project.pk)
    if project.status not in services.CLOSED:
        messages.info(request, _("This project is not completed or stopped, so there is nothing to reopen."))
        return home
    form = ReopenForm(request.POST or None, initial={"version": project.version})
    context = {"project": project, "org": project.organisation, "iteration": project.current_iteration}
    if request.method == "POST" and form.is_valid():
        try:
            services.project_reopen(project=project, user=request.user, reason=form.cleaned_data["reason"],
                                    version=form.cleaned_data.get("version"), request=request)
        except StaleEdit as exc:
            context.update(conflict_context(exc, form, rows=[]))
            return render(request, "projects/project_reopen.html", context, status=409)
        except ValidationError as exc:
            errors.add_to_form(form, exc)
        else:
            messages.success(request, _("Project reopened. You are back at step 4: record a review and decide "
                                        "what comes next."))
            return redirect("projects:project_step_review", org_slug=project.organisation.slug, project_id=project.pk)
    return render(request, "projects/project_reopen.html", {**context, "form": form})
