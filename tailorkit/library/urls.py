from django.urls import path

from . import views

# "search" and "upload" come before the pack slug and are reserved slugs (see packfiles.RESERVED_SLUGS).
app_name = "library"

urlpatterns = [
    path("", views.library_home, name="library_home"),
    path("search/", views.library_search, name="library_search"),
    path("upload/", views.pack_upload, name="pack_upload"),
    path("upload/workbook/", views.workbook_upload, name="workbook_upload"),
    path("<slug:pack_slug>/", views.pack_detail, name="pack_detail"),
    path("<slug:pack_slug>/delete/", views.pack_delete_confirm, name="pack_delete"),
    path("<slug:pack_slug>/items/<str:item_code>/", views.item_detail, name="item_detail"),
]
