"""Matching strategies of a project through the API (issue 3, point 11): candidate strategies for a barrier
("options"), their APEASE appraisal and the choice of one for the current iteration.

Conventions as in ``projects``; refusals become 400/409/404 in ``tailorkit/api/api.py``.
"""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from tailorkit.library.evidence import COMBINED_RULE
from tailorkit.projects.access import get_row_or_404
from tailorkit.projects.models import APEASE, Barrier, StrategyOption
from tailorkit.projects.selectors import matching as matching_reads
from tailorkit.projects.selectors.iterations import iteration_with_everything
from tailorkit.projects.selectors.matching import option_with_appraisals
from tailorkit.projects.services import matching as matching_services

from ..refusals import renames
from ..schemas.common import DELETED, READ, VERSIONED, WRITE, Id, Slug
from ..schemas.matching import AppraisalIn, ChoiceIn, OptionIn, OptionOut, OptionPatch, RankingOut
from ..schemas.projects import IterationOut
from .projects import PROJECT, current_iteration, get_project, given, item_of, pick

router = Router(tags=["project steps"])


# ---- strategy options ------------------------------------------------------------------------------

# The services name fields after the model; the request body names the barrier by id.
CUSTOM_OPTION = {"custom_name": "name", "barrier": "barrier_id"}


@router.post(PROJECT + "/options", response={201: OptionOut, **WRITE},
             summary="Add a candidate strategy for a barrier, from the catalogue or custom")
@renames(CUSTOM_OPTION)
def option_create(request, org_slug: Slug, project_id: Id, payload: OptionIn):
    project = get_project(request, org_slug, project_id, "edit")
    barrier = get_row_or_404(Barrier, project, payload.barrier_id)
    if payload.item is not None:
        if payload.name is not None:
            raise ValidationError({"item": "Give either an item of the strategy catalogue, or a name for a custom "
                                           "strategy, not both."})
        option = matching_services.option_add_from_pack(project=project, user=request.auth, barrier=barrier,
                                                        item=item_of(payload.item), description=payload.description)
    else:
        option = matching_services.option_add_custom(project=project, user=request.auth, barrier=barrier,
                                                     name=payload.name or "", description=payload.description)
    return Status(201, option_with_appraisals(option))


@router.patch(PROJECT + "/options/{option_id}", response={200: OptionOut, **VERSIONED},
              summary="Change what a candidate strategy would mean here (and a custom one's name)")
@renames(CUSTOM_OPTION)
def option_update(request, org_slug: Slug, project_id: Id, option_id: Id, payload: OptionPatch):
    project = get_project(request, org_slug, project_id, "edit")
    option = get_row_or_404(StrategyOption, project, option_id)
    if option.item_id and given(payload, "name"):
        raise ValidationError({"name": "A strategy from the catalogue keeps its name."})
    option = matching_services.option_update(project=project, user=request.auth, option=option, version=payload.version,
                                             description=pick(payload, "description", option.description),
                                             name=pick(payload, "name", option.custom_name))
    return option_with_appraisals(option)


@router.delete(PROJECT + "/options/{option_id}", response=DELETED, summary="Delete a candidate strategy")
def option_delete(request, org_slug: Slug, project_id: Id, option_id: Id):
    project = get_project(request, org_slug, project_id, "edit")
    matching_services.option_delete(project=project, user=request.auth,
                                                option=get_row_or_404(StrategyOption, project, option_id))
    return Status(204, None)


# The service keys errors "rating-<criterion>" (as the page's form does); the request nests them
# as <criterion>.rating.
APPRAISAL_FIELDS = {f"{field}-{criterion}": f"{criterion}.{field}" for criterion in APEASE
                    for field in ("rating", "note")}


@router.put(PROJECT + "/options/{option_id}/appraisal", response={200: OptionOut, **VERSIONED},
            summary="Appraise a candidate strategy on the APEASE criteria")
@renames(APPRAISAL_FIELDS)
def appraisal_save(request, org_slug: Slug, project_id: Id, option_id: Id, payload: AppraisalIn):
    """Criteria left out keep their saved rating and note. A criterion someone else changed since
    the version you send is a 409 listing every criterion as it is now."""
    project = get_project(request, org_slug, project_id, "edit")
    option = get_row_or_404(StrategyOption, project, option_id)
    sent = payload.given()
    saved = {a.criterion: a for a in option.appraisals.all()}
    values, versions = {}, {}
    for c in APEASE:
        if c in sent:
            values[c], versions[c] = (sent[c].rating, sent[c].note), sent[c].version
        elif c in saved:
            values[c], versions[c] = (saved[c].rating, saved[c].note), saved[c].version
    matching_services.appraisal_save(project=project, user=request.auth, option=option, values=values,
                                                 versions=versions)
    return option_with_appraisals(option)


@router.put(PROJECT + "/iterations/current/choice", response={200: IterationOut, **VERSIONED},
            summary="Choose the strategy of the current iteration, with the reason")
@renames({"chosen_option": "option_id"})
def choice_set(request, org_slug: Slug, project_id: Id, payload: ChoiceIn):
    project = get_project(request, org_slug, project_id, "edit")
    option = get_row_or_404(StrategyOption, project, payload.option_id)
    iteration = matching_services.option_choose(
        project=project, user=request.auth, iteration=current_iteration(project), option=option,
        version=payload.version, justification=payload.justification)
    return iteration_with_everything(iteration)


# ---- the combined ranking ----------------------------------------------------------------------------

@router.get(PROJECT + "/strategy-ranking", response={200: RankingOut, **READ},
            summary="Strategies ranked for several barriers at once")
def strategy_ranking(request, org_slug: Slug, project_id: Id, barrier: Query[list[Id]] = None):
    """The same ranking as the step 2 page: for the current iteration's focused barriers, or, as a
    "what if", for the barriers given as ``?barrier=<id>&barrier=<id>`` (at most 20)."""
    project = get_project(request, org_slug, project_id)
    if barrier:
        if len(barrier) > matching_reads.RANKING_MAX_BARRIERS:
            raise ValidationError({"barrier": _("Give at most %(n)d barriers.") % {
                "n": matching_reads.RANKING_MAX_BARRIERS}})
        barriers, dropped = matching_reads.ranking_barriers(project, barrier)
        if dropped:
            raise Http404
        ranking = matching_reads.combined_ranking_for(project, barriers, what_if=True)
    else:
        focused = matching_reads.focused_barriers(current_iteration(project))
        ranking = matching_reads.combined_ranking_for(project, focused)
    return {
        "barriers": [{"id": b.pk, "name": b.name, "item": b.item} for b in ranking.barriers],
        "custom_barrier_ids": [b.pk for b in ranking.custom], "what_if": ranking.what_if,
        "rule": str(COMBINED_RULE),
        "strategies": [{
            "rank": rank, "strategy": row.item, "direct_total": row.direct_total,
            "indirect_total": row.indirect_total, "endorsed_without_percent": row.level_only,
            "shares": [{"barrier_id": b.pk, "percent": share.weight, "indirect": share.indirect, "via": share.via,
                        "source": share.source} for b, share in zip(ranking.barriers, row.cells, strict=True)
                       if share],
            "mean_importance": row.mean_importance, "mean_feasibility": row.mean_feasibility,
            "ratings_source": row.ratings_source,
        } for rank, row in enumerate(ranking.rows, start=1)],
    }
