"""The project events drawn on a measure's chart (issue 13): for every project that relies on the
measure (linked to it, or with a success criterion tied to it), when each iteration started, when its
strategy was chosen (kind "start": the moment the strategy started, see ``selectors/measures.py``),
the tasks completed (one event per project and period of the measure) and the decisions taken.

Registered with ``measures.events`` in ``ProjectsConfig.ready()``: the engine draws them without
importing projects. Four queries per measure, whatever the number of projects, iterations or tasks
(iterations, their history, the completed tasks' history, decisions).
"""

from collections import Counter

from django.db.models import Min, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tailorkit.measures import periods
from tailorkit.measures.events import Event

from .models import Decision, Iteration, Project, ProjectMeasure, SuccessCriterion, Task
from .selectors.measures import _day, strategy_starts


def start_event(day, label=None):
    """The "strategy started" marker of a chart drawn for one project."""
    return Event(day=day, label=label or _("Strategy started"), kind="start")


def _projects_relying_on(measure):
    return Project.objects.filter(
        Q(pk__in=ProjectMeasure.objects.filter(measure=measure).values("project_id"))
        | Q(pk__in=SuccessCriterion.objects.filter(measure=measure).values("project_id")),
        organisation_id=measure.organisation_id)


def _url(name, project, query=""):
    return reverse(f"projects:{name}", args=[project.organisation.slug, project.pk]) + query


def project_events(measure):
    """``[Event]`` of the projects relying on ``measure`` (the source registered with ``measures.events``)."""
    projects = _projects_relying_on(measure).values("pk")
    iterations = list(Iteration.objects.filter(project__in=projects).select_related(
        "project__organisation", "chosen_option__item").order_by("project_id", "number"))
    if not iterations:
        return []
    events, starts_seen = [], set()
    starts = strategy_starts(iterations, every_iteration=True)
    for it in iterations:
        started = starts[it.pk]
        project, label = it.project, {"project": it.project.name, "n": it.number}
        events.append(Event(day=_day(it.started_at), label=_("%(project)s: iteration %(n)d started") % label,
                            url=_url("project_home", project)))
        if started and (it.project_id, it.chosen_option_id, started) not in starts_seen:
            starts_seen.add((it.project_id, it.chosen_option_id, started))
            url = _url("project_step_plan", project, f"?iteration={it.number}")
            events.append(Event(day=started, kind="start", url=url,
                                label=_("%(project)s: strategy chosen: %(strategy)s") % {
                                    "project": project.name, "strategy": it.chosen_option.name}))
    by_id = {it.project_id: it.project for it in iterations}
    done = (Task.history.filter(project_id__in=by_id, status=Task.Status.DONE, organisation_id=measure.organisation_id,
                                id__in=Task.objects.filter(project_id__in=by_id, status=Task.Status.DONE).values("pk"))
            .values("id", "project_id").annotate(first=Min("history_date")))
    per_period = Counter((row["project_id"], periods.start_of(measure.period, _day(row["first"]))) for row in done)
    for (project_id, start), n in sorted(per_period.items(), key=lambda kv: kv[0][1]):
        project = by_id[project_id]
        events.append(Event(day=start, url=_url("project_step_plan", project, "#tasks"), label=ngettext(
            "%(project)s: %(n)d task completed", "%(project)s: %(n)d tasks completed", n) % {
                "project": project.name, "n": n}))
    for d in Decision.objects.filter(project_id__in=by_id, organisation_id=measure.organisation_id):
        events.append(Event(day=_day(d.decided_at), url=_url("project_step_review", by_id[d.project_id], "#decisions"),
                            label=_("%(project)s: decision: %(kind)s") % {
                                "project": by_id[d.project_id].name, "kind": d.get_kind_display()}))
    return events
