"""Matching strategies pages: suggested strategies with their evidence, candidates, the APEASE
appraisal and the choice (with ``?iteration=<number>``, an earlier iteration read-only)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from tailorkit.core import errors
from tailorkit.core.locking import StaleEdit, conflict_context, conflict_rows
from tailorkit.library.evidence import COMBINED_RULE, evidence_for
from tailorkit.library.models import Item

from ..access import get_project_or_404, get_row_or_404
from ..forms.matching import ChooseForm, CustomOptionForm, OptionEditForm, criteria_info
from ..models import APEASE, Barrier, Step, StrategyOption
from ..selectors import custom_entries as custom_reads
from ..selectors import matching as reads
from ..selectors.practice import practice_evidence
from ..services import matching as services
from ..suggestions import RANKING_RULE, catalogue_by_cluster, suggestions_for
from . import stakeholders
from .step_pages import (
    confirm_delete,
    iteration_to_change,
    page_context,
    post_only,
    step_page_context,
    step_url,
)

# The custom-option form says "name" where the service says custom_name.
CUSTOM_OPTION_FIELDS = {"custom_name": "name"}


def match_url(project, anchor=""):
    return step_url(Step.MATCH, project, anchor=anchor)


def _criteria():
    return criteria_info(Item.objects.filter(pack__slug="apease"))


# --- the step page ---------------------------------------------------------------------------------


# Suggestions shown for each barrier before "show all", the best ranked first. The shipped evidence
# suggests up to 22 strategies for a barrier, so this changes nothing there; a pack linking every
# barrier to all 73 ERIC strategies made a page of ten barriers weigh 0.9 MB.
SUGGESTIONS_SHOWN = 25


def _sections(project, barriers, options, complete=None, *, evidence=None):
    """One section per focused barrier: its suggestions (the first ``SUGGESTIONS_SHOWN``, or all of
    them for the barrier whose id is ``complete``), its candidates, and the catalogue by cluster when
    some barrier has no evidence to suggest from."""
    by_barrier = suggestions_for(project, barriers, options, evidence=evidence)
    catalogue = None
    if any(not s.has_evidence for s in by_barrier.values()):
        catalogue = catalogue_by_cluster(project.strategy_pack)
    # What worked elsewhere (issue 12, point 4): one read for all the barriers.
    practice = practice_evidence(project=project, item_ids={b.item_id for b in barriers})
    sections = []
    for barrier in barriers:
        mine = [o for o in options if o.barrier_id == barrier.pk]
        found = by_barrier[barrier.pk].suggestions
        shown = found if barrier.pk == complete else found[:SUGGESTIONS_SHOWN]
        sections.append({"barrier": barrier, "s": by_barrier[barrier.pk], "options": mine,
                         "shown": shown, "more": len(found) - len(shown),
                         "option_items": {o.item_id for o in mine if o.item_id},
                         "practice": practice.for_item(barrier.item_id)})
    return sections, catalogue


def _appraisal_table(project, iteration, options):
    """The APEASE table, with the stakeholders' means (from the latest answered consultation, see
    ``..stakeholders``) next to the team's ratings."""
    figures = stakeholders.apease_figures(project=project, options=options)
    table = reads.appraisal_table(project, iteration, figures["values"] if figures else None, options=options)
    for row in table:
        for cell in row.cells:
            cell.stakeholder_withheld = bool(figures) and (row.option.pk, cell.criterion) in figures["withheld"]
    return table, figures


@login_required
def step_match(request, org_slug, project_id):
    project = get_project_or_404(request, org_slug, project_id)
    context = step_page_context(request, project, Step.MATCH)
    iteration = context["iteration"]
    barriers = reads.focused_barriers(iteration)
    options = reads.options_for(project, barriers)
    wanted = request.GET.get("suggestions", "")
    evidence = evidence_for({b.item_id for b in barriers}, project.strategy_pack_id)
    sections, catalogue = _sections(project, barriers, options, int(wanted) if wanted.isdigit() else None,
                                    evidence=evidence)
    table, figures = _appraisal_table(project, iteration, options)
    closest = {} if context["read_only"] else custom_reads.option_suggestions(project, options)
    for row in table:  # the closest items of the catalogue for a custom strategy (issue 12, point 5)
        row.closest = closest.get(row.option.pk, [])
    criteria = _criteria()
    context.update({
        "sections": sections, "catalogue": catalogue, "ranking_rule": RANKING_RULE,
        "table": table, "stakeholder": bool(figures), "stakeholder_source": figures,
        "criteria": [(c, *criteria[c]) for c in APEASE],
        "chosen": iteration.chosen_option if iteration.chosen_option_id else None,
        "ranking": _combined(request, project, barriers, evidence),
        "ranking_choices": reads.project_barriers_with_items(project),
        "combined_rule": COMBINED_RULE,
    })
    return render(request, "projects/matching/page.html", context)


# Strategies of the combined ranking shown before "show more".
RANKING_SHOWN = 15


