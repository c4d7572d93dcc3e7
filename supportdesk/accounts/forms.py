"""The sign-in forms (throttled) and the password-reset request form."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from typing import Any

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from supportdesk.accounts.login_throttle import begin_sign_in, client_address, forgive_sign_in
from supportdesk.accounts.models import User


class SignInForm(AuthenticationForm):
    """The web login, slowed down per account and address (accounts.login_throttle)."""

    #: Seconds until the next try is allowed, when this one was refused for that.
    retry_after: int | None = None

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if self.request is None or username is None or not password:
            return super().clean()  # the missing field's own error
        address = client_address(self.request)
        self.retry_after = begin_sign_in(username=username, address=address)
        if self.retry_after is not None:
            raise ValidationError(
                _(
                    "Too many failed sign-ins to this account from your address: "
                    "try again in %(seconds)d seconds."
                ),
                code="throttled",
                params={"seconds": self.retry_after},
            )
        cleaned = super().clean()  # a refusal raises, and the attempt stays a failure
        forgive_sign_in(username=username, address=address)
        return cleaned


class AdminSignInForm(SignInForm, AdminAuthenticationForm):
    """The admin's login: throttled the same way, and for staff only."""


def _same_address(a: str, b: str) -> bool:
    return (
        unicodedata.normalize("NFKC", a).casefold() == unicodedata.normalize("NFKC", b).casefold()
    )


class ResetPasswordForm(PasswordResetForm):
    """Django's reset request, which also reaches people without a usable password:
    contacts created from their mail have none, and this is how they set one."""

    def get_users(self, email: str) -> Iterator[User]:
        candidates = User.objects.filter(email__iexact=email, is_active=True)
        return (user for user in candidates if _same_address(email, user.email))
