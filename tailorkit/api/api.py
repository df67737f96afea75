"""The one NinjaAPI object: authentication, error handling and the routers."""

from django.core.exceptions import PermissionDenied
from ninja import NinjaAPI
from ninja.errors import AuthenticationError

from .auth import session_auth, token_auth
from .docs import ServerRenderedDocs
from .routers import consultations, core, library, project_plan, project_steps, projects


class TailorkitAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation):
        # Short, stable ids ("membership_detail") make nicer names in generated clients than
        # ninja's module-path default; view function names are unique across the routers.
        return operation.view_func.__name__


api = TailorkitAPI(
    title="Tailorkit API",
    version="1",
    description=(
        "Your organisations, the content library, and projects through every step of the tailoring "
        "cycle, and stakeholder consultations (questionnaires, invitations, results), with the same "
        "permissions as the pages. Authenticate with a personal "
        "API token (`Authorization: Bearer tk_…`, made under Account → API tokens) or, in a browser, "
        "with your signed-in session."
    ),
    urls_namespace="api",
    # Tried in order: a bearer token first, then the browser session. Every route requires one of
    # them; only the schema and the reference page are open.
    auth=[token_auth, session_auth],
    docs=ServerRenderedDocs(),
)
api.add_router("", core.router)
api.add_router("", library.router)
api.add_router("", projects.router)
api.add_router("", project_steps.router)
api.add_router("", project_plan.router)
api.add_router("", consultations.router)


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
