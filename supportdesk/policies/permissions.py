"""Who may change which policy running cases are under."""

from __future__ import annotations

from supportdesk.accounts.models import Role, User


def can_adopt_version(user: User) -> bool:
    """Re-pinning open cases moves every running deadline of a policy: administrators
    only (operators at the command line act with the data folder's rights)."""
    return bool(user.is_superuser or user.role == Role.ADMIN)
