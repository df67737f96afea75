"""The personal pages: the home page a signed-in person lands on ("what needs me now") and the list
of all their open tasks.

Both cover every organisation the person belongs to, not only the current one: a task or a
consultation needs its owner whichever organisation it is in, and people who work for several sites
(supporters, leads of two services) should not have to switch to find out. Each row names its
organisation when the person has more than one.

They live in ``projects``, not ``core``, because they read projects and consultations (the layers of
docs/architecture.md). The organisation page stays in core and in the navigation. Every list on the
home page is capped; the page says how many there are and links to the full list.
"""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Window
from django.shortcuts import render
from django.utils import timezone

from tailorkit.core import selectors as core_selectors
from tailorkit.core.permissions import roles_allowed

from ..models import Project
from ..selectors import personal
from ..selectors.consultations import with_projects
from ..selectors.progress import next_action, projects_progress

HOME_LIMIT = 8       # rows in each section of the home page
TASKS_PER_PAGE = 50


def _capped(queryset, limit=HOME_LIMIT):
    """The first ``limit`` rows and the total, in one query whatever the number of rows: the total
    is a window count over the whole selection, taken before the limit."""
    rows = list(queryset.annotate(selection_total=Window(Count("pk")))[:limit])
    total = rows[0].selection_total if rows else 0
    return {"rows": rows, "total": total, "more": total > limit}


def _projects_with_next_action(section, editable):
    """Each project of the section as ``(project, next action or None)``; the action (label, url)
    only where the person may edit, as on the project's own page. Four queries for any number."""
    counts = projects_progress(section["rows"])
    section["rows"] = [(p, next_action(p, counts[p.pk]) if p.organisation_id in editable else None)
                       for p in section["rows"]]
    return section


def home(request):
    user = request.user
    if not user.is_authenticated:
        return render(request, "core/landing.html")
    organisations = list(core_selectors.organisations_with_role(user))
    invited = list(core_selectors.invitations_to(user)[:HOME_LIMIT])
    if not organisations:
        return render(request, "core/no_organisation.html", {"invitations": invited})
    editable = {o.pk for o in organisations if o.my_role in roles_allowed("edit")}
    current = request.organisation
    start_in = current if current and current.pk in editable else next(
        (o for o in organisations if o.pk in editable), None)
    projects = _projects_with_next_action(_capped(personal.my_projects(user, organisations)), editable)
    consultations = _capped(personal.my_consultations(user, organisations))
    consultations["rows"] = with_projects(consultations["rows"])
    return render(request, "projects/home.html", {
        "organisations": organisations, "several": len(organisations) > 1, "start_in": start_in,
        "today": timezone.localdate(), "invitations": invited, "projects": projects,
        "tasks": _capped(personal.tasks_due(user, organisations)),
        "criteria": _capped(personal.criteria_due(user, organisations)),
        "consultations": consultations,
        "stalled": _capped(personal.stalled_projects(user, organisations)),
        "unanswered": list(core_selectors.unanswered_invitations(user)),
        "other_projects": 0 if projects["total"] else Project.objects.filter(
            organisation__in=organisations, status=Project.Status.ACTIVE).count(),
        "limits": {"task_days": personal.TASK_DAYS_AHEAD, "criterion_days": personal.CRITERION_DAYS_AHEAD,
                   "stalled_days": personal.STALLED_AFTER_DAYS},
    })


@login_required
def my_tasks(request):
    """Every open task of the person in the current iteration of active projects, a page at a time."""
    organisations = list(core_selectors.organisations_with_role(request.user))
    tasks = personal.open_tasks(request.user, organisations)
    page = Paginator(tasks, TASKS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "projects/my_tasks.html", {
        "page": page, "today": timezone.localdate(), "several": len(organisations) > 1,
    })
