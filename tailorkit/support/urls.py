from django.urls import path

from .views import contacts, practice

app_name = "support"

urlpatterns = [
    # A practitioner's own competencies and reflection (personal).
    path("support/practice/", practice.growth, name="growth"),
    path("support/practice/assessments/new/", practice.assessment_new, name="assessment_new"),
    path("support/practice/assessments/<int:assessment_id>/", practice.assessment_detail, name="assessment_detail"),
    path("support/practice/assessments/<int:assessment_id>/share/", practice.assessment_share,
         name="assessment_share"),
    path("support/practice/assessments/<int:assessment_id>/shares/<int:share_id>/remove/",
         practice.assessment_unshare, name="assessment_unshare"),
    path("support/practice/assessments/<int:assessment_id>/delete/", practice.assessment_delete,
         name="assessment_delete"),
    path("support/practice/plans/new/", practice.plan_new, name="plan_new"),
    path("support/practice/plans/<int:development_plan_id>/edit/", practice.plan_edit, name="plan_edit"),
    path("support/practice/plans/<int:development_plan_id>/delete/", practice.plan_delete, name="plan_delete"),
    path("support/practice/notes/new/", practice.reflection_new, name="reflection_new"),
    path("support/practice/notes/<int:reflection_id>/edit/", practice.reflection_edit, name="reflection_edit"),
    path("support/practice/notes/<int:reflection_id>/delete/", practice.reflection_delete, name="reflection_delete"),
    # The support log: a supporter's own contacts across sites, and what a site received.
    path("support/log/", contacts.my_log, name="my_log"),
    path("o/<slug:org_slug>/support/", contacts.site_support, name="site_support"),
    path("o/<slug:org_slug>/support/contacts/new/", contacts.contact_new, name="contact_new"),
    path("o/<slug:org_slug>/support/contacts/<int:contact_id>/", contacts.contact_detail, name="contact_detail"),
    path("o/<slug:org_slug>/support/contacts/<int:contact_id>/edit/", contacts.contact_edit, name="contact_edit"),
    path("o/<slug:org_slug>/support/contacts/<int:contact_id>/delete/", contacts.contact_delete,
         name="contact_delete"),
    path("o/<slug:org_slug>/support/follow-ups/<int:follow_up_id>/done/", contacts.follow_up_done,
         name="follow_up_done"),
]
