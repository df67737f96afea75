"""Writes for personal API tokens. The token page and any future command call these only."""

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tailorkit.core.services import audit_record
from tailorkit.core.tokens import hash_token, new_token

from .models import ApiToken

TOKEN_PREFIX = "tk_"
PREFIX_LENGTH = 8
# How long a new token lives, in days; the person chooses one of these when creating it.
LIFETIME_CHOICES = (30, 90, 365)
DEFAULT_LIFETIME = 90


@transaction.atomic
def token_create(*, user, name, expires_in_days=DEFAULT_LIFETIME, request=None):
    """Create a token for ``user`` that works for ``expires_in_days`` days. Returns (token, raw):
    ``raw`` exists only in this return value and must be shown to the person at once; the database
    keeps its hash.

    The caller has re-authenticated the person (the token page asks for the password and, when it
    is set up, the two-factor code): a token is as strong as a password."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the token a name, for example the script that will use it.")})
    if expires_in_days not in LIFETIME_CHOICES:
        raise ValidationError({"expires_in_days": _("Choose how long the token works: %(choices)s days.")
                               % {"choices": ", ".join(str(days) for days in LIFETIME_CHOICES)}})
    # The "tk_" marker lets secret scanners and people recognise a leaked Tailorkit token.
    raw = TOKEN_PREFIX + new_token()
    token = ApiToken(user=user, name=name, prefix=raw[:PREFIX_LENGTH], token_hash=hash_token(raw),
                     expires_at=timezone.now() + timedelta(days=expires_in_days))
    token.full_clean()
    token.save()
    audit_record(action="api.token_created", actor=user, target=token.name,
                 details={"token_id": token.pk, "prefix": token.prefix, "expires_at": token.expires_at.isoformat()},
                 request=request)
    return token, raw


@transaction.atomic
def token_revoke(*, token, user, request=None):
    """Revoke one of the user's own tokens; it stops working on the next request."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.user_id != user.pk:
        raise PermissionDenied
    if token.revoked_at is not None:
        raise ValidationError(_("The token “%(name)s” was already revoked.") % {"name": token.name})
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_record(action="api.token_revoked", actor=user, target=token.name,
                 details={"token_id": token.pk, "prefix": token.prefix}, request=request)
    return token


@transaction.atomic
def tokens_revoke_all(*, user, reason, request=None):
    """Revoke every token of ``user`` that still works, because their password changed or was
    reset (``reason`` says which): a leaked token must not outlive the password it was made with.
    Returns the number of tokens revoked."""
    now = timezone.now()
    tokens = list(ApiToken.objects.select_for_update().filter(user=user, revoked_at__isnull=True))
    for token in tokens:
        token.revoked_at = now
        token.save(update_fields=["revoked_at"])
        audit_record(action="api.token_revoked", actor=user, target=token.name,
                     details={"token_id": token.pk, "prefix": token.prefix, "reason": reason}, request=request)
    return len(tokens)
