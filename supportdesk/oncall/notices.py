"""The words of a page: its subject and body, written in the reader's language.

A person's page is in their language (their profile's choice, else the site's:
``notifications.selectors.mail_language``), never the language of whoever's request
caused it; a team's page is in the site's. The severity is said once, with the name
the case's pinned policy gives it ("Sev1 Critical"); a page without a case has no
policy to name it and says "Sev1".
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from supportdesk.accounts.models import User
from supportdesk.conf import desk_settings
from supportdesk.notifications.selectors import mail_language
from supportdesk.oncall.models import Page
from supportdesk.policies import selectors as policy_selectors

#: The [PAGE-id] token lets an email reply acknowledge the page (intake reads it).
PAGE_TOKEN = "[PAGE-{pk}]"


def severity_words(page: Page) -> str:
    """``Sev1 Critical``: the level and the name the case's policy gives it."""
    if page.case is None:
        return f"Sev{page.severity}"
    policy = policy_selectors.parsed(page.case.policy_version)
    try:
        name = policy.severity(page.severity).name
    except KeyError:  # a level the pinned policy does not define: the level alone
        return f"Sev{page.severity}"
    return f"Sev{page.severity} {name}"


def _headline(page: Page) -> str:
    """The case's reference (when the page has a case) and the severity, once each."""
    reference = page.case.reference if page.case is not None else ""
    return " ".join(part for part in (reference, severity_words(page)) if part)


def _subject(page: Page, reason: str) -> str:
    values = {"what": _headline(page), "summary": page.summary}
    # Translators: %(what)s is a case reference and severity ("SD-000014 Sev1 Critical").
    words = {
        "page": _("PAGE: %(what)s: %(summary)s"),
        "renotify": _("PAGE (reminder): %(what)s: %(summary)s"),
        "handoff": _("PAGE handed to you: %(what)s: %(summary)s"),
        "team": _("PAGE (nobody on call): %(what)s: %(summary)s"),
    }[reason]
    return f"{words % values} {PAGE_TOKEN.format(pk=page.pk)}"


def _body(page: Page, ack: str) -> str:
    lines = [page.summary, _("Severity: %(severity)s") % {"severity": severity_words(page)}]
    if page.callback_number:
        lines.append(_("Callback: %(number)s") % {"number": page.callback_number})
    if page.case is not None:
        # The engineer works the case from the console: its reference and its page.
        link = f"{desk_settings.site_url}{reverse('console:case', args=[page.case.pk])}"
        lines.append(
            _("Case: %(reference)s %(link)s") % {"reference": page.case.reference, "link": link}
        )
    if ack:
        lines.append(_("Acknowledge: %(link)s") % {"link": ack})
    return "\n".join(lines)


def page_text(page: Page, target: User | None, reason: str, ack: str = "") -> tuple[str, str]:
    """The subject and body of ``page`` for ``target`` (``None``: the team's channels,
    nobody being on call), in their language. ``reason``: ``page``, ``renotify``,
    ``handoff`` or ``team``; ``ack``: the target's signed acknowledgement link."""
    with translation.override(mail_language(target)):
        return _subject(page, reason), _body(page, ack)
