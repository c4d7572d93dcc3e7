"""Who may do what with the knowledge base (reading is ``selectors.articles_visible_to``)."""

from __future__ import annotations

from supportdesk.accounts.models import User


def can_write_articles(user: User) -> bool:
    """Articles are written, reviewed and removed by the vendor's staff."""
    return user.is_vendor_staff


def can_record_deflection(user: User) -> bool:
    """A deflection is a customer's (or partner's) report that never became a case."""
    return not user.is_vendor_staff
