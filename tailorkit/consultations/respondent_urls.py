"""Respondent pages, mounted at ``c/``: no account, reached by a secret link."""

from django.urls import path

from . import respondent_views

urlpatterns = [
    path("form/", respondent_views.respondent_form, name="consultation_form"),
    path("thanks/", respondent_views.thanks, name="consultation_thanks"),
    path("i/<str:token>/", respondent_views.invitation_open, name="consultation_invitation_open"),
    path("o/<str:token>/", respondent_views.open_link, name="consultation_open_link"),
]
