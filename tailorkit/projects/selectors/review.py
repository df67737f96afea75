"""Apply and review: an iteration's reviews with a judgement per success criterion, what each review
found in a line (for choosers and headings), and the outcome of a finished cycle."""

from django.db.models import Count, Prefetch, Q
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..models import Decision, Judgement, Project, Review, SuccessCriterion
from ..services.projects import CLOSED, CLOSING

# A review's judgements shown on the review page before "show all": one per success criterion, and
# plans have a handful of criteria, so this only bounds the page of an iteration with hundreds.
JUDGEMENTS_SHOWN = 50


def reviews_of(iteration, *, complete=None):
    """The reviews of ``iteration``, oldest first, with who recorded them, the decisions taken after
    them, how many judgements each has (``n_judgements``) and how many found a criterion met
    (``n_met``), and ``shown_judgements``: the first ``JUDGEMENTS_SHOWN`` of its judgements, or all of
    them for the review whose id is ``complete``. A fixed number of queries for any size."""
    judgements = Judgement.objects.select_related("criterion").order_by("criterion_id", "pk")
    reviews = list(
        Review.objects.filter(iteration=iteration)
        .select_related("created_by")
        .annotate(n_judgements=Count("judgements"),
                  n_met=Count("judgements", filter=Q(judgements__verdict=Judgement.Verdict.MET)))
        .prefetch_related(Prefetch("judgements", queryset=judgements[:JUDGEMENTS_SHOWN], to_attr="shown_judgements"),
                          Prefetch("decisions", queryset=Decision.objects.order_by("decided_at", "pk")))
    )
    for review in reviews:
        if review.pk == complete and review.n_judgements > len(review.shown_judgements):
            review.shown_judgements = list(judgements.filter(review=review))
    return reviews


def review_with_judgements(review):
    """One review with its judgements, e.g. again after a write."""
    return Review.objects.prefetch_related("judgements").get(pk=review.pk)


def verdict_summary(review, n_criteria):
    """What a review found, in words: "2 of 3 criteria met" (from ``n_met`` as ``reviews_of`` counts
    it, else from its judgements)."""
    if not n_criteria:
        return _("no success criteria to judge")
    met = getattr(review, "n_met", None)
    if met is None:
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
    all_criteria = SuccessCriterion.objects.filter(iteration=iteration)
    n_criteria = all_criteria.count()
    criteria = list(all_criteria[:JUDGEMENTS_SHOWN])   # the summary counts them all; the list stays short
    review = decision.review if decision and decision.review_id else (
        Review.objects.filter(iteration=iteration).order_by("-review_date", "-pk").first())
    verdicts, met = {}, 0
    if review is not None:
        verdicts = {j.criterion_id: j for j in Judgement.objects.filter(review=review, criterion__in=criteria)}
        met = Judgement.objects.filter(review=review, verdict=Judgement.Verdict.MET).count()
    return {
        "status": project.status, "completed": project.status == Project.Status.COMPLETED,
        "decision": decision, "review": review, "strategy": iteration.chosen_option,
        "criteria": [(c, verdicts.get(c.pk)) for c in criteria], "more_criteria": n_criteria - len(criteria),
        "summary": ngettext("%(met)d of %(n)d criterion met", "%(met)d of %(n)d criteria met", n_criteria)
        % {"met": met, "n": n_criteria} if n_criteria else "",
    }
