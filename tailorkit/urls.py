from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

# The admin's own login page would skip allauth: no two-factor code, no rate limit on failed
# passwords, no audit event for a sign-in. Send it to allauth's sign-in instead (a signed-in staff
# user goes straight on; anyone else signed in gets 403).
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("library/", include("tailorkit.library.urls")),
    path("api/", include("tailorkit.api.urls")),
    path("", include("tailorkit.support.urls")),
    # Measures first: its help page /help/charts/ would otherwise be taken by projects' help/<topic>/.
    path("", include("tailorkit.measures.urls")),
    # The personal home page "/", the help pages and, under o/<org_slug>/projects/, the projects.
    path("", include("tailorkit.projects.urls")),
    path("", include("tailorkit.consultations.urls")),
    path("", include("tailorkit.core.urls")),
]
