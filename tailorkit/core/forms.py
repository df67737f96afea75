from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.utils.translation import gettext_lazy as _

from .locking import VersionedModelForm
from .models import Organisation, Role


class OrganisationForm(VersionedModelForm):
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
        help_text=_(
            "Leads manage the team; core team members edit; viewers read; "
            "support practitioners from outside read and comment."
        ),
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class SignupForm(AllauthSignupForm):
    """Sign-up that says plainly when an address is taken (issue 2, "Bad input").

    allauth hides this by default to prevent account enumeration; here sign-up is normally open
    only to holders of an invitation, so telling them is worth more than hiding it. Password reset
    keeps allauth's enumeration protection.
    """

    def clean_email(self):
        from .models import User

        email = super().clean_email()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                _("An account with this email address already exists. Sign in, or reset your password.")
            )
        return email