def _combined(request, project, focused, evidence):
    """The combined ranking of the focused barriers, or of the barriers ticked in ``?rank=`` ("what
    if"); too many ticked barriers get a message instead of a ranking."""
    wanted = request.GET.getlist("rank")
    if wanted and len(wanted) > reads.RANKING_MAX_BARRIERS:
        messages.error(request, _("Tick at most %(n)d barriers to rank together.") % {"n": reads.RANKING_MAX_BARRIERS})
        wanted = []
    if wanted:
        barriers, dropped = reads.ranking_barriers(project, wanted)
        ranking = reads.combined_ranking_for(project, barriers, what_if=True, dropped=dropped)
    else:
        ranking = reads.combined_ranking_for(project, focused, evidence=evidence)
    if request.GET.get("ranking") != "all":
        ranking.limit = RANKING_SHOWN
        kept = request.GET.copy()
        kept.pop("ranking", None)
        ranking.query = kept.urlencode() + "&" if kept else ""
    return ranking


# --- candidates ------------------------------------------------------------------------------------


SEARCH_MAX = 200  # characters of a catalogue search that are used


@login_required
def catalogue(request, org_slug, project_id, barrier_id):
    """The whole strategy catalogue by cluster, to add candidates for one barrier ("be different"),
    or what matches the search (``q``: name, description or cluster). Answers htmx with the same
    page: the page's ``hx-select`` takes the parts it swaps."""
    project = get_project_or_404(request, org_slug, project_id, "edit")
    barrier = get_row_or_404(Barrier, project, barrier_id)
    query = str(request.GET.get("q", ""))[:SEARCH_MAX].strip()
    taken = set(StrategyOption.objects.filter(project=project, barrier=barrier, item__isnull=False)
                .values_list("item_id", flat=True))
    groups = reads.catalogue(project.strategy_pack, query)
    return render(request, "projects/matching/catalogue.html", {
        **page_context(request, project, Step.MATCH), "barrier": barrier, "taken": taken, "query": query,
        "catalogue": groups, "n_strategies": sum(len(items) for _cluster, items in groups),
        "next_url": request.get_full_path()})


def _back_to(request, project, barrier, item):
    """Where to go after adding ``item``: the page it was added from (the step page or the
    catalogue, with its search) at the item's Add button, or else the candidates."""
    nxt = str(request.POST.get("next_url", ""))
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}) and \
            nxt.startswith(match_url(project)) and "#" not in nxt:
        return f"{nxt}#add-{barrier.pk}-{item.pk}" if item else nxt
    return match_url(project, "candidates")


@login_required
def option_add(request, org_slug, project_id, barrier_id):
    """Make a catalogue strategy (POST item) a candidate for the barrier, then back to where the
    Add button was (htmx follows the redirect and swaps the button and the candidates in place)."""
    project = get_project_or_404(request, org_slug, project_id, "edit")
    barrier = get_row_or_404(Barrier, project, barrier_id)
    if (refused := post_only(request)) is not None:
        return refused
    raw = str(request.POST.get("item", ""))
    item = Item.objects.filter(pk=raw).select_related("pack").first() if raw.isdigit() else None
    try:
        option = services.option_add_from_pack(project=project, user=request.user, barrier=barrier, item=item)
    except ValidationError as exc:
        errors.flash(request, exc)
    else:
        messages.success(request, _("“%(name)s” is now a candidate. Appraise it on the APEASE criteria.")
                         % {"name": option.name})
    return redirect(_back_to(request, project, barrier, item))


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
            errors.add_to_form(form, exc, rename=CUSTOM_OPTION_FIELDS)
        else:
            messages.success(request, _("Custom strategy added as a candidate."))
            return redirect(match_url(project, "candidates"))
    return render(request, "projects/matching/option_form.html", {
        **page_context(request, project, Step.MATCH), "form": form, "barrier": barrier})


@login_required
def option_edit(request, org_slug, project_id, option_id):
    project = get_project_or_404(request, org_slug, project_id, "edit")
    option = get_row_or_404(StrategyOption, project, option_id)
    initial = {"name": option.custom_name, "description": option.description, "version": option.version}
    form = OptionEditForm(request.POST or None, initial=initial, custom=option.item_id is None)
    context = {**page_context(request, project, Step.MATCH), "option": option, "barrier": option.barrier}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.option_update(project=project, user=request.user, option=option, version=data.get("version"),
                                   description=data["description"], name=data.get("name"))
        except StaleEdit as exc:
            rows = conflict_rows(form, exc.current, saved={"name": exc.current.custom_name})
            context.update(conflict_context(exc, form, rows))
        except ValidationError as exc:
            errors.add_to_form(form, exc, rename=CUSTOM_OPTION_FIELDS)
        else:
            messages.success(request, _("Strategy saved."))
            return redirect(match_url(project, "candidates"))
    return render(request, "projects/matching/option_form.html", {"form": form, **context})


