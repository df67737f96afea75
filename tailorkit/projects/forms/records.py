"""Forms for the project's record and outputs: logging effort, and importing a project file."""

from django import forms
from django.utils.translation import gettext, gettext_lazy

from ..models import Step


class EffortForm(forms.Form):
    date = forms.DateField(label=gettext_lazy("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    minutes = forms.IntegerField(label=gettext_lazy("Minutes"), min_value=1, max_value=24 * 60)
    step = forms.ChoiceField(label=gettext_lazy("Step"), choices=Step.choices)
    activity = forms.CharField(label=gettext_lazy("What you did"), max_length=300)


# A project with years of history is a few MB; this leaves ample room and stops an upload that
# is not a project file before it is read.
MAX_IMPORT_BYTES = 20 * 1024 * 1024


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Project file (.json)"),
                           help_text=gettext_lazy("A file exported from a Tailorkit project."))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(
                gettext("The file is larger than %(n)d MB, more than any project export. Check that you chose "
                        "the right file.") % {"n": MAX_IMPORT_BYTES // (1024 * 1024)})
        return upload
