"""Step 1 pages: goals, barriers, the team's ratings, the prioritisation matrix and the focus."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from tailorkit.core.locking import StaleEdit
from tailorkit.core.permissions import can
from tailorkit.library.models import Category, Item

from .. import charts
from ..access import get_project_or_404, get_row_or_404
from ..forms_step12 import BarrierNotesForm, BarrierSearchForm, CustomBarrierForm, FocusForm, GoalForm
from ..guidance import GUIDANCE, load_principles, principles_for
from ..models import Barrier, Goal, Step
from ..services import step1 as services
from . import stakeholders
from .projects import form_errors_from

SEARCH_LIMIT = 50
CUSTOM_BARRIER_FIELDS = {"custom_name": "name", "custom_category": "category"}


# --- helpers shared with step 2 ------------------------------------------------------------------


def step_context(request, project, step):
    principles = load_principles()
    return {"project": project, "org": project.organisation, "active_step": step,
            "guidance": GUIDANCE[step], "principles": principles_for(step, principles),
            "all_principles": principles, "can_edit": can(request.user, "edit", project)}


def conflict_context(form, current, field_values=None):
    """(conflict, conflict_rows) for ``_conflict.html``: the fields where theirs and yours differ."""
    rows = []
    for name, field in form.fields.items():
        if name == "version" or name not in form.data:
            continue
        theirs = field_values.get(name) if field_values else getattr(current, name, "")
        yours = form.data.get(name, "")
        if str(theirs or "") != str(yours or ""):
            rows.append((field.label, theirs, yours))
    return rows


def restage(form_class, request, current_version, **kwargs):
    """The form with the user's values and the current version, after a refused stale save."""
    data = request.POST.copy()
    data["version"] = current_version
    return form_class(data, **kwargs)


def form_errors_renamed(exc, form, mapping):
    """Like ``form_errors_from`` for a form whose field names differ from the model's."""
    if hasattr(exc, "error_dict"):
        for key, errors in exc.message_dict.items():
            name = mapping.get(key, key)
            for error in errors:
                form.add_error(name if name in form.fields else None, error)
    else:
        for error in exc.messages:
            form.add_error(None, error)


def post_only(request):
    return None if request.method == "POST" else HttpResponseNotAllowed(["POST"])


def confirm_delete(request, context, delete, done_message, next_url):
    """The "delete this?" page for one row (``context`` names it), and on POST ``delete()``, the
    service call: a refusal (ValidationError) is shown on the same page, nothing deleted."""
    if request.method == "POST":
        try:
            delete()
        except ValidationError as exc:
            context["error"] = " ".join(exc.messages)
            return render(request, "projects/step1_confirm_delete.html", context, status=400)
        messages.success(request, done_message)
        return redirect(next_url)
    return render(request, "projects/step1_confirm_delete.html", context)


def goals_url(project, anchor=""):
    from django.urls import reverse

    return reverse("projects:project_step_goals", args=[project.organisation.slug, project.pk]) + anchor


# --- the step page ---------------------------------------------------------------------------------


def _stakeholder_ratings(project):
    # Stakeholder ratings from the latest answered consultation (see ..stakeholders):
    # {"values": {barrier_id: (importance, changeability, n)},
    # "withheld": {barrier_id}, "threshold", "title", "url", "responses"} or None.
    return stakeholders.barrier_figures(project=project)


