"""Who may see the satisfaction figures (a case's own rating follows the case's
visibility, ``cases.selectors.access_case``)."""

from __future__ import annotations

from supportdesk.accounts.models import User


def can_see_csat_report(user: User) -> bool:
    """The report names agents and quotes every customer's comment: staff only."""
    return user.is_vendor_staff
