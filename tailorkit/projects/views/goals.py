"""Goals and barriers pages: goals, barriers, the team's ratings, the prioritisation matrix and the
focus of an iteration (with ``?iteration=<number>``, an earlier iteration read-only)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from tailorkit.core import errors
from tailorkit.core.locking import StaleEdit, conflict_context, conflict_rows, rebind_with_version
from tailorkit.library.models import Category, Item

from .. import charts
from ..access import get_project_or_404, get_row_or_404
from ..forms.goals import BarrierNotesForm, BarrierSearchForm, CustomBarrierForm, FocusForm, GoalForm
from ..models import Barrier, Goal, Step
from ..selectors import custom_entries as custom_reads
from ..selectors import goals as reads
from ..services import goals as services
from . import stakeholders
from .step_pages import (
    confirm_delete,
    iteration_to_change,
    page_context,
    post_only,
    step_page_context,
    step_url,
)

# The custom-barrier form says "name" and "category" where the service says custom_name/custom_category.
CUSTOM_BARRIER_FIELDS = {"custom_name": "name", "custom_category": "category"}


def goals_url(project, anchor=""):
    return step_url(Step.GOALS, project, anchor=anchor)


# --- the step page ---------------------------------------------------------------------------------


def _ranked_rows(request, project, focused_ids, rating_errors):
    """The barriers ranked by priority, each with the stakeholders' figures (from the latest answered
    consultation, see ``..stakeholders``) and the user's rating as posted or saved."""
    figures = stakeholders.barrier_figures(project=project)
    rows = reads.ranked_barriers(project, figures["values"] if figures else None,
                                 barriers=reads.project_barriers(project), user=request.user,
                                 focused_ids=focused_ids)
    posted = request.POST if rating_errors else {}
    for row in rows:
        key, mine = str(row.barrier.pk), row.my_rating
        row.stakeholder_withheld = bool(figures) and row.barrier.pk in figures["withheld"]
        row.error = (rating_errors or {}).get(key)
        row.posted_importance = posted.get(f"importance-{key}", mine.importance if mine else "")
        row.posted_changeability = posted.get(f"changeability-{key}", mine.changeability if mine else "")
    return rows, figures


def _suggested_barrier(rows):
    """The barrier to suggest for the focus: the top-ranked one, once someone has rated; else none."""
    return rows[0].barrier.pk if rows and rows[0].rank is not None else None


def _focus_form(iteration, goals, rows, focus_goals, focus_barriers):
    """The focus form as saved; else ticking only what there is a reason for: the only goal, and the
    top-ranked barrier once barriers are rated (nothing while none is)."""
    suggested = _suggested_barrier(rows)
    initial_goals = focus_goals or ([goals[0].pk] if len(goals) == 1 else [])
    initial_barriers = focus_barriers or ([suggested] if suggested else [])
    return FocusForm(goals=goals, barriers=[r.barrier for r in rows], initial={
        "goals": [str(g) for g in initial_goals], "barriers": [str(b) for b in initial_barriers],
        "reason": iteration.focus_reason, "version": iteration.version})


def _goals_page(request, project, *, rating_errors=None, focus_form=None, status=200):
    context = step_page_context(request, project, Step.GOALS)
    iteration = context["iteration"]
    goals = list(Goal.objects.filter(project=project))
    focus_goals, focus_barriers = reads.focus_of(iteration)
    rows, figures = _ranked_rows(request, project, focus_barriers, rating_errors)
    closest = {} if context["read_only"] else custom_reads.barrier_suggestions(project, [r.barrier for r in rows])
    for row in rows:  # the closest items of the list for a custom barrier (issue 12, point 5)
        row.closest = closest.get(row.barrier.pk, [])
    context.update({
        "goals": goals, "rows": rows, "stakeholder": bool(figures), "stakeholder_source": figures,
        "matrix": charts.prioritisation_matrix(rows),
        "focus_form": focus_form or _focus_form(iteration, goals, rows, focus_goals, focus_barriers),
        "focused_principle": next((p for p in context["all_principles"] if p.code == "focused"), None),
        "focus_goal_ids": set(focus_goals), "rating_errors": rating_errors or {},
        "suggested_barrier": str(_suggested_barrier(rows) or ""),
        "n_rated_by_me": sum(1 for r in rows if r.my_rating), "rating_choices": range(1, 6),
    })
    return render(request, "projects/goals/page.html", context, status=status)


@login_required
def step_goals(request, org_slug, project_id):
    project = get_project_or_404(request, org_slug, project_id)
    return _goals_page(request, project)


# --- goals -----------------------------------------------------------------------------------------


def _goal_values(data):
    return {k: data.get(k, "") for k in services.GOAL_FIELDS}


