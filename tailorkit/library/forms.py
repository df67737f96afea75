from django import forms
from django.utils.translation import gettext_lazy as _


class PackUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Pack file"),
        help_text=_("A pack.yaml file, or a .zip file holding pack.yaml and, for a links pack, its CSV file."),
        widget=forms.ClearableFileInput(attrs={"accept": ".yaml,.yml,.zip"}),
    )


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search the library"), max_length=200, required=False)
    pack = forms.SlugField(label=_("Pack"), required=False)
