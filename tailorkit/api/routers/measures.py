"""Measures through the API (issue 13): define measures, push and read their values, read the
analysis behind their chart, and read the verdict on a success criterion judged from a measure.

Same services and permission layer as the pages: "view" to read, "edit" to write (viewers and
supporters get 403); a measure of another organisation is a 404 like one that does not exist, and a
foreign organisation is refused in auth (404) before anything is parsed.

Values go through ``observations_save`` like the grid and the uploads, marked as coming from the
API: pushing the same value twice stores it once, and the answer says how many periods were
created, updated or left unchanged. A refused push stores nothing and names each refused row by its
position in the list (400); a row sent with a ``version`` that is no longer the stored one is a 409.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from ninja import Router, Status
from ninja.pagination import paginate

from tailorkit.core.errors import as_dict, summary
from tailorkit.core.models import User
from tailorkit.core.permissions import can, get_organisation_or_404
from tailorkit.measures import periods, selectors
from tailorkit.measures.models import Observation
from tailorkit.measures.services import measures as measure_services
from tailorkit.measures.services.observations import observations_save
from tailorkit.projects.access import get_row_or_404
from tailorkit.projects.models import SuccessCriterion
from tailorkit.projects.selectors.measures import verdict_of

from ..pagination import BoundedLimitOffsetPagination
from ..schemas.common import DELETED, READ, VERSIONED, WRITE, Id, Slug
from ..schemas.measures import (
    AnalysisOut,
    CriterionVerdictOut,
    MeasureIn,
    MeasureOut,
    MeasurePatch,
    ValueOut,
    ValuesIn,
    ValuesRefusedOut,
    ValuesSavedOut,
)
from .projects import PROJECT, get_project, given, pick, sent

router = Router(tags=["measures"])

ORG = "/organisations/{org_slug}"
MEASURE = ORG + "/measures/{measure_id}"
EDITABLE = ("name", "counted", "unit", "kind", "period", "better", "rate_per", "data_source")


def get_measure(request, org_slug, measure_id, action="view"):
    org = get_organisation_or_404(request.auth, org_slug)
    measure = selectors.measure_queryset(org).filter(pk=measure_id).first()
    if measure is None:
        raise Http404
    measure.organisation = org  # the same row (the filter above), so ``can`` needs no query for it
    if not can(request.auth, action, measure):
        raise PermissionDenied
    return measure


def member(org, email):
    """The person of ``org`` with this email address (None for None)."""
    if email is None:
        return None
    user = User.objects.filter(email__iexact=email.strip(), memberships__organisation=org).first()
    if user is None:
        raise ValidationError({"owner": f"{email} is not a person in this organisation."})
    return user


# ---- measures --------------------------------------------------------------------------------------

@router.get(ORG + "/measures", response={200: list[MeasureOut], **READ}, summary="Measures of an organisation")
@paginate(BoundedLimitOffsetPagination)
def measure_list(request, org_slug: Slug):
    """By name, a page at a time (``count``, ``next`` and ``previous`` as for every list)."""
    return selectors.measure_queryset(get_organisation_or_404(request.auth, org_slug)).order_by("name", "id")


@router.post(ORG + "/measures", response={201: MeasureOut, **WRITE}, summary="Define a measure")
def measure_create(request, org_slug: Slug, payload: MeasureIn):
    org = get_organisation_or_404(request.auth, org_slug, "edit")
    fields = payload.model_dump(include=set(EDITABLE))
    measure = measure_services.measure_create(organisation=org, actor=request.auth, owner=member(org, payload.owner),
                                              **fields)
    return Status(201, selectors.measure_queryset(org).get(pk=measure.pk))


@router.get(MEASURE, response={200: MeasureOut, **READ}, summary="A measure")
def measure_detail(request, org_slug: Slug, measure_id: Id):
    return get_measure(request, org_slug, measure_id)


@router.patch(MEASURE, response={200: MeasureOut, **VERSIONED}, summary="Change a measure")
def measure_update(request, org_slug: Slug, measure_id: Id, payload: MeasurePatch):
    """Fields left out stay as they are; ``owner`` null clears it."""
    measure = get_measure(request, org_slug, measure_id, "edit")
    changes = {f: pick(payload, f, getattr(measure, f)) for f in EDITABLE}
    changes["owner"] = member(measure.organisation, payload.owner) if given(payload, "owner") else \
        sent(payload, "owner", measure.owner)
    measure_services.measure_update(measure=measure, actor=request.auth, version=payload.version, **changes)
    return selectors.measure_queryset(measure.organisation).get(pk=measure.pk)


@router.delete(MEASURE, response=DELETED, summary="Delete a measure and its values")
def measure_delete(request, org_slug: Slug, measure_id: Id):
    measure = get_measure(request, org_slug, measure_id, "edit")
    measure_services.measure_delete(measure=measure, actor=request.auth, request=request)
    return Status(204, None)


# ---- values ----------------------------------------------------------------------------------------

@router.get(MEASURE + "/values", response={200: list[ValueOut], **READ}, summary="Values of a measure")
@paginate(BoundedLimitOffsetPagination)
def value_list(request, org_slug: Slug, measure_id: Id):
    """Oldest period first, a page at a time."""
    measure = get_measure(request, org_slug, measure_id)
    return Observation.objects.filter(measure=measure).select_related("measure").order_by("period_start")


@router.post(MEASURE + "/values", response={200: ValuesSavedOut, 400: ValuesRefusedOut,
                                            **{k: v for k, v in VERSIONED.items() if k != 400}},
             summary="Push one or many values")
def value_push(request, org_slug: Slug, measure_id: Id, payload: ValuesIn):
    """All or nothing: a refused row stores none of them, and the 400 names each refused row by its
    position in ``values`` (from 0) with a message per field. A period that already holds the same
    value is left unchanged, so pushing twice stores once."""
    measure = get_measure(request, org_slug, measure_id, "edit")
    rows = [{"period": v.period, "numerator": v.value, "denominator": v.denominator, "version": v.version}
            for v in payload.values]
    try:
        return observations_save(measure=measure, actor=request.auth, rows=rows, source=Observation.Source.API)
    except ValidationError as exc:
        return Status(400, refused_rows(exc))


def refused_rows(exc):
    """The 400 body of a refused push: the summary, the messages per field and, per row, per field."""
    rows = {}
    for error in getattr(exc, "error_dict", {}).get("rows", []):
        for index, fields in ((error.params or {}).get("rows") or {}).items():
            rows[str(index)] = {field: str(message) for field, message in fields.items()}
    return {"detail": summary(exc), "errors": as_dict(exc), "rows": rows}


# ---- analysis --------------------------------------------------------------------------------------

@router.get(MEASURE + "/analysis", response={200: AnalysisOut, **READ},
            summary="The chart of a measure: its type, centre line, limits and signals")
def measure_analysis(request, org_slug: Slug, measure_id: Id):
    """Per point: the value plotted, the centre line (median of a run chart, mean or p-bar of a
    control chart) and the limits; the signals in words, each with its periods; the phases of the
    limits (each rebasing with its reason)."""
    measure = get_measure(request, org_slug, measure_id)
    analysis = selectors.analysis_of(measure)
    points = analysis.points

    def at(values, i):
        return values[i] if i < len(values) else None

    def signal(s):
        return {"rule": s.rule, "direction": s.direction, "words": str(s.words),
                "periods": [points[i].period for i in s.indices if i < len(points)]}

    latest = analysis.latest_signal
    return {
        "measure_id": measure.pk, "chart": analysis.chart,
        "points": [{"period": p.period, "label": periods.label(measure.period, p.period), "value": p.value,
                    "centre": at(analysis.centre, i), "upper": at(analysis.upper, i), "lower": at(analysis.lower, i),
                    "mark": at(analysis.marks, i)} for i, p in enumerate(points)],
        "phases": [{"first": ph.first, "last_baseline": ph.last_baseline, "reason": ph.reason}
                   for ph in analysis.phases],
        "signals": [signal(s) for s in analysis.signals],
        "latest_signal": signal(latest) if latest is not None else None,
        "notes": [str(n) for n in analysis.notes],
    }


# ---- verdicts --------------------------------------------------------------------------------------

@router.get(PROJECT + "/criteria/{criterion_id}/verdict", response={200: CriterionVerdictOut, **READ},
            summary="The verdict on a success criterion, judged from its measure's data")
def criterion_verdict(request, org_slug: Slug, project_id: Id, criterion_id: Id):
    """Met, not met, not yet or unclear, with the reasons in plain words: the latest value against
    the target, whether the process shows a signal of improvement since the strategy started, and
    where the target lies against the process limits. ``verdict`` is null when the criterion is not
    tied to a measure or has no numeric target."""
    project = get_project(request, org_slug, project_id)
    criterion = get_row_or_404(SuccessCriterion, project, criterion_id)
    verdict = verdict_of(criterion)
    return {"criterion_id": criterion.pk, "measure_id": criterion.measure_id,
            "verdict": None if verdict is None else {
                "status": verdict.status, "reasons": [str(r) for r in verdict.reasons],
                "latest_value": verdict.latest_value, "improvement_since_start": verdict.improvement_since_start,
                "capability": verdict.capability}}
