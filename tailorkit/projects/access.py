"""Fetching projects and their rows through the permission layer (tailorkit.core.permissions)."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from tailorkit.core.permissions import can, get_organisation_or_404

from .models import Project


def get_project_or_404(request, org_slug, project_id, action="view"):
    """The project if the user may ``action`` it. Outsiders get 404; members without the right 403."""
    org = get_organisation_or_404(request.user, org_slug)
    project = (Project.objects.filter(organisation=org, pk=project_id)
               .select_related("organisation", "owner", "determinant_pack", "strategy_pack").first())
    if project is None:
        raise Http404
    if not can(request.user, action, project):
        raise PermissionDenied
    return project


def get_row_or_404(model, project, pk, **lookup):
    """A row of ``project``; a row of another project (or organisation) is a 404."""
    obj = model.objects.filter(project=project, pk=pk, **lookup).first()
    if obj is None:
        raise Http404
    return obj
