"""Linking a measure of the organisation to a project (the rules are in ``services/measures.py``)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..selectors.measures import linkable_measures


class MeasureLinkForm(forms.Form):
    measure = forms.ModelChoiceField(
        label=_("Measure"), queryset=None, empty_label=None,
        error_messages={"invalid_choice": _("Choose one of your organisation's measures that the project does not "
                                            "rely on yet.")})

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["measure"].queryset = linkable_measures(project)
