"""Demo knowledge base: a few categories and public and internal articles, written
through the services (so each has its first version). Idempotent: a category or an
article already there (by its address) is left as it is."""

from __future__ import annotations

from collections.abc import Callable

from supportdesk.accounts.models import Role, User
from supportdesk.knowledge import services
from supportdesk.knowledge.models import Article, Category

# name, position
CATEGORIES: list[tuple[str, int]] = [
    ("Reports and exports", 10),
    ("Bookings and payments", 20),
    ("Account and sign-in", 30),
]

# slug, title, visibility, category name ("" for none), Markdown body
ARTICLES: list[tuple[str, str, str, str, str]] = [
    (
        "exporting-the-arrivals-list",
        "Exporting the arrivals list",
        "public",
        "Reports and exports",
        "To export the arrivals list for a day or a date range:\n\n"
        "1. Open **Reports** and choose *Arrivals*.\n"
        "2. Pick the dates and, if you like, one property.\n"
        "3. Press **Export** and choose CSV or Excel.\n\n"
        "Exports of more than 5,000 arrivals are split into several files; download "
        "each part from the *Exports* tab. If an export looks cut short, run it again "
        "for a shorter date range.",
    ),
    (
        "scheduling-a-nightly-report",
        "Scheduling a nightly report by email",
        "public",
        "Reports and exports",
        "Any report can be sent by email every night: open the report, press "
        "**Schedule**, choose the time and the addresses. Times are in your "
        "property's time zone.",
    ),
    (
        "when-an-online-payment-is-declined",
        "When an online payment is declined",
        "public",
        "Bookings and payments",
        "A declined payment is usually the card issuer's decision. Ask the guest to "
        "try another card, and check *Settings → Payments* that your gateway "
        "credentials have not expired.",
    ),
    (
        "password-reset-email-did-not-arrive",
        "The password reset email did not arrive",
        "public",
        "Account and sign-in",
        "Reset emails come from `no-reply@vendor.example`. Check the spam folder, "
        "then ask your mail administrator to allow that address. A reset link works "
        "for one hour.",
    ),
    (
        "arrivals-export-truncated-known-issue",
        "Arrivals export truncated at 5,000 rows (known issue)",
        "internal",
        "Reports and exports",
        "**Known issue** in the reporting service: an export over 5,000 rows stops "
        "without its split files. Workaround for the customer: export shorter date "
        "ranges. Engineering tracks the fix; link the public article "
        "*Exporting the arrivals list* in replies.",
    ),
    (
        "follow-the-sun-hand-over-checklist",
        "Follow-the-sun hand-over checklist",
        "internal",
        "",
        "Before your region closes: leave a hand-over note on each open Sev1 and "
        "Sev2 case (what was tried, what is next, who the customer's contact is), "
        "and check the hand-over prompt on the queue is empty.",
    ),
]


def seed_knowledge(progress: Callable[[str], None]) -> None:
    author = User.objects.filter(role=Role.ESCALATION_MANAGER).order_by("id").first()
    if author is None:
        return
    progress("seeding the demo knowledge base")
    categories = {c.name: c for c in Category.objects.all()}
    for name, position in CATEGORIES:
        if name not in categories:
            categories[name] = services.create_category(actor=author, name=name, position=position)
    for slug, title, visibility, category, body in ARTICLES:
        if Article.objects.filter(slug=slug).exists():
            continue
        services.create_article(
            actor=author,
            draft=services.ArticleDraft(
                title=title,
                body=body,
                visibility=visibility,
                category_id=categories[category].pk if category else None,
                slug=slug,
            ),
        )
