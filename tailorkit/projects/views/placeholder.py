"""Temporary page for parts of the cycle under construction (replaced module by module)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from ..access import get_project_or_404


@login_required
def under_construction(request, org_slug, project_id):
    project = get_project_or_404(request, org_slug, project_id)
    return render(request, "projects/project_guide.html", {"project": project, "org": project.organisation})
