"""Who may do what to a case: named checks, one per action, so services, views, the
API and the CLI ask the same question the same way.

Seeing a case at all is :func:`supportdesk.cases.selectors.access_case` (the one way
to get a case for a person); these answer what a viewer who sees it may do.
"""

from __future__ import annotations

from supportdesk.accounts.models import User
from supportdesk.cases.models import Case


def can_change_severity(user: User, case: Case) -> bool:
    """SEV-4: the vendor's support staff re-rate a case, never its customer."""
    return user.is_vendor_staff


def can_assign_case(user: User, case: Case) -> bool:
    return user.is_vendor_staff


def can_write_internally(user: User) -> bool:
    """Internal comments and attachments: staff only (customers never see them)."""
    return user.is_vendor_staff


def can_plan_work(user: User) -> bool:
    """Sprints, releases and planning a case into them (PRI-1, RSP-5)."""
    return user.is_vendor_staff


def can_complete_follow_up(user: User) -> bool:
    return user.is_vendor_staff


def can_log_phone_call(user: User) -> bool:
    """INT-1: phone calls are logged by an agent."""
    return user.is_vendor_staff


def can_override_severity(user: User) -> bool:
    return user.is_vendor_staff


def can_open_for_others(user: User) -> bool:
    """Customers open cases as themselves; staff on a customer's behalf."""
    return user.is_vendor_staff
