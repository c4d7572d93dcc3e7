"""What a new case is asked to be, as every channel (API, portal, console phone
intake, CLI, mail) hands it to ``services.open_case``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class CaseDraft:
    """One request to open a case, before triage and routing decide what it becomes.

    The fields are those of the API's create body (``schemas.CaseIn``), so an
    idempotent retry's fingerprint is the same whichever of the two it is taken from.
    """

    organisation_id: int
    request_type: str
    title: str
    channel: str = "api"
    environment: str = "production"
    description: str = ""
    category: str = "other"
    #: SEV-2: the triage questionnaire's answers (question key → yes/no).
    answers: Mapping[str, bool] = field(default_factory=dict)
    #: INT-3 / INT-4: the not-local confirmations and the Sev2/Sev3 details.
    details: Mapping[str, object] = field(default_factory=dict)
    #: An agent's severity instead of the triaged one, with the reason.
    override_severity: int | None = None
    override_reason: str = ""
    callback_number: str = ""
    #: The customer an agent opens the case for (default: the actor).
    requester_id: int | None = None
