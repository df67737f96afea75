from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .locking import VersionedModelForm
from .models import Organisation, Role


class OrganisationForm(VersionedModelForm):
    class Meta:
        model = Organisation
        fields = ["name", "country", "language", "sector", "shares_practice_evidence"]
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


class RowsField(forms.ModelMultipleChoiceField):
    """A model multiple-choice field that refuses a value which cannot be a row id before asking
    the database. Django passes such a value into the query, where SQLite overflows and
    PostgreSQL refuses the type: a server error instead of a message at the field."""

    def _check_values(self, value):
        if (self.to_field_name or "pk") == "pk":
            for pk in value:
                if not str(pk).isdigit() or int(pk) >= 2**63:
                    raise ValidationError(self.error_messages["invalid_pk_value"], code="invalid_pk_value",
                                          params={"pk": str(pk)[:20]})
        return super()._check_values(value)
