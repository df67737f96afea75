from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Organisation, Role


class OrganisationForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ["name", "country", "language", "sector"]
        help_texts = {
            "name": _("The service site, for example “Northside Mental Health Service”."),
            "language": _("The language most people at the site work in."),
        }


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email address"), max_length=254)
    role = forms.ChoiceField(
        label=_("Role"),
        choices=Role.choices,
        initial=Role.MEMBER,
        help_text=_("Leads manage the team; core team members edit; viewers read; "
                    "support practitioners from outside read and comment."),
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
