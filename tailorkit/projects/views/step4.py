"""Step 4 – apply and review: reviews with a judgement per success criterion, and decisions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from tailorkit.core.locking import StaleEdit

from ..access import get_project_or_404, get_row_or_404
from ..forms_step34 import DecisionForm, ReviewForm
from ..models import Decision, Judgement, Review, Step, SuccessCriterion
from ..services import step4 as services
from . import stakeholders
from .projects import form_errors_from
from .step3 import (
    conflict_rows,
    is_earlier,
    load_iterations,
    pick_iteration,
    rebind_with_version,
    refuse_earlier,
    step_context,
    step_url,
)

# Where the project goes after a step back: the page of the step it returns to.
STEP_PAGES = {
    Step.GOALS: "projects:project_step_goals",
    Step.MATCH: "projects:project_step_match",
    Step.PLAN: "projects:project_step_plan",
}


def _reviews(iteration):
    judgements = Judgement.objects.select_related("criterion").order_by("criterion_id")
    return list(
        Review.objects.filter(iteration=iteration)
        .select_related("created_by")
        .prefetch_related(Prefetch("judgements", queryset=judgements))
    )


def _decision_choices():
    """Each decision with what it means for the next iteration (shown next to the form)."""
    return [
        (kind, label, kind in Decision.REASON_REQUIRED, services.CARRY_OVER.get(kind, ""))
        for kind, label in Decision.Kind.choices
    ]


@login_required
def review(request, org_slug, project_id):
    project = get_project_or_404(request, org_slug, project_id)
    iterations = load_iterations(project)
    shown, current = pick_iteration(request, iterations)
    ctx = step_context(request, project, Step.REVIEW, iterations, shown, current)
    criteria = list(SuccessCriterion.objects.filter(iteration=shown))
    reviews = _reviews(shown)
    ctx.update(
        {
            "criteria": criteria,
            "reviews": reviews,
            "decisions": shown.decision_list,
            "decision_choices": _decision_choices(),
            "review_form": None
            if ctx["read_only"]
            else ReviewForm(criteria=criteria, initial={"review_date": timezone.localdate()}),
            "decision_form": None if ctx["read_only"] else DecisionForm(reviews=reviews),
            "stakeholder_panel": stakeholders.step_panel(
                request=request, project=project, step=Step.REVIEW, iteration=current
            ),
        }
    )
    return render(request, "projects/step4_review.html", ctx)


def _review_form_page(request, project, form, iteration, obj=None, conflict=None, rows=None):
    return render(
        request,
        "projects/step4_review_form.html",
        {
            "project": project,
            "org": project.organisation,
            "active_step": Step.REVIEW,
            "form": form,
            "object": obj,
            "iteration": iteration,
            "conflict": conflict,
            "conflict_rows": rows or [],
            "back_url": step_url("projects:project_step_review", project, anchor="reviews"),
        },
    )


@login_required
def review_create(request, org_slug, project_id):
    project = get_project_or_404(request, org_slug, project_id, "edit")
    iteration, _current = pick_iteration(request, load_iterations(project))
    if is_earlier(iteration):
        return refuse_earlier(request, project, iteration, "projects:project_step_review")
    criteria = SuccessCriterion.objects.filter(iteration=iteration)
    form = ReviewForm(request.POST or None, criteria=criteria, initial={"review_date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.review_create(
                iteration=iteration,
                user=request.user,
                review_date=data["review_date"],
                what_was_done=data["what_was_done"],
                evidence=data["evidence"],
                judgements=form.judgements(),
            )
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("Review recorded. When you are ready, decide what comes next."))
            return redirect(step_url("projects:project_step_review", project, anchor="decide"))
    return _review_form_page(request, project, form, iteration)


def _review_conflict_rows(form, current):
    rows = conflict_rows(form, current, ["review_date", "what_was_done", "evidence"])
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
    if is_earlier(obj.iteration):
        return refuse_earlier(request, project, obj.iteration, "projects:project_step_review")
    criteria = SuccessCriterion.objects.filter(iteration=obj.iteration)
    form = ReviewForm(request.POST or None, criteria=criteria, initial=ReviewForm.initial_for(obj))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.review_update(
                review=obj,
                user=request.user,
                version=data.get("version"),
                review_date=data["review_date"],
                what_was_done=data["what_was_done"],
                evidence=data["evidence"],
                judgements=form.judgements(),
            )
        except StaleEdit as exc:
            return _review_form_page(
                request,
                project,
                rebind_with_version(form, exc.current.version),
                obj.iteration,
                obj,
                exc,
                _review_conflict_rows(form, exc.current),
            )
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("Review saved."))
            return redirect(step_url("projects:project_step_review", project, anchor=f"review-{obj.pk}"))
    return _review_form_page(request, project, form, obj.iteration, obj)


@login_required
def decision_create(request, org_slug, project_id):
    project = get_project_or_404(request, org_slug, project_id, "edit")
    iteration, _current = pick_iteration(request, load_iterations(project))
    if is_earlier(iteration):
        return refuse_earlier(request, project, iteration, "projects:project_step_review")
    reviews = list(Review.objects.filter(iteration=iteration))
    form = DecisionForm(request.POST or None, reviews=reviews)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        chosen_review = next((r for r in reviews if r.pk == data.get("review")), None)
        try:
            _decision, new = services.decision_record(
                iteration=iteration, user=request.user, kind=data["kind"], reason=data["reason"], review=chosen_review
            )
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            if new is None:
                messages.success(request, _("Decision recorded."))
                return redirect(step_url("projects:project_step_review", project, anchor="decisions"))
            project.refresh_from_db(fields=["step"])
            messages.success(
                request,
                _("Decision recorded. Iteration %(n)d has started. %(carry)s")
                % {"n": new.number, "carry": services.CARRY_OVER[data["kind"]]},
            )
            return redirect(step_url(STEP_PAGES[project.step], project))
    return render(
        request,
        "projects/step4_decision_form.html",
        {
            "project": project,
            "org": project.organisation,
            "active_step": Step.REVIEW,
            "form": form,
            "iteration": iteration,
            "decision_choices": _decision_choices(),
            "back_url": step_url("projects:project_step_review", project, anchor="decide"),
        },
    )
