"""Apply and review pages: reviews with a judgement per success criterion, and decisions (with
``?iteration=<number>``, an earlier iteration read-only)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from tailorkit.core import errors
from tailorkit.core.locking import StaleEdit, conflict_context, conflict_rows

from ..access import get_project_or_404, get_row_or_404
from ..forms.review import DecisionForm, ReviewForm
from ..models import Decision, Judgement, Review, Step, SuccessCriterion
from ..selectors import measures as measure_reads
from ..selectors.review import cycle_outcome, review_findings, review_label, reviews_of
from ..services import review as services
from .step_pages import (
    iteration_to_change,
    page_context,
    refuse_if_earlier,
    section_page,
    step_page_context,
    step_url,
)

REVIEW_FIELDS = ("review_date", "what_was_done", "evidence")


def review_url(project, anchor=""):
    return step_url(Step.REVIEW, project, anchor=anchor)


def _decision_choices():
    """Each decision with what it means for the next iteration (shown next to the form)."""
    return [
        (kind, label, kind in Decision.REASON_REQUIRED, services.CARRY_OVER.get(kind, ""))
        for kind, label in Decision.Kind.choices
    ]


@login_required
def review(request, org_slug, project_id):
    project = get_project_or_404(request, org_slug, project_id)
    context = step_page_context(request, project, Step.REVIEW)
    shown, read_only = context["iteration"], context["read_only"]
    criteria, criterion_query = section_page(request, SuccessCriterion.objects.filter(iteration=shown),
                                             "criteria_page")
    n = criteria.paginator.count
    reviews = reviews_of(shown, complete=_int(request.GET.get("review")))
    # A finished cycle (the team decided to stop) shows how it ended and offers to reopen it, not
    # the decision form; reviews can still be recorded and corrected, e.g. a later follow-up.
    outcome = None if context["is_earlier"] else cycle_outcome(project, shown)
    # With more success criteria than fit on a page, a review is recorded on its own page (the
    # button links there) rather than in a form of a thousand fieldsets folded into this one.
    inline = not read_only and not criteria.has_other_pages()
    shown_criteria = measure_reads.with_verdicts(criteria.object_list)  # judged from their measures' data
    context.update({
        "criteria": shown_criteria, "criteria_page": criteria, "criterion_query": criterion_query,
        "reviews": [(r, review_label(r, n), review_findings(r, n)) for r in reviews],
        "decisions": shown.decision_list, "decision_choices": _decision_choices(), "outcome": outcome,
        "review_form": ReviewForm(criteria=shown_criteria, initial={"review_date": timezone.localdate()},
                                  proposals={c.pk: c.judged for c in shown_criteria if c.judged}) if inline else None,
        "review_page": not read_only and not inline,
        # The decision form labels each review with "2 of 3 criteria met": it needs the number only.
        "decision_form": None if read_only or outcome else DecisionForm(reviews=reviews, criteria=range(n)),
    })
    return render(request, "projects/review/page.html", context)


def _int(value):
    return int(value) if value and value.isdigit() else None


def _review_form_page(request, project, form, iteration, obj=None, conflict=None):
    return render(request, "projects/review/review_form.html", {
        **page_context(request, project, Step.REVIEW), "form": form, "object": obj, "iteration": iteration,
        "conflict": None, "conflict_rows": [], **(conflict or {}), "back_url": review_url(project, "reviews"),
    })


def _review_values(form):
    return {**{name: form.cleaned_data[name] for name in REVIEW_FIELDS}, "judgements": form.judgements()}


@login_required
def review_create(request, org_slug, project_id):
    project = get_project_or_404(request, org_slug, project_id, "edit")
    iteration, refused = iteration_to_change(request, project, Step.REVIEW)
    if refused:
        return refused
    criteria = list(SuccessCriterion.objects.filter(iteration=iteration))
    form = ReviewForm(request.POST or None, criteria=criteria, initial={"review_date": timezone.localdate()},
                      proposals=measure_reads.judge_criteria(criteria))
    if request.method == "POST" and form.is_valid():
        try:
            services.review_create(iteration=iteration, user=request.user, **_review_values(form))
        except ValidationError as exc:
            errors.add_to_form(form, exc)
        else:
            messages.success(request, _("Review recorded. When you are ready, decide what comes next."))
            return redirect(review_url(project, "decide"))
    return _review_form_page(request, project, form, iteration)


def _review_conflict_rows(form, current):
    """The review's own fields, then a row per success criterion whose judgement differs."""
    rows = conflict_rows(form, current, REVIEW_FIELDS)
    saved = {j.criterion_id: j for j in current.judgements.all()}
    verdicts = dict(Judgement.Verdict.choices)
    for c in form.criteria:
        j = saved.get(c.pk)
        theirs = f"{verdicts.get(j.verdict, '')} {j.evidence}".strip() if j else ""
        v = form.cleaned_data.get(f"verdict_{c.pk}") or ""
        yours = f"{verdicts.get(v, '')} {form.cleaned_data.get(f'evidence_{c.pk}') or ''}".strip()
        if theirs != yours:
            rows.append((str(c), theirs, yours))
    return rows


