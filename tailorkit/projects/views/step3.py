"""Step 3 – design and plan: the plan page, the specification, tasks and success criteria.

Every page of steps 3 and 4 can show an earlier iteration read-only with ``?iteration=<number>``;
forms that create rows post to a URL that names the iteration they were built for, so a form left
open while someone else went back to an earlier step is refused rather than written into the new
iteration.
"""

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.forms.models import model_to_dict
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from tailorkit.core.locking import StaleEdit
from tailorkit.core.permissions import can

from ..access import get_project_or_404, get_row_or_404
from ..forms_step34 import CriterionForm, SpecificationForm, TaskForm, pack_labels
from ..guidance import GUIDANCE, load_principles, principles_for
from ..models import Decision, Focus, Iteration, Specification, Step, SuccessCriterion, Task
from ..services import step3 as services
from . import stakeholders
from .projects import form_errors_from

# --- Shared by steps 3 and 4 ------------------------------------------------------------------------


def load_iterations(project):
    """All iterations, oldest first, with their decisions; each gets ``ended_at`` (when the next began)."""
    decisions = Decision.objects.select_related("decided_by", "review").order_by("decided_at", "id")
    iterations = list(Iteration.objects.filter(project=project).order_by("number")
                      .select_related("chosen_option__item", "chosen_option__barrier__item")
                      .prefetch_related(Prefetch("decisions", queryset=decisions)))
    for it, nxt in zip(iterations, iterations[1:] + [None], strict=True):
        it.ended_at = nxt.started_at if nxt else None
        it.decision_list = list(it.decisions.all())
        it.last_decision = it.decision_list[-1] if it.decision_list else None
    return iterations


def pick_iteration(request, iterations):
    """(shown, current): ``?iteration=<number>`` or the current (newest) iteration; unknown → 404."""
    if not iterations:
        raise Http404
    current = iterations[-1]
    raw = request.GET.get("iteration")
    if raw in (None, ""):
        return current, current
    try:
        number = int(raw)
    except ValueError:
        raise Http404 from None
    shown = next((i for i in iterations if i.number == number), None)
    if shown is None:
        raise Http404
    return shown, current


def step_context(request, project, step, iterations, shown, current):
    can_edit = can(request.user, "edit", project)
    earlier = shown.pk != current.pk
    return {
        "project": project, "org": project.organisation, "active_step": step, "step": step,
        "guidance": GUIDANCE[step], "principles": principles_for(step, load_principles()),
        "iterations": iterations, "iteration": shown, "current_iteration": current,
        "is_earlier": earlier, "can_edit": can_edit, "read_only": earlier or not can_edit,
    }


def step_url(name, project, iteration=None, anchor=""):
    url = reverse(name, args=[project.organisation.slug, project.pk])
    if iteration is not None:
        url += f"?iteration={iteration.number}"
    return url + (f"#{anchor}" if anchor else "")


def _show(value, field=None):
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
        return str(dict(field.choices).get(value, value))
    return str(value)


def conflict_rows(form, current, names):
    """(label, their value, your value) for each field where the saved row and the refused edit differ."""
    rows = []
    for name in names:
        field = form.fields[name]
        theirs, yours = _show(getattr(current, name), field), _show(form.cleaned_data.get(name), field)
        if theirs.strip() != yours.strip():
            rows.append((field.label, theirs, yours))
    return rows


def rebind_with_version(form, version):
    """Keep the user's values but build on the version now saved (so saving again is deliberate)."""
    form.data = form.data.copy()
    form.data["version"] = version
    return form


def refuse_earlier(request, project, iteration, name="projects:project_step_plan"):
    messages.error(request, _("Iteration %(n)d is an earlier iteration: it can be read but no longer changed.")
                   % {"n": iteration.number})
    return redirect(step_url(name, project, iteration))


def is_earlier(iteration):
    return Iteration.objects.filter(project_id=iteration.project_id, number__gt=iteration.number).exists()


# --- The plan page and the specification --------------------------------------------------------------


def spec_summary(spec, labels):
    missing = spec.missing_fields() if spec else list(Specification.PLANNING_FIELDS)
    total = len(Specification.PLANNING_FIELDS)
    return {"filled": total - len(missing), "total": total,
            "missing": [(f, labels[f][0]) for f in missing]}


