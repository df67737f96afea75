"""Writes for personal API tokens. The token page and any future command call these only."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tailorkit.core.services import audit_record
from tailorkit.core.tokens import hash_token, new_token

from .models import ApiToken

TOKEN_PREFIX = "tk_"
PREFIX_LENGTH = 8


@transaction.atomic
def token_create(*, user, name, request=None):
    """Create a token for ``user``. Returns (token, raw): ``raw`` exists only in this return value
    and must be shown to the person at once; the database keeps its hash."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the token a name, for example the script that will use it.")})
    # The "tk_" marker lets secret scanners and people recognise a leaked Tailorkit token.
    raw = TOKEN_PREFIX + new_token()
    token = ApiToken(user=user, name=name, prefix=raw[:PREFIX_LENGTH], token_hash=hash_token(raw))
    token.full_clean()
    token.save()
    audit_record(action="api.token_created", actor=user, target=token.name,
                 details={"token_id": token.pk, "prefix": token.prefix}, request=request)
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
