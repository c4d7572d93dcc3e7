"""Triage and intake (SEV-1..3, INT-3, INT-4) against the shipped policy files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from supportdesk.domain.errors import DomainError
from supportdesk.domain.policy import Policy, load_policy_text
from supportdesk.domain.triage import (
    IntakeError,
    IntakeSection,
    OverrideError,
    SeverityBasis,
    SeverityOverride,
    UnknownRequestTypeError,
    derive_severity,
    intake_fields,
    intake_labels,
    is_required,
    non_urgent_ceiling,
    triage_report,
    validate_intake,
)

POLICIES = Path(__file__).resolve().parents[2] / "policies"
PARTNER = load_policy_text((POLICIES / "partner-services.yaml").read_text())
SUN = load_policy_text((POLICIES / "follow-the-sun.yaml").read_text())

NO = {q.key: False for q in PARTNER.triage.questions}
BOOKING_DOWN = {**NO, "cannot_book": True}
FULL_DETAILS = {
    "occurred_at": "2026-03-02T14:30:00-05:00",
    "area": "Booking engine",
    "activity": "existing_itinerary",
    "scope": "one_function",
    "details": "Started after the rate update.",
}


def answers(**yes: bool) -> dict[str, bool]:
    return {**NO, **yes}


def fields_of(problems: IntakeError) -> list[str]:
    return [p.field for p in problems.problems]


# SEV-1, SEV-2: the questionnaire derives a severity and says why.


def test_sev1_levels_come_from_the_policy_with_names_and_criteria() -> None:
    assert [(s.level, s.name) for s in PARTNER.severities] == [
        (1, "Critical"),
        (2, "High"),
        (3, "Medium"),
        (4, "Low"),
    ]
    assert "Book reservations in CRS or online" in PARTNER.severity(1).criteria


@pytest.mark.parametrize(
    "question", ["cannot_book", "cannot_update_rates", "cannot_send_confirmations", "platform_down"]
)
def test_sev2_a_sev1_criterion_without_workaround_is_sev1(question: str) -> None:
    result = triage_report(
        policy=PARTNER,
        request_type="incident",
        answers=answers(**{question: True}),
        category="other",
        details={},
    )
    assert result.severity == 1
    assert result.basis is SeverityBasis.RULE
    assert "no workaround" in result.reason
    assert result.emergency is True


def test_sev2_a_workaround_takes_a_booking_failure_out_of_sev1() -> None:
    severity, reason, index, clamped = derive_severity(
        policy=PARTNER, request_type="incident", answers=answers(cannot_book=True, workaround=True)
    )
    assert (severity, index, clamped) == (3, None, False)
    assert reason == PARTNER.triage.default_reason


def test_sev2_first_matching_rule_wins() -> None:
    # Both the Sev1 booking rule and the Sev4 cosmetic rule match; the Sev1 rule is first.
    severity, _, index, _ = derive_severity(
        policy=PARTNER, request_type="incident", answers=answers(cannot_book=True, cosmetic=True)
    )
    assert (severity, index) == (1, 0)


def test_sev2_cosmetic_issue_is_sev4_and_significant_impact_is_sev2() -> None:
    assert (
        derive_severity(policy=PARTNER, request_type="question", answers=answers(cosmetic=True))[0]
        == 4
    )
    assert derive_severity(
        policy=PARTNER, request_type="incident", answers=answers(significant_impact=True)
    )[:2] == (2, PARTNER.triage.rules[5].reason)


def test_sev2_no_rule_matching_gives_the_default_with_its_reason() -> None:
    result = triage_report(
        policy=PARTNER, request_type="incident", answers=NO, category="other", details=FULL_DETAILS
    )
    assert (result.severity, result.basis, result.rule_index) == (3, SeverityBasis.DEFAULT, None)
    assert result.reason == "Minimal business impact, or a workaround exists."


def test_sev2_every_unanswered_question_is_listed_at_once() -> None:
    with pytest.raises(IntakeError) as caught:
        derive_severity(policy=PARTNER, request_type="incident", answers={"cannot_book": True})
    assert sorted(fields_of(caught.value)) == sorted(
        f"answers.{q.key}" for q in PARTNER.triage.questions if q.key != "cannot_book"
    )


def test_sev2_an_unknown_question_is_refused() -> None:
    with pytest.raises(IntakeError) as caught:
        derive_severity(policy=PARTNER, request_type="incident", answers={**NO, "on_fire": True})
    assert fields_of(caught.value) == ["answers.on_fire"]


def test_sev2_agent_override_replaces_the_severity_and_keeps_the_derived_one() -> None:
    result = triage_report(
        policy=PARTNER,
        request_type="incident",
        answers=NO,
        category="other",
        details={},
        override=SeverityOverride(4, "  Customer confirmed it is a display glitch.  "),
    )
    assert (result.severity, result.basis) == (4, SeverityBasis.OVERRIDE)
    assert result.reason == "Customer confirmed it is a display glitch."
    assert (result.derived_severity, result.derived_reason) == (3, PARTNER.triage.default_reason)


@pytest.mark.parametrize("reason", ["", "   "])
def test_sev2_agent_override_needs_a_reason(reason: str) -> None:
    with pytest.raises(OverrideError) as caught:
        triage_report(
            policy=PARTNER,
            request_type="incident",
            answers=NO,
            category="other",
            details={},
            override=SeverityOverride(1, reason),
        )
    assert caught.value.field == "override.reason"


def test_sev2_agent_override_to_an_undefined_level_is_refused() -> None:
    with pytest.raises(OverrideError) as caught:
        triage_report(
            policy=PARTNER,
            request_type="incident",
            answers=NO,
            category="other",
            details={},
            override=SeverityOverride(5, "Feels urgent"),
        )
    assert caught.value.field == "override.severity"


def test_unknown_request_type_is_refused_with_its_field() -> None:
    with pytest.raises(UnknownRequestTypeError) as caught:
        derive_severity(policy=PARTNER, request_type="billing", answers=NO)
    assert caught.value.field == "request_type"
    assert isinstance(caught.value, DomainError)


# SEV-3: non-urgent request types never take the emergency path.


def test_sev3_password_reset_is_never_sev1() -> None:
    result = triage_report(
        policy=PARTNER,
        request_type="password",
        answers=BOOKING_DOWN,
        category="access",
        details={
            **FULL_DETAILS,
            "other_sites_reachable": True,
            "other_sites_fast": True,
        },
    )
    assert result.severity == 2
    assert result.clamped is True
    assert result.emergency is False
    assert result.derived_severity == 2
    assert "Lowered to Sev2 (High)" in result.reason
    assert "Password issue is a non-urgent request type" in result.reason


def test_sev3_non_urgent_ceiling_is_the_most_severe_non_emergency_level() -> None:
    assert non_urgent_ceiling(policy=PARTNER) == 2
    assert non_urgent_ceiling(policy=SUN) == 2


def test_sev3_non_urgent_types_keep_lower_severities_unchanged() -> None:
    severity, _, _, clamped = derive_severity(
        policy=PARTNER, request_type="photos", answers=answers(cosmetic=True)
    )
    assert (severity, clamped) == (4, False)


def test_sev3_an_agent_cannot_override_a_non_urgent_type_to_sev1() -> None:
    with pytest.raises(OverrideError) as caught:
        triage_report(
            policy=PARTNER,
            request_type="branding",
            answers=NO,
            category="other",
            details=FULL_DETAILS,
            override=SeverityOverride(1, "The customer insists"),
        )
    assert caught.value.field == "override.severity"
    assert "change the request type first" in caught.value.message


@given(
    request_type=st.sampled_from([t.key for t in PARTNER.request_types if t.non_urgent]),
    answer_values=st.fixed_dictionaries({q.key: st.booleans() for q in PARTNER.triage.questions}),
)
def test_sev3_no_answers_make_a_non_urgent_type_an_emergency(
    request_type: str, answer_values: dict[str, bool]
) -> None:
    severity, _, _, _ = derive_severity(
        policy=PARTNER, request_type=request_type, answers=answer_values
    )
    assert severity >= 2
    assert not PARTNER.severity(severity).emergency


# INT-4: what a Sev2/Sev3 report must carry.


def test_int4_lists_the_detail_fields_for_sev2_and_sev3_only() -> None:
    for severity in (2, 3):
        keys = [f.key for f in intake_fields(policy=PARTNER, severity=severity, category="other")]
        assert keys == ["occurred_at", "area", "activity", "search_parameters", "scope", "details"]
    assert intake_fields(policy=PARTNER, severity=1, category="other") == ()
    assert intake_fields(policy=PARTNER, severity=4, category="other") == ()


def test_int4_search_parameters_are_required_only_when_searching() -> None:
    fields = {f.key: f for f in intake_fields(policy=PARTNER, severity=2, category="other")}
    assert fields["search_parameters"].required is False
    assert fields["search_parameters"].required_when == {"activity": "search"}
    assert "search_parameters" not in validate_intake(
        policy=PARTNER, severity=2, category="other", details=FULL_DETAILS
    )
    with pytest.raises(IntakeError) as caught:
        validate_intake(
            policy=PARTNER,
            severity=2,
            category="other",
            details={**FULL_DETAILS, "activity": "search"},
        )
    assert fields_of(caught.value) == ["details.search_parameters"]
    # Named by the labels the reporter read, not the policy file's keys.
    activity = "What the user was doing (a search, an existing itinerary, ...)"
    problem = caught.value.problems[0]
    assert problem.reason == f"is required when “{activity}” is “Search”"
    assert problem.required_when == ((activity, "Search"),)


def test_int4_a_report_without_the_form_lists_what_it_lacks_instead_of_refusing() -> None:
    """An email carries no form: nothing in it is read as an answer (the severity is
    what "no" to every question gives), and the fields that severity needs are listed
    for the agent to ask for, in form order, where a form's report is refused."""
    given = {"answers": answers(platform_down=True), "details": {"area": "Booking engine"}}
    with pytest.raises(IntakeError):
        triage_report(policy=PARTNER, request_type="incident", category="access", **given)
    result = triage_report(
        policy=PARTNER, request_type="incident", category="access", form=False, **given
    )
    default = derive_severity(policy=PARTNER, request_type="incident", answers=answers())
    assert (result.severity, result.reason) == default[:2]
    assert result.basis is SeverityBasis.DEFAULT
    assert not result.answered and result.intake == {}
    assert result.missing == (
        "other_sites_reachable",
        "other_sites_fast",
        "occurred_at",
        "area",
        "activity",
        "scope",
        "details",
    )
    # Search parameters are needed only when the activity is a search: not asked here.
    assert "search_parameters" not in result.missing
    # A request type that needs no details lacks nothing.
    password = triage_report(
        policy=PARTNER, request_type="password", category="other", form=False, **given
    )
    assert password.missing == () and not password.answered
    form = triage_report(
        policy=PARTNER, request_type="incident", answers=NO, category="other", details=FULL_DETAILS
    )
    assert form.answered and form.missing == ()


