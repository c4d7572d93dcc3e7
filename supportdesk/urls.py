from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from supportdesk.api import api
from supportdesk.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("portal/", include("supportdesk.portal.urls")),
    path("", include("supportdesk.console.urls")),
]
