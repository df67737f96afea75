"""Official wording of the validated instruments, imported by an administrator (part B).

Kept apart from ``models.py`` so the two halves of the consultations app could be built in
parallel; ``instruments.py`` imports it, and ``models.py`` should import it too (one line) so the
model is always registered when Django starts.

The wording is instance-wide content like the library's packs (the administrator holds the licence
for the official items), so it carries no organisation: no tenant data is in it.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class InstrumentWording(models.Model):
    instrument = models.CharField(_("instrument"), max_length=40)
    item = models.CharField(_("item code"), max_length=60)
    language = models.CharField(_("language"), max_length=10, default="en")
    text = models.TextField(_("official wording"))
    imported_at = models.DateTimeField(auto_now=True)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")

    history = HistoricalRecords()

    class Meta:
        app_label = "consultations"
        ordering = ["instrument", "language", "item"]
        constraints = [models.UniqueConstraint(fields=["instrument", "language", "item"],
                                               name="one_wording_per_instrument_item")]

    def __str__(self):
        return f"{self.instrument}/{self.item} ({self.language})"