def render_plan(request, project, spec_form=None, conflict=None, rows=None):
    iterations = load_iterations(project)
    shown, current = pick_iteration(request, iterations)
    ctx = step_context(request, project, Step.PLAN, iterations, shown, current)
    labels = pack_labels()
    spec = Specification.objects.filter(iteration=shown).first()
    if spec_form is None and not ctx["read_only"]:
        initial = {**model_to_dict(spec, fields=services.SPEC_FIELDS), "version": spec.version} if spec else {}
        spec_form = SpecificationForm(initial=initial, labels=labels)
    ctx.update({
        "focus": Focus.objects.filter(iteration=shown).select_related("goal", "barrier__item"),
        "spec": spec, "spec_form": spec_form, "completeness": spec_summary(spec, labels),
        "spec_values": [(labels[f][0], getattr(spec, f) if spec else "") for f in services.SPEC_FIELDS],
        "tasks": Task.objects.filter(iteration=shown).select_related("owner"),
        "task_statuses": Task.Status.choices,
        "criteria": SuccessCriterion.objects.filter(iteration=shown),
        "task_form": None if ctx["read_only"] else TaskForm(project=project, auto_id="id_task_%s"),
        "criterion_form": None if ctx["read_only"] else CriterionForm(auto_id="id_criterion_%s"),
        "conflict": conflict, "conflict_rows": rows or [],
        "stakeholder_panel": stakeholders.step_panel(request=request, project=project,
                                        step=Step.PLAN, iteration=current),
    })
    return render(request, "projects/step3_plan.html", ctx)


@login_required
def plan(request, org_slug, project_id):
    """GET: the plan page. POST: save the specification of the iteration named in the URL."""
    if request.method != "POST":
        project = get_project_or_404(request, org_slug, project_id)
        return render_plan(request, project)
    project = get_project_or_404(request, org_slug, project_id, "edit")
    shown, _current = pick_iteration(request, load_iterations(project))
    if is_earlier(shown):
        return refuse_earlier(request, project, shown)
    form = SpecificationForm(request.POST, labels=pack_labels())
    if form.is_valid():
        data = {f: form.cleaned_data[f] for f in services.SPEC_FIELDS}
        try:
            services.spec_save(iteration=shown, user=request.user, version=form.cleaned_data.get("version"),
                               data=data)
        except StaleEdit as exc:
            rows = conflict_rows(form, exc.current, services.SPEC_FIELDS)
            return render_plan(request, project, rebind_with_version(form, exc.current.version), exc, rows)
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("Specification saved."))
            return redirect(step_url("projects:project_step_plan", project, anchor="specification"))
    return render_plan(request, project, spec_form=form)


