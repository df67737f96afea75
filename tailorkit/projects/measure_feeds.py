"""Consultations that feed a measure: the glue between the two engines, written above both.

A measure of kind "mean" can be fed by one scale of a questionnaire made from a validated
instrument (a NoMAD construct, or AIM, IAM or FIM; ``consultations.services.instruments``). Each
consultation of that questionnaire is one survey wave and gives one value: the mean of the
respondents' scale scores as the numerator, the number of respondents scored as the denominator,
in the period of the day the wave closed (or, while it is still open, of its latest response).

**The promise of anonymity holds here too.** The scores come from ``instrument_scores``, which
applies the consultation's minimum group size: a wave with fewer respondents scored than that gives
no value at all, not even its number of respondents. When two waves fall into the same period their
values are pooled (the mean of all their respondents, weighted by each wave's number); only waves
that could be shown on their own are pooled, so the pooled value reveals nothing a results page
would not.

The measure names its source in ``Measure.feed_key`` ("consultation:<questionnaire id>:<scale>"),
an opaque key to the engine. Values are written through ``observations_save`` (source "feed"), so
they are checked and kept in the history like any other, and refreshing twice changes nothing.

Values are refreshed on request (the button on the feed page, or ``measure_feed_refresh`` from a
script): a wave can close by reaching its planned date, which no code sees happen, so a hook on
"consultation closed" would still miss those waves.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from tailorkit.consultations.models import Consultation, Questionnaire, Response
from tailorkit.consultations.services.instruments import INSTRUMENTS, instrument_scores
from tailorkit.core.anonymity import threshold_for
from tailorkit.measures import periods
from tailorkit.measures.models import Measure, Observation
from tailorkit.measures.services.measures import measure_update
from tailorkit.measures.services.observations import observations_save

PREFIX = "consultation"


def feed_key(questionnaire, scale):
    return f"{PREFIX}:{questionnaire.pk}:{scale}"


def parse_feed_key(key):
    """``(questionnaire id, scale)`` of a consultation feed key, or None for any other key."""
    parts = (key or "").split(":")
    if len(parts) != 3 or parts[0] != PREFIX or not parts[1].isdigit():
        return None
    return int(parts[1]), parts[2]


def instrument_questionnaires(organisation):
    """The organisation's questionnaires made from a validated instrument, by title."""
    return Questionnaire.objects.filter(organisation=organisation, instrument__in=list(INSTRUMENTS)).order_by(
        "title", "pk")


def scale_choices(instrument):
    """``[(scale code, label)]`` of the scales of ``instrument`` that are scored."""
    spec = INSTRUMENTS.get(instrument)
    if spec is None:
        return []
    labels = {code: label for code, label, _count, _about in spec["scales"]}
    return [(code, str(labels[code])) for code in spec["scored"]]


def scale_label(instrument, scale):
    return dict(scale_choices(instrument)).get(scale, scale)


def feed_of(measure):
    """``(questionnaire, scale)`` feeding ``measure``; ``(None, scale)`` when the questionnaire is
    gone; None when the measure is not fed by a consultation."""
    parsed = parse_feed_key(measure.feed_key)
    if parsed is None:
        return None
    questionnaire_id, scale = parsed
    questionnaire = Questionnaire.objects.filter(organisation_id=measure.organisation_id, pk=questionnaire_id).first()
    return questionnaire, scale


@dataclass
class Wave:
    """One consultation of the feeding questionnaire, and the value it gives (if any)."""

    consultation: Consultation
    day: date | None            # the close date, or the day of the latest response while open
    closed: bool
    n: int | None = None        # respondents scored; None when withheld
    mean: float | None = None
    withheld: bool = False      # fewer respondents than the minimum group size
    threshold: int = 1


def waves(questionnaire, scale):
    """Every consultation of ``questionnaire``, oldest first, with the value its ``scale`` gives."""
    consultations = list(Consultation.objects.filter(questionnaire=questionnaire).select_related("questionnaire")
                         .order_by("opens_at", "pk"))
    latest = dict(Response.objects.filter(consultation__in=consultations).values("consultation_id")
                  .annotate(last=Max("submitted_on")).values_list("consultation_id", "last"))
    found = []
    for c in consultations:
        closed = c.is_closed()
        day = timezone.localdate(c.effective_close) if closed else latest.get(c.pk)
        wave = Wave(consultation=c, day=day, closed=closed, threshold=threshold_for(c.min_group_size))
        if c.pk in latest:
            scores = instrument_scores(c) or {"scales": []}
            entry = next((s for s in scores["scales"] if s["scale"] == scale), None)
            if entry is None or entry["withheld"]:
                wave.withheld = True
            else:
                wave.n, wave.mean = entry["summary"]["n"], entry["summary"]["mean"]
        found.append(wave)
    return found


def feed_rows(measure, found):
    """The rows for ``observations_save``: one per period that has a wave with a value, pooled
    when several waves fall into one period."""
    by_period = defaultdict(list)
    for wave in found:
        if wave.day is not None and wave.mean is not None and wave.n:
            by_period[periods.start_of(measure.period, wave.day)].append(wave)
    rows = []
    for period in sorted(by_period):
        n = sum(w.n for w in by_period[period])
        mean = sum(w.mean * w.n for w in by_period[period]) / n
        rows.append({"period": period, "numerator": mean, "denominator": n})
    return rows


def _checked(measure, questionnaire, scale):
    errors = {}
    if measure.kind != Measure.Kind.MEAN:
        errors["scale"] = _("Only a measure of the kind “mean” can be fed by a survey's scale scores.")
    if questionnaire.organisation_id != measure.organisation_id or questionnaire.instrument not in INSTRUMENTS:
        errors["questionnaire"] = _("Choose a questionnaire of this organisation made from a validated instrument.")
    elif scale not in dict(scale_choices(questionnaire.instrument)):
        errors["scale"] = _("Choose one of the scales of this instrument.")
    if not errors and measure.feed_key != feed_key(questionnaire, scale) and measure.observations.exists():
        errors["questionnaire"] = _("This measure has values already; make a new measure for this scale so that "
                                    "the two series are not mixed.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def measure_feed_set(*, measure, actor, questionnaire, scale, version=None):
    """Let ``scale`` of ``questionnaire`` feed ``measure`` and fetch its values at once. ``version``:
    the version of the measure the person saw (``StaleEdit`` when it changed); the measure's own
    otherwise. Returns the measure and what the refresh stored."""
    _checked(measure, questionnaire, scale)
    measure = measure_update(measure=measure, actor=actor, version=measure.version if version is None else version,
                             feed_key=feed_key(questionnaire, scale))
    return measure, measure_feed_refresh(measure=measure, actor=actor)


@transaction.atomic
def measure_feed_refresh(*, measure, actor):
    """Write one value per period with a wave that can be shown; ``{"created", "updated",
    "unchanged", "withheld"}`` (``withheld``: waves that gave no value because too few answered)."""
    fed = feed_of(measure)
    if fed is None:
        raise ValidationError(_("This measure is not fed by a consultation."))
    questionnaire, scale = fed
    if questionnaire is None:
        raise ValidationError(_("The questionnaire that fed this measure no longer exists."))
    found = waves(questionnaire, scale)
    rows = feed_rows(measure, found)
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    if rows:
        saved = observations_save(measure=measure, actor=actor, rows=rows, source=Observation.Source.FEED)
        counts = {key: saved[key] for key in counts}  # a feed never removes a value
    return {**counts, "withheld": sum(1 for w in found if w.withheld)}
