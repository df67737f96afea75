"""Design and plan pages: the plan page, the specification, tasks and success criteria (with
``?iteration=<number>``, an earlier iteration read-only)."""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms.models import model_to_dict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tailorkit.core import errors
from tailorkit.core.locking import StaleEdit, conflict_context, conflict_rows

from ..access import get_project_or_404, get_row_or_404
from ..forms.planning import CriterionForm, SpecificationForm, TaskForm, pack_labels
from ..models import Step, SuccessCriterion, Task
from ..selectors import measures as measure_reads
from ..selectors import planning as reads
from ..services import planning as services
from .step_pages import (
    confirm_delete,
    iteration_to_change,
    page_context,
    post_only,
    refuse_if_earlier,
    section_page,
    step_page_context,
    step_url,
)


def plan_url(project, iteration=None, anchor=""):
    return step_url(Step.PLAN, project, iteration, anchor)


# --- The plan page and the specification --------------------------------------------------------------


def render_plan(request, project, spec_form=None, conflict=None):
    """The plan page. The specification is shown as a short list of what is filled; its form is
    folded away (``<details>``) unless it is being edited (``?edit=specification``, errors, a
    conflict), so that tasks and success criteria are a few tab stops from the top (issue 10)."""
    context = step_page_context(request, project, Step.PLAN)
    plan, labels = reads.plan_of(context["iteration"]), pack_labels()
    spec = plan["spec"]
    editing = spec_form is not None or request.GET.get("edit") == "specification"
    if spec_form is None and not context["read_only"]:
        initial = {**model_to_dict(spec, fields=services.SPEC_FIELDS), "version": spec.version} if spec else {}
        spec_form = SpecificationForm(initial=initial, labels=labels)
    tasks, task_query = section_page(request, plan.pop("tasks"), "tasks_page")
    criteria, criterion_query = section_page(request, plan.pop("criteria"), "criteria_page")
    context.update({
        **plan, "tasks": tasks.object_list, "tasks_page": tasks, "task_query": task_query,
        "criteria": measure_reads.with_verdicts(criteria.object_list), "criteria_page": criteria,
        "criterion_query": criterion_query, "spec_form": spec_form, "spec_editing": editing,
        "completeness": reads.completeness(spec, labels),
        "spec_values": reads.spec_values(spec, labels),
        "task_statuses": Task.Status.choices,
        "task_form": None if context["read_only"] else TaskForm(project=project, auto_id="id_task_%s"),
        "criterion_form": None if context["read_only"] else CriterionForm(project=project,
                                                                          auto_id="id_criterion_%s"),
        **(conflict or {"conflict": None, "conflict_rows": []}),
    })
    return render(request, "projects/planning/page.html", context)


@login_required
def plan(request, org_slug, project_id):
    """GET: the plan page. POST: save the specification of the iteration named in the URL."""
    if request.method != "POST":
        return render_plan(request, get_project_or_404(request, org_slug, project_id))
    project = get_project_or_404(request, org_slug, project_id, "edit")
    iteration, refused = iteration_to_change(request, project, Step.PLAN)
    if refused:
        return refused
    form = SpecificationForm(request.POST, labels=pack_labels())
    if form.is_valid():
        try:
            services.spec_save(iteration=iteration, user=request.user, version=form.cleaned_data.get("version"),
                               data={f: form.cleaned_data[f] for f in services.SPEC_FIELDS})
        except StaleEdit as exc:
            conflict = conflict_context(exc, form, conflict_rows(form, exc.current, services.SPEC_FIELDS))
            return render_plan(request, project, conflict.pop("form"), conflict)
        except ValidationError as exc:
            errors.add_to_form(form, exc)
        else:
            messages.success(request, _("Specification saved."))
            return redirect(plan_url(project, anchor="specification"))
    return render_plan(request, project, spec_form=form)


@login_required
def plan_ready(request, org_slug, project_id):
    project = get_project_or_404(request, org_slug, project_id, "edit")
    if (refused := post_only(request)) is not None:
        return refused
    try:
        services.plan_mark_ready(project=project, user=request.user)
    except ValidationError as exc:
        errors.flash(request, exc)
        return redirect(plan_url(project))
    messages.success(request, _("The plan is ready. Record what happens as you apply it, then review it here."))
    return redirect(step_url(Step.REVIEW, project))


# --- Tasks and success criteria -----------------------------------------------------------------------


@dataclass(frozen=True)
class PlanRow:
    """What differs between tasks and success criteria on their form, edit and delete pages."""

    model: type
    form_class: type
    create: object                  # the service functions, named explicitly
    update: object
    delete: object
    fields: tuple
    template: str
    anchor: str                     # their section on the plan page
    what: str
    added: str
    saved: str
    deleted: str

    def form(self, project, *args, **kwargs):
        return self.form_class(*args, project=project, **kwargs)

    def values(self, form):
        return {name: form.cleaned_data[name] for name in self.fields}


