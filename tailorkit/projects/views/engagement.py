"""Stakeholder engagement pages (issue 17): the project's stakeholder map (groups and named people),
the engagement plan of each step, the record of what was done and what came of it, and the counts
per group across the organisation. Reads in ``selectors/engagement.py``, writes in
``services/engagement.py``.

Named people are personal data: only the project team sees them (``people_visible_to``); to anyone
else their pages are a 404, as if they did not exist.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from tailorkit.core import errors
from tailorkit.core.locking import StaleEdit, conflict_context, conflict_rows
from tailorkit.core.permissions import can, for_user, get_organisation_or_404

from .. import charts, steps
from ..access import get_project_or_404, get_row_or_404
from ..forms.engagement import CopyGroupsForm, GroupForm, PersonForm, PlanForm, RecordForm
from ..models import (
    Barrier,
    EngagementPlan,
    EngagementRecord,
    Goal,
    Project,
    StakeholderGroup,
    StakeholderPerson,
    Step,
    StrategyOption,
    SuccessCriterion,
    Task,
)
from ..selectors import engagement as reads
from ..services import engagement as services
from ..stakeholders import consultations_for_project
from .step_pages import post_only


def _url(name, project, *args, anchor=""):
    url = reverse(f"projects:{name}", args=[project.organisation.slug, project.pk, *args])
    return url + (f"#{anchor}" if anchor else "")


def _context(request, project, **extra):
    return {"project": project, "org": project.organisation, "can_edit": can(request.user, "edit", project),
            "active_page": "stakeholders", **extra}


def _group_or_404(project, group_id):
    return get_row_or_404(StakeholderGroup, project, group_id, removed_at=None)


# --- the map -------------------------------------------------------------------------------------------


@login_required
def stakeholder_map(request, org_slug, project_id):
    project = get_project_or_404(request, org_slug, project_id)
    groups = list(reads.groups_of(project))
    engaged = {g.pk for g in groups if g.records_count}
    sources = reads.projects_to_copy_from(project)
    people = reads.people_of(project, request.user)
    for group in groups:
        group.named = (people or {}).get(group.pk, [])
    return render(request, "projects/engagement/map.html", _context(
        request, project, groups=groups, people=people,
        map_src=charts.stakeholder_map(groups, engaged), n_not_engaged=len(groups) - len(engaged),
        form=GroupForm(), copy_form=CopyGroupsForm(projects=sources) if sources.exists() else None))


def _group_values(data):
    return {k: data.get(k) for k in ("name", "side", "relation", "affected", "influence", "notes")}


@login_required
def group_create(request, org_slug, project_id):
    project = get_project_or_404(request, org_slug, project_id, "edit")
    form = GroupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            group = services.stakeholder_group_create(project=project, user=request.user,
                                                      **_group_values(form.cleaned_data))
        except ValidationError as exc:
            errors.add_to_form(form, exc)
        else:
            messages.success(request, _("“%(name)s” added to the map.") % {"name": group.name})
            return redirect(_url("project_stakeholders", project, anchor="groups"))
    return render(request, "projects/engagement/group_form.html", _context(request, project, form=form),
                  status=400 if form.errors else 200)


@login_required
def group_edit(request, org_slug, project_id, group_id):
    project = get_project_or_404(request, org_slug, project_id, "edit")
    group = _group_or_404(project, group_id)
    form = GroupForm(request.POST or None, initial={**_group_values(group.__dict__), "version": group.version})
    context = _context(request, project, group=group)
    if request.method == "POST" and form.is_valid():
        try:
            services.stakeholder_group_update(group=group, user=request.user, version=form.cleaned_data.get("version"),
                                              **_group_values(form.cleaned_data))
        except StaleEdit as exc:
            context.update(conflict_context(exc, form, conflict_rows(form, exc.current)))
        except ValidationError as exc:
            errors.add_to_form(form, exc)
        else:
            messages.success(request, _("Group saved."))
            return redirect(_url("project_stakeholders", project, anchor="groups"))
    return render(request, "projects/engagement/group_form.html", {**context, "form": form},
                  status=400 if form.errors else 200)


@login_required
def group_remove(request, org_slug, project_id, group_id):
    project = get_project_or_404(request, org_slug, project_id, "edit")
    group = _group_or_404(project, group_id)
    context = _context(request, project, group=group, n_people=StakeholderPerson.objects.filter(group=group).count())
    if request.method == "POST":
        try:
            services.stakeholder_group_remove(group=group, user=request.user, version=request.POST.get("version"))
        except StaleEdit:
            context["error"] = _("Someone changed this group while you were deciding. Look at it again first.")
        else:
            messages.success(request, _("“%(name)s” taken off the map.") % {"name": group.name})
            return redirect(_url("project_stakeholders", project, anchor="groups"))
    return render(request, "projects/engagement/group_remove.html", context, status=409 if "error" in context else 200)


@login_required
def groups_copy(request, org_slug, project_id):
    project = get_project_or_404(request, org_slug, project_id, "edit")
    if refusal := post_only(request):
        return refusal
    sources = for_user(request.user, Project.objects.filter(organisation=project.organisation))
    form = CopyGroupsForm(request.POST, projects=sources)
    if not form.is_valid():
        errors.flash(request, ValidationError(form.errors["source"]))
    else:
        try:
            made = services.stakeholder_groups_copy(project=project, source=form.cleaned_data["source"],
                                                    user=request.user)
        except ValidationError as exc:
            errors.flash(request, exc)
        else:
            messages.success(request, _("%(n)d groups added to the map.") % {"n": len(made)} if made
                             else _("Every group of that project is already on this map."))
    return redirect(_url("project_stakeholders", project, anchor="groups"))


# --- named people (the project team only) --------------------------------------------------------------


def _team_only(request, project):
    if not reads.people_visible_to(request.user, project):
        raise Http404


@login_required
def person_add(request, org_slug, project_id, group_id):
    project = get_project_or_404(request, org_slug, project_id, "edit")
    _team_only(request, project)
    group = _group_or_404(project, group_id)
    form = PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.stakeholder_person_add(group=group, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            errors.add_to_form(form, exc)
        else:
            messages.success(request, _("Person added to “%(group)s”.") % {"group": group.name})
            return redirect(_url("project_stakeholders", project, anchor=f"group-{group.pk}"))
    return render(request, "projects/engagement/person_form.html", _context(request, project, group=group, form=form),
                  status=400 if form.errors else 200)


@login_required
def person_erase(request, org_slug, project_id, person_id):
    project = get_project_or_404(request, org_slug, project_id, "edit")
    _team_only(request, project)
    person = get_row_or_404(StakeholderPerson, project, person_id)
    if request.method == "POST":
        services.stakeholder_person_erase(person=person, user=request.user, request=request)
        messages.success(request, _("The person was erased from the project."))
        return redirect(_url("project_stakeholders", project, anchor="groups"))
    return render(request, "projects/engagement/person_erase.html", _context(request, project, person=person))


# --- plans and records ---------------------------------------------------------------------------------


@login_required
def engagement(request, org_slug, project_id):
    project = get_project_or_404(request, org_slug, project_id)
    step = request.GET.get("step") if request.GET.get("step") in Step.values else None
    iteration = project.current_iteration
    plans = list(reads.plans_of(project, iteration=iteration))
    by_step = [(info, [p for p in plans if p.step == info.code]) for info in steps.CYCLE]
    page = Paginator(reads.records_of(project, step=step), reads.RECORDS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "projects/engagement/page.html", _context(
        request, project, iteration=iteration, by_step=by_step, page=page, step=step, grid=reads.grid(project),
        steps=steps.CYCLE, has_groups=StakeholderGroup.objects.filter(project=project, removed_at=None).exists()))


def _plan_form(request, project, plan=None):
    groups = StakeholderGroup.objects.filter(project=project, removed_at=None)
    if plan is not None and plan.group.removed_at is not None:
        groups = StakeholderGroup.objects.filter(pk=plan.group_id) | groups
    initial = {"step": request.GET.get("step") if request.GET.get("step") in Step.values else Step.GOALS}
    if plan is not None:
        initial = {"step": plan.step, "group": plan.group_id, "objective": plan.objective, "approach": plan.approach,
                   "consultation": plan.consultation_id, "note": plan.note, "version": plan.version}
    return PlanForm(request.POST or None, initial=initial, groups=groups,
                    consultations=consultations_for_project(project))


def _plan_values(project, data):
    consultation = None
    if data.get("consultation"):
        consultation = consultations_for_project(project).filter(pk=data["consultation"]).first()
    return {"step": data["step"], "group": StakeholderGroup.objects.filter(project=project, pk=data["group"]).first(),
            "objective": data["objective"], "approach": data["approach"], "note": data.get("note", ""),
            "consultation": consultation}


def _plan_page(request, project, form, plan=None, context=None):
    return render(request, "projects/engagement/plan_form.html",
                  {**_context(request, project, form=form, plan=plan), **(context or {})},
                  status=400 if form.errors else 200)


@login_required
def plan_create(request, org_slug, project_id):
    project = get_project_or_404(request, org_slug, project_id, "edit")
    form = _plan_form(request, project)
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.engagement_plan_add(project=project, iteration=project.current_iteration,
                                                user=request.user, **_plan_values(project, form.cleaned_data))
        except ValidationError as exc:
            errors.add_to_form(form, exc)
        else:
            messages.success(request, _("Planned: %(plan)s.") % {"plan": plan})
            return redirect(_url("project_engagement", project, anchor=f"plan-{plan.step}"))
    return _plan_page(request, project, form)


@login_required
def plan_edit(request, org_slug, project_id, plan_id):
    project = get_project_or_404(request, org_slug, project_id, "edit")
    plan = get_row_or_404(EngagementPlan, project, plan_id)
    form, context = _plan_form(request, project, plan), {}
    if request.method == "POST" and form.is_valid():
        try:
            services.engagement_plan_update(plan=plan, user=request.user, version=form.cleaned_data.get("version"),
                                            **_plan_values(project, form.cleaned_data))
        except StaleEdit as exc:
            context = conflict_context(exc, form, conflict_rows(form, exc.current))
        except ValidationError as exc:
            errors.add_to_form(form, exc)
        else:
            messages.success(request, _("Plan saved."))
            return redirect(_url("project_engagement", project, anchor=f"plan-{plan.step}"))
    return _plan_page(request, project, form, plan, context)


@login_required
def plan_delete(request, org_slug, project_id, plan_id):
    project = get_project_or_404(request, org_slug, project_id, "edit")
    plan = get_row_or_404(EngagementPlan, project, plan_id)
    context = _context(request, project, what=_("plan"), name=str(plan),
                       cancel_url=_url("project_engagement", project, anchor=f"plan-{plan.step}"))
    if request.method == "POST":
        try:
            services.engagement_plan_delete(plan=plan, user=request.user)
        except ValidationError as exc:
            return render(request, "projects/confirm_delete.html", {**context, "error": errors.summary(exc)},
                          status=400)
        messages.success(request, _("Plan deleted. It stays in the project's history."))
        return redirect(context["cancel_url"])
    return render(request, "projects/confirm_delete.html", context)


def _changeable_items(project):
    """(kind, id, group label, name) of what a record can say it changed: the project's goals,
    barriers and strategies, and the current iteration's tasks and success criteria."""
    iteration = project.current_iteration
    items = [("goal", g.pk, _("Goal"), g.end_goal[:80]) for g in Goal.objects.filter(project=project)]
    items += [("barrier", b.pk, _("Barrier"), b.name[:80])
              for b in Barrier.objects.filter(project=project).select_related("item")]
    items += [("option", o.pk, _("Strategy"), o.name[:80])
              for o in StrategyOption.objects.filter(project=project).select_related("item")]
    items += [("task", t.pk, _("Task"), t.title[:80]) for t in Task.objects.filter(iteration=iteration)]
    items += [("criterion", c.pk, _("Success criterion"), c.description[:80])
              for c in SuccessCriterion.objects.filter(iteration=iteration)]
    return [(kind, pk, f"{label}: {name}", name) for kind, pk, label, name in items]


