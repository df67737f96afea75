"""Forms for getting values in: the grid of periods and the file upload.

The grid is one form with a row of fields per period (value, denominator where the measure has one,
the version of the stored value, a box to remove it). Its rows carry their own versions, which
``services.observations.observations_save`` checks, so the form itself has no single ``version``.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from .. import periods
from ..models import Measure
from ..services.uploads import MAX_BYTES, needs_denominator


def _number_input(label):
    # Text, not type=number: people paste "12,5" and browsers would silently drop it; the service
    # reads both decimal marks and says what is wrong with anything else.
    return forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "size": 8, "aria-label": label})


class ValuesGridForm(forms.Form):
    """One row per period of ``starts``; ``stored`` maps a period start to its ``Observation``."""

    def __init__(self, *args, measure, starts, stored, **kwargs):
        super().__init__(*args, **kwargs)
        self.measure, self.starts, self.stored = measure, list(starts), stored
        self.with_denominator = measure.kind in (Measure.Kind.PROPORTION, Measure.Kind.RATE, Measure.Kind.MEAN)
        for i, start in enumerate(self.starts):
            label = periods.label(measure.period, start)
            current = stored.get(start)
            self.fields[f"period_{i}"] = forms.DateField(widget=forms.HiddenInput, initial=start)
            self.fields[f"version_{i}"] = forms.IntegerField(widget=forms.HiddenInput, required=False,
                                                             initial=current.version if current else None)
            self.fields[f"value_{i}"] = forms.CharField(
                required=False, max_length=40, label=_("Value"),
                initial=_shown(current.numerator) if current else "",
                widget=_number_input(_("%(what)s, %(period)s") % {"what": _value_label(measure), "period": label}))
            if self.with_denominator:
                self.fields[f"denominator_{i}"] = forms.CharField(
                    required=False, max_length=40, label=_("Denominator"),
                    initial=_shown(current.denominator) if current else "",
                    widget=_number_input(_("Denominator, %(period)s") % {"period": label}))
            if current:
                self.fields[f"remove_{i}"] = forms.BooleanField(
                    required=False, label=_("Remove"),
                    widget=forms.CheckboxInput(attrs={"aria-label": _("Remove the value of %(period)s")
                                                      % {"period": label}}))

    def clean(self):
        data = super().clean()
        for i, start in enumerate(self.starts):
            if data.get(f"period_{i}") not in (None, start):
                raise forms.ValidationError(_("The periods of this page changed. Open the page again."))
            typed = (data.get(f"value_{i}") or "").strip() or (data.get(f"denominator_{i}") or "").strip()
            if start in self.stored and not typed and not data.get(f"remove_{i}"):
                self.add_error(f"value_{i}", _("Type a value, or tick “Remove” to delete the stored one."))
        return data

    def rows(self):
        """What the page draws: ``(label, start, value field, denominator field, remove field, stored)``."""
        return [(periods.label(self.measure.period, start), start, self[f"value_{i}"],
                 self[f"denominator_{i}"] if self.with_denominator else None,
                 self[f"remove_{i}"] if f"remove_{i}" in self.fields else None,
                 self.stored.get(start), [self[f"period_{i}"], self[f"version_{i}"]])
                for i, start in enumerate(self.starts)]

    def changes(self):
        """``(rows to save, removals, {index in rows: grid row})`` for ``observations_save``."""
        data, rows, removals, where = self.cleaned_data, [], [], {}
        for i, start in enumerate(self.starts):
            version = data.get(f"version_{i}")
            if data.get(f"remove_{i}"):
                removals.append({"period": start, "version": version})
                continue
            value = (data.get(f"value_{i}") or "").strip()
            denominator = (data.get(f"denominator_{i}") or "").strip()
            current = self.stored.get(start)
            if not value and not denominator:
                continue
            if current and value == _shown(current.numerator) and denominator == _shown(current.denominator):
                continue  # unchanged: not sent, so someone else's newer value elsewhere is not questioned
            where[len(rows)] = i
            rows.append({"period": start, "numerator": value, "denominator": denominator or None,
                         "version": version})
        return rows, removals, where

    def add_row_errors(self, problems, where):
        """Put the service's ``{row index: {field: message}}`` at the grid's fields."""
        for index, fields in problems.items():
            i = where.get(index)
            if i is None:
                continue
            for field, message in fields.items():
                name = f"denominator_{i}" if field == "denominator" and self.with_denominator else f"value_{i}"
                self.add_error(name, message)


def _value_label(measure):
    return _("Numerator") if measure.kind in (Measure.Kind.PROPORTION, Measure.Kind.RATE) else _("Value")


def _shown(number):
    """A stored number as the grid shows it: 12 rather than 12.0."""
    if number is None:
        return ""
    return f"{number:g}" if abs(number) < 1e15 else str(number)


class MeasureUploadForm(forms.Form):
    file = forms.FileField(
        label=_("File to upload"), help_text=_("A CSV file or an Excel workbook (.xlsx), up to %(mb)d MB.")
        % {"mb": MAX_BYTES // 2**20},
        error_messages={"required": _("Choose the file to upload."),
                        "empty": _("The file is empty.")},
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.tsv,.xlsx,text/csv,"
                                               "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                                               "aria-describedby": "id_file_helptext"}))

    def __init__(self, *args, measure, **kwargs):
        super().__init__(*args, **kwargs)
        self.columns = [_("period"), _("value")] + ([_("denominator")] if needs_denominator(measure) else [])
