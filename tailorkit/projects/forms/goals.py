"""Forms for goals and barriers: goals, custom barriers, barrier notes, searching the barrier list,
and the focus of an iteration."""

from django import forms
from django.utils.translation import gettext_lazy as _

from tailorkit.core.locking import VersionedForm

from ..models import Barrier, Goal, Iteration


class GoalForm(VersionedForm):
    target_group = forms.CharField(label=_("Target group"), max_length=Goal._meta.get_field("target_group").max_length,
                                   help_text=Goal._meta.get_field("target_group").help_text,
                                   error_messages={"required": _("Say who should benefit.")})
    end_goal = forms.CharField(label=_("End goal"), widget=forms.Textarea(attrs={"rows": 3}),
                               max_length=Goal._meta.get_field("end_goal").max_length,
                               help_text=Goal._meta.get_field("end_goal").help_text,
                               error_messages={"required": _("Say what should be different when you succeed.")})
    emphasis = forms.CharField(label=_("Emphasis"), required=False,
                               max_length=Goal._meta.get_field("emphasis").max_length,
                               help_text=Goal._meta.get_field("emphasis").help_text)


class CustomBarrierForm(VersionedForm):
    name = forms.CharField(label=_("Barrier"), max_length=Barrier._meta.get_field("custom_name").max_length,
                           error_messages={"required": _("Name the barrier.")})
    category = forms.CharField(
        label=_("Category"), max_length=Barrier._meta.get_field("custom_category").max_length,
        help_text=_("Use one of your barrier list's groups (suggested as you type) or your own."),
        error_messages={"required": _("Give the barrier a category, e.g. one of the groups of your barrier list.")},
    )
    notes = forms.CharField(label=_("How it shows at your site"), required=False,
                            widget=forms.Textarea(attrs={"rows": 3}),
                            max_length=Barrier._meta.get_field("notes").max_length)

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        # A native <datalist> suggests the pack's category names without any script.
        self.fields["category"].widget.attrs["list"] = "barrier-categories"
        self.categories = list(categories)


class BarrierNotesForm(VersionedForm):
    notes = forms.CharField(label=_("How it shows at your site"), required=False,
                            widget=forms.Textarea(attrs={"rows": 4}),
                            max_length=Barrier._meta.get_field("notes").max_length)


class BarrierSearchForm(forms.Form):
    q = forms.CharField(label=_("Search the barrier list"), required=False, max_length=200,
                        widget=forms.TextInput(attrs={"type": "search"}))


class FocusForm(VersionedForm):
    goals = forms.MultipleChoiceField(label=_("Goals to focus on"), widget=forms.CheckboxSelectMultiple, required=False)
    barriers = forms.MultipleChoiceField(label=_("Barriers to focus on"), widget=forms.CheckboxSelectMultiple,
                                         required=False)
    reason = forms.CharField(label=_("Why more than one?"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                             max_length=Iteration._meta.get_field("focus_reason").max_length,
                             help_text=_("Only needed when you choose more than one goal or barrier."))

    def __init__(self, *args, goals, barriers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["goals"].choices = [(str(g.pk), str(g)) for g in goals]
        self.fields["barriers"].choices = [(str(b.pk), b.name) for b in barriers]
