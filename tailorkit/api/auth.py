"""How API callers prove who they are: a personal bearer token, or the browser's session."""

from datetime import timedelta

from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer, SessionAuth

from tailorkit.core.permissions import organisations_for
from tailorkit.core.tokens import hash_token

from .models import ApiToken

# How stale ``last_used_at`` may get. Recording every request would turn each read into a write
# (row lock, WAL growth on SQLite, replication traffic on PostgreSQL) for a value people only read
# as "used recently or not"; a minute is precise enough for that.
LAST_USED_PRECISION = timedelta(minutes=1)
MAX_TOKEN_LENGTH = 200


def _invalid_token():
    return AuthenticationError(message=_("This token is not valid. Check that the whole token was copied, "
                                         "or create a new one."))


def carries_bearer_token(request):
    """True when the request says ``Authorization: Bearer …``, whatever follows."""
    scheme = request.headers.get("Authorization", "").split(" ", 1)[0]
    return scheme.lower() == "bearer"


class TokenAuth(HttpBearer):
    """``Authorization: Bearer tk_…`` with a personal API token.

    A request that sends a bearer token is judged by that token alone: a wrong, expired or revoked
    token is a 401 here, never a fall-back to the browser session (whose CSRF check would answer a
    confusing 403 to a script's write).
    """

    def authenticate(self, request, token):
        if not token or len(token) > MAX_TOKEN_LENGTH:
            raise _invalid_token()
        api_token = ApiToken.objects.select_related("user").filter(token_hash=hash_token(token)).first()
        if api_token is None or not api_token.user.is_active:
            raise _invalid_token()
        # Say why, so that whoever runs the script knows to make a new token rather than to look
        # for a typo.
        if api_token.revoked_at is not None:
            raise AuthenticationError(message=_("This token has been revoked."))
        now = timezone.now()
        if api_token.expires_at <= now:
            raise AuthenticationError(message=_("This token has expired. Create a new one under Account → API tokens."))
        # A conditional UPDATE: at most one write per token per minute, and no read-modify-write
        # race between parallel requests.
        ApiToken.objects.filter(pk=api_token.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_PRECISION)
        ).update(last_used_at=now)
        # Code below the API (permissions, history middleware) reads request.user.
        request.user = api_token.user
        request.api_token = api_token
        guard_organisation(request, api_token.user)
        return api_token.user


def guard_organisation(request, user):
    """Refuse a route of an organisation the caller is not in with 404, *before* ninja parses the
    request body: otherwise an outsider's malformed write would get a 422 where everyone else's
    answer for a foreign organisation is 404."""
    match = getattr(request, "resolver_match", None)
    slug = match.kwargs.get("org_slug") if match else None
    if slug is not None and not organisations_for(user).filter(slug=slug).exists():
        raise Http404


class BrowserSessionAuth(SessionAuth):
    """The signed-in browser session, so people can try GET routes in the browser.

    ninja's session auth checks CSRF on unsafe methods (csrf=True), which keeps a malicious site
    from using a visitor's session once the API gains write routes.
    """

    def __call__(self, request):
        # A bearer token is the token's business alone (see TokenAuth): the session is not asked.
        if carries_bearer_token(request):
            return None
        return super().__call__(request)

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        if user:
            guard_organisation(request, user)
        return user


token_auth = TokenAuth()
session_auth = BrowserSessionAuth(csrf=True)
