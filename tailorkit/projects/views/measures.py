"""The measures a project relies on (issue 13): the list with each one's latest value and signal,
linking a measure of the organisation, and unlinking it (after a confirmation)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from tailorkit.core import errors
from tailorkit.core.permissions import can

from ..access import get_project_or_404
from ..forms.measures import MeasureLinkForm
from ..models import ProjectMeasure
from ..selectors import measures as reads
from ..services import measures as services


def _page_url(project):
    return reverse("projects:project_measures", args=[project.organisation.slug, project.pk])


@login_required
def project_measures(request, org_slug, project_id):
    """GET: the measures the project relies on. POST: link one more (members who may edit)."""
    posted = request.method == "POST"
    project = get_project_or_404(request, org_slug, project_id, "edit" if posted else "view")
    can_edit = can(request.user, "edit", project)
    form = MeasureLinkForm(request.POST if posted else None, project=project) if can_edit else None
    if posted and form.is_valid():
        try:
            services.project_measure_link(project=project, user=request.user, measure=form.cleaned_data["measure"])
        except ValidationError as exc:
            errors.add_to_form(form, exc)
        else:
            messages.success(request, _("The project now relies on “%(name)s”.")
                             % {"name": form.cleaned_data["measure"].name})
            return redirect(_page_url(project))
    return render(request, "projects/measures/page.html", {
        "project": project, "org": project.organisation, "can_edit": can_edit, "form": form,
        "relied": reads.measures_of_project(project), "any_linkable": form is not None and form.fields[
            "measure"].queryset.exists(),
    }, status=400 if posted else 200)


@login_required
def project_measure_unlink(request, org_slug, project_id, measure_id):
    """GET: "stop relying on this measure?"; POST: unlink it. The measure and its values stay."""
    project = get_project_or_404(request, org_slug, project_id, "edit")
    link = ProjectMeasure.objects.filter(project=project, measure_id=measure_id).select_related("measure").first()
    if link is None:
        raise Http404
    if request.method == "POST":
        services.project_measure_unlink(link=link, user=request.user)
        messages.success(request, _("The project no longer relies on “%(name)s”.") % {"name": link.measure.name})
        return redirect(_page_url(project))
    return render(request, "projects/measures/unlink.html", {
        "project": project, "org": project.organisation, "link": link, "cancel_url": _page_url(project)})
