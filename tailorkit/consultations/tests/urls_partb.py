"""URLconf for part B's tests: the whole site plus the results routes, so the tests do not depend
on whether ``urls.py`` already includes ``urls_results``."""

from django.urls import include, path

from tailorkit.urls import urlpatterns as site

urlpatterns = [
    path("o/<slug:org_slug>/consultations/", include("tailorkit.consultations.urls_results")),
    *site,
]
