"""Asking resolved cases' requesters to rate them, and recording their ratings.

A survey is sent by the periodic ``satisfaction.send_surveys`` shortly after a case is
resolved, through the policy's notification rules (``satisfaction_survey``): by mail
with two signed one-click links, and in the portal. A link only opens a page with the
choice preselected; the rating is recorded when the page is confirmed (POST), so a
mail scanner that fetches links never votes. A link records once; the requester may
change the rating, signed in, in the portal until the survey closes.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from supportdesk import clock
from supportdesk.accounts.models import User
from supportdesk.accounts.permissions import NotFound, require
from supportdesk.cases.clocks import policy_of
from supportdesk.cases.models import Case
from supportdesk.cases.notices import in_zone, notify
from supportdesk.cases.selectors import access_case
from supportdesk.conf import desk_settings
from supportdesk.domain.errors import DomainError
from supportdesk.domain.notices import NoticeEvent
from supportdesk.domain.satisfaction import Rating, open_until, rating_open, survey_wanted
from supportdesk.satisfaction import selectors
from supportdesk.satisfaction.models import Survey

log = logging.getLogger(__name__)

_SALT = "supportdesk.satisfaction.survey"
#: A case resolved longer ago than this when the sweep first sees it gets no survey
#: (after an outage, or on the first run over old cases): it would come too late.
SEND_WITHIN = dt.timedelta(days=2)
#: Cases one sweep considers; the next run takes the rest.
BATCH = 200
MAX_COMMENT = 2000


class SurveyClosed(DomainError):
    """The survey no longer takes a rating or a change (HTTP 409)."""


class LinkUsed(DomainError):
    """The mail's link has recorded a rating already (HTTP 409)."""


def link_token(survey: Survey, rating: Rating) -> str:
    """The signed token of the one-click link for ``rating`` on ``survey``: it names
    that survey only, so it can rate no other case (tenant-safe)."""
    return signing.dumps({"s": survey.pk, "r": rating.value}, salt=_SALT)


def survey_for_link(token: str) -> tuple[Survey, Rating]:
    """The survey and preselected rating a link names; :class:`NotFound` for a token
    this site did not sign (or whose survey is gone)."""
    try:
        data = signing.loads(token, salt=_SALT)
        survey = Survey.objects.select_related("case").get(pk=int(data["s"]), asked=True)
        return survey, Rating(data["r"])
    except (signing.BadSignature, KeyError, TypeError, ValueError, Survey.DoesNotExist):
        raise NotFound(_("this rating link is not valid"), field="token") from None


def _survey_links(survey: Survey) -> dict[str, str]:
    return {
        f"{r.value}_url": f"{desk_settings.site_url}"
        f"{reverse('public:rate', args=[link_token(survey, r)])}"
        for r in Rating
    }


def send_surveys(*, now: dt.datetime | None = None) -> int:
    """Survey the cases resolved within :data:`SEND_WITHIN` that have none yet, or whose
    survey was sent before their latest resolution (reopened and resolved again: asked
    again, on the same survey), each in its own transaction (idempotent: a resolution
    is surveyed once, whoever runs this). Returns how many surveys were sent."""
    now = clock.resolve(now)
    due = (
        Case.objects.filter(
            Q(survey__isnull=True) | Q(survey__sent_at__lt=F("resolved_at")),
            status__in=selectors.RATED_STATUSES,
            resolved_at__gte=now - SEND_WITHIN,
        )
        .order_by("resolved_at", "id")
        .values_list("pk", flat=True)[:BATCH]
    )
    sent = 0
    for case_id in list(due):
        try:
            sent += _survey_case(case_id, now)
        except IntegrityError:
            continue  # another worker surveyed it first
    return sent


@transaction.atomic
def _survey_case(case_id: int, now: dt.datetime) -> int:
    case = Case.objects.select_related("organization", "requester", "assignee").get(pk=case_id)
    settings = policy_of(case).satisfaction
    asked = survey_wanted(settings, work_order=case.work_order)
    fields = {
        "requester": case.requester,
        "organization": case.organization,
        "region": case.region,
        "agent": case.assignee,
        "asked": asked,
        "sent_at": now,
        "open_until": open_until(settings, now) if asked else now,
    }
    earlier = Survey.objects.select_for_update().filter(case=case).first()
    if earlier is None:
        survey = Survey.objects.create(case=case, **fields)
    elif case.resolved_at is not None and earlier.sent_at < case.resolved_at:
        # Reopened and resolved again: the same survey asks anew (the earlier rating
        # stands until the requester changes it), with a fresh one-click link.
        survey = earlier
        for name, value in fields.items():
            setattr(survey, name, value)
        survey.link_used_at = None
        survey.save()
    else:
        return 0  # another worker asked already
    if not asked:
        return 0
    notify(
        NoticeEvent.SATISFACTION_SURVEY,
        case=case,
        actor=None,
        key=f"{survey.pk}:{now.isoformat()}",
        text=settings.question,
        data={
            **_survey_links(survey),
            "question": settings.question,
            "open_until": in_zone(survey.open_until, case.requester),
        },
        now=now,
    )
    return 1


def _record(survey: Survey, rating: str, comment: str, now: dt.datetime) -> Survey:
    try:
        chosen = Rating(rating)
    except ValueError:
        raise DomainError(_("choose good or bad"), field="rating") from None
    if len(comment) > MAX_COMMENT:
        raise DomainError(
            _("at most %(limit)s characters") % {"limit": MAX_COMMENT}, field="comment"
        )
    if survey.case.status not in selectors.RATED_STATUSES:
        raise SurveyClosed(
            _("the case was reopened: it can be rated once it is resolved again"),
            field="rating",
        )
    if not rating_open(survey.open_until, now):
        raise SurveyClosed(
            _("this survey closed; ratings may be given or changed for %(days)s days")
            % {"days": (survey.open_until - survey.sent_at).days},
            field="rating",
        )
    survey.rating = chosen.value
    survey.comment = comment.strip()
    survey.rated_at = now
    return survey


@transaction.atomic
def rate_by_link(
    *, token: str, rating: str, comment: str = "", now: dt.datetime | None = None
) -> Survey:
    """Record the rating confirmed on a link's page (no sign-in: the signed token is the
    credential, and names one survey). A link records once."""
    now = clock.resolve(now)
    survey, _rating = survey_for_link(token)
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.link_used_at is not None:
        raise LinkUsed(
            _("this link has recorded a rating already; sign in to change it"), field="token"
        )
    _record(survey, rating, comment, now)
    survey.link_used_at = now
    survey.save(update_fields=["rating", "comment", "rated_at", "link_used_at"])
    return survey


@transaction.atomic
def rate_case(
    *, actor: User, case_id: int, rating: str, comment: str = "", now: dt.datetime | None = None
) -> Survey:
    """The requester rates (or re-rates) their case, signed in, while the survey is open."""
    now = clock.resolve(now)
    case = access_case(actor, case_id)
    survey = Survey.objects.select_for_update().filter(case=case, asked=True).first()
    if survey is None:
        raise NotFound(_("this case has no satisfaction survey"), field="case_id")
    require(survey.requester_id == actor.pk, _("only the case's requester rates it"), field="actor")
    _record(survey, rating, comment, now)
    survey.save(update_fields=["rating", "comment", "rated_at"])
    return survey
