"""The form that defines a measure: what is counted, how, by which period, and who looks after it."""

from django import forms
from django.utils.translation import gettext_lazy as _

from tailorkit.core.locking import VersionedModelForm
from tailorkit.core.models import User

from ..models import Measure

KIND_HELP = _(
    "Count: how many times something happened in the period (referrals, missed appointments). "
    "Proportion: how many out of how many (30 of 50 clients offered iCBT); you give both numbers and the "
    "chart shows the percentage. Mean: an average per period, such as waiting days or a questionnaire score. "
    "Rate: events per a number of something else (falls per 1,000 bed days); you give both numbers.")


class MeasureForm(VersionedModelForm):
    class Meta:
        model = Measure
        fields = ["name", "counted", "unit", "kind", "period", "better", "rate_per", "data_source", "owner"]
        widgets = {"counted": forms.Textarea(attrs={"rows": 2})}
        help_texts = {
            "name": _("A short name people will recognise on a chart, e.g. “Clients offered iCBT”."),
            "counted": _("Exactly what counts, and what does not: who, which events, from when to when."),
            "unit": _("How one value is written, e.g. “referrals”, “days”, “%”."),
            "kind": KIND_HELP,
            "period": _("How often a value is recorded: per day, per week (from Monday) or per month. It cannot "
                        "change once there are values."),
            "better": _("Which way counts as improvement: the chart calls a change in this direction an "
                        "improvement and the other a concern."),
            "rate_per": _("For rates only: the value is shown per this many of the denominator, e.g. 1000 for "
                          "“per 1,000 bed days”."),
            "data_source": _("Where the numbers come from, e.g. “patient record system, monthly report”."),
            "owner": _("The person who makes sure the values are entered."),
        }

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = User.objects.filter(memberships__organisation=organisation).order_by(
            "name", "email")
        self.fields["owner"].empty_label = _("Nobody yet")
        self.fields["kind"].widget.attrs["aria-describedby"] = "id_kind_helptext"

    def shows_rate_per(self):
        kind = self.data.get("kind") if self.is_bound else (self.initial.get("kind") or Measure.Kind.COUNT)
        return kind == Measure.Kind.RATE


def measure_initial(measure):
    """An edit form's starting values (the form is built without ``instance``, see ``VersionedModelForm``)."""
    return {**{f: getattr(measure, f) for f in MeasureForm.Meta.fields if f != "owner"},
            "owner": measure.owner_id, "version": measure.version}
