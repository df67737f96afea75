"""Apply and review: an iteration's reviews with a judgement per success criterion, what each review
found in a line (for choosers and headings), and the outcome of a finished cycle."""

from django.db.models import Prefetch
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..models import Decision, Judgement, Project, Review, SuccessCriterion
from ..services.projects import CLOSED, CLOSING


def reviews_of(iteration):
    """The reviews of ``iteration``, oldest first, with who recorded them, their judgements and the
    decisions taken after them."""
    judgements = Judgement.objects.select_related("criterion").order_by("criterion_id")
    return list(
        Review.objects.filter(iteration=iteration)
        .select_related("created_by")
        .prefetch_related(Prefetch("judgements", queryset=judgements),
                          Prefetch("decisions", queryset=Decision.objects.order_by("decided_at", "pk")))
    )


def review_with_judgements(review):
    """One review with its judgements, e.g. again after a write."""
    return Review.objects.prefetch_related("judgements").get(pk=review.pk)


def verdict_summary(review, n_criteria):
    """What a review found, in words: "2 of 3 criteria met" (judgements must be loaded)."""
    if not n_criteria:
        return _("no success criteria to judge")
    met = sum(1 for j in review.judgements.all() if j.verdict == Judgement.Verdict.MET)
    return ngettext("%(met)d of %(n)d criterion met", "%(met)d of %(n)d criteria met", n_criteria) % {
        "met": met, "n": n_criteria}


def review_findings(review, n_criteria):
    """What a review found and, if one was taken after it, the decision: "2 of 3 criteria met ·
    decision: Continue as planned" (``reviews_of`` loads what it needs)."""
    parts = [verdict_summary(review, n_criteria)]
    decisions = list(review.decisions.all())
    if decisions:
        parts.append(_("decision: %(kind)s") % {"kind": decisions[-1].get_kind_display()})
    return " · ".join(parts)


def review_label(review, n_criteria):
    """One line that tells reviews apart: date, who recorded it, what it found and the decision."""
    parts = [date_format(review.review_date, "DATE_FORMAT")]
    if review.created_by_id:
        parts.append(str(review.created_by))
    return " · ".join([*parts, review_findings(review, n_criteria)])


def cycle_outcome(project, iteration):
    """How a finished cycle ended, for the project page and the review page, or None while the
    project is active: the closing decision of ``iteration`` (the current one), the review it was
    based on (else the latest) and the verdict on each success criterion in that review."""
    if project.status not in CLOSED:
        return None
    decision = (Decision.objects.filter(iteration=iteration, kind__in=list(CLOSING))
                .select_related("decided_by", "review").order_by("-decided_at", "-pk").first())
    criteria = list(SuccessCriterion.objects.filter(iteration=iteration))
    review = decision.review if decision and decision.review_id else (
        Review.objects.filter(iteration=iteration).order_by("-review_date", "-pk").first())
    verdicts = {}
    if review is not None:
        verdicts = {j.criterion_id: j for j in Judgement.objects.filter(review=review)}
    met = sum(1 for j in verdicts.values() if j.verdict == Judgement.Verdict.MET)
    return {
        "status": project.status, "completed": project.status == Project.Status.COMPLETED,
        "decision": decision, "review": review, "strategy": iteration.chosen_option,
        "criteria": [(c, verdicts.get(c.pk)) for c in criteria],
        "summary": ngettext("%(met)d of %(n)d criterion met", "%(met)d of %(n)d criteria met", len(criteria))
        % {"met": met, "n": len(criteria)} if criteria else "",
    }
