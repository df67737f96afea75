"""Builders shared by the measures tests, the API's measure tests and the outsider sweeps."""

from datetime import date

from tailorkit.measures import periods
from tailorkit.measures.models import Measure
from tailorkit.measures.services.measures import annotation_create, measure_create
from tailorkit.measures.services.observations import observations_save
from tailorkit.measures.services.uploads import measure_upload_queue


def make_measure(org, user, *, name="Referrals to iCBT", kind=Measure.Kind.COUNT, period=Measure.Period.MONTH,
                 better=Measure.Better.UP, values=(), first=date(2024, 1, 1), denominators=None):
    """A measure with ``values`` for consecutive periods from ``first`` (and ``denominators`` for
    proportions and rates)."""
    measure = measure_create(organisation=org, actor=user, name=name, kind=kind, period=period, better=better,
                             unit="%" if kind == Measure.Kind.PROPORTION else "")
    rows, start = [], periods.start_of(period, first)
    for i, value in enumerate(values):
        rows.append({"period": start, "numerator": value,
                     "denominator": denominators[i] if denominators else None})
        start = periods.following(period, start)
    if rows:
        observations_save(measure=measure, actor=user, rows=rows)
    return measure


def sweep_values(org, user):
    """Parameters of the measure routes for the outsider sweeps: a measure with values, a note and a
    file of ``user`` waiting for the worker (only its uploader sees its page)."""
    measure = make_measure(org, user, values=[10, 12, 11])
    note = annotation_create(measure=measure, actor=user, period=date(2024, 2, 1), text="New referral form")
    upload = measure_upload_queue(measure=measure, actor=user, file_name="swept.csv",
                                  content=b"period,value\n2024-04,9\n")
    return {"measure_id": measure.pk, "annotation_id": note.pk, "upload_id": upload.uuid}
