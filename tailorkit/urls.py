from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("library/", include("tailorkit.library.urls")),
    path("api/", include("tailorkit.api.urls")),
    path("", include("tailorkit.core.urls")),
]
