from django.urls import path

from . import views

app_name = "support"

urlpatterns = [
    path("practice/", views.growth, name="growth"),
    path("practice/assessments/new/", views.assessment_new, name="assessment_new"),
    path("practice/assessments/<int:assessment_id>/", views.assessment_detail, name="assessment_detail"),
    path("practice/assessments/<int:assessment_id>/share/", views.assessment_share, name="assessment_share"),
    path("practice/assessments/<int:assessment_id>/shares/<int:share_id>/remove/", views.assessment_unshare,
         name="assessment_unshare"),
    path("practice/assessments/<int:assessment_id>/delete/", views.assessment_delete, name="assessment_delete"),
    path("practice/plans/new/", views.plan_new, name="plan_new"),
    path("practice/plans/<int:development_plan_id>/edit/", views.plan_edit, name="plan_edit"),
    path("practice/plans/<int:development_plan_id>/delete/", views.plan_delete, name="plan_delete"),
    path("practice/notes/new/", views.reflection_new, name="reflection_new"),
    path("practice/notes/<int:reflection_id>/edit/", views.reflection_edit, name="reflection_edit"),
    path("practice/notes/<int:reflection_id>/delete/", views.reflection_delete, name="reflection_delete"),
]
