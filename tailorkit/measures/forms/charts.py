"""Forms of the measure page: a note on a period, and recalculating the limits from a period.

Both add a row (a note, a baseline) and change none, so they carry no version: a second baseline
starting in the same period is refused by ``services.measures.baseline_create``."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .. import periods


class _PeriodField(forms.CharField):
    """A period written as people write it (2025-03, 2025-W12, 17/03/2025), read with
    ``periods.parse`` into the date the measure's period starts."""

    def __init__(self, *, period, **kwargs):
        self.period = period
        super().__init__(max_length=40, **kwargs)
        # max_length gives the input its maxlength; its validator would run on the parsed date
        # (and fail with a TypeError), and ``periods.parse`` refuses an overlong text anyway.
        self.validators = []

    def to_python(self, value):
        text = super().to_python(value)
        if not text:
            return None
        try:
            return periods.parse(self.period, text)
        except (ValueError, OverflowError) as exc:
            raise forms.ValidationError(str(exc)) from None


def _period_help(period):
    return {periods.WEEK: _("A week such as 2025-W12, or any date in it."),
            periods.MONTH: _("A month such as 2025-03, or any date in it."),
            periods.DAY: _("A date such as 2025-03-17.")}[period]


class AnnotationForm(forms.Form):
    def __init__(self, *args, measure, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"] = _PeriodField(period=measure.period, label=_("Period"),
                                             help_text=_period_help(measure.period))
        self.fields["text"] = forms.CharField(
            label=_("Note"), max_length=300, widget=forms.TextInput(),
            help_text=_("What happened in that period, in a few words: it is shown as a numbered marker on the "
                        "chart and in full in the table."),
            error_messages={"required": _("Write the note.")})
        self.order_fields(["period", "text"])


class BaselineForm(forms.Form):
    def __init__(self, *args, measure, **kwargs):
        super().__init__(*args, **kwargs)
        help_text = _period_help(measure.period)
        self.fields["first_period"] = _PeriodField(
            period=measure.period, label=_("From period"),
            help_text=_("The first period of the new limits. %(example)s") % {"example": help_text},
            error_messages={"required": _("Say from which period the limits are recalculated.")})
        self.fields["last_period"] = _PeriodField(
            period=measure.period, label=_("Last period of the baseline (optional)"), required=False,
            help_text=_("Calculate the limits from the periods up to this one and keep them fixed after it. "
                        "Leave it empty to use every period from the first on."))
        self.fields["reason"] = forms.CharField(
            label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
            help_text=_("Why the process changed from this period, e.g. “new referral form in use from March”. "
                        "Moving the limits changes what counts as a signal, so the reason is kept with them."),
            error_messages={"required": _("Say why the limits are recalculated from here.")})
        for name, field in self.fields.items():
            field.widget.attrs["aria-describedby"] = f"id_{name}_helptext"

    def clean(self):
        data = super().clean()
        first, last = data.get("first_period"), data.get("last_period")
        if first and last and last < first:
            self.add_error("last_period", _("The baseline cannot end before it starts."))
        return data
