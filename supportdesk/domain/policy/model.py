"""A loaded policy: the immutable contract every use case reads its rules from."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

from supportdesk.domain.calendars.spec import CalendarSpec
from supportdesk.domain.notices import DEFAULT_RULES, NoticeRules
from supportdesk.domain.satisfaction import DEFAULT_SATISFACTION, SatisfactionSettings

#: The policy-file format this loader reads (the ``format`` key).
FORMAT = 1

#: The longest sprint (PRI-1), in days, a policy may plan and an agent may create: a
#: plan of more than eight weeks is not a sprint, and a mistyped year should be refused.
MAX_SPRINT_DAYS = 56


class TargetKind(enum.StrEnum):
    FIRST_RESPONSE = "first_response"
    NEXT_UPDATE = "next_update"
    RESOLUTION = "resolution"


class AfterHoursEmergency(enum.StrEnum):
    PAGE_ON_CALL = "page_on_call"
    QUEUE = "queue"


@dataclass(frozen=True, slots=True)
class SeverityLevel:
    level: int
    name: str
    definition: str
    criteria: tuple[str, ...] = ()
    #: Outside support hours this severity takes the emergency path (INT-2).
    emergency: bool = False


@dataclass(frozen=True, slots=True)
class RequestType:
    key: str
    name: str
    #: SEV-3: never Sev1, never the emergency path.
    non_urgent: bool = False
    #: RSP-3: the engineering team that owns work orders of this type.
    owner_team: str | None = None
    #: RSP-4: reviewed in the daily review list.
    daily_review: bool = False


@dataclass(frozen=True, slots=True)
class TriageQuestion:
    key: str
    text: str


@dataclass(frozen=True, slots=True)
class TriageRule:
    """Matches when every answer in ``when`` equals the reporter's answer."""

    when: Mapping[str, bool]
    severity: int
    reason: str


@dataclass(frozen=True, slots=True)
class Triage:
    questions: tuple[TriageQuestion, ...]
    rules: tuple[TriageRule, ...]
    default_severity: int
    default_reason: str


class FieldKind(enum.StrEnum):
    TEXT = "text"
    CHOICE = "choice"
    DATETIME_LIST = "datetime_list"
    BOOLEAN = "boolean"


@dataclass(frozen=True, slots=True)
class FormField:
    key: str
    label: str
    kind: FieldKind = FieldKind.TEXT
    choices: tuple[str, ...] = ()
    required: bool = True
    #: Required only when another field has this value (e.g. search parameters).
    required_when: Mapping[str, str] | None = None

    def value_label(self, value: str) -> str:
        """How a person reads ``value``: a choice is named by its key in the policy
        file, shown as words (``existing_itinerary``: "Existing itinerary"); any other
        field's value as it is."""
        if self.kind is FieldKind.CHOICE:
            return value.replace("_", " ").capitalize()
        return value


@dataclass(frozen=True, slots=True)
class Intake:
    not_local_applies_to: tuple[str, ...] = ()
    not_local_fields: tuple[FormField, ...] = ()
    detail_severities: tuple[int, ...] = ()
    detail_fields: tuple[FormField, ...] = ()
    #: The request types whose reports carry the details (empty: every type). A
    #: password request is not a performance incident and is not asked for them.
    detail_request_types: tuple[str, ...] = ()
    emergency_requires_callback: bool = False
    phone_sev1_follow_up: bool = False
    #: The ISO 3166 country a callback number without a ``+`` prefix is read in (the
    #: vendor's home country); None: such a number is refused.
    phone_country: str | None = None


@dataclass(frozen=True, slots=True)
class Region:
    key: str
    name: str
    calendar: str


@dataclass(frozen=True, slots=True)
class SlaTarget:
    severity: int
    kind: TargetKind
    seconds: int
    clock: str


@dataclass(frozen=True, slots=True)
class Sla:
    warnings: tuple[float, ...]
    targets: tuple[SlaTarget, ...]

    def targets_for(self, severity: int) -> tuple[SlaTarget, ...]:
        return tuple(t for t in self.targets if t.severity == severity)


