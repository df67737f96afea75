from django.urls import path

from . import views

app_name = "core"

# The site's home page "/" is the personal home of the projects app (``projects:home``), which reads
# projects and consultations; core keeps the organisation pages.

urlpatterns = [
    path("organisations/", views.organisation_list, name="organisation_list"),
    path("organisations/new/", views.organisation_create, name="organisation_create"),
    path("o/<slug:org_slug>/", views.organisation_detail, name="organisation_detail"),
    path("o/<slug:org_slug>/switch/", views.organisation_switch, name="organisation_switch"),
    path("o/<slug:org_slug>/edit/", views.organisation_edit, name="organisation_edit"),
    path("o/<slug:org_slug>/members/", views.member_list, name="member_list"),
    path("o/<slug:org_slug>/members/<int:membership_id>/role/", views.member_change_role, name="member_change_role"),
    path("o/<slug:org_slug>/members/<int:membership_id>/remove/", views.member_remove, name="member_remove"),
    path("o/<slug:org_slug>/invitations/<uuid:invitation_id>/withdraw/", views.invitation_revoke,
         name="invitation_revoke"),
    path("o/<slug:org_slug>/audit/", views.audit_log, name="audit_log"),
    path("invitation/", views.invitation_detail, name="invitation_detail"),
    path("invitation/<str:token>/", views.invitation_open, name="invitation_open"),
]
