"""Who may do what with macros and tags (applying a macro's actions is checked again,
action by action, by the case services it calls: the same checks as by hand)."""

from __future__ import annotations

from supportdesk.accounts.models import Role, User
from supportdesk.answers.models import Macro


def can_use_macros(user: User) -> bool:
    return user.is_vendor_staff


def can_edit_macro(user: User, macro: Macro) -> bool:
    """A personal macro: its owner. A shared one: whoever wrote it, and the managers
    and admins who keep the team's answers in order."""
    if not user.is_vendor_staff:
        return False
    if macro.owner_id is not None:
        return macro.owner_id == user.pk
    return macro.created_by_id == user.pk or user.role in {Role.ESCALATION_MANAGER, Role.ADMIN}


def can_tag_cases(user: User) -> bool:
    """Tags are the support team's filing, set by staff."""
    return user.is_vendor_staff
