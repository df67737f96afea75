"""Fetching projects and their rows if the user may (built on ``tailorkit.core.permissions``).

Outsiders get 404 for a project of another organisation, exactly as for one that does not exist;
members without the right get 403. A row of another project is a 404 too.
"""

from django.http import Http404

from tailorkit.core.permissions import get_object_for_user_or_404

from .models import Project


def get_project_or_404(request, org_slug, project_id, action="view"):
    """The project if ``request.user`` may ``action`` it ("view" to read, "edit" to write)."""
    queryset = Project.objects.select_related("organisation", "owner", "determinant_pack", "strategy_pack")
    return get_object_for_user_or_404(request.user, queryset, org_slug=org_slug, action=action, pk=project_id)


def get_row_or_404(model, project, pk, **lookup):
    """A row of ``project``; a row of another project (or organisation) is a 404."""
    obj = model.objects.filter(project=project, pk=pk, **lookup).first()
    if obj is None:
        raise Http404
    return obj
