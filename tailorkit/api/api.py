"""The one NinjaAPI object: authentication, the routers, and the one set of exception handlers
that turns every refusal into its documented answer.

Routes do not catch the services' exceptions: a ``ValidationError`` is a 400 with messages per
field, a ``StaleEdit`` a 409 with the row as it is now saved, a row that does not exist (or was
deleted by someone else mid-request) a 404, and a role that does not allow the action a 403.
"""

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.utils.translation import get_language
from ninja import NinjaAPI
from ninja.errors import AuthenticationError

from tailorkit.core.errors import as_dict, summary
from tailorkit.core.locking import StaleEdit

from .auth import session_auth, token_auth
from .docs import ServerRenderedDocs
from .refusals import current_of
from .routers import (
    consultations,
    effort,
    engagement,
    goals,
    library,
    matching,
    measures,
    organisations,
    planning,
    projects,
    review,
    support,
)


class TailorkitAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation):
        # Short, stable ids ("membership_detail") make nicer names in generated clients than
        # ninja's module-path default; view function names are unique across the routers.
        return operation.view_func.__name__

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        """The schema, built once per process, path and language: the routes do not change while
        the app runs, and building it walks every route and model (about 250 ms a time, for the
        schema file and the reference page alike)."""
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        built = self.__dict__.setdefault("_built_schemas", {})
        key = (path_prefix, get_language())
        if key not in built:
            built[key] = super().get_openapi_schema(path_prefix=path_prefix)
        return built[key]


api = TailorkitAPI(
    title="Tailorkit API",
    version="1",
    description=(
        "Your organisations, the content library, projects through every step of the tailoring cycle "
        "with the engagement of their stakeholders, and stakeholder consultations (questionnaires, "
        "invitations, results), measures, and the support log of contacts between supporters and "
        "sites, with the same permissions as the pages. Authenticate with a personal "
        "API token (`Authorization: Bearer tk_…`, made under Account → API tokens) or, in a browser, "
        "with your signed-in session. A request that sends a bearer token is judged by that token "
        "alone: a wrong, expired or revoked token gets 401. Tokens expire after the time chosen when "
        "making them (30, 90 or 365 days), and changing or resetting your password revokes them all."
    ),
    urls_namespace="api",
    # Tried in order: a bearer token first, then the browser session. A request with a bearer token
    # never reaches the session (see auth.py). Every route requires one of them; only the schema and
    # the reference page are open.
    auth=[token_auth, session_auth],
    docs=ServerRenderedDocs(),
)
for area in (organisations, library, projects, goals, matching, planning, review, effort, engagement, consultations,
             measures, support):
    api.add_router("", area.router)


@api.exception_handler(AuthenticationError)
def authentication_failed(request, exc):
    response = api.create_response(request, {"detail": str(exc)}, status=exc.status_code)
    # RFC 6750 §3: a 401 names the scheme the client should use, so generic HTTP clients and
    # API tools know to send a bearer token.
    response["WWW-Authenticate"] = 'Bearer realm="Tailorkit API"'
    return response


@api.exception_handler(PermissionDenied)
def permission_denied(request, exc):
    # A member whose role does not allow the action (a viewer or supporter writing): the documented
    # 403 body, rather than Django's HTML error page.
    return api.create_response(request, {"detail": "Your role in this organisation does not allow this."},
                               status=403)


@api.exception_handler(ValidationError)
def refused(request, exc):
    # A service's refusal: every message in one line for a person, and per field for a program.
    return api.create_response(request, {"detail": summary(exc), "errors": as_dict(exc)}, status=400)


@api.exception_handler(StaleEdit)
def stale_edit(request, exc):
    return api.create_response(request, {"detail": str(exc), "current": current_of(exc.current)}, status=409)


@api.exception_handler(ObjectDoesNotExist)
def does_not_exist(request, exc):
    # A row deleted by someone else between the lookup and the write: the same answer as a row
    # that never existed (ninja's own 404 body).
    return api.create_response(request, {"detail": "Not Found"}, status=404)
