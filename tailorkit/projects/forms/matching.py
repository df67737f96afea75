"""Forms for matching strategies: custom candidates, editing a candidate, and choosing one."""

from django import forms
from django.utils.translation import gettext_lazy as _

from tailorkit.core.locking import VersionedForm

from ..models import APEASE, Iteration, StrategyOption


class CustomOptionForm(VersionedForm):
    name = forms.CharField(label=_("Strategy"), max_length=StrategyOption._meta.get_field("custom_name").max_length,
                           error_messages={"required": _("Name the strategy.")})
    description = forms.CharField(
        label=_("What it would mean here"), widget=forms.Textarea(attrs={"rows": 3}),
        max_length=StrategyOption._meta.get_field("description").max_length,
        error_messages={"required": _("Say in a sentence or two what the strategy would mean here.")})


class OptionEditForm(VersionedForm):
    name = forms.CharField(label=_("Strategy"), required=False,
                           max_length=StrategyOption._meta.get_field("custom_name").max_length)
    description = forms.CharField(label=_("What it would mean here"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 4}),
                                  max_length=StrategyOption._meta.get_field("description").max_length)

    def __init__(self, *args, custom, **kwargs):
        super().__init__(*args, **kwargs)
        if not custom:
            del self.fields["name"]


class ChooseForm(VersionedForm):
    justification = forms.CharField(
        label=_("Why this strategy"), widget=forms.Textarea(attrs={"rows": 4}),
        max_length=Iteration._meta.get_field("choice_justification").max_length,
        help_text=_("For example how it scored on APEASE, what stakeholders said, and why not the others."),
        error_messages={"required": _("Write down why you chose this strategy: it is the record your team and "
                                      "reviewers will come back to.")},
    )


def criteria_info(pack_items):
    """{criterion code: (name, description)} from the `apease` pack, falling back to the code."""
    by_code = {i.code: (i.name, i.description) for i in pack_items}
    return {c: by_code.get(c, (c.capitalize(), "")) for c in APEASE}