@login_required
def review_edit(request, org_slug, project_id, review_id):
    project = get_project_or_404(request, org_slug, project_id, "edit")
    obj = get_row_or_404(Review, project, review_id)
    if refused := refuse_if_earlier(request, project, obj, Step.REVIEW):
        return refused
    criteria = list(SuccessCriterion.objects.filter(iteration=obj.iteration))
    form = ReviewForm(request.POST or None, criteria=criteria, initial=ReviewForm.initial_for(obj),
                      proposals=measure_reads.judge_criteria(criteria))
    if request.method == "POST" and form.is_valid():
        try:
            services.review_update(review=obj, user=request.user, version=form.cleaned_data.get("version"),
                                   **_review_values(form))
        except StaleEdit as exc:
            conflict = conflict_context(exc, form, _review_conflict_rows(form, exc.current))
            return _review_form_page(request, project, conflict.pop("form"), obj.iteration, obj, conflict)
        except ValidationError as exc:
            errors.add_to_form(form, exc)
        else:
            messages.success(request, _("Review saved."))
            return redirect(review_url(project, f"review-{obj.pk}"))
    return _review_form_page(request, project, form, obj.iteration, obj)


def _decided(request, project, kind, new):
    """Where the team goes after a decision: back to this page, or, when the decision started a new
    iteration, to the page of the step it went back to."""
    if new is None:
        messages.success(request, _("Decision recorded."))
        return redirect(review_url(project, "decisions"))
    project.refresh_from_db(fields=["step"])
    messages.success(request, _("Decision recorded. Iteration %(n)d has started. %(carry)s")
                     % {"n": new.number, "carry": services.CARRY_OVER[kind]})
    return redirect(step_url(project.step, project))


@login_required
def decision_create(request, org_slug, project_id):
    project = get_project_or_404(request, org_slug, project_id, "edit")
    iteration, refused = iteration_to_change(request, project, Step.REVIEW)
    if refused:
        return refused
    reviews = reviews_of(iteration)
    form = DecisionForm(request.POST or None, reviews=reviews,
                        criteria=SuccessCriterion.objects.filter(iteration=iteration))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            _decision, new = services.decision_record(
                iteration=iteration, user=request.user, kind=data["kind"], reason=data["reason"],
                review=next((r for r in reviews if r.pk == data.get("review")), None))
        except ValidationError as exc:
            errors.add_to_form(form, exc)
        else:
            return _decided(request, project, data["kind"], new)
    return render(request, "projects/review/decision_form.html", {
        **page_context(request, project, Step.REVIEW), "form": form, "iteration": iteration,
        "decision_choices": _decision_choices(), "back_url": review_url(project, "decide"),
    })
