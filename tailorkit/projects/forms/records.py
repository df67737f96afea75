"""Forms for the project's record and outputs: logging effort, and importing a project file."""

from django import forms
from django.utils.translation import gettext_lazy

from ..models import Step


class EffortForm(forms.Form):
    date = forms.DateField(label=gettext_lazy("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    minutes = forms.IntegerField(label=gettext_lazy("Minutes"), min_value=1, max_value=24 * 60)
    step = forms.ChoiceField(label=gettext_lazy("Step"), choices=Step.choices)
    activity = forms.CharField(label=gettext_lazy("What you did"), max_length=300)


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Project file (.json)"),
                           help_text=gettext_lazy("A file exported from a Tailorkit project."))
