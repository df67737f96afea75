"""Values of a measure: one service for every way in (the grid, a file, the API, a consultation feed),
so that every value passes the same checks and is kept in the history the same way."""

import math

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tailorkit.core.locking import StaleEdit

from .. import periods
from ..models import Measure, Observation

# A request may carry this many values (grid, API); files go through the upload's chunked path.
MAX_ROWS = 5000


def _number(raw, label):
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    try:
        number = float(str(raw).strip().replace(",", ".")) if isinstance(raw, str) else float(raw)
    except (TypeError, ValueError):
        raise ValueError(_("“%(raw)s” is not a number (%(label)s).") % {"raw": str(raw)[:40], "label": label}) from None
    if not math.isfinite(number):
        raise ValueError(_("“%(raw)s” is not a number (%(label)s).") % {"raw": str(raw)[:40], "label": label})
    return number


def row_check(measure, row):
    """One row as stored fields, or ``{field: message}``. ``row`` has ``period`` (a date or text),
    ``numerator`` (the value) and, for proportions, rates and means, ``denominator``."""
    errors, clean = {}, {}
    try:
        clean["period_start"] = periods.parse(measure.period, row.get("period"))
    except ValueError as exc:
        errors["period"] = str(exc)
    needs_denominator = measure.kind in (Measure.Kind.PROPORTION, Measure.Kind.RATE)
    try:
        clean["numerator"] = _number(row.get("numerator"), _("value"))
        if clean["numerator"] is None:
            errors["numerator"] = _("The value is missing.")
        elif clean["numerator"] < 0 and measure.kind != Measure.Kind.MEAN:
            errors["numerator"] = _("A count cannot be negative.")
    except ValueError as exc:
        errors["numerator"] = str(exc)
    try:
        clean["denominator"] = _number(row.get("denominator"), _("denominator"))
        if clean["denominator"] is None and needs_denominator:
            errors["denominator"] = _("The denominator is missing.")
        elif clean["denominator"] is not None and clean["denominator"] < 0:
            errors["denominator"] = _("The denominator cannot be negative.")
        elif (measure.kind == Measure.Kind.PROPORTION and clean["denominator"] is not None
              and clean.get("numerator") is not None and clean["denominator"] < clean["numerator"]):
            errors["denominator"] = _("The denominator (%(d)s) is smaller than the numerator (%(n)s).") % {
                "d": f"{clean['denominator']:g}", "n": f"{clean['numerator']:g}"}
    except ValueError as exc:
        errors["denominator"] = str(exc)
    if errors:
        return None, errors
    clean["value"] = periods.plotted_value(measure.kind, clean["numerator"], clean["denominator"], measure.rate_per)
    return clean, None


@transaction.atomic
def observations_save(*, measure, actor, rows, source=Observation.Source.GRID, remove=()):
    """Store ``rows`` (dicts: ``period``, ``numerator``, ``denominator``, optional ``version``: the
    version the person saw, for a stale-edit check) all or nothing, and remove the values of the
    periods in ``remove`` (dicts: ``period`` as a date, ``version``; the history keeps them).

    Refuses with ``ValidationError({"rows": …})`` whose ``params["rows"]`` maps the row's index to
    ``{field: message}`` (unknown period, not a number, denominator under numerator, the same period
    twice); raises ``StaleEdit`` when a row's ``version`` is not the stored one. Saving a value equal
    to the stored one changes nothing (idempotent). Returns ``{"created": n, "updated": n, "unchanged": n}``."""
    rows = list(rows)
    if len(rows) > MAX_ROWS:
        raise ValidationError({"rows": _("At most %(n)s values at a time; upload a file for more.") % {"n": MAX_ROWS}})
    cleaned, problems, seen = [], {}, {}
    for index, row in enumerate(rows):
        clean, errors = row_check(measure, row)
        if errors:
            problems[index] = errors
            continue
        if clean["period_start"] in seen:
            twin = seen[clean["period_start"]] + 1
            problems[index] = {"period": _("This period is also in row %(row)s.") % {"row": twin}}
            continue
        seen[clean["period_start"]] = index
        cleaned.append((index, row.get("version"), clean))
    if problems:
        first = min(problems)
        raise ValidationError({"rows": ValidationError(
            _("Row %(row)s: %(message)s") % {"row": first + 1, "message": " ".join(problems[first].values())},
            params={"rows": problems})})
    counts = {"created": 0, "updated": 0, "unchanged": 0, "removed": 0}
    _remove(measure, actor, [r for r in remove if r["period"] not in seen], counts)
    stored = {o.period_start: o for o in Observation.objects.select_for_update()
              .filter(measure=measure, period_start__in=list(seen))}
    for _index, version, clean in cleaned:
        current = stored.get(clean["period_start"])
        if current is None:
            Observation.objects.create(organisation=measure.organisation, measure=measure, source=source,
                                       updated_by=actor, **clean)
            counts["created"] += 1
            continue
        same = all(getattr(current, f) == clean[f] for f in ("numerator", "denominator"))
        if version not in (None, "") and int(version) != current.version and not same:
            raise StaleEdit(current=current, submitted=clean)
        if same:
            counts["unchanged"] += 1
            continue
        for f, v in clean.items():
            setattr(current, f, v)
        current.version += 1
        current.source, current.updated_by = source, actor
        current.save()
        counts["updated"] += 1
    return counts


def _remove(measure, actor, removals, counts):
    """Delete the stored values of ``removals`` after the same stale-edit check as a change."""
    if not removals:
        return
    stored = {o.period_start: o for o in Observation.objects.select_for_update()
              .filter(measure=measure, period_start__in=[r["period"] for r in removals])}
    for removal in removals:
        current = stored.get(removal["period"])
        if current is None:
            continue  # already gone: removing twice is removing once
        if removal.get("version") in (None, "") or int(removal["version"]) != current.version:
            raise StaleEdit(current=current, submitted={"removed": True})
        current._history_user = actor
        current.delete()
        counts["removed"] += 1