def _record_form(request, project, record=None):
    groups = StakeholderGroup.objects.filter(project=project, removed_at=None)
    initial = {"step": request.GET.get("step") if request.GET.get("step") in Step.values else project.step,
               "approach": request.GET.get("approach") or "meeting"}
    if record is not None:
        groups = groups | record.groups.all()
        initial = {"step": record.step, "date": record.date, "approach": record.approach, "people": record.people,
                   "heard": record.heard, "changed": record.changed, "version": record.version,
                   "groups": [g.pk for g in record.groups.all()],
                   "changes": [f"{c.kind}:{c.object_id}:{c.what}" for c in record.changes.all()]}
    return RecordForm(request.POST or None, initial=initial, groups=groups.distinct(),
                      items=_changeable_items(project))


def _record_values(project, data):
    return {"step": data["step"], "date": data["date"], "approach": data["approach"], "people": data.get("people"),
            "heard": data["heard"], "changed": data.get("changed", ""), "changes": data.get("changes") or [],
            "groups": list(StakeholderGroup.objects.filter(project=project, pk__in=data["groups"]))}


def _record_page(request, project, form, record=None, context=None):
    return render(request, "projects/engagement/record_form.html",
                  {**_context(request, project, form=form, record=record), **(context or {})},
                  status=400 if form.errors else 200)