@login_required
def goal_create(request, org_slug, project_id):
    project = get_project_or_404(request, org_slug, project_id, "edit")
    form = GoalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.goal_create(project=project, user=request.user, **_goal_values(form.cleaned_data))
        except ValidationError as exc:
            errors.add_to_form(form, exc)
        else:
            messages.success(request, _("Goal added."))
            return redirect(goals_url(project, "goals"))
    return render(request, "projects/goals/goal_form.html", {**page_context(request, project, Step.GOALS),
                                                             "form": form})


@login_required
def goal_edit(request, org_slug, project_id, goal_id):
    project = get_project_or_404(request, org_slug, project_id, "edit")
    goal = get_row_or_404(Goal, project, goal_id)
    form = GoalForm(request.POST or None, initial={**_goal_values(goal.__dict__), "version": goal.version})
    context = {**page_context(request, project, Step.GOALS), "goal": goal}
    if request.method == "POST" and form.is_valid():
        try:
            services.goal_update(project=project, user=request.user, goal=goal,
                                 version=form.cleaned_data.get("version"), **_goal_values(form.cleaned_data))
        except StaleEdit as exc:
            context.update(conflict_context(exc, form, conflict_rows(form, exc.current)))
        except ValidationError as exc:
            errors.add_to_form(form, exc)
        else:
            messages.success(request, _("Goal saved."))
            return redirect(goals_url(project, "goals"))
    return render(request, "projects/goals/goal_form.html", {"form": form, **context})


@login_required
def goal_delete(request, org_slug, project_id, goal_id):
    project = get_project_or_404(request, org_slug, project_id, "edit")
    goal = get_row_or_404(Goal, project, goal_id)
    context = {**page_context(request, project, Step.GOALS), "what": _("goal"), "name": str(goal)}
    return confirm_delete(request, context, lambda: services.goal_delete(project=project, user=request.user, goal=goal),
                          _("Goal deleted. It stays in the project's history."), goals_url(project, "goals"))


# --- barriers --------------------------------------------------------------------------------------


def _pack_categories(project):
    return list(Category.objects.filter(pack=project.determinant_pack).order_by("order", "code"))


def _safe_next(request, project):
    nxt = request.POST.get("next_url", "")
    return bool(nxt) and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}) and \
        nxt.startswith(goals_url(project))


def _barrier_list_page(request, project, error=None):
    """The whole barrier list by category, or what matches the search (``q``). Answers htmx with
    the same page: the page's ``hx-select`` takes the parts it swaps."""
    search = BarrierSearchForm(request.GET or None)
    query = search.cleaned_data["q"].strip() if search.is_valid() else ""
    groups = reads.barrier_list(project.determinant_pack, query)
    on_list = set(Barrier.objects.filter(project=project, item__isnull=False).values_list("item_id", flat=True))
    return render(request, "projects/goals/barrier_add.html", {
        **page_context(request, project, Step.GOALS), "pack": project.determinant_pack, "search": search,
        "query": query, "groups": groups, "n_items": sum(len(items) for _c, items in groups),
        "on_list": on_list, "error": error, "next_url": request.get_full_path(),
    }, status=400 if error and not request.htmx else 200)


@login_required
def barrier_add(request, org_slug, project_id):
    """Browse or search the project's barrier list, and add items (POST item). Back to the same
    place after adding: the page and search it was added from, at the item's row."""
    project = get_project_or_404(request, org_slug, project_id, "edit")
    if request.method != "POST":
        return _barrier_list_page(request, project)
    raw = str(request.POST.get("item", ""))
    item = Item.objects.filter(pk=raw).select_related("pack").first() if raw.isdigit() else None
    try:
        barrier = services.barrier_add_from_pack(project=project, user=request.user, item=item,
                                                 notes=request.POST.get("notes", ""))
    except ValidationError as exc:
        return _barrier_list_page(request, project, error=errors.summary(exc))
    messages.success(request, _("“%(name)s” added to your barriers.") % {"name": barrier.name})
    if _safe_next(request, project):
        return redirect(f"{request.POST['next_url']}#item-{item.pk}")
    return redirect(goals_url(project, "barriers"))


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
            errors.add_to_form(form, exc, rename=CUSTOM_BARRIER_FIELDS)
        else:
            messages.success(request, _("Custom barrier added."))
            return redirect(goals_url(project, "barriers"))
    return render(request, "projects/goals/barrier_form.html", {
        **page_context(request, project, Step.GOALS), "form": form, "categories": categories, "custom": True})


