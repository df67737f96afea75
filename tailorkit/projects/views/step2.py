"""Step 2 pages: suggested strategies with their evidence, candidates, APEASE appraisal, the choice."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from tailorkit.core.locking import StaleEdit
from tailorkit.library.models import Item

from ..access import get_project_or_404, get_row_or_404
from ..forms_step12 import ChooseForm, CustomOptionForm, OptionEditForm, criteria_info
from ..models import APEASE, Barrier, Step, StrategyOption
from ..services import step2 as services
from ..suggestions import RANKING_RULE, catalogue_by_cluster, suggestions_for
from . import stakeholders
from .projects import form_errors_from
from .step1 import confirm_delete, conflict_context, form_errors_renamed, post_only, restage, step_context

CUSTOM_OPTION_FIELDS = {"custom_name": "name"}


def match_url(project, anchor=""):
    return reverse("projects:project_step_match", args=[project.organisation.slug, project.pk]) + anchor


def _criteria():
    return criteria_info(Item.objects.filter(pack__slug="apease"))


def _stakeholder_appraisals(project, options):
    # Stakeholder APEASE means from the latest answered consultation (see ..stakeholders):
    # {"values": {option_id: {criterion: mean}},
    # "withheld": {(option_id, criterion)}, "threshold", "title", "url", "responses"} or None.
    return stakeholders.apease_figures(project=project, options=options)


@login_required
def step_match(request, org_slug, project_id):
    project = get_project_or_404(request, org_slug, project_id)
    iteration = project.current_iteration
    barriers = services.focused_barriers(iteration)
    options = services.options_for(project, barriers)
    by_barrier = suggestions_for(project, barriers, options)
    catalogue = None
    if any(not s.has_evidence for s in by_barrier.values()):
        catalogue = catalogue_by_cluster(project.strategy_pack)
    sections = []
    for barrier in barriers:
        mine = [o for o in options if o.barrier_id == barrier.pk]
        sections.append({"barrier": barrier, "s": by_barrier[barrier.pk], "options": mine,
                         "option_items": {o.item_id for o in mine if o.item_id}})
    figures = _stakeholder_appraisals(project, options)
    stakeholder = figures["values"] if figures else None
    table = services.appraisal_table(project, iteration, stakeholder, options=options)
    for row in table:
        for cell in row.cells:
            cell.stakeholder_withheld = bool(figures) and (row.option.pk, cell.criterion) in figures["withheld"]
    criteria = _criteria()
    context = step_context(request, project, Step.MATCH)
    context.update({
        "iteration": iteration, "sections": sections, "catalogue": catalogue, "ranking_rule": RANKING_RULE,
        "table": table, "stakeholder": bool(figures), "stakeholder_source": figures,
        "stakeholder_panel": stakeholders.step_panel(request=request, project=project,
                                        step=Step.MATCH, iteration=iteration),
        "criteria": [(c, *criteria[c]) for c in APEASE],
        "chosen": iteration.chosen_option if iteration.chosen_option_id else None,
    })
    return render(request, "projects/step2.html", context)


@login_required
def catalogue(request, org_slug, project_id, barrier_id):
    """The whole strategy catalogue by cluster, to add candidates for one barrier ("be different")."""
    project = get_project_or_404(request, org_slug, project_id, "edit")
    barrier = get_row_or_404(Barrier, project, barrier_id)
    taken = set(StrategyOption.objects.filter(project=project, barrier=barrier, item__isnull=False)
                .values_list("item_id", flat=True))
    return render(request, "projects/step2_catalogue.html", {
        **step_context(request, project, Step.MATCH), "barrier": barrier, "taken": taken,
        "catalogue": catalogue_by_cluster(project.strategy_pack)})


@login_required
def option_add(request, org_slug, project_id, barrier_id):
    """Make a catalogue strategy (POST item) a candidate for the barrier."""
    project = get_project_or_404(request, org_slug, project_id, "edit")
    barrier = get_row_or_404(Barrier, project, barrier_id)
    if (refused := post_only(request)) is not None:
        return refused
    raw = str(request.POST.get("item", ""))
    item = Item.objects.filter(pk=raw).select_related("pack").first() if raw.isdigit() else None
    try:
        option = services.option_add_from_pack(project=project, user=request.user, barrier=barrier, item=item)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("“%(name)s” is now a candidate. Appraise it on the APEASE criteria.")
                         % {"name": option.name})
    return redirect(match_url(project, "#candidates"))


@login_required
def option_custom(request, org_slug, project_id, barrier_id):
    project = get_project_or_404(request, org_slug, project_id, "edit")
    barrier = get_row_or_404(Barrier, project, barrier_id)
    form = CustomOptionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.option_add_custom(project=project, user=request.user, barrier=barrier,
                                       name=form.cleaned_data["name"], description=form.cleaned_data["description"])
        except ValidationError as exc:
            form_errors_renamed(exc, form, CUSTOM_OPTION_FIELDS)
        else:
            messages.success(request, _("Custom strategy added as a candidate."))
            return redirect(match_url(project, "#candidates"))
    return render(request, "projects/step2_option_form.html", {
        **step_context(request, project, Step.MATCH), "form": form, "barrier": barrier})


@login_required
def option_edit(request, org_slug, project_id, option_id):
    project = get_project_or_404(request, org_slug, project_id, "edit")
    option = get_row_or_404(StrategyOption, project, option_id)
    custom = option.item_id is None
    initial = {"name": option.custom_name, "description": option.description, "version": option.version}
    form = OptionEditForm(request.POST or None, initial=initial, custom=custom)
    context = step_context(request, project, Step.MATCH)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.option_update(project=project, user=request.user, option=option, version=data.get("version"),
                                   description=data["description"], name=data.get("name"))
        except StaleEdit as exc:
            current = exc.current
            context.update(conflict=exc, conflict_rows=conflict_context(
                form, current, {"name": current.custom_name, "description": current.description}))
            form = restage(OptionEditForm, request, current.version, custom=custom)
        except ValidationError as exc:
            form_errors_renamed(exc, form, CUSTOM_OPTION_FIELDS)
        else:
            messages.success(request, _("Strategy saved."))
            return redirect(match_url(project, "#candidates"))
    return render(request, "projects/step2_option_form.html", {
        **context, "form": form, "option": option, "barrier": option.barrier})


@login_required
def option_delete(request, org_slug, project_id, option_id):
    project = get_project_or_404(request, org_slug, project_id, "edit")
    option = get_row_or_404(StrategyOption, project, option_id)
    context = {**step_context(request, project, Step.MATCH), "what": _("candidate strategy"), "name": option.name,
               "cancel_url": match_url(project, "#candidates"),
               "consequence": _("Its APEASE appraisal is deleted with it.")}
    return confirm_delete(request, context,
                          lambda: services.option_delete(project=project, user=request.user, option=option),
                          _("Candidate deleted. It stays in the project's history."), match_url(project, "#candidates"))


@login_required
def option_appraise(request, org_slug, project_id, option_id):
    """The six APEASE ratings and notes of one option, in one form (rating-, note-, version-<code>)."""
    project = get_project_or_404(request, org_slug, project_id, "edit")
    option = get_row_or_404(StrategyOption, project, option_id)
    current = {a.criterion: a for a in option.appraisals.all()}
    criteria = _criteria()
    errors, conflict_rows, conflict = {}, [], None
    posted = request.POST if request.method == "POST" else None
    versions = {c: (current[c].version if c in current else 0) for c in APEASE}
    if posted is not None:
        values = {c: (posted.get(f"rating-{c}", ""), posted.get(f"note-{c}", "")) for c in APEASE}
        try:
            services.appraisal_save(project=project, user=request.user, option=option, values=values,
                                    versions={c: posted.get(f"version-{c}") for c in APEASE})
        except StaleEdit as exc:
            conflict = exc
            for c in APEASE:
                row = exc.current.get(c)
                theirs = (row.rating, row.note) if row else (None, "")
                yours = exc.submitted[c]
                if theirs != yours:
                    conflict_rows.append((criteria[c][0], _fmt(*theirs), _fmt(*yours)))
            versions = {c: (exc.current[c].version if c in exc.current else 0) for c in APEASE}
        except ValidationError as exc:
            errors = {k: " ".join(v) for k, v in exc.message_dict.items()} if hasattr(exc, "error_dict") else {
                "": " ".join(exc.messages)}
        else:
            messages.success(request, _("Appraisal of “%(name)s” saved.") % {"name": option.name})
            return redirect(match_url(project, "#appraisal"))
    rows = []
    for c in APEASE:
        row = current.get(c)
        rows.append({
            "code": c, "name": criteria[c][0], "description": criteria[c][1], "version": versions[c],
            "rating": str(posted.get(f"rating-{c}", "")) if posted is not None else (
                str(row.rating) if row and row.rating else ""),
            "note": posted.get(f"note-{c}", "") if posted is not None else (row.note if row else ""),
            "rating_error": errors.get(f"rating-{c}"), "note_error": errors.get(f"note-{c}"),
        })
    return render(request, "projects/step2_appraise.html", {
        **step_context(request, project, Step.MATCH), "option": option, "rows": rows,
        "form_error": errors.get("") or errors.get("criterion"), "conflict": conflict, "conflict_rows": conflict_rows,
        "rating_choices": [str(n) for n in range(1, 6)],
    }, status=400 if errors else 200)


def _fmt(rating, note):
    return f"{rating if rating else '–'}" + (f" – {note}" if note else "")


@login_required
def option_choose(request, org_slug, project_id, option_id):
    project = get_project_or_404(request, org_slug, project_id, "edit")
    option = get_row_or_404(StrategyOption, project, option_id)
    iteration = project.current_iteration
    initial = {"version": iteration.version,
               "justification": iteration.choice_justification if iteration.chosen_option_id == option.pk else ""}
    form = ChooseForm(request.POST or None, initial=initial)
    context = step_context(request, project, Step.MATCH)
    if request.method == "POST" and form.is_valid():
        try:
            services.option_choose(project=project, user=request.user, iteration=iteration, option=option,
                                   version=form.cleaned_data.get("version"),
                                   justification=form.cleaned_data["justification"])
        except StaleEdit as exc:
            current = exc.current
            theirs = current.chosen_option.name if current.chosen_option_id else _("(none)")
            context.update(conflict=exc, conflict_rows=[
                (_("Chosen strategy"), theirs, option.name),
                (_("Why this strategy"), current.choice_justification, form.cleaned_data["justification"]),
            ])
            form = restage(ChooseForm, request, current.version)
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("“%(name)s” chosen. Next: design and plan it.") % {"name": option.name})
            return redirect(match_url(project, "#choice"))
    return render(request, "projects/step2_choose.html", {
        **context, "form": form, "option": option, "iteration": iteration,
        "previous": iteration.chosen_option if iteration.chosen_option_id else None})