def _goals_page(request, project, *, rating_errors=None, focus_form=None, status=200):
    iteration = project.current_iteration
    goals = list(Goal.objects.filter(project=project))
    barriers = services.project_barriers(project)
    focus_goals, focus_barriers = services.focus_of(iteration)
    figures = _stakeholder_ratings(project)
    stakeholder = figures["values"] if figures else None
    rows = services.ranked_barriers(project, stakeholder, barriers=barriers, user=request.user,
                                    focused_ids=focus_barriers)
    for row in rows:
        row.stakeholder_withheld = bool(figures) and row.barrier.pk in figures["withheld"]
    if focus_form is None:
        initial_goals = focus_goals or ([goals[0].pk] if goals else [])
        initial_barriers = focus_barriers or ([rows[0].barrier.pk] if rows else [])
        focus_form = FocusForm(goals=goals, barriers=[r.barrier for r in rows], initial={
            "goals": [str(g) for g in initial_goals], "barriers": [str(b) for b in initial_barriers],
            "reason": iteration.focus_reason, "version": iteration.version})
    posted = request.POST if rating_errors else {}
    for row in rows:
        key = str(row.barrier.pk)
        row.error = (rating_errors or {}).get(key)
        row.posted_importance = posted.get(f"importance-{key}", row.my_rating.importance if row.my_rating else "")
        row.posted_changeability = posted.get(f"changeability-{key}",
                                              row.my_rating.changeability if row.my_rating else "")
    context = step_context(request, project, Step.GOALS)
    focused = next((p for p in context["all_principles"] if p.code == "focused"), None)
    context.update({
        "iteration": iteration, "goals": goals, "rows": rows, "stakeholder": bool(stakeholder),
        "stakeholder_source": figures,
        "stakeholder_panel": stakeholders.step_panel(request=request, project=project,
                                        step=Step.GOALS, iteration=iteration),
        "matrix": charts.prioritisation_matrix(rows), "focus_form": focus_form, "focused_principle": focused,
        "focus_goal_ids": set(focus_goals), "rating_errors": rating_errors or {},
        "n_rated_by_me": sum(1 for r in rows if r.my_rating), "rating_choices": range(1, 6),
    })
    return render(request, "projects/step1.html", context, status=status)


@login_required
def step_goals(request, org_slug, project_id):
    project = get_project_or_404(request, org_slug, project_id)
    return _goals_page(request, project)


# --- goals -----------------------------------------------------------------------------------------


def _goal_kwargs(data):
    return {k: data.get(k, "") for k in ("target_group", "end_goal", "emphasis")}


@login_required
def goal_create(request, org_slug, project_id):
    project = get_project_or_404(request, org_slug, project_id, "edit")
    form = GoalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.goal_create(project=project, user=request.user, **_goal_kwargs(form.cleaned_data))
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("Goal added."))
            return redirect(goals_url(project, "#goals"))
    return render(request, "projects/step1_goal_form.html", {**step_context(request, project, Step.GOALS),
                                                             "form": form})


@login_required
def goal_edit(request, org_slug, project_id, goal_id):
    project = get_project_or_404(request, org_slug, project_id, "edit")
    goal = get_row_or_404(Goal, project, goal_id)
    form = GoalForm(request.POST or None, initial={**_goal_kwargs(goal.__dict__), "version": goal.version})
    context = step_context(request, project, Step.GOALS)
    if request.method == "POST" and form.is_valid():
        try:
            services.goal_update(project=project, user=request.user, goal=goal,
                                 version=form.cleaned_data.get("version"), **_goal_kwargs(form.cleaned_data))
        except StaleEdit as exc:
            context.update(conflict=exc, conflict_rows=conflict_context(form, exc.current))
            form = restage(GoalForm, request, exc.current.version)
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("Goal saved."))
            return redirect(goals_url(project, "#goals"))
    return render(request, "projects/step1_goal_form.html", {**context, "form": form, "goal": goal})


@login_required
def goal_delete(request, org_slug, project_id, goal_id):
    project = get_project_or_404(request, org_slug, project_id, "edit")
    goal = get_row_or_404(Goal, project, goal_id)
    context = {**step_context(request, project, Step.GOALS), "what": _("goal"), "name": str(goal),
               "cancel_url": goals_url(project, "#goals")}
    return confirm_delete(request, context, lambda: services.goal_delete(project=project, user=request.user, goal=goal),
                          _("Goal deleted. It stays in the project's history."), goals_url(project, "#goals"))


