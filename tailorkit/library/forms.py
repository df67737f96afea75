from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ContentPack, PackKind


class PackUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Pack file"),
        help_text=_("A pack.yaml file, or a .zip file holding pack.yaml and, for a links pack, its CSV file."),
        widget=forms.ClearableFileInput(attrs={"accept": ".yaml,.yml,.zip"}),
    )


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search the library"), max_length=200, required=False)
    pack = forms.SlugField(label=_("Pack"), required=False)


MATCHING_TOOL_SOURCE = (
    "Waltz TJ, Powell BJ, Fernández ME, Abadie B, Damschroder LJ. Choosing implementation strategies to address "
    "contextual barriers: diversity in recommendations and future directions. Implement Sci. 2019;14:42. "
    "doi:10.1186/s13012-019-0892-4. CFIR–ERIC Implementation Strategy Matching Tool, cfirguide.org."
)


def _item_packs():
    return ContentPack.objects.exclude(kind=PackKind.LINKS).order_by("name")


class WorkbookUploadForm(forms.Form):
    """A wide matrix (the CFIR–ERIC Matching Tool workbook as downloaded) → a new or newer links pack."""

    NEW, REPLACE = "new", "replace"

    file = forms.FileField(
        label=_("Workbook"),
        help_text=_("The Matching Tool spreadsheet as you downloaded it (.xlsx), or saved as .csv. One row per "
                    "strategy and one column per barrier, with the percent of experts in each cell."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xlsm,.csv"}),
    )
    from_pack = forms.ModelChoiceField(
        queryset=ContentPack.objects.none(), to_field_name="slug", label=_("Barriers (the columns)"),
        help_text=_("The list the column headings come from, e.g. CFIR (2009)."))
    to_pack = forms.ModelChoiceField(
        queryset=ContentPack.objects.none(), to_field_name="slug", label=_("Strategies (the rows)"),
        help_text=_("The list the row names come from, e.g. ERIC."))
    mode = forms.ChoiceField(label=_("Load as"), widget=forms.RadioSelect, initial=NEW,
                             choices=[(NEW, _("a new links pack")), (REPLACE, _("a newer version of a links pack"))])
    replace_pack = forms.ModelChoiceField(
        queryset=ContentPack.objects.none(), to_field_name="slug", required=False, label=_("Pack to replace"),
        help_text=_("Its links are replaced by those in the workbook; links not in the workbook are removed."))
    slug = forms.SlugField(label=_("Short name of the new pack"), max_length=80, required=False,
                           initial="cfir-eric-matching-tool",
                           help_text=_("Lower-case letters, digits and hyphens; part of the page address."))
    name = forms.CharField(label=_("Pack name"), max_length=200, initial="CFIR–ERIC Matching Tool")
    version = forms.CharField(label=_("Version"), max_length=40, initial="1",
                              help_text=_("A replacement needs a version different from the one loaded now."))
    source = forms.CharField(label=_("Source (full citation)"), widget=forms.Textarea(attrs={"rows": 3}),
                             initial=MATCHING_TOOL_SOURCE)
    link_source = forms.CharField(label=_("Source shown with each link"), max_length=200,
                                  initial="CFIR–ERIC Matching Tool (Waltz 2019)",
                                  help_text=_("A short citation printed next to each percent."))
    licence = forms.CharField(
        label=_("Licence"), widget=forms.Textarea(attrs={"rows": 2}),
        initial="Names and percentages are facts from the cited source; the description was written by "
                "Tailorkit contributors, CC BY 4.0.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        packs = _item_packs()
        self.fields["from_pack"].queryset = packs
        self.fields["to_pack"].queryset = packs
        self.fields["replace_pack"].queryset = ContentPack.objects.filter(kind=PackKind.LINKS).order_by("name")
        for field_name, slug in (("from_pack", "cfir-2009"), ("to_pack", "eric")):
            if field_name not in self.initial and packs.filter(slug=slug).exists():
                self.initial[field_name] = slug

    def clean(self):
        data = super().clean()
        if data.get("mode") == self.REPLACE:
            if not data.get("replace_pack"):
                self.add_error("replace_pack", _("Choose the pack that this workbook replaces."))
        elif not data.get("slug"):
            self.add_error("slug", _("Give the new pack a short name."))
        return data

    @property
    def target_slug(self):
        data = self.cleaned_data
        return data["replace_pack"].slug if data["mode"] == self.REPLACE else data["slug"]
