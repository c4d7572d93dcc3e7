"""Sign-in and password pages: Django's auth views with the site's forms and templates."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.http import HttpResponse

from supportdesk.accounts.forms import ResetPasswordForm, SignInForm
from supportdesk.conf import desk_settings


class SignInView(auth_views.LoginView):
    authentication_form = SignInForm

    def form_invalid(self, form: Any) -> HttpResponse:
        response = super().form_invalid(form)
        if isinstance(form, SignInForm) and form.retry_after is not None:
            response.status_code = 429
            response["Retry-After"] = str(form.retry_after)
        return response


class ResetPasswordView(auth_views.PasswordResetView):
    """The reset mail links to ``SITE_URL``, never to the Host header of the request.

    It is sent at once rather than through the outbox: the link is a credential, and
    the outbox keeps what it sends."""

    form_class = ResetPasswordForm

    def form_valid(self, form: Any) -> HttpResponse:
        self.extra_email_context = {"site_url": desk_settings.site_url}
        return super().form_valid(form)


class SetPasswordView(auth_views.PasswordResetConfirmView):
    """The reset link's page, also a mail contact's first sign-in: signs the person in."""

    post_reset_login = True
