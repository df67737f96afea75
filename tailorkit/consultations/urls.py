"""Consultation pages, mounted at the site root: the team's pages under
``o/<org_slug>/consultations/`` and the respondents' pages (no account, reached by a secret link)
under ``c/``."""

from django.urls import include, path

from .views import builder, delivery, instruments, responding, results, rounds

app_name = "consultations"

staff = [
    path("", delivery.consultation_list, name="consultation_list"),
    # Questionnaire builder
    path("questionnaires/", delivery.questionnaire_list, name="questionnaire_list"),
    path("questionnaires/new/", builder.questionnaire_create, name="questionnaire_create"),
    path("questionnaires/<int:questionnaire_id>/", builder.questionnaire_detail, name="questionnaire_detail"),
    path("questionnaires/<int:questionnaire_id>/edit/", builder.questionnaire_edit, name="questionnaire_edit"),
    path("questionnaires/<int:questionnaire_id>/preview/", builder.questionnaire_preview,
         name="questionnaire_preview"),
    path("questionnaires/<int:questionnaire_id>/sections/new/", builder.section_create, name="section_create"),
    path("sections/<int:section_id>/edit/", builder.section_edit, name="section_edit"),
    path("sections/<int:section_id>/delete/", builder.section_delete, name="section_delete"),
    path("sections/<int:section_id>/move/", builder.section_move, name="section_move"),
    path("sections/<int:section_id>/questions/new/", builder.question_create, name="question_create"),
    path("questions/<int:question_id>/edit/", builder.question_edit, name="question_edit"),
    path("questions/<int:question_id>/delete/", builder.question_delete, name="question_delete"),
    path("questions/<int:question_id>/move/", builder.question_move, name="question_move"),
    # Running a consultation
    path("new/", delivery.consultation_create, name="consultation_create"),
    path("<uuid:consultation_id>/", delivery.consultation_detail, name="consultation_detail"),
    path("<uuid:consultation_id>/edit/", delivery.consultation_edit, name="consultation_edit"),
    path("<uuid:consultation_id>/invite/", delivery.consultation_invite, name="consultation_invite"),
    path("<uuid:consultation_id>/open-link/", delivery.consultation_open_link, name="consultation_new_open_link"),
    path("<uuid:consultation_id>/close/", delivery.consultation_close, name="consultation_close"),
    path("<uuid:consultation_id>/respondents/<uuid:respondent_id>/erase/", delivery.respondent_erase,
         name="respondent_erase"),
    # Results, exports, consensus rounds and instruments
    path("<uuid:consultation_id>/results/", results.results_page, name="consultation_results"),
    path("<uuid:consultation_id>/results/export/<str:fmt>", results.export, name="consultation_export"),
    path("<uuid:consultation_id>/rounds/new/", rounds.round_create, name="consultation_round_create"),
    path("instruments/", instruments.instrument_list, name="consultation_instruments"),
    path("instruments/wording/", instruments.wording_import, name="consultation_instrument_wording"),
]

respondent = [
    path("form/", responding.respondent_form, name="consultation_form"),
    path("thanks/", responding.thanks, name="consultation_thanks"),
    path("i/<str:token>/", responding.invitation_open, name="consultation_invitation_open"),
    path("o/<str:token>/", responding.open_link, name="consultation_open_link"),
]

urlpatterns = [
    path("o/<slug:org_slug>/consultations/", include(staff)),
    path("c/", include(respondent)),
]
