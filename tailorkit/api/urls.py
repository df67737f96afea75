"""URLs of the API app: the token pages and the ninja API with its schema and reference page."""

from django.urls import include, path

from . import views
from .api import api

# One namespace for the API app: the token pages and ninja's routes (ninja's own namespace is also
# "api", see api.py), so ``api:openapi-view`` and ``api:api_tokens`` live side by side.
app_name = "api"

urlpatterns = [
    path("tokens/", views.api_tokens, name="api_tokens"),
    path("tokens/<int:token_id>/revoke/", views.api_token_revoke, name="api_token_revoke"),
    path("", include(api.urls[0])),
]