# --- barriers --------------------------------------------------------------------------------------


def _pack_categories(project):
    return list(Category.objects.filter(pack=project.determinant_pack).order_by("order", "code"))


@login_required
def barrier_add(request, org_slug, project_id):
    """Browse the project's barrier list by category or search it, and add items (POST item)."""
    project = get_project_or_404(request, org_slug, project_id, "edit")
    pack = project.determinant_pack
    error = None
    if request.method == "POST":
        item = Item.objects.filter(pk=request.POST.get("item") if str(request.POST.get("item", "")).isdigit()
                                   else None).select_related("pack").first()
        try:
            barrier = services.barrier_add_from_pack(project=project, user=request.user, item=item,
                                                     notes=request.POST.get("notes", ""))
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("“%(name)s” added to your barriers.") % {"name": barrier.name})
            return redirect(request.POST.get("next_url") if _safe_next(request, project) else goals_url(project,
                                                                                                    "#barriers"))
    search = BarrierSearchForm(request.GET or None)
    query = search.cleaned_data["q"].strip() if search.is_valid() else ""
    categories = _pack_categories(project)
    category = next((c for c in categories if str(c.pk) == request.GET.get("category")), None)
    items = Item.objects.filter(pack=pack).exclude(attributes__has_key="retired").select_related("category")
    if query:
        items = items.annotate(aliases_text=Cast("aliases", TextField())).filter(
            Q(name__icontains=query) | Q(description__icontains=query) | Q(aliases_text__icontains=query)
            | Q(code__iexact=query))
    elif category:
        items = items.filter(category=category)
    else:
        items = items.none()
    items = list(items.order_by("order", "code")[: SEARCH_LIMIT + 1])
    on_list = set(Barrier.objects.filter(project=project, item__isnull=False).values_list("item_id", flat=True))
    return render(request, "projects/step1_barrier_add.html", {
        **step_context(request, project, Step.GOALS), "pack": pack, "search": search, "query": query,
        "categories": categories, "category": category, "items": items[:SEARCH_LIMIT],
        "truncated": len(items) > SEARCH_LIMIT, "on_list": on_list, "error": error,
        "next_url": request.get_full_path(),
    }, status=400 if error else 200)


def _safe_next(request, project):
    from django.utils.http import url_has_allowed_host_and_scheme

    nxt = request.POST.get("next_url", "")
    return bool(nxt) and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}) and \
        nxt.startswith(goals_url(project))


@login_required
def barrier_custom(request, org_slug, project_id):
    project = get_project_or_404(request, org_slug, project_id, "edit")
    categories = [c.name for c in _pack_categories(project)]
    form = CustomBarrierForm(request.POST or None, categories=categories)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.barrier_add_custom(project=project, user=request.user, name=data["name"],
                                        category=data["category"], notes=data["notes"])
        except ValidationError as exc:
            form_errors_renamed(exc, form, CUSTOM_BARRIER_FIELDS)
        else:
            messages.success(request, _("Custom barrier added."))
            return redirect(goals_url(project, "#barriers"))
    return render(request, "projects/step1_barrier_form.html", {
        **step_context(request, project, Step.GOALS), "form": form, "categories": categories, "custom": True})