def _barrier_form(request, project, barrier):
    """The form for ``barrier``: notes only for a barrier of the list; name and category too for a
    custom one. Returns (form, the pack's category names for a custom barrier)."""
    initial = {"notes": barrier.notes, "version": barrier.version, "name": barrier.custom_name,
               "category": barrier.custom_category}
    if not barrier.is_custom:
        return BarrierNotesForm(request.POST or None, initial=initial), []
    categories = [c.name for c in _pack_categories(project)]
    return CustomBarrierForm(request.POST or None, initial=initial, categories=categories), categories


@login_required
def barrier_edit(request, org_slug, project_id, barrier_id):
    project = get_project_or_404(request, org_slug, project_id, "edit")
    barrier = get_row_or_404(Barrier, project, barrier_id)
    form, categories = _barrier_form(request, project, barrier)
    context = {**page_context(request, project, Step.GOALS), "barrier": barrier, "categories": categories,
               "custom": barrier.is_custom}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.barrier_update(project=project, user=request.user, barrier=barrier, version=data.get("version"),
                                    notes=data.get("notes", ""), name=data.get("name"), category=data.get("category"))
        except StaleEdit as exc:
            saved = {"name": exc.current.custom_name, "category": exc.current.custom_category}
            context.update(conflict_context(exc, form, conflict_rows(form, exc.current, saved=saved)))
        except ValidationError as exc:
            errors.add_to_form(form, exc, rename=CUSTOM_BARRIER_FIELDS)
        else:
            messages.success(request, _("Barrier saved."))
            return redirect(goals_url(project, "barriers"))
    return render(request, "projects/goals/barrier_form.html", {"form": form, **context})


@login_required
def barrier_delete(request, org_slug, project_id, barrier_id):
    project = get_project_or_404(request, org_slug, project_id, "edit")
    barrier = get_row_or_404(Barrier, project, barrier_id)
    context = {**page_context(request, project, Step.GOALS), "what": _("barrier"), "name": barrier.name,
               "consequence": _("Its ratings and candidate strategies are deleted with it.")}
    return confirm_delete(request, context,
                          lambda: services.barrier_delete(project=project, user=request.user, barrier=barrier),
                          _("Barrier deleted. It stays in the project's history."), goals_url(project, "barriers"))


# --- ratings and focus -------------------------------------------------------------------------------


def _posted_ratings(post):
    """{barrier id: (importance, changeability)} from fields importance-<id> and changeability-<id>."""
    ratings = {}
    for key in post:
        if key.startswith("importance-") and key.removeprefix("importance-").isdigit():
            barrier_id = int(key.removeprefix("importance-"))
            ratings[barrier_id] = (post.get(key, ""), post.get(f"changeability-{barrier_id}", ""))
    return ratings


@login_required
def ratings_save(request, org_slug, project_id):
    """All of the user's ratings in one POST. Ratings belong to the project, not to an iteration."""
    project = get_project_or_404(request, org_slug, project_id, "edit")
    if (refused := post_only(request)) is not None:
        return refused
    try:
        n = services.ratings_save(project=project, user=request.user, ratings=_posted_ratings(request.POST))
    except ValidationError as exc:
        rating_errors = {key: " ".join(msgs) for key, msgs in errors.as_dict(exc).items()}
        return _goals_page(request, project, rating_errors=rating_errors, status=400)
    messages.success(request, _("Your ratings of %(n)d barriers are saved.") % {"n": n})
    return redirect(goals_url(project, "ratings"))


@login_required
def focus_set(request, org_slug, project_id):
    """The focus of the iteration named in the URL (the current one); an earlier one is refused."""
    project = get_project_or_404(request, org_slug, project_id, "edit")
    if (refused := post_only(request)) is not None:
        return refused
    iteration, refused = iteration_to_change(request, project, Step.GOALS)
    if refused:
        return refused
    goals = list(Goal.objects.filter(project=project))
    barriers = list(Barrier.objects.filter(project=project).select_related("item"))
    form = FocusForm(request.POST, goals=goals, barriers=barriers)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.focus_set(project=project, user=request.user, iteration=iteration, version=data.get("version"),
                               goals=[g for g in goals if str(g.pk) in data["goals"]],
                               barriers=[b for b in barriers if str(b.pk) in data["barriers"]], reason=data["reason"])
        except StaleEdit as exc:
            messages.error(request, _("Someone else changed the focus while you were choosing. Nothing was saved: "
                                      "check the current focus below and choose again."))
            return _goals_page(request, project, focus_form=rebind_with_version(form, exc.current.version), status=409)
        except ValidationError as exc:
            errors.add_to_form(form, exc)
        else:
            messages.success(request, _("Focus set. Next: match strategies to the focused barrier."))
            return redirect(step_url(Step.MATCH, project))
    return _goals_page(request, project, focus_form=form, status=400)
