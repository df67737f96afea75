"""Measures, their baselines (rebasing needs a reason) and notes on periods."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tailorkit.core.locking import apply_versioned
from tailorkit.core.services import audit_record

from .. import periods
from ..models import Annotation, Baseline, Measure

MEASURE_FIELDS = ("name", "counted", "unit", "kind", "period", "better", "rate_per", "data_source", "owner",
                  "feed_key")


@transaction.atomic
def measure_create(*, organisation, actor, **fields):
    measure = Measure(organisation=organisation, **{f: v for f, v in fields.items() if f in MEASURE_FIELDS})
    measure.full_clean()
    measure.save()
    return measure


@transaction.atomic
def measure_update(*, measure, actor, version, **fields):
    """Change a measure; ``StaleEdit`` when someone saved it meanwhile. Its kind and period cannot
    change once it has values: the values would mean something else."""
    changes = {f: v for f, v in fields.items() if f in MEASURE_FIELDS}
    if measure.observations.exists():
        for f in ("kind", "period"):
            if f in changes and changes[f] != getattr(measure, f):
                raise ValidationError({f: _("This measure has values already; make a new measure instead.")})
    return apply_versioned(Measure, pk=measure.pk, expected_version=version, changes=changes,
                           organisation=measure.organisation)


@transaction.atomic
def measure_delete(*, measure, actor, request=None):
    audit_record(action="measure_delete", actor=actor, organisation=measure.organisation, target=measure.name,
                 request=request)
    measure.delete()


@transaction.atomic
def baseline_create(*, measure, actor, first_period, last_period=None, reason):
    """Start a phase of limits at ``first_period``, calculated from its periods up to
    ``last_period`` (all of them when None). A stated reason is required: moving the limits
    changes what counts as a signal."""
    reason = (reason or "").strip()
    errors = {}
    if not reason:
        errors["reason"] = _("Say why the limits are recalculated from here.")
    first = periods.start_of(measure.period, first_period)
    last = periods.start_of(measure.period, last_period) if last_period else None
    if last and last < first:
        errors["last_period"] = _("The baseline cannot end before it starts.")
    if Baseline.objects.filter(measure=measure, first_period=first).exists():
        errors["first_period"] = _("A baseline already starts in this period.")
    if errors:
        raise ValidationError(errors)
    return Baseline.objects.create(organisation=measure.organisation, measure=measure, first_period=first,
                                   last_period=last, reason=reason, created_by=actor)


@transaction.atomic
def annotation_create(*, measure, actor, period, text):
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write the note.")})
    return Annotation.objects.create(organisation=measure.organisation, measure=measure,
                                     period_start=periods.start_of(measure.period, period), text=text[:300],
                                     created_by=actor)


@transaction.atomic
def annotation_delete(*, annotation, actor):
    annotation.delete()
