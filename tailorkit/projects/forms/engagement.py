"""Forms for stakeholder engagement (issue 17): a group on the map, a named person, a plan for a
step and a record of what was done. The services check everything again (the API calls them too)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tailorkit.core.locking import VersionedForm

from ..models import EngagementChange, EngagementRecord, StakeholderGroup, StakeholderPerson, Step
from ..models.engagement import Approach, Objective

SCALE_CHOICES = [(n, str(n)) for n in range(1, 6)]


def _max(model, name):
    return model._meta.get_field(name).max_length


class GroupForm(VersionedForm):
    name = forms.CharField(label=_("Group"), max_length=_max(StakeholderGroup, "name"),
                           help_text=_("For example: GPs who refer, therapists, patients, IT support."),
                           error_messages={"required": _("Name the group, for example “GPs who refer” or “patients”.")})
    side = forms.ChoiceField(label=_("Inside or outside the organisation"), choices=StakeholderGroup.Side.choices,
                             initial=StakeholderGroup.Side.INTERNAL)
    relation = forms.ChoiceField(label=_("Relation to the service"), choices=StakeholderGroup.Relation.choices)
    affected = forms.TypedChoiceField(label=_("How much the service affects them"), choices=SCALE_CHOICES, coerce=int,
                                      initial=3, help_text=_("1 = hardly at all, 5 = a great deal"))
    influence = forms.TypedChoiceField(label=_("How much they can influence it"), choices=SCALE_CHOICES, coerce=int,
                                       initial=3, help_text=_("1 = hardly at all, 5 = a great deal"))
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                            max_length=_max(StakeholderGroup, "notes"))


class PersonForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=_max(StakeholderPerson, "name"),
                           error_messages={"required": _("Enter the person's name.")})
    role = forms.CharField(label=_("Role"), required=False, max_length=_max(StakeholderPerson, "role"))
    contact = forms.CharField(label=_("How to reach them"), required=False,
                              max_length=_max(StakeholderPerson, "contact"),
                              help_text=_("Only your project team sees named people."))


class CopyGroupsForm(forms.Form):
    source = forms.ModelChoiceField(label=_("Reuse the groups of"), queryset=None,
                                    error_messages={"required": _("Choose a project."),
                                                    "invalid_choice": _("Choose a project.")})

    def __init__(self, *args, projects=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = projects


def _group_choices(groups):
    return [(g.pk, g.name) for g in groups]


class PlanForm(VersionedForm):
    step = forms.ChoiceField(label=_("Step"), choices=Step.choices)
    group = forms.TypedChoiceField(label=_("Group"), coerce=int, choices=(),
                                   error_messages={"required": _("Choose a group from the project's stakeholder map."),
                                                   "invalid_choice": _("Choose a group from the project's stakeholder "
                                                                       "map.")})
    objective = forms.ChoiceField(label=_("Why"), choices=Objective.choices, initial=Objective.LEARN)
    approach = forms.ChoiceField(label=_("How"), choices=Approach.choices, initial=Approach.MEETING)
    consultation = forms.TypedChoiceField(label=_("Survey"), coerce=int, required=False, empty_value=None,
                                          choices=(),
                                          help_text=_("For a survey: the consultation you made for this step."))
    note = forms.CharField(label=_("Note"), required=False, max_length=500)

    def __init__(self, *args, groups=(), consultations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = [("", "—")] + _group_choices(groups)
        self.fields["consultation"].choices = [("", _("None"))] + [(c.pk, c.title) for c in consultations]


class RecordForm(VersionedForm):
    step = forms.ChoiceField(label=_("Step"), choices=Step.choices)
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}),
                           error_messages={"required": _("Enter the date."),
                                           "invalid": _("Enter a date such as 2026-03-31.")})
    approach = forms.ChoiceField(label=_("How"), choices=Approach.choices)
    groups = forms.TypedMultipleChoiceField(label=_("Groups reached"), coerce=int, widget=forms.CheckboxSelectMultiple,
                                            choices=(),
                                            error_messages={"required": _("Tick at least one group you reached.")})
    people = forms.IntegerField(label=_("How many people"), required=False, min_value=1, max_value=100_000)
    heard = forms.CharField(label=_("What you heard"), widget=forms.Textarea(attrs={"rows": 3}),
                            max_length=_max(EngagementRecord, "heard"),
                            error_messages={"required": _("Note briefly what you heard.")})
    changed = forms.CharField(label=_("What you changed because of it"), required=False,
                              widget=forms.Textarea(attrs={"rows": 2}), max_length=_max(EngagementRecord, "changed"))
    changes = forms.MultipleChoiceField(
        label=_("Items it changed"), required=False, widget=forms.SelectMultiple(attrs={"size": 6}), choices=(),
        help_text=_("Link what changed, so the timeline shows why. Hold Ctrl (or ⌘) to pick several."),
        error_messages={"invalid_choice": _("Choose items of this project.")})

    def __init__(self, *args, groups=(), items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["groups"].choices = _group_choices(groups)
        self.fields["date"].widget.attrs["max"] = timezone.localdate().isoformat()
        # Each choice is "<kind>:<id>:<what>", grouped by the item it changes.
        what = EngagementChange.What.choices
        self.fields["changes"].choices = [
            (label, [(f"{kind}:{pk}:{code}", f"{name} — {verb}") for code, verb in what])
            for kind, pk, label, name in items]

    def clean_changes(self):
        parsed = []
        for value in self.cleaned_data.get("changes") or []:
            kind, pk, what = value.split(":")
            parsed.append((kind, int(pk), what))
        return parsed