def test_int4_intake_labels_are_the_forms_words_in_the_order_asked() -> None:
    assert intake_labels(PARTNER, ["scope", "other_sites_fast", "gone_field"]) == [
        "Does it happen in one function only, or everywhere?",
        "Response times to other websites are as expected",
        "Gone field",
    ]


def test_int4_is_required_is_the_rule_the_validation_refuses_by() -> None:
    specs = {f.key: f for f in intake_fields(policy=PARTNER, severity=2, category="other")}
    searching = {**FULL_DETAILS, "activity": "search"}
    assert is_required(specs["area"], {})
    assert not is_required(specs["search_parameters"], FULL_DETAILS)
    assert is_required(specs["search_parameters"], searching)
    access = intake_fields(policy=PARTNER, severity=4, category="access")
    assert access and all(is_required(spec, {}) for spec in access)  # INT-3 confirmations


def test_int4_every_missing_detail_is_reported_at_once() -> None:
    with pytest.raises(IntakeError) as caught:
        triage_report(
            policy=PARTNER,
            request_type="incident",
            answers=answers(significant_impact=True),
            category="other",
            details={"area": "  ", "activity": "search"},
        )
    assert fields_of(caught.value) == [
        "details.occurred_at",
        "details.area",
        "details.search_parameters",
        "details.scope",
        "details.details",
    ]
    assert caught.value.field == "details.occurred_at"


