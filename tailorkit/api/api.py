"""The one NinjaAPI object: authentication, error handling and the routers."""

from ninja import NinjaAPI
from ninja.errors import AuthenticationError

from .auth import session_auth, token_auth
from .docs import ServerRenderedDocs
from .routers import core, library, projects


class TailorkitAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation):
        # Short, stable ids ("membership_detail") make nicer names in generated clients than
        # ninja's module-path default; view function names are unique across the routers.
        return operation.view_func.__name__


api = TailorkitAPI(
    title="Tailorkit API",
    version="1",
    description=(
        "Read access to your organisations and the content library. Authenticate with a personal "
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


@api.exception_handler(AuthenticationError)
def authentication_failed(request, exc):
    response = api.create_response(request, {"detail": str(exc)}, status=exc.status_code)
    # RFC 6750 §3: a 401 names the scheme the client should use, so generic HTTP clients and
    # API tools know to send a bearer token.
    response["WWW-Authenticate"] = 'Bearer realm="Tailorkit API"'
    return response
