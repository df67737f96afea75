"""Results, exports, consensus rounds and instruments (part B). Included under
``o/<slug:org_slug>/consultations/`` (see tailorkit/urls.py)."""

from django.urls import path

from . import views_results as views

urlpatterns = [
    path("<uuid:consultation_uuid>/results/", views.results, name="consultation_results"),
    path("<uuid:consultation_uuid>/results/export/<str:fmt>", views.export, name="consultation_export"),
    path("<uuid:consultation_uuid>/rounds/new/", views.round_create, name="consultation_round_create"),
    path("instruments/", views.instrument_list, name="consultation_instruments"),
    path("instruments/wording/", views.wording_import, name="consultation_instrument_wording"),
]
