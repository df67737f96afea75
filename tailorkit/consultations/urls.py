"""Staff pages, mounted at ``o/<org_slug>/consultations/``. Part A: builder and running
consultations. Results, exports and rounds (part B) add their routes below."""

from django.urls import include, path

from . import consultation_views, views

urlpatterns = [
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
    path("", include("tailorkit.consultations.urls_results")),  # part B: results, exports, rounds
    path("", include("tailorkit.consultations.urls_steps")),  # one-click consultations from project steps
]