@dataclass(frozen=True, slots=True)
class FollowTheSun:
    """Which open cases continue in the next region to open when theirs closes (HRS-3)."""

    severities: tuple[int, ...] = (1,)
    #: Cases with an accepted escalation follow the sun too.
    escalations: bool = True
    #: Cases in these statuses stay with their region (nothing to do until the customer answers).
    keep_statuses: tuple[str, ...] = ("waiting_on_customer",)
    #: How long before a region closes its agents are asked for a hand-over note.
    prompt_minutes: int = 30
    #: Handed-over cases return to their own region when it opens again.
    hand_back: bool = False


@dataclass(frozen=True, slots=True)
class Routing:
    support_calendar: str
    after_hours_emergency: AfterHoursEmergency
    in_hours_emergency_notifies_account_manager: bool = False
    current_sprint_severities: tuple[int, ...] = (1,)
    sprint_days: int = 14
    #: ``None``: open cases stay with their region (no hand-over at closing).
    follow_the_sun: FollowTheSun | None = None


@dataclass(frozen=True, slots=True)
class Reason:
    key: str
    label: str


@dataclass(frozen=True, slots=True)
class Escalation:
    form_fields: tuple[FormField, ...]
    qualifying_environments: tuple[str, ...]
    decline_reasons: tuple[Reason, ...]
    closure_reasons: tuple[Reason, ...]
    acknowledge_seconds: int
    update_every_seconds: int
    reminders_after_seconds: tuple[int, ...]
    no_response_reason: str
    #: Whether a case whose escalation was closed may be escalated again.
    reescalation: bool = True
    #: Business seconds the deciding region's escalation team has to accept or decline
    #: a request (ESC-5, ESC-7); the file's default is ``acknowledge_hours``.
    decide_seconds: int = 0


@dataclass(frozen=True, slots=True)
class PhoneLine:
    """A number a customer may call, and when it is the right one to call."""

    label: str
    number: str
    when: str = ""


@dataclass(frozen=True, slots=True)
class ContactPerson:
    """A role that looks after a customer (an account manager) and what to ask them."""

    role: str
    about: str = ""


@dataclass(frozen=True, slots=True)
class Contacts:
    """How a customer reaches support outside the portal: shown on the portal's support
    page and in every receipt. ``more_attention`` is what a customer does when a case
    needs more attention and the policy has no escalation process."""

    email: str = ""
    phones: tuple[PhoneLine, ...] = ()
    emergency_line: PhoneLine | None = None
    people: tuple[ContactPerson, ...] = ()
    more_attention: str = ""

    def __bool__(self) -> bool:
        return bool(self.email or self.phones or self.emergency_line or self.people)


class UnknownSenders(enum.StrEnum):
    REJECT = "reject"
    HOLD = "hold"


@dataclass(frozen=True, slots=True)
class EmailIntake:
    """The email channel (INT-1): what happens to strangers, replies and floods."""

    unknown_senders: UnknownSenders = UnknownSenders.HOLD
    #: A reply this many days after closure reopens the case; later it opens a new one.
    reopen_window_days: int = 14
    max_message_bytes: int = 25 * 1024 * 1024
    #: Messages one sender may send per hour before the rest are set aside (loops).
    rate_limit_per_hour: int = 30
    #: A directory of mail templates overriding the shipped ones ("" = shipped only).
    templates: str = ""
    #: Words that make a message (which has no questionnaire answers) an unconfirmed
    #: emergency (INT-2): whole words or phrases, case-insensitive.
    emergency_keywords: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Policy:
    """A whole policy file, validated. ``version`` pins every case opened under it."""

    id: str
    version: str
    name: str
    default_region: str
    severities: tuple[SeverityLevel, ...]
    request_types: tuple[RequestType, ...]
    triage: Triage
    intake: Intake
    calendars: Mapping[str, CalendarSpec]
    regions: tuple[Region, ...]
    sla: Sla
    routing: Routing
    escalation: Escalation | None
    email: EmailIntake = EmailIntake()
    notifications: NoticeRules = DEFAULT_RULES
    satisfaction: SatisfactionSettings = DEFAULT_SATISFACTION
    contacts: Contacts = Contacts()

    def severity(self, level: int) -> SeverityLevel:
        for s in self.severities:
            if s.level == level:
                return s
        raise KeyError(level)

    def request_type(self, key: str) -> RequestType:
        for t in self.request_types:
            if t.key == key:
                return t
        raise KeyError(key)

    def region(self, key: str) -> Region:
        for r in self.regions:
            if r.key == key:
                return r
        raise KeyError(key)
