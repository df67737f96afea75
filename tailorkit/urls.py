from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("library/", include("tailorkit.library.urls")),
    path("api/", include("tailorkit.api.urls")),
    path("o/<slug:org_slug>/projects/", include("tailorkit.projects.urls")),
    path("o/<slug:org_slug>/consultations/", include("tailorkit.consultations.urls")),
    path("c/", include("tailorkit.consultations.respondent_urls")),
    path("", include("tailorkit.core.urls")),
]
