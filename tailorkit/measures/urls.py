"""Measure pages, under ``o/<org_slug>/measures/``, and the help page on the chart rules."""

from django.urls import include, path

from .views import charts, data, help, measures, overview

app_name = "measures"

staff = [
    path("", overview.measure_overview, name="measure_overview"),
    path("new/", measures.measure_create, name="measure_create"),
    path("<int:measure_id>/", charts.measure_detail, name="measure_detail"),
    path("<int:measure_id>/edit/", measures.measure_edit, name="measure_edit"),
    path("<int:measure_id>/delete/", measures.measure_delete, name="measure_delete"),
    # Getting data in: the grid and file uploads (the API and consultation feeds are elsewhere)
    path("<int:measure_id>/values/", data.values_grid, name="measure_values"),
    path("<int:measure_id>/upload/", data.upload, name="measure_upload"),
    path("<int:measure_id>/upload/<uuid:upload_id>/", data.upload_status, name="measure_upload_status"),
    # The chart: downloads, notes on periods, rebasing the limits
    path("<int:measure_id>/chart.svg", charts.chart_svg, name="measure_chart_svg"),
    path("<int:measure_id>/chart.png", charts.chart_png, name="measure_chart_png"),
    path("<int:measure_id>/values.csv", charts.values_csv, name="measure_values_csv"),
    path("<int:measure_id>/notes/new/", charts.annotation_create, name="annotation_create"),
    path("notes/<int:annotation_id>/delete/", charts.annotation_delete, name="annotation_delete"),
    path("<int:measure_id>/baseline/new/", charts.baseline_create, name="baseline_create"),
]

urlpatterns = [
    path("o/<slug:org_slug>/measures/", include(staff)),
    path("help/charts/", help.chart_rules, name="chart_rules"),
]