def test_int4_unanswered_questions_and_missing_details_come_together() -> None:
    with pytest.raises(IntakeError) as caught:
        triage_report(
            policy=PARTNER,
            request_type="incident",
            answers={k: v for k, v in NO.items() if k != "cosmetic"},
            category="other",
            details={},
            override=SeverityOverride(3, "Agent judgement"),
        )
    assert fields_of(caught.value)[0] == "answers.cosmetic"
    assert "details.occurred_at" in fields_of(caught.value)


def test_int4_choice_values_must_be_among_the_choices() -> None:
    with pytest.raises(IntakeError) as caught:
        validate_intake(
            policy=PARTNER,
            severity=3,
            category="other",
            details={**FULL_DETAILS, "activity": "browsing", "scope": "sometimes"},
        )
    assert fields_of(caught.value) == ["details.activity", "details.scope"]
    assert "search, existing_itinerary" in caught.value.problems[0].reason


def test_int4_concrete_times_are_parsed_to_utc() -> None:
    cleaned = validate_intake(
        policy=PARTNER,
        severity=2,
        category="other",
        details={
            **FULL_DETAILS,
            "occurred_at": "2026-03-02T14:30:00-05:00\n2026-03-02 21:05+01:00",
        },
    )
    assert cleaned["occurred_at"] == (
        dt.datetime(2026, 3, 2, 19, 30, tzinfo=dt.UTC),
        dt.datetime(2026, 3, 2, 20, 5, tzinfo=dt.UTC),
    )
    assert cleaned["area"] == "Booking engine"


