"""Forms for design and plan: the specification (TIDieR items and Proctor's dimensions, labelled
from their content packs; one field where both frameworks ask the same thing), tasks and success
criteria. Forms only parse input; the rules (team membership, dates, iterations) are checked in
``services/planning.py`` and ``dates.py``, whose date rule is shown under the date fields."""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tailorkit.core.locking import VersionedForm, VersionedModelForm
from tailorkit.core.models import User
from tailorkit.measures.models import Measure
from tailorkit.measures.verdicts import AT_LEAST

from ..dates import plan_date_help
from ..models import MERGED_PROCTOR, PROCTOR_FIELDS, SPEC_FIELDS, TIDIER_FIELDS, Specification, SuccessCriterion, Task

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def pack_labels():
    """Field → (label, help text) from the `tidier` and `proctor` content packs, falling back to a
    humanised field name when a pack is not loaded. A TIDieR item that also answers Proctor
    dimensions names them too, e.g. "2. Why (Proctor: Justification)", so that a reader of either
    framework finds it."""
    from tailorkit.library.models import Item

    items = {(i.pack.slug, i.code): i for i in Item.objects.filter(pack__slug__in=["tidier", "proctor"])
             .select_related("pack")}
    labels = {}
    for slug, mapping in (("tidier", TIDIER_FIELDS), ("proctor", PROCTOR_FIELDS)):
        for field, code in mapping.items():
            item = items.get((slug, code))
            if item is not None:
                prefix = f"{code}. " if slug == "tidier" else ""
                label, help_text = prefix + item.name, item.description
            else:
                label, help_text = field.replace("_", " ").capitalize(), ""
            also = [items.get(("proctor", c)) for c in MERGED_PROCTOR.get(field, [])]
            if also:
                names = [i.name if i else c.capitalize() for i, c in zip(also, MERGED_PROCTOR[field], strict=True)]
                label = gettext("%(label)s (Proctor: %(names)s)") % {"label": label, "names": ", ".join(names)}
                help_text = " ".join([help_text, *(i.description for i in also if i)]).strip()
            labels[field] = (label, help_text)
    return labels


class SpecificationForm(VersionedModelForm):
    """Built without an instance (values come in ``initial``) so that a refused save never mutates
    the row the conflict view compares against."""

    class Meta:
        model = Specification
        fields = SPEC_FIELDS

    def __init__(self, *args, labels, **kwargs):
        super().__init__(*args, **kwargs)
        for name, (label, help_text) in labels.items():
            field = self.fields[name]
            field.label, field.help_text = label, help_text
            if isinstance(field.widget, forms.Textarea):
                field.widget.attrs["rows"] = 2

    def tidier(self):
        return [self[f] for f in TIDIER_FIELDS]

    def proctor(self):
        return [self[f] for f in PROCTOR_FIELDS]


class TeamOwnerField(forms.ModelChoiceField):
    """Any person of the organisation parses, so that the service can say clearly when someone is
    not on the project team; the drop-down lists only the team."""


class TaskForm(VersionedForm):
    title = forms.CharField(label=_("Task"), max_length=Task._meta.get_field("title").max_length)
    owner = TeamOwnerField(label=_("Owner"), queryset=User.objects.none(), required=False,
                           help_text=_("Someone on the project team."),
                           error_messages={"invalid_choice": _("Choose someone from the project team.")})
    due_date = forms.DateField(label=_("Due date"), required=False, widget=DATE)
    status = forms.ChoiceField(label=_("Status"), choices=Task.Status.choices, initial=Task.Status.TODO)

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["due_date"].help_text = plan_date_help(project.started_on)
        self.fields["owner"].queryset = User.objects.filter(memberships__organisation=project.organisation)
        team = project.team.order_by("name", "email")
        self.fields["owner"].widget.choices = [("", _("No owner yet"))] + [(u.pk, str(u)) for u in team]


class TaskStatusForm(VersionedForm):
    status = forms.ChoiceField(label=_("Status"), choices=Task.Status.choices)


class CriterionForm(VersionedForm):
    description = forms.CharField(
        label=_("What will show it worked"), widget=forms.Textarea(attrs={"rows": 2}),
        max_length=SuccessCriterion._meta.get_field("description").max_length)
    # Tied to one of the organisation's measures (issue 13), the criterion is judged from its data.
    measure = forms.ModelChoiceField(
        label=_("Measure (optional)"), queryset=Measure.objects.none(), required=False,
        empty_label=_("Not tied to a measure"),
        help_text=_("Tailorkit then judges the criterion from the measure's values and shows its chart."),
        error_messages={"invalid_choice": _("Choose one of your organisation's measures.")})
    # Not required: a criterion without a measure has no use for it, and "at least" is the usual case.
    direction = forms.ChoiceField(label=_("The target is reached when the value is"), initial=AT_LEAST,
                                  required=False, choices=SuccessCriterion._meta.get_field("direction").choices)
    target_value = forms.DecimalField(
        label=_("Numeric target (optional)"), required=False, max_digits=12, decimal_places=2,
        help_text=_("With a measure: in the measure's own units as its chart shows them; for a proportion, "
                    "in per cent (write 60 for 60 %)."))
    target_unit = forms.CharField(label=_("Unit (optional)"), required=False,
                                  max_length=SuccessCriterion._meta.get_field("target_unit").max_length,
                                  help_text=_("For example: % of referred patients, referrals per month."))
    target_date = forms.DateField(label=_("By when (optional)"), required=False, widget=DATE)

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target_date"].help_text = plan_date_help(project.started_on)
        self.fields["measure"].queryset = Measure.objects.filter(organisation_id=project.organisation_id)

    def clean_direction(self):
        return self.cleaned_data.get("direction") or AT_LEAST
