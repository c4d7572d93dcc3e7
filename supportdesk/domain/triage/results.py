"""Triage results and errors: what the severity questionnaire and intake checks return."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from supportdesk.domain.errors import DomainError
from supportdesk.domain.policy.model import FormField

# Errors.


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """One input that is missing or wrong: its field path (``details.area``) and why."""

    field: str
    reason: str
    #: For a field that other answers make required: each (field label, answer label)
    #: that does, as the form shows them, so a reader's language can word the reason.
    required_when: tuple[tuple[str, str], ...] = ()

    def __str__(self) -> str:
        return f"{self.field}: {self.reason}"


class TriageError(DomainError):
    """Base class for every refusal of this module."""


class UnknownRequestTypeError(TriageError):
    """The request type key is not defined by the policy (``field="request_type"``)."""


class OverrideError(TriageError):
    """An agent's severity override is unusable: no reason, an unknown level, or Sev1
    for a non-urgent request type (SEV-2, SEV-3). ``field`` names the override part."""


class IntakeError(TriageError):
    """The report is incomplete or wrong. ``problems`` lists *every* fault found, so a
    form can mark all of them at once; ``field`` is the first one's field."""

    def __init__(self, problems: Sequence[FieldProblem]) -> None:
        if not problems:
            raise ValueError("an IntakeError needs at least one problem")
        super().__init__("; ".join(str(p) for p in problems), field=problems[0].field)
        self.problems: tuple[FieldProblem, ...] = tuple(problems)


# Results.


class SeverityBasis(enum.StrEnum):
    """Where a triaged severity came from."""

    RULE = "rule"  # the first matching questionnaire rule
    DEFAULT = "default"  # no rule matched: the policy's default
    OVERRIDE = "override"  # an agent's override, with its reason


class IntakeSection(enum.StrEnum):
    NOT_LOCAL = "not_local"  # INT-3: rule out a problem local to the reporter
    DETAILS = "details"  # INT-4: what a Sev2/Sev3 report must carry


@dataclass(frozen=True, slots=True)
class SeverityOverride:
    """An agent's decision to set another severity (SEV-2); ``reason`` is mandatory."""

    severity: int
    reason: str


@dataclass(frozen=True, slots=True)
class IntakeField:
    """One field of the intake form for a given severity and category.

    ``required`` is unconditional; a field with ``required_when`` is required only when
    every named field has the given value (INT-4: search parameters when searching).
    ``must_be_true`` marks a confirmation that must be answered *yes* (INT-3).
    """

    section: IntakeSection
    field: FormField
    must_be_true: bool = False

    @property
    def key(self) -> str:
        return self.field.key

    @property
    def path(self) -> str:
        """The field path used in :class:`FieldProblem` (``details.area``)."""
        return f"{self.section}.{self.field.key}"

    @property
    def required(self) -> bool:
        return self.field.required

    @property
    def required_when(self) -> Mapping[str, str] | None:
        return self.field.required_when


IntakeValue = str | bool | dt.datetime | tuple[dt.datetime, ...]


@dataclass(frozen=True, slots=True)
class TriageResult:
    """The outcome of triaging one report. Immutable; safe to store as a snapshot.

    ``severity``/``reason`` are final (after override and the SEV-3 clamp);
    ``derived_severity``/``derived_reason`` are what the questionnaire alone gave, so
    the history shows both. ``intake`` holds the cleaned intake values keyed by field
    key: text stripped, choices as given, booleans as ``bool``, datetime lists as a
    tuple of UTC datetimes in the order given. Fields the policy does not define are
    not carried over.
    """

    request_type: str
    severity: int
    reason: str
    basis: SeverityBasis
    derived_severity: int
    derived_reason: str
    #: Index into ``policy.triage.rules`` of the matching rule; ``None`` for the default.
    rule_index: int | None
    #: SEV-3: the derived severity was lowered because the request type is non-urgent.
    clamped: bool
    #: INT-2: this severity takes the emergency path outside support hours.
    emergency: bool
    intake: Mapping[str, IntakeValue]
    #: False for a report without the policy's form (an email): it answered no question.
    answered: bool = True
    #: The keys of the intake fields this severity needs that a report without the form
    #: did not give, in form order: for the agent to ask for (INT-3, INT-4).
    missing: tuple[str, ...] = ()