@login_required
def option_delete(request, org_slug, project_id, option_id):
    project = get_project_or_404(request, org_slug, project_id, "edit")
    option = get_row_or_404(StrategyOption, project, option_id)
    context = {**page_context(request, project, Step.MATCH), "what": _("candidate strategy"), "name": option.name,
               "consequence": _("Its APEASE appraisal is deleted with it.")}
    return confirm_delete(request, context,
                          lambda: services.option_delete(project=project, user=request.user, option=option),
                          _("Candidate deleted. It stays in the project's history."), match_url(project, "candidates"))


# --- appraisal and choice ----------------------------------------------------------------------------


def _fmt(rating, note):
    return f"{rating if rating else '–'}" + (f" – {note}" if note else "")


def _appraisal_conflict(exc, criteria):
    """The criteria someone else changed meanwhile: (criterion, theirs, yours) rows."""
    rows = []
    for c in APEASE:
        row = exc.current.get(c)
        theirs = (row.rating, row.note) if row else (None, "")
        if theirs != exc.submitted[c]:
            rows.append((criteria[c][0], _fmt(*theirs), _fmt(*exc.submitted[c])))
    return rows


def _appraisal_rows(saved, criteria, versions, posted, field_errors):
    """One row per APEASE criterion: what is saved, or what was posted when the save was refused."""
    rows = []
    for c in APEASE:
        row = saved.get(c)
        rows.append({
            "code": c, "name": criteria[c][0], "description": criteria[c][1], "version": versions[c],
            "rating": str(posted.get(f"rating-{c}", "")) if posted is not None else (
                str(row.rating) if row and row.rating else ""),
            "note": posted.get(f"note-{c}", "") if posted is not None else (row.note if row else ""),
            "rating_error": field_errors.get(f"rating-{c}"), "note_error": field_errors.get(f"note-{c}"),
        })
    return rows


@login_required
def option_appraise(request, org_slug, project_id, option_id):
    """The six APEASE ratings and notes of one option, in one form (rating-, note-, version-<code>)."""
    project = get_project_or_404(request, org_slug, project_id, "edit")
    option = get_row_or_404(StrategyOption, project, option_id)
    saved, criteria = {a.criterion: a for a in option.appraisals.all()}, _criteria()
    field_errors, context, posted = {}, {"conflict": None, "conflict_rows": []}, None
    versions = {c: (saved[c].version if c in saved else 0) for c in APEASE}
    if request.method == "POST":
        posted = request.POST
        try:
            services.appraisal_save(project=project, user=request.user, option=option,
                                    values={c: (posted.get(f"rating-{c}", ""), posted.get(f"note-{c}", ""))
                                            for c in APEASE},
                                    versions={c: posted.get(f"version-{c}") for c in APEASE})
        except StaleEdit as exc:
            context = {"conflict": exc, "conflict_rows": _appraisal_conflict(exc, criteria)}
            versions = {c: (exc.current[c].version if c in exc.current else 0) for c in APEASE}
        except ValidationError as exc:
            field_errors = {key: " ".join(msgs) for key, msgs in errors.as_dict(exc).items()}
        else:
            messages.success(request, _("Appraisal of “%(name)s” saved.") % {"name": option.name})
            return redirect(match_url(project, "appraisal"))
    return render(request, "projects/matching/appraise.html", {
        **page_context(request, project, Step.MATCH), **context, "option": option,
        "rows": _appraisal_rows(saved, criteria, versions, posted, field_errors),
        "form_error": field_errors.get(errors.NON_FIELD) or field_errors.get("criterion"),
        "rating_choices": [str(n) for n in range(1, 6)],
    }, status=400 if field_errors else 200)


@login_required
def option_choose(request, org_slug, project_id, option_id):
    """Choose a candidate for the iteration named in the URL (the current one); an earlier one is
    refused."""
    project = get_project_or_404(request, org_slug, project_id, "edit")
    option = get_row_or_404(StrategyOption, project, option_id)
    iteration, refused = iteration_to_change(request, project, Step.MATCH)
    if refused:
        return refused
    initial = {"version": iteration.version,
               "justification": iteration.choice_justification if iteration.chosen_option_id == option.pk else ""}
    form = ChooseForm(request.POST or None, initial=initial)
    context = {**page_context(request, project, Step.MATCH), "option": option, "iteration": iteration,
               "previous": iteration.chosen_option if iteration.chosen_option_id else None}
    if request.method == "POST" and form.is_valid():
        try:
            services.option_choose(project=project, user=request.user, iteration=iteration, option=option,
                                   version=form.cleaned_data.get("version"),
                                   justification=form.cleaned_data["justification"])
        except StaleEdit as exc:
            current = exc.current
            context.update(conflict_context(exc, form, [
                (_("Chosen strategy"), current.chosen_option.name if current.chosen_option_id else _("(none)"),
                 option.name),
                (_("Why this strategy"), current.choice_justification, form.cleaned_data["justification"])]))
        except ValidationError as exc:
            errors.add_to_form(form, exc)
        else:
            messages.success(request, _("“%(name)s” chosen. Next: continue to step 3 to design and plan it.")
                             % {"name": option.name})
            return redirect(match_url(project, "choice"))
    return render(request, "projects/matching/choose.html", {"form": form, **context})
