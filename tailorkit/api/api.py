"""The one NinjaAPI object: authentication, error handling and the routers."""

from ninja import NinjaAPI

from .auth import session_auth, token_auth
from .docs import ServerRenderedDocs
from .routers import core, library

api = NinjaAPI(
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
