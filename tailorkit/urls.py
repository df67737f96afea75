from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("library/", include("tailorkit.library.urls")),
    path("api/", include("tailorkit.api.urls")),
    path("o/<slug:org_slug>/projects/", include("tailorkit.projects.urls")),
    path("", include("tailorkit.consultations.urls")),
    path("", include("tailorkit.core.urls")),
]
