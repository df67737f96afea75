"""Measures: service data counted period by period, and what the team notes about it.

A general engine beside ``consultations``: a measure belongs to an organisation and knows nothing
of projects. Projects link to measures and tie success criteria to them from above
(``projects``); events of a project reach a measure's chart through ``measures.events``.

* **Measure**: what is counted, its kind (count, proportion, mean, rate), its period (day, week,
  month), which direction is better, where the data come from and who looks after them.
* **Observation**: one value per measure and period. The team enters ``numerator`` (and for
  proportions and rates a ``denominator``; for means an optional number of cases); ``value`` is
  what the chart plots, worked out by ``periods.plotted_value`` (proportions in per cent, rates per
  ``rate_per``; no value when a denominator is zero).
* **Baseline**: the periods the process limits are calculated from; the limits are then fixed and
  carried forward. A new baseline ("rebasing") starts a new phase of limits and needs a reason.
* **Annotation**: a note on one period, drawn on the chart.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tailorkit.core.history import HistoricalRecords
from tailorkit.core.locking import Versioned
from tailorkit.core.models import Organisation


class Measure(Versioned):
    class Kind(models.TextChoices):
        COUNT = "count", _("Count")
        PROPORTION = "proportion", _("Proportion (numerator out of denominator)")
        MEAN = "mean", _("Mean")
        RATE = "rate", _("Rate per denominator")

    class Period(models.TextChoices):
        DAY = "day", _("Day")
        WEEK = "week", _("Week")
        MONTH = "month", _("Month")

    class Better(models.TextChoices):
        UP = "up", _("Higher is better")
        DOWN = "down", _("Lower is better")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="measures")
    name = models.CharField(_("name"), max_length=200)
    counted = models.TextField(_("what is counted"), max_length=2000, blank=True)
    unit = models.CharField(_("unit"), max_length=50, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.COUNT)
    period = models.CharField(_("period"), max_length=10, choices=Period.choices, default=Period.MONTH)
    better = models.CharField(_("which direction is better"), max_length=10, choices=Better.choices,
                              default=Better.UP)
    rate_per = models.PositiveIntegerField(_("rate per"), default=1000,
                                           help_text=_("For rates: the value is shown per this many."))
    data_source = models.CharField(_("data source"), max_length=200, blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", verbose_name=_("owner"))
    # Where the values come from when not typed or uploaded: an opaque key set by the app that feeds
    # the measure (projects feeds instrument scores of consultations, "consultation:<questionnaire>:<scale>").
    feed_key = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["organisation", "name"])]

    def __str__(self):
        return self.name


class Observation(Versioned):
    class Source(models.TextChoices):
        GRID = "grid", _("Typed in")
        UPLOAD = "upload", _("Uploaded file")
        API = "api", _("API")
        FEED = "feed", _("Consultation")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="observations")
    period_start = models.DateField(_("period"))
    numerator = models.FloatField(_("value"))
    denominator = models.FloatField(_("denominator"), null=True, blank=True)
    value = models.FloatField(null=True, blank=True)  # plotted value; None when the denominator is 0
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.GRID)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    history = HistoricalRecords()

    class Meta:
        ordering = ["measure", "period_start"]
        constraints = [models.UniqueConstraint(fields=["measure", "period_start"], name="one_value_per_period")]

    def __str__(self):
        return f"{self.measure_id} {self.period_start}: {self.value}"


class Baseline(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="baselines")
    first_period = models.DateField(_("first period"))
    # The last period the limits are calculated from; empty: every period of the phase so far.
    last_period = models.DateField(_("last period of the baseline"), null=True, blank=True)
    reason = models.TextField(_("reason"), max_length=2000)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["measure", "first_period"]
        constraints = [models.UniqueConstraint(fields=["measure", "first_period"], name="one_baseline_per_start")]

    def __str__(self):
        return f"{self.measure_id} from {self.first_period}"


class Annotation(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="annotations")
    period_start = models.DateField(_("period"))
    text = models.CharField(_("note"), max_length=300)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["measure", "period_start", "id"]

    def __str__(self):
        return self.text


class MeasureUpload(models.Model):
    """One CSV or XLSX file of values for a measure (``services/uploads.py``), checked and stored by the
    background worker.

    Its life: queued → checking → ready (the whole file is valid: the person sees a preview and
    confirms) or invalid (every error listed, nothing stored) → confirmed → storing → done; failed
    when the worker could not finish. The file's bytes stay in ``content`` until it is stored or
    refused, then they are cleared. ``errors`` keeps the first ``MAX_ERRORS`` problems as
    ``{"row", "column", "message"}``; ``error_count`` counts them all. ``heartbeat_at`` is the worker's
    last sign of life: a job without one for ``TAILORKIT_IMPORT_STALE_SECONDS`` is queued again.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to be checked")
        CHECKING = "checking", _("Being checked")
        READY = "ready", _("Checked: waiting for your confirmation")
        INVALID = "invalid", _("Not stored: the file has errors")
        CONFIRMED = "confirmed", _("Waiting to be stored")
        STORING = "storing", _("Being stored")
        DONE = "done", _("Stored")
        FAILED = "failed", _("Not stored")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="uploads")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    file_name = models.CharField(max_length=255, blank=True)
    file_format = models.CharField(max_length=5)  # "csv" or "xlsx"
    file_size = models.PositiveIntegerField(default=0)
    content = models.BinaryField(default=b"", editable=False)
    encoding = models.CharField(max_length=20, blank=True)  # CSV: the text encoding found
    delimiter = models.CharField(max_length=1, blank=True)  # CSV: the column separator found
    # The uploader's language: messages written by the worker are in it.
    language = models.CharField(max_length=10, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    columns = models.JSONField(default=dict, blank=True)   # {"period": "Month", …}: the headers found
    ignored = models.JSONField(default=list, blank=True)   # headers of columns not read
    preview = models.JSONField(default=list, blank=True)   # the first rows as read
    rows = models.PositiveIntegerField(default=0)          # rows of values in the file
    done = models.PositiveIntegerField(default=0)          # rows checked so far
    errors = models.JSONField(default=list, blank=True)
    error_count = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict, blank=True)    # {"created": n, "updated": n, "unchanged": n}
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "heartbeat_at"], name="measure_upload_stale")]

    def __str__(self):
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def finished(self):
        return self.status in {self.Status.INVALID, self.Status.DONE, self.Status.FAILED}

    @property
    def running(self):
        return self.status in {self.Status.QUEUED, self.Status.CHECKING, self.Status.CONFIRMED, self.Status.STORING}
