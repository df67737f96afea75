"""The form that names a new API token and asks the person to prove again who they are."""

from allauth.account.adapter import get_adapter
from allauth.mfa.base.internal.flows import check_rate_limit
from allauth.mfa.models import Authenticator
from django import forms
from django.utils.translation import gettext_lazy as _

from .services import DEFAULT_LIFETIME, LIFETIME_CHOICES


def _lifetime_label(days):
    return {30: _("30 days"), 90: _("90 days"), 365: _("1 year (365 days)")}.get(days, days)


class TokenForm(forms.Form):
    """A token acts as its owner until it expires, so making one asks for the password again and,
    when two-factor authentication is set up, a current code: someone at an unattended, signed-in
    browser cannot walk away with a lasting key."""

    name = forms.CharField(
        label=_("Token name"),
        max_length=100,
        help_text=_("What the token is for, for example “monthly export script”. Only you see it."),
        error_messages={
            "required": _("Give the token a name, for example the script that will use it."),
            "max_length": _("Keep the name to %(limit_value)d characters or fewer (it has %(show_value)d)."),
        },
    )
    expires_in_days = forms.TypedChoiceField(
        label=_("Works for"),
        coerce=int,
        choices=[(days, _lifetime_label(days)) for days in LIFETIME_CHOICES],
        initial=DEFAULT_LIFETIME,
        help_text=_("After this the token stops working and you create a new one."),
        error_messages={"required": _("Choose how long the token works."),
                        "invalid_choice": _("Choose one of the lifetimes offered.")},
    )
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("To confirm that it is you creating the token."),
        error_messages={"required": _("Enter your password to create a token.")},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
        if self.totp is not None:
            self.fields["code"] = forms.CharField(
                label=_("Two-factor code"),
                widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
                help_text=_("The current code from your authenticator app."),
                error_messages={"required": _("Enter the code from your authenticator app to create a token.")},
            )

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(self.fields["name"].error_messages["required"], code="required")
        return name

    def clean_password(self):
        password = self.cleaned_data["password"]
        # allauth's check, with its limit on failed attempts.
        if not get_adapter().reauthenticate(self.user, password):
            raise forms.ValidationError(_("That is not your current password."), code="incorrect_password")
        return password

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if "password" not in self.cleaned_data:
            # A wrong password already refuses the form: keep the code unspent for the next try.
            return code
        # allauth's limit on failed two-factor attempts, then its TOTP check: the code of the current
        # period (with its tolerance), accepted only once.
        clear_failures = check_rate_limit(self.user)
        if not self.totp.wrap().validate_code(code):
            raise forms.ValidationError(_("That code is not right, or was already used. Enter the current code "
                                          "from your authenticator app."), code="incorrect_code")
        clear_failures()
        return code