@login_required
def plan_ready(request, org_slug, project_id):
    project = get_project_or_404(request, org_slug, project_id, "edit")
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        services.plan_mark_ready(project=project, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(step_url("projects:project_step_plan", project))
    messages.success(request, _("The plan is ready. Record what happens as you apply it, then review it here."))
    return redirect(step_url("projects:project_step_review", project))


# --- Tasks and success criteria -----------------------------------------------------------------------

ROW_KINDS = {
    # kind: (model, form class, service prefix, field names, form template, anchor on the plan page)
    "task": (Task, TaskForm, "task", ["title", "owner", "due_date", "status"], "projects/step3_task_form.html",
             "tasks"),
    "criterion": (SuccessCriterion, CriterionForm, "criterion",
                  ["description", "target_value", "target_unit", "target_date"],
                  "projects/step3_criterion_form.html", "criteria"),
}


def _form_for(kind, project, *args, **kwargs):
    form_class = ROW_KINDS[kind][1]
    return form_class(*args, project=project, **kwargs) if form_class is TaskForm else form_class(*args, **kwargs)


def _row_form_page(request, project, kind, form, iteration, obj=None, conflict=None, rows=None):
    return render(request, ROW_KINDS[kind][4], {
        "project": project, "org": project.organisation, "active_step": Step.PLAN, "form": form, "object": obj,
        "iteration": iteration, "conflict": conflict, "conflict_rows": rows or [],
        "back_url": step_url("projects:project_step_plan", project, anchor=ROW_KINDS[kind][5]),
    })


def _row_create(request, org_slug, project_id, kind):
    project = get_project_or_404(request, org_slug, project_id, "edit")
    iteration, _current = pick_iteration(request, load_iterations(project))
    if is_earlier(iteration):
        return refuse_earlier(request, project, iteration)
    _model, _f, prefix, names, _t, anchor = ROW_KINDS[kind]
    form = _form_for(kind, project, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            getattr(services, f"{prefix}_create")(iteration=iteration, user=request.user,
                                                   **{n: form.cleaned_data[n] for n in names})
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("Task added.") if kind == "task" else _("Success criterion added."))
            return redirect(step_url("projects:project_step_plan", project, anchor=anchor))
    return _row_form_page(request, project, kind, form, iteration)


def _row_edit(request, org_slug, project_id, pk, kind):
    project = get_project_or_404(request, org_slug, project_id, "edit")
    model, _f, prefix, names, _t, anchor = ROW_KINDS[kind]
    obj = get_row_or_404(model, project, pk)
    if is_earlier(obj.iteration):
        return refuse_earlier(request, project, obj.iteration)
    initial = {**{n: getattr(obj, n) for n in names}, "version": obj.version}
    if kind == "task":
        initial["owner"] = obj.owner_id
    form = _form_for(kind, project, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            getattr(services, f"{prefix}_update")(**{kind: obj}, user=request.user,
                                                   version=form.cleaned_data.get("version"),
                                                   **{n: form.cleaned_data[n] for n in names})
        except StaleEdit as exc:
            rows = conflict_rows(form, exc.current, names)
            return _row_form_page(request, project, kind, rebind_with_version(form, exc.current.version),
                                  obj.iteration, obj, exc, rows)
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("Task saved.") if kind == "task" else _("Success criterion saved."))
            return redirect(step_url("projects:project_step_plan", project, anchor=anchor))
    return _row_form_page(request, project, kind, form, obj.iteration, obj)


def _row_delete(request, org_slug, project_id, pk, kind):
    project = get_project_or_404(request, org_slug, project_id, "edit")
    model, _f, prefix, _n, _t, anchor = ROW_KINDS[kind]
    obj = get_row_or_404(model, project, pk)
    if is_earlier(obj.iteration):
        return refuse_earlier(request, project, obj.iteration)
    if request.method == "POST":
        try:
            getattr(services, f"{prefix}_delete")(**{kind: obj}, user=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Task deleted.") if kind == "task" else _("Success criterion deleted."))
        return redirect(step_url("projects:project_step_plan", project, anchor=anchor))
    return render(request, "projects/step3_confirm_delete.html", {
        "project": project, "org": project.organisation, "active_step": Step.PLAN, "object": obj, "kind": kind,
        "back_url": step_url("projects:project_step_plan", project, anchor=anchor),
    })


@login_required
def task_create(request, org_slug, project_id):
    return _row_create(request, org_slug, project_id, "task")


@login_required
def task_edit(request, org_slug, project_id, task_id):
    return _row_edit(request, org_slug, project_id, task_id, "task")


@login_required
def task_delete(request, org_slug, project_id, task_id):
    return _row_delete(request, org_slug, project_id, task_id, "task")


@login_required
def task_status(request, org_slug, project_id, task_id):
    project = get_project_or_404(request, org_slug, project_id, "edit")
    task = get_row_or_404(Task, project, task_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        task = services.task_set_status(task=task, user=request.user, status=request.POST.get("status", ""),
                                        version=request.POST.get("version") or None)
    except StaleEdit as exc:
        messages.error(request, _("Someone else changed “%(task)s” while you were looking; its status is now "
                                  "“%(status)s”. Nothing was changed: try again if you still want to.")
                       % {"task": exc.current.title, "status": exc.current.get_status_display()})
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("“%(task)s” is now “%(status)s”.") % {
            "task": task.title, "status": task.get_status_display()})
    return redirect(step_url("projects:project_step_plan", project, anchor="tasks"))


@login_required
def criterion_create(request, org_slug, project_id):
    return _row_create(request, org_slug, project_id, "criterion")


@login_required
def criterion_edit(request, org_slug, project_id, criterion_id):
    return _row_edit(request, org_slug, project_id, criterion_id, "criterion")


@login_required
def criterion_delete(request, org_slug, project_id, criterion_id):
    return _row_delete(request, org_slug, project_id, criterion_id, "criterion")
