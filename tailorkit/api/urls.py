from django.urls import path
from ninja import NinjaAPI

from . import views

api = NinjaAPI(title="Tailorkit API", version="1", urls_namespace="api")

urlpatterns = [
    path("tokens/", views.api_tokens, name="api_tokens"),
    path("", api.urls),
]