@login_required
def barrier_edit(request, org_slug, project_id, barrier_id):
    project = get_project_or_404(request, org_slug, project_id, "edit")
    barrier = get_row_or_404(Barrier, project, barrier_id)
    categories = [c.name for c in _pack_categories(project)] if barrier.is_custom else []
    form_class = CustomBarrierForm if barrier.is_custom else BarrierNotesForm
    kwargs = {"categories": categories} if barrier.is_custom else {}
    initial = {"notes": barrier.notes, "version": barrier.version, "name": barrier.custom_name,
               "category": barrier.custom_category}
    form = form_class(request.POST or None, initial=initial, **kwargs)
    context = step_context(request, project, Step.GOALS)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.barrier_update(project=project, user=request.user, barrier=barrier, version=data.get("version"),
                                    notes=data.get("notes", ""), name=data.get("name"), category=data.get("category"))
        except StaleEdit as exc:
            current = exc.current
            context.update(conflict=exc, conflict_rows=conflict_context(form, current, {
                "notes": current.notes, "name": current.custom_name, "category": current.custom_category}))
            form = restage(form_class, request, current.version, **kwargs)
        except ValidationError as exc:
            form_errors_renamed(exc, form, CUSTOM_BARRIER_FIELDS)
        else:
            messages.success(request, _("Barrier saved."))
            return redirect(goals_url(project, "#barriers"))
    return render(request, "projects/step1_barrier_form.html", {
        **context, "form": form, "barrier": barrier, "categories": categories, "custom": barrier.is_custom})


@login_required
def barrier_delete(request, org_slug, project_id, barrier_id):
    project = get_project_or_404(request, org_slug, project_id, "edit")
    barrier = get_row_or_404(Barrier, project, barrier_id)
    context = {**step_context(request, project, Step.GOALS), "what": _("barrier"), "name": barrier.name,
               "cancel_url": goals_url(project, "#barriers"),
               "consequence": _("Its ratings and candidate strategies are deleted with it.")}
    return confirm_delete(request, context,
                          lambda: services.barrier_delete(project=project, user=request.user, barrier=barrier),
                          _("Barrier deleted. It stays in the project's history."), goals_url(project, "#barriers"))


# --- ratings and focus -------------------------------------------------------------------------------


@login_required
def ratings_save(request, org_slug, project_id):
    """All of the user's ratings in one POST: importance-<barrier id>, changeability-<barrier id>."""
    project = get_project_or_404(request, org_slug, project_id, "edit")
    if (refused := post_only(request)) is not None:
        return refused
    ratings = {}
    for key in request.POST:
        if key.startswith("importance-") and key.removeprefix("importance-").isdigit():
            barrier_id = int(key.removeprefix("importance-"))
            ratings[barrier_id] = (request.POST.get(key, ""), request.POST.get(f"changeability-{barrier_id}", ""))
    try:
        n = services.ratings_save(project=project, user=request.user, ratings=ratings)
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
        return _goals_page(request, project, rating_errors={k: " ".join(v) for k, v in errors.items()}, status=400)
    messages.success(request, _("Your ratings of %(n)d barriers are saved.") % {"n": n})
    return redirect(goals_url(project, "#ratings"))


@login_required
def focus_set(request, org_slug, project_id):
    project = get_project_or_404(request, org_slug, project_id, "edit")
    if (refused := post_only(request)) is not None:
        return refused
    iteration = project.current_iteration
    goals = list(Goal.objects.filter(project=project))
    barriers = list(Barrier.objects.filter(project=project).select_related("item"))
    form = FocusForm(request.POST, goals=goals, barriers=barriers)
    if form.is_valid():
        data = form.cleaned_data
        chosen_goals = [g for g in goals if str(g.pk) in data["goals"]]
        chosen_barriers = [b for b in barriers if str(b.pk) in data["barriers"]]
        try:
            services.focus_set(project=project, user=request.user, iteration=iteration, version=data.get("version"),
                               goals=chosen_goals, barriers=chosen_barriers, reason=data["reason"])
        except StaleEdit as exc:
            messages.error(request, _("Someone else changed the focus while you were choosing. Nothing was saved: "
                                      "check the current focus below and choose again."))
            form = restage(FocusForm, request, exc.current.version, goals=goals, barriers=barriers)
            return _goals_page(request, project, focus_form=form, status=409)
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("Focus set. Next: match strategies to the focused barrier."))
            return redirect("projects:project_step_match", org_slug=project.organisation.slug, project_id=project.pk)
    return _goals_page(request, project, focus_form=form, status=400)
