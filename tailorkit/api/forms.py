"""The form that names a new API token."""

from django import forms
from django.utils.translation import gettext_lazy as _


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=100,
        help_text=_("What the token is for, for example “monthly export script”. Only you see it."),
        error_messages={
            "required": _("Give the token a name, for example the script that will use it."),
            "max_length": _("Keep the name to %(limit_value)d characters or fewer (it has %(show_value)d)."),
        },
    )

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(self.fields["name"].error_messages["required"], code="required")
        return name
