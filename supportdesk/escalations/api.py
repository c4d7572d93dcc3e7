"""/api/escalations: a thin router — parse, call one service or selector, return a schema.

Requesters (customers, partners) act only on escalations of organisations they may see;
decisions, hand-over and closure need an escalation manager or admin (403 otherwise).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from supportdesk.accounts.models import User
from supportdesk.accounts.permissions import Forbidden
from supportdesk.api_auth import api_user
from supportdesk.api_paging import Limit, Page, paginate
from supportdesk.api_types import Id, check_period, replies
from supportdesk.escalations import permissions, selectors, services
from supportdesk.escalations.models import Escalation, EscalationEvent, EscalationSubscription
from supportdesk.escalations.schemas import (
    AcknowledgeIn,
    AwaitClientIn,
    ClientResponseIn,
    CloseIn,
    DecisionIn,
    DeclineIn,
    EscalationEventOut,
    EscalationListFilter,
    EscalationOut,
    EscalationRequestIn,
    HandOverIn,
    InformationIn,
    InformationRequestIn,
    RegionStatsOut,
    SubscriptionIn,
    SubscriptionOut,
    UpdateIn,
    escalation_out,
)

router = Router(tags=["escalations"])


def _detail(user: User, escalation_id: Id) -> EscalationOut:
    return escalation_out(selectors.access_escalation(user, escalation_id))


@router.post(
    "",
    response=replies({201: EscalationOut}, 404),
    summary="Request an escalation (declined requests are stored and returned too; "
    "an incomplete or wrong form is refused with every problem)",
)
def request_escalation(request: HttpRequest, payload: EscalationRequestIn) -> Status[EscalationOut]:
    esc = services.request_escalation(
        requester=api_user(request),
        form=payload.form,
        channel=payload.channel,
        organisation_id=payload.organisation_id,
    )
    return Status(201, escalation_out(esc))


@router.get(
    "",
    response=replies({200: Page[EscalationOut]}),
    summary="Escalations you may see, newest first",
)
def list_escalations(
    request: HttpRequest,
    filters: Query[EscalationListFilter],
    cursor: str | None = None,
    limit: Limit = 50,
) -> Page[Escalation]:
    qs = selectors.escalation_list(
        api_user(request), selectors.EscalationFilter(**filters.model_dump())
    )
    return paginate(qs, cursor=cursor, limit=limit, order=selectors.LIST_ORDER)


@router.get(
    "/stats", response=replies({200: list[RegionStatsOut]}), summary="Outcomes and times per region"
)
def stats(
    request: HttpRequest, start: dt.datetime, end: dt.datetime, region: str | None = None
) -> list[RegionStatsOut]:
    if not permissions.can_decide_escalation(api_user(request)):
        raise Forbidden(_("only escalation managers and admins see the figures"), field="actor")
    check_period(start, end)
    rows = selectors.escalation_stats(start=start, end=end, region=region)
    return [RegionStatsOut(**asdict(r)) for r in rows]


@router.get("/{escalation_id}", response=replies({200: EscalationOut}, 404))
def get_escalation(request: HttpRequest, escalation_id: Id) -> EscalationOut:
    return _detail(api_user(request), escalation_id)


@router.get(
    "/{escalation_id}/events",
    response=replies({200: list[EscalationEventOut]}, 404),
    summary="The escalation's log",
)
def list_events(request: HttpRequest, escalation_id: Id) -> list[EscalationEvent]:
    esc = selectors.access_escalation(api_user(request), escalation_id)
    return list(selectors.escalation_events(esc))


@router.post(
    "/{escalation_id}/accept",
    response=replies({200: EscalationOut}, 404, 409),
    summary="ESC-5: accept",
)
def accept(request: HttpRequest, escalation_id: Id, payload: DecisionIn) -> EscalationOut:
    user = api_user(request)
    services.accept_escalation(actor=user, escalation_id=escalation_id, note=payload.note)
    return _detail(user, escalation_id)


@router.post(
    "/{escalation_id}/decline",
    response=replies({200: EscalationOut}, 404, 409),
    summary="ESC-5: decline",
)
def decline(request: HttpRequest, escalation_id: Id, payload: DeclineIn) -> EscalationOut:
    user = api_user(request)
    services.decline_escalation(
        actor=user, escalation_id=escalation_id, reason=payload.reason, note=payload.note
    )
    return _detail(user, escalation_id)


@router.post(
    "/{escalation_id}/handover",
    response=replies({200: EscalationOut}, 404, 409),
    summary="ESC-6: hand over",
)
def hand_over(request: HttpRequest, escalation_id: Id, payload: HandOverIn) -> EscalationOut:
    user = api_user(request)
    services.hand_over_escalation(
        actor=user,
        escalation_id=escalation_id,
        to_manager_id=payload.to_manager_id,
        region=payload.region,
        note=payload.note,
    )
    return _detail(user, escalation_id)


@router.post(
    "/{escalation_id}/acknowledge",
    response=replies({200: EscalationOut}, 404, 409),
    summary="ESC-6: confirm receipt",
)
def acknowledge(request: HttpRequest, escalation_id: Id, payload: AcknowledgeIn) -> EscalationOut:
    user = api_user(request)
    services.acknowledge_escalation(
        actor=user,
        escalation_id=escalation_id,
        status_note=payload.status_note,
        next_steps=payload.next_steps,
    )
    return _detail(user, escalation_id)


@router.post(
    "/{escalation_id}/updates",
    response=replies({201: EscalationEventOut}, 404, 409),
    summary="ESC-6: an update",
)
def post_update(
    request: HttpRequest, escalation_id: Id, payload: UpdateIn
) -> Status[EscalationEvent]:
    event = services.post_escalation_update(
        actor=api_user(request), escalation_id=escalation_id, body=payload.body
    )
    return Status(201, event)


@router.get("/{escalation_id}/subscriptions", response=replies({200: list[SubscriptionOut]}, 404))
def list_subscriptions(request: HttpRequest, escalation_id: Id) -> list[EscalationSubscription]:
    esc = selectors.access_escalation(api_user(request), escalation_id)
    return list(selectors.escalation_subscriptions(esc))


@router.post(
    "/{escalation_id}/subscriptions",
    response=replies({201: SubscriptionOut}, 404, 409),
    summary="ESC-6: a stakeholder receives every update",
)
def subscribe(
    request: HttpRequest, escalation_id: Id, payload: SubscriptionIn
) -> Status[EscalationSubscription]:
    sub = services.subscribe_to_escalation(
        actor=api_user(request),
        escalation_id=escalation_id,
        user_id=payload.user_id,
        email=payload.email,
    )
    return Status(201, sub)


@router.delete(
    "/{escalation_id}/subscriptions/{subscription_id}",
    response=replies({204: None}, 404, 409),
    summary="ESC-6: a stakeholder stops receiving updates",
)
def unsubscribe(request: HttpRequest, escalation_id: Id, subscription_id: Id) -> Status[None]:
    services.unsubscribe_from_escalation(
        actor=api_user(request), escalation_id=escalation_id, subscription_id=subscription_id
    )
    return Status(204, None)


@router.post(
    "/{escalation_id}/await-client",
    response=replies({200: EscalationOut}, 404, 409),
    summary="ESC-8: troubleshooting steps sent; reminders follow",
)
def await_client(request: HttpRequest, escalation_id: Id, payload: AwaitClientIn) -> EscalationOut:
    user = api_user(request)
    services.await_client(
        actor=user,
        escalation_id=escalation_id,
        troubleshooting_steps=payload.troubleshooting_steps,
    )
    return _detail(user, escalation_id)


@router.post(
    "/{escalation_id}/client-response",
    response=replies({200: EscalationOut}, 404, 409),
    summary="ESC-8: the client answered; reminders stop",
)
def client_response(
    request: HttpRequest, escalation_id: Id, payload: ClientResponseIn
) -> EscalationOut:
    user = api_user(request)
    services.record_client_response(
        actor=user, escalation_id=escalation_id, message=payload.message
    )
    return _detail(user, escalation_id)


@router.post(
    "/{escalation_id}/request-information",
    response=replies({200: EscalationOut}, 404, 409),
    summary="Ask the requester for information; the decision clock pauses",
)
def request_information(
    request: HttpRequest, escalation_id: Id, payload: InformationRequestIn
) -> EscalationOut:
    user = api_user(request)
    services.request_information(actor=user, escalation_id=escalation_id, question=payload.question)
    return _detail(user, escalation_id)


@router.post(
    "/{escalation_id}/information",
    response=replies({200: EscalationOut}, 404, 409),
    summary="Answer the escalation team's question; the decision clock resumes",
)
def provide_information(
    request: HttpRequest, escalation_id: Id, payload: InformationIn
) -> EscalationOut:
    user = api_user(request)
    services.provide_information(actor=user, escalation_id=escalation_id, answer=payload.answer)
    return _detail(user, escalation_id)


@router.post(
    "/{escalation_id}/partner-answer",
    response=replies({200: EscalationOut}, 403, 404, 409),
    summary="ESC-3: the partner asked first answers; the escalation team decides next",
)
def partner_answer(
    request: HttpRequest, escalation_id: Id, payload: InformationIn
) -> EscalationOut:
    user = api_user(request)
    services.record_partner_answer(actor=user, escalation_id=escalation_id, answer=payload.answer)
    return _detail(user, escalation_id)


@router.post(
    "/{escalation_id}/close",
    response=replies({200: EscalationOut}, 404, 409),
    summary="ESC-8: close",
)
def close(request: HttpRequest, escalation_id: Id, payload: CloseIn) -> EscalationOut:
    user = api_user(request)
    services.close_escalation(
        actor=user, escalation_id=escalation_id, reason=payload.reason, note=payload.note
    )
    return _detail(user, escalation_id)
