"""Apply and review of a project through the API (issue 3, point 11): reviews of the current iteration with a
judgement per success criterion, and the decision on what comes next (a step back starts a new
iteration).

Conventions as in ``projects``; refusals become 400/409/404 in ``tailorkit/api/api.py``.
"""

from ninja import Router, Status

from tailorkit.projects.access import get_row_or_404
from tailorkit.projects.models import Project, Review
from tailorkit.projects.selectors.review import review_with_judgements
from tailorkit.projects.services import review as review_services

from ..refusals import renames
from ..schemas.common import VERSIONED, WRITE, Id, Slug
from ..schemas.review import DecisionIn, DecisionRecordedOut, ReviewIn, ReviewOut, ReviewPatch
from .projects import PROJECT, current_iteration, get_project, pick

router = Router(tags=["project steps"])


def judgements_of(rows):
    return [{"criterion": j.criterion_id, "verdict": j.verdict or "", "evidence": j.evidence} for j in rows or ()]


@router.post(PROJECT + "/reviews", response={201: ReviewOut, **WRITE},
             summary="Record a review of the current iteration, with a judgement per success criterion")
def review_create(request, org_slug: Slug, project_id: Id, payload: ReviewIn):
    project = get_project(request, org_slug, project_id, "edit")
    review = review_services.review_create(iteration=current_iteration(project), user=request.auth,
                                           review_date=payload.review_date, what_was_done=payload.what_was_done,
                                           evidence=payload.evidence, judgements=judgements_of(payload.judgements))
    return Status(201, review_with_judgements(review))


@router.patch(PROJECT + "/reviews/{review_id}", response={200: ReviewOut, **VERSIONED},
              summary="Change a review and its judgements")
def review_update(request, org_slug: Slug, project_id: Id, review_id: Id, payload: ReviewPatch):
    """Fields left out stay as they are; judgements are changed for the criteria sent (verdict null
    removes a judgement) and kept for the others."""
    project = get_project(request, org_slug, project_id, "edit")
    review = get_row_or_404(Review, project, review_id)
    review = review_services.review_update(
        review=review, user=request.auth, version=payload.version,
        review_date=pick(payload, "review_date", review.review_date),
        what_was_done=pick(payload, "what_was_done", review.what_was_done),
        evidence=pick(payload, "evidence", review.evidence), judgements=judgements_of(payload.judgements))
    return review_with_judgements(review)


@router.post(PROJECT + "/decisions", response={201: DecisionRecordedOut, **WRITE},
             summary="Decide what comes next; a step back starts a new iteration")
@renames({"review": "review_id"})
def decision_create(request, org_slug: Slug, project_id: Id, payload: DecisionIn):
    project = get_project(request, org_slug, project_id, "edit")
    review = get_row_or_404(Review, project, payload.review_id) if payload.review_id is not None else None
    decision, new = review_services.decision_record(iteration=current_iteration(project), user=request.auth,
                                                    kind=payload.kind, reason=payload.reason, review=review)
    step, status = Project.objects.values_list("step", "status").get(pk=project.pk)
    return Status(201, {"decision": decision, "new_iteration": new.number if new else None, "step": step,
                        "status": status})
