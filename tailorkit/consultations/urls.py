"""Consultation pages, mounted at the site root: the team's pages under
``o/<org_slug>/consultations/`` and the respondents' pages (no account, reached by a secret link)
under ``c/``."""

from django.urls import include, path

from . import consultation_views, respondent_views, views, views_results

app_name = "consultations"

staff = [
    path("", views.consultation_list, name="consultation_list"),
    # Questionnaire builder
    path("questionnaires/new/", views.questionnaire_create, name="questionnaire_create"),
    path("questionnaires/<int:questionnaire_id>/", views.questionnaire_detail, name="questionnaire_detail"),
    path("questionnaires/<int:questionnaire_id>/edit/", views.questionnaire_edit, name="questionnaire_edit"),
    path("questionnaires/<int:questionnaire_id>/preview/", views.questionnaire_preview, name="questionnaire_preview"),
    path("questionnaires/<int:questionnaire_id>/sections/new/", views.section_create, name="section_create"),
    path("sections/<int:section_id>/edit/", views.section_edit, name="section_edit"),
    path("sections/<int:section_id>/delete/", views.section_delete, name="section_delete"),
    path("sections/<int:section_id>/move/", views.section_move, name="section_move"),
    path("sections/<int:section_id>/questions/new/", views.question_create, name="question_create"),
    path("questions/<int:question_id>/edit/", views.question_edit, name="question_edit"),
    path("questions/<int:question_id>/delete/", views.question_delete, name="question_delete"),
    path("questions/<int:question_id>/move/", views.question_move, name="question_move"),
    # Running a consultation
    path("new/", consultation_views.consultation_create, name="consultation_create"),
    path("<uuid:consultation_id>/", consultation_views.consultation_detail, name="consultation_detail"),
    path("<uuid:consultation_id>/edit/", consultation_views.consultation_edit, name="consultation_edit"),
    path("<uuid:consultation_id>/invite/", consultation_views.consultation_invite, name="consultation_invite"),
    path("<uuid:consultation_id>/open-link/", consultation_views.consultation_open_link,
         name="consultation_new_open_link"),
    path("<uuid:consultation_id>/close/", consultation_views.consultation_close, name="consultation_close"),
    path("<uuid:consultation_id>/respondents/<uuid:respondent_id>/erase/", consultation_views.respondent_erase,
         name="respondent_erase"),
    # Results, exports, consensus rounds and instruments
    path("<uuid:consultation_uuid>/results/", views_results.results, name="consultation_results"),
    path("<uuid:consultation_uuid>/results/export/<str:fmt>", views_results.export, name="consultation_export"),
    path("<uuid:consultation_uuid>/rounds/new/", views_results.round_create, name="consultation_round_create"),
    path("instruments/", views_results.instrument_list, name="consultation_instruments"),
    path("instruments/wording/", views_results.wording_import, name="consultation_instrument_wording"),
]

respondent = [
    path("form/", respondent_views.respondent_form, name="consultation_form"),
    path("thanks/", respondent_views.thanks, name="consultation_thanks"),
    path("i/<str:token>/", respondent_views.invitation_open, name="consultation_invitation_open"),
    path("o/<str:token>/", respondent_views.open_link, name="consultation_open_link"),
]

urlpatterns = [
    path("o/<slug:org_slug>/consultations/", include(staff)),
    path("c/", include(respondent)),
]
