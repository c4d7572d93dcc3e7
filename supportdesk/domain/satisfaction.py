"""Customer satisfaction (CSAT): whether a resolved case's requester is asked to rate
it, and until when a rating may be given or changed. The settings are policy data
(``satisfaction`` in a policy file); these functions are pure.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass


class Rating(enum.StrEnum):
    GOOD = "good"
    BAD = "bad"


@dataclass(frozen=True, slots=True)
class SatisfactionSettings:
    """Whether and how a resolved case's requester is asked to rate it."""

    #: Ask at all.
    send: bool = True
    #: RSP-3: a Sev4 work order is engineering's backlog, not an answer the customer
    #: rates; asked only when the policy says so.
    work_orders: bool = False
    #: The question the survey mail and page ask.
    question: str = "How did we do with this case?"
    #: Days after the survey is sent during which the rating may be given or changed.
    change_days: int = 7


#: What a policy without a ``satisfaction`` section gets.
DEFAULT_SATISFACTION = SatisfactionSettings()


def survey_wanted(settings: SatisfactionSettings, *, work_order: bool) -> bool:
    """Whether a case just resolved gets a survey under ``settings``."""
    if not settings.send:
        return False
    return settings.work_orders or not work_order


def open_until(settings: SatisfactionSettings, sent_at: dt.datetime) -> dt.datetime:
    """The last instant a survey sent at ``sent_at`` takes a rating or a change."""
    return sent_at + dt.timedelta(days=settings.change_days)


def rating_open(until: dt.datetime, now: dt.datetime) -> bool:
    return now <= until