@login_required
def record_create(request, org_slug, project_id):
    project = get_project_or_404(request, org_slug, project_id, "edit")
    form = _record_form(request, project)
    if request.method == "POST" and form.is_valid():
        try:
            record = services.engagement_record_add(project=project, iteration=project.current_iteration,
                                                    user=request.user, **_record_values(project, form.cleaned_data))
        except ValidationError as exc:
            errors.add_to_form(form, exc)
        else:
            messages.success(request, _("Engagement recorded."))
            return redirect(_url("project_record", project, record.pk))
    return _record_page(request, project, form)


@login_required
def record_detail(request, org_slug, project_id, record_id):
    project = get_project_or_404(request, org_slug, project_id)
    record = reads.records_of(project).filter(pk=record_id).first()
    if record is None:
        raise Http404
    return render(request, "projects/engagement/record.html", _context(request, project, record=record))


@login_required
def record_edit(request, org_slug, project_id, record_id):
    project = get_project_or_404(request, org_slug, project_id, "edit")
    record = get_row_or_404(EngagementRecord, project, record_id)
    form, context = _record_form(request, project, record), {}
    if request.method == "POST" and form.is_valid():
        try:
            services.engagement_record_update(record=record, user=request.user,
                                              version=form.cleaned_data.get("version"),
                                              **_record_values(project, form.cleaned_data))
        except StaleEdit as exc:
            context = conflict_context(exc, form, conflict_rows(form, exc.current))
        except ValidationError as exc:
            errors.add_to_form(form, exc)
        else:
            messages.success(request, _("Record saved."))
            return redirect(_url("project_record", project, record.pk))
    return _record_page(request, project, form, record, context)


@login_required
def record_delete(request, org_slug, project_id, record_id):
    project = get_project_or_404(request, org_slug, project_id, "edit")
    record = get_row_or_404(EngagementRecord, project, record_id)
    context = _context(request, project, what=_("record"), name=str(record),
                       cancel_url=_url("project_record", project, record.pk))
    if request.method == "POST":
        try:
            services.engagement_record_delete(record=record, user=request.user)
        except ValidationError as exc:
            return render(request, "projects/confirm_delete.html", {**context, "error": errors.summary(exc)},
                          status=400)
        messages.success(request, _("Record deleted. It stays in the project's history."))
        return redirect(_url("project_engagement", project, anchor="records"))
    return render(request, "projects/confirm_delete.html", context)


# --- across the organisation ---------------------------------------------------------------------------


@login_required
def organisation_stakeholders(request, org_slug):
    org = get_organisation_or_404(request.user, org_slug)
    projects = for_user(request.user, Project.objects.filter(organisation=org))
    return render(request, "projects/engagement/organisation.html",
                  {"org": org, "rows": reads.organisation_counts(org, projects)})
