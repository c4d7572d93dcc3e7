"""Notification rules: the policy section and the plan they give for an event."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from supportdesk.domain.errors import PolicyError
from supportdesk.domain.notices import (
    DEFAULT_RULES,
    Audience,
    EventFacts,
    NoticeChannel,
    NoticeEvent,
    plan_notices,
    wanted_channels,
)
from supportdesk.domain.policy import load_policy

POLICIES = Path(__file__).resolve().parents[2] / "policies"


def _policy_data(name: str = "follow-the-sun") -> dict[str, Any]:
    data = yaml.safe_load((POLICIES / f"{name}.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _audiences(event: NoticeEvent, **facts: Any) -> list[Audience]:
    return [n.audience for n in plan_notices(DEFAULT_RULES, event, EventFacts(**facts))]


def test_both_shipped_policies_spell_out_the_default_rules() -> None:
    for name in ("follow-the-sun", "partner-services"):
        rules = load_policy(_policy_data(name)).notifications
        assert rules.coalesce_seconds == 120
        shipped = {(r.event, r.audiences, r.channels, r.statuses) for r in rules.rules}
        defaults = {(r.event, r.audiences, r.channels, r.statuses) for r in DEFAULT_RULES.rules}
        # Events a file never names (those added after it was written) keep the
        # defaults; a policy without an escalation process has no rules for its events.
        escalation = {r for r in defaults if r[0].startswith("escalation_")}
        if name == "follow-the-sun":
            assert shipped == defaults
        else:
            assert shipped == defaults - escalation


def test_an_event_a_file_never_names_keeps_its_defaults_and_tell_nobody_silences_one() -> None:
    data = _policy_data()
    data["notifications"]["rules"] = [{"event": "assigned", "tell": []}]
    rules = load_policy(data).notifications
    assert plan_notices(rules, NoticeEvent.ASSIGNED, EventFacts()) == ()
    handed_over = plan_notices(rules, NoticeEvent.ESCALATION_HANDED_OVER, EventFacts())
    assert [n.audience for n in handed_over] == [
        Audience.REQUESTER,
        Audience.FOLLOWERS,
        Audience.ESCALATION_MANAGER,
    ]


def test_a_policy_without_the_section_gets_the_defaults() -> None:
    data = _policy_data()
    del data["notifications"]
    assert load_policy(data).notifications == DEFAULT_RULES


def test_the_requester_hears_of_a_reply_and_the_assignee_of_the_customer_answer() -> None:
    assert _audiences(NoticeEvent.PUBLIC_REPLY) == [Audience.REQUESTER, Audience.FOLLOWERS]
    assert _audiences(NoticeEvent.CUSTOMER_REPLY) == [Audience.ASSIGNEE, Audience.FOLLOWERS]


def test_internal_events_never_reach_the_customer_side() -> None:
    assert _audiences(NoticeEvent.SEVERITY_CHANGED, internal=True) == [Audience.ASSIGNEE]
    assert _audiences(NoticeEvent.CASE_RECEIVED, internal=True) == [Audience.REGION_TEAM]


def test_only_customer_relevant_statuses_are_told_to_the_customer() -> None:
    assert _audiences(NoticeEvent.STATUS_CHANGED, status="resolved") == [
        Audience.REQUESTER,
        Audience.FOLLOWERS,
    ]
    assert _audiences(NoticeEvent.STATUS_CHANGED, status="in_progress") == []


def test_pages_breaches_and_the_top_severity_are_urgent_and_pages_essential() -> None:
    (page,) = plan_notices(DEFAULT_RULES, NoticeEvent.PAGE, EventFacts())
    assert page.urgent and page.essential
    reply = plan_notices(DEFAULT_RULES, NoticeEvent.PUBLIC_REPLY, EventFacts(severity=1))
    assert all(n.urgent and not n.essential for n in reply)
    calm = plan_notices(DEFAULT_RULES, NoticeEvent.PUBLIC_REPLY, EventFacts(severity=3))
    assert not any(n.urgent for n in calm)


def test_two_rules_for_one_audience_merge_their_channels_once() -> None:
    data = _policy_data()
    data["notifications"]["rules"] = [
        {"event": "assigned", "tell": ["assignee"], "channels": ["in_app"]},
        {"event": "assigned", "tell": ["assignee", "region_team"], "channels": ["email", "in_app"]},
    ]
    rules = load_policy(data).notifications
    plan = plan_notices(rules, NoticeEvent.ASSIGNED, EventFacts())
    assert [(n.audience, n.channels) for n in plan] == [
        (Audience.ASSIGNEE, (NoticeChannel.IN_APP, NoticeChannel.EMAIL)),
        (Audience.REGION_TEAM, (NoticeChannel.EMAIL, NoticeChannel.IN_APP)),
    ]


def test_preferences_choose_channels_but_never_silence_an_essential_notice() -> None:
    (reply, _) = plan_notices(DEFAULT_RULES, NoticeEvent.PUBLIC_REPLY, EventFacts())
    in_app_only = {NoticeEvent.PUBLIC_REPLY: (NoticeChannel.IN_APP,)}
    assert wanted_channels(reply, in_app_only) == (NoticeChannel.IN_APP,)
    assert wanted_channels(reply, {NoticeEvent.PUBLIC_REPLY: ()}) == ()
    (page,) = plan_notices(DEFAULT_RULES, NoticeEvent.PAGE, EventFacts())
    assert wanted_channels(page, {NoticeEvent.PAGE: ()}) == (NoticeChannel.EMAIL,)
    assert wanted_channels(page, {NoticeEvent.PAGE: (NoticeChannel.IN_APP,)}) == (
        NoticeChannel.EMAIL,
        NoticeChannel.IN_APP,
    )


@pytest.mark.parametrize(
    ("rule", "path", "reason"),
    [
        ({"event": "teleported", "tell": ["requester"]}, "rules[0].event[0]", "unknown value"),
        ({"event": "assigned", "tell": ["the boss"]}, "rules[0].tell[0]", "unknown value"),
        ({"event": "assigned"}, "rules[0].tell", "non-empty list"),
        ({"event": "assigned", "tell": ["assignee"], "channels": ["fax"]}, "channels[0]", "fax"),
        (
            {"event": "assigned", "tell": ["assignee"], "statuses": ["resolved"]},
            "rules[0].statuses",
            "only a status_changed rule",
        ),
        (
            {"event": "status_changed", "tell": ["requester"], "statuses": ["gone"]},
            "statuses[0]",
            "unknown status 'gone'",
        ),
        ({"tell": ["requester"]}, "rules[0].event", "is required"),
    ],
)
def test_a_wrong_rule_is_refused_naming_its_key(
    rule: dict[str, Any], path: str, reason: str
) -> None:
    data = _policy_data()
    data["notifications"]["rules"] = [rule]
    with pytest.raises(PolicyError) as err:
        load_policy(data)
    problems = [(p.path, p.reason) for p in err.value.problems]
    assert any(path in p and reason in r for p, r in problems), problems
