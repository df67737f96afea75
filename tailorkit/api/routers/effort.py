"""Effort through the API: the time logged on a project with totals by person and by step, logging
time, and deleting one's own entries.

Conventions as in ``projects``; refusals become 400/404 in ``tailorkit/api/api.py``.
"""

from django.http import Http404
from ninja import Query, Router, Status

from tailorkit.projects.models import EffortEntry
from tailorkit.projects.services import effort as effort_services

from ..pagination import BoundedLimitOffsetPagination, page_links
from ..schemas.common import DELETED, READ, WRITE, Id, Slug
from ..schemas.effort import EffortEntryOut, EffortIn, EffortOut
from .projects import PROJECT, get_project

router = Router(tags=["project steps"])


@router.get(PROJECT + "/effort", response={200: EffortOut, **READ},
            summary="Time logged on the project, with totals by person and by step")
def effort_list(request, org_slug: Slug, project_id: Id, page: Query[BoundedLimitOffsetPagination.Input]):
    """The totals count every entry; ``entries`` holds a page of them, the newest first: at most
    ``limit`` (100 unless asked, 500 at most) from ``offset``, with ``entries_count`` and the
    addresses of the ``next`` and ``previous`` pages, as in every list."""
    project = get_project(request, org_slug, project_id)
    by_person, by_step, total = effort_services.effort_totals(project)
    entries = EffortEntry.objects.filter(project=project).select_related("user")
    count = entries.count()
    return {"entries": entries[page.offset:page.offset + page.limit], "entries_count": count,
            **page_links(request, offset=page.offset, limit=page.limit, count=count),
            "total_minutes": total, "by_person": by_person, "by_step": by_step}


@router.post(PROJECT + "/effort", response={201: EffortEntryOut, **WRITE}, summary="Log time spent on the project")
def effort_create(request, org_slug: Slug, project_id: Id, payload: EffortIn):
    project = get_project(request, org_slug, project_id, "edit")
    entry = effort_services.effort_log(project=project, user=request.auth, date=payload.date,
                                       minutes=payload.minutes, activity=payload.activity, step=payload.step)
    return Status(201, entry)


@router.delete(PROJECT + "/effort/{entry_id}", response=DELETED, summary="Delete one of your own effort entries")
def effort_delete(request, org_slug: Slug, project_id: Id, entry_id: Id):
    project = get_project(request, org_slug, project_id, "edit")
    # Another person's entry is a 404, as on the page: people delete only their own.
    entry = EffortEntry.objects.filter(project=project, pk=entry_id, user=request.auth).first()
    if entry is None:
        raise Http404
    effort_services.effort_delete(entry=entry, user=request.auth)
    return Status(204, None)
