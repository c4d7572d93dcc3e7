"""The pure rules of answer work: knowledge-base search terms and scores, and the
policy's satisfaction settings."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml

from supportdesk.domain.errors import PolicyError
from supportdesk.domain.knowledge import MAX_TERMS, match_score, search_terms, stem
from supportdesk.domain.notices import DEFAULT_RULES, Audience, NoticeEvent
from supportdesk.domain.policy import load_policy
from supportdesk.domain.satisfaction import (
    SatisfactionSettings,
    open_until,
    rating_open,
    survey_wanted,
)
from tests.conftest import policy_text


def test_search_terms_drop_common_words_and_endings() -> None:
    assert search_terms("I cannot EXPORT the arrivals!") == ("export", "arrival")
    assert search_terms("exporting exported exports") == ("export",)
    assert search_terms("a to of") == ()


def test_short_stems_keep_their_ending() -> None:
    assert stem("uses") == "uses"
    assert stem("bookings") == "booking"


def test_a_long_query_is_cut_to_the_first_terms() -> None:
    words = " ".join(f"word{i}x" for i in range(20))
    assert len(search_terms(words)) == MAX_TERMS


def test_a_title_match_outweighs_a_body_match() -> None:
    terms = search_terms("export arrivals")
    assert match_score(terms, "Export arrivals", "") == 6
    assert match_score(terms, "Reports", "export the arrivals") == 2
    assert match_score(terms, "Rates", "sync") == 0


def test_work_orders_get_no_survey_unless_the_policy_asks() -> None:
    assert survey_wanted(SatisfactionSettings(), work_order=False)
    assert not survey_wanted(SatisfactionSettings(), work_order=True)
    assert survey_wanted(SatisfactionSettings(work_orders=True), work_order=True)
    assert not survey_wanted(SatisfactionSettings(send=False), work_order=False)


def test_a_survey_takes_ratings_for_the_policy_s_days() -> None:
    sent = dt.datetime(2026, 3, 10, 12, tzinfo=dt.UTC)
    until = open_until(SatisfactionSettings(change_days=7), sent)
    assert until == sent + dt.timedelta(days=7)
    assert rating_open(until, until)
    assert not rating_open(until, until + dt.timedelta(seconds=1))


def test_the_shipped_policies_survey_and_tell_the_requester() -> None:
    policy = load_policy(yaml.safe_load(policy_text("partner-services")))
    assert policy.satisfaction.send
    assert not policy.satisfaction.work_orders
    rule = next(r for r in policy.notifications.rules if r.event is NoticeEvent.SATISFACTION_SURVEY)
    assert rule.audiences == (Audience.REQUESTER,)
    default = next(r for r in DEFAULT_RULES.rules if r.event is NoticeEvent.SATISFACTION_SURVEY)
    assert default.audiences == (Audience.REQUESTER,)


@pytest.mark.parametrize(
    ("section", "path"),
    [
        ({"send": "yes"}, "satisfaction.send"),
        ({"change_days": 0}, "satisfaction.change_days"),
        ({"question": " "}, "satisfaction.question"),
        ({"colour": "blue"}, "satisfaction.colour"),
    ],
)
def test_a_bad_satisfaction_section_names_the_key(section: dict[str, object], path: str) -> None:
    data = yaml.safe_load(policy_text("partner-services"))
    data["satisfaction"] = section
    with pytest.raises(PolicyError) as caught:
        load_policy(data)
    assert path in [p.path for p in caught.value.problems]
