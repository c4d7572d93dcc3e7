from django.contrib import admin
from django.urls import include, path

from supportdesk.api import api
from supportdesk.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
    path("accounts/", include("supportdesk.accounts.urls")),
    path("portal/", include("supportdesk.portal.urls")),
    path("notifications/", include("supportdesk.web.notice_urls")),
    path("", include("supportdesk.portal.public_urls")),
    path("", include("supportdesk.console.urls")),
]

#: The 500 page renders without the request's context, so without the database.
handler500 = "supportdesk.web.errors.server_error"