def test_int4_a_list_of_datetimes_is_accepted() -> None:
    when = dt.datetime(2026, 3, 2, 9, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    cleaned = validate_intake(
        policy=PARTNER,
        severity=2,
        category="other",
        details={**FULL_DETAILS, "occurred_at": [when, "2026-03-02T10:00Z"]},
    )
    assert cleaned["occurred_at"] == (
        dt.datetime(2026, 3, 2, 14, tzinfo=dt.UTC),
        dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC),
    )


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("2026-03-02T14:30", "needs a time zone offset"),
        ("yesterday afternoon", "is not a date and time"),
        ([], "is required"),
        ("  \n ", "is required"),
    ],
)
def test_int4_a_concrete_time_needs_an_iso_datetime_with_offset(value: object, says: str) -> None:
    with pytest.raises(IntakeError) as caught:
        validate_intake(
            policy=PARTNER,
            severity=2,
            category="other",
            details={**FULL_DETAILS, "occurred_at": value},
        )
    assert fields_of(caught.value) == ["details.occurred_at"]
    assert says in caught.value.problems[0].reason


def test_int4_fields_the_policy_does_not_define_are_not_carried_over() -> None:
    cleaned = validate_intake(
        policy=PARTNER,
        severity=2,
        category="other",
        details={**FULL_DETAILS, "description": "long text"},
    )
    assert "description" not in cleaned


# INT-3: access and performance reports rule out a local problem first.


@pytest.mark.parametrize("category", ["access", "performance"])
def test_int3_access_and_performance_reports_carry_the_not_local_check(category: str) -> None:
    fields = intake_fields(policy=PARTNER, severity=1, category=category)
    assert [(f.section, f.key, f.must_be_true) for f in fields] == [
        (IntakeSection.NOT_LOCAL, "other_sites_reachable", True),
        (IntakeSection.NOT_LOCAL, "other_sites_fast", True),
    ]
    with pytest.raises(IntakeError) as caught:
        triage_report(
            policy=PARTNER,
            request_type="incident",
            answers=BOOKING_DOWN,
            category=category,
            details={"other_sites_reachable": "yes"},
        )
    assert fields_of(caught.value) == ["not_local.other_sites_fast"]


def test_int3_the_not_local_check_must_be_confirmed_true() -> None:
    with pytest.raises(IntakeError) as caught:
        validate_intake(
            policy=PARTNER,
            severity=1,
            category="access",
            details={"other_sites_reachable": False, "other_sites_fast": "maybe"},
        )
    assert [(p.field, p.reason) for p in caught.value.problems] == [
        (
            "not_local.other_sites_reachable",
            "must be confirmed: check that the problem is not local to your site",
        ),
        ("not_local.other_sites_fast", "must be yes or no"),
    ]


def test_int3_form_checkbox_values_count_as_confirmation() -> None:
    cleaned = validate_intake(
        policy=PARTNER,
        severity=1,
        category="performance",
        details={"other_sites_reachable": "on", "other_sites_fast": "true"},
    )
    assert cleaned == {"other_sites_reachable": True, "other_sites_fast": True}


def test_int3_other_categories_need_no_not_local_check() -> None:
    result = triage_report(
        policy=PARTNER, request_type="incident", answers=BOOKING_DOWN, category="other", details={}
    )
    assert result.severity == 1
    assert result.intake == {}


def test_int3_int4_a_sev2_access_report_lists_both_sections() -> None:
    fields = intake_fields(policy=PARTNER, severity=2, category="access")
    assert [f.path for f in fields][:3] == [
        "not_local.other_sites_reachable",
        "not_local.other_sites_fast",
        "details.occurred_at",
    ]


def test_a_policy_without_intake_rules_requires_nothing() -> None:
    policy: Policy = SUN
    assert intake_fields(policy=policy, severity=2, category="access") == ()
    result = triage_report(
        policy=policy,
        request_type="incident",
        answers={
            "production": True,
            "blocked": True,
            "significant_impact": False,
            "cosmetic": False,
        },
        category="access",
        details={},
    )
    assert result.severity == 1
    assert result.emergency is False