TASK = PlanRow(
    model=Task, form_class=TaskForm, create=services.task_create,
    update=lambda row, **kw: services.task_update(task=row, **kw),
    delete=lambda row, **kw: services.task_delete(task=row, **kw),
    fields=("title", "owner", "due_date", "status"), template="projects/planning/task_form.html", anchor="tasks",
    what=gettext_lazy("task"), added=gettext_lazy("Task added."), saved=gettext_lazy("Task saved."),
    deleted=gettext_lazy("Task deleted."),
)
CRITERION = PlanRow(
    model=SuccessCriterion, form_class=CriterionForm, create=services.criterion_create,
    update=lambda row, **kw: services.criterion_update(criterion=row, **kw),
    delete=lambda row, **kw: services.criterion_delete(criterion=row, **kw),
    fields=("description", "measure", "direction", "target_value", "target_unit", "target_date"),
    template="projects/planning/criterion_form.html", anchor="criteria", what=gettext_lazy("success criterion"),
    added=gettext_lazy("Success criterion added."), saved=gettext_lazy("Success criterion saved."),
    deleted=gettext_lazy("Success criterion deleted."),
)


def _row_form_page(request, project, kind, form, iteration, obj=None, conflict=None):
    return render(request, kind.template, {
        **page_context(request, project, Step.PLAN), "form": form, "object": obj, "iteration": iteration,
        "conflict": None, "conflict_rows": [], **(conflict or {}),
        "back_url": plan_url(project, anchor=kind.anchor),
    })


def _row_create(request, org_slug, project_id, kind):
    project = get_project_or_404(request, org_slug, project_id, "edit")
    iteration, refused = iteration_to_change(request, project, Step.PLAN)
    if refused:
        return refused
    form = kind.form(project, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            kind.create(iteration=iteration, user=request.user, **kind.values(form))
        except ValidationError as exc:
            errors.add_to_form(form, exc)
        else:
            messages.success(request, kind.added)
            return redirect(plan_url(project, anchor=kind.anchor))
    return _row_form_page(request, project, kind, form, iteration)


def _row_edit(request, org_slug, project_id, pk, kind):
    project = get_project_or_404(request, org_slug, project_id, "edit")
    obj = get_row_or_404(kind.model, project, pk)
    if refused := refuse_if_earlier(request, project, obj, Step.PLAN):
        return refused
    initial = {**{n: getattr(obj, n) for n in kind.fields}, "version": obj.version}
    if kind is TASK:
        initial["owner"] = obj.owner_id
    form = kind.form(project, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            kind.update(obj, user=request.user, version=form.cleaned_data.get("version"), **kind.values(form))
        except StaleEdit as exc:
            conflict = conflict_context(exc, form, conflict_rows(form, exc.current, kind.fields))
            return _row_form_page(request, project, kind, conflict.pop("form"), obj.iteration, obj, conflict)
        except ValidationError as exc:
            errors.add_to_form(form, exc)
        else:
            messages.success(request, kind.saved)
            return redirect(plan_url(project, anchor=kind.anchor))
    return _row_form_page(request, project, kind, form, obj.iteration, obj)


def _row_delete(request, org_slug, project_id, pk, kind):
    project = get_project_or_404(request, org_slug, project_id, "edit")
    obj = get_row_or_404(kind.model, project, pk)
    if refused := refuse_if_earlier(request, project, obj, Step.PLAN):
        return refused
    context = {**page_context(request, project, Step.PLAN), "what": kind.what, "name": str(obj)}
    return confirm_delete(request, context, lambda: kind.delete(obj, user=request.user), kind.deleted,
                          plan_url(project, anchor=kind.anchor))


@login_required
def task_create(request, org_slug, project_id):
    return _row_create(request, org_slug, project_id, TASK)


@login_required
def task_edit(request, org_slug, project_id, task_id):
    return _row_edit(request, org_slug, project_id, task_id, TASK)


@login_required
def task_delete(request, org_slug, project_id, task_id):
    return _row_delete(request, org_slug, project_id, task_id, TASK)


@login_required
def task_status(request, org_slug, project_id, task_id):
    project = get_project_or_404(request, org_slug, project_id, "edit")
    task = get_row_or_404(Task, project, task_id)
    if (refused := post_only(request)) is not None:
        return refused
    try:
        task = services.task_set_status(task=task, user=request.user, status=request.POST.get("status", ""),
                                        version=request.POST.get("version") or None)
    except StaleEdit as exc:
        messages.error(request, _("Someone else changed “%(task)s” while you were looking; its status is now "
                                  "“%(status)s”. Nothing was changed: try again if you still want to.")
                       % {"task": exc.current.title, "status": exc.current.get_status_display()})
    except ValidationError as exc:
        errors.flash(request, exc)
    else:
        messages.success(request, _("“%(task)s” is now “%(status)s”.") % {
            "task": task.title, "status": task.get_status_display()})
    return redirect(plan_url(project, anchor="tasks"))


@login_required
def criterion_create(request, org_slug, project_id):
    return _row_create(request, org_slug, project_id, CRITERION)


@login_required
def criterion_edit(request, org_slug, project_id, criterion_id):
    return _row_edit(request, org_slug, project_id, criterion_id, CRITERION)


@login_required
def criterion_delete(request, org_slug, project_id, criterion_id):
    return _row_delete(request, org_slug, project_id, criterion_id, CRITERION)
