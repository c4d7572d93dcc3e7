"""/api/escalations: a thin router — parse, call one service or selector, return a schema.

Requesters (customers, partners) act only on escalations of organisations they may see;
decisions, hand-over and closure need an escalation manager or admin (403 otherwise).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict

from django.http import HttpRequest
from ninja import Query, Router, Status

from supportdesk.accounts.models import User
from supportdesk.accounts.permissions import Forbidden
from supportdesk.api_paging import Page, paginate
from supportdesk.domain.errors import DomainError
from supportdesk.escalations import permissions, selectors, services
from supportdesk.escalations.models import Escalation, EscalationEvent, EscalationSubscription
from supportdesk.escalations.schemas import (
    AcknowledgeIn,
    AwaitClientIn,
    ClientResponseIn,
    CloseIn,
    DecisionIn,
    DeclineIn,
    EscalationListFilter,
    EscalationOut,
    EscalationRequestIn,
    EventOut,
    HandOverIn,
    RegionStatsOut,
    SubscriptionIn,
    SubscriptionOut,
    UpdateIn,
    escalation_out,
)

router = Router(tags=["escalations"])


def _user(request: HttpRequest) -> User:
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    return user


def _detail(user: User, escalation_id: int) -> EscalationOut:
    return escalation_out(selectors.access_escalation(user, escalation_id))


@router.post(
    "",
    response={201: EscalationOut},
    summary="Request an escalation (declined requests are stored and returned too)",
)
def request_escalation(request: HttpRequest, payload: EscalationRequestIn) -> Status[EscalationOut]:
    esc = services.request_escalation(
        requester=_user(request),
        form=payload.form,
        channel=payload.channel,
        organisation_id=payload.organisation_id,
    )
    return Status(201, escalation_out(esc))


@router.get("", response=Page[EscalationOut], summary="Escalations you may see, newest first")
def list_escalations(
    request: HttpRequest,
    filters: Query[EscalationListFilter],
    cursor: str | None = None,
    limit: int = 50,
) -> Page[Escalation]:
    qs = selectors.escalation_list(
        _user(request), selectors.EscalationFilter(**filters.model_dump())
    )
    return paginate(qs, cursor=cursor, limit=limit, order=selectors.LIST_ORDER)


@router.get("/stats", response=list[RegionStatsOut], summary="Outcomes and times per region")
def stats(
    request: HttpRequest, start: dt.datetime, end: dt.datetime, region: str | None = None
) -> list[RegionStatsOut]:
    if not permissions.can_decide_escalation(_user(request)):
        raise Forbidden("only escalation managers and admins see the figures", field="actor")
    for name, value in (("start", start), ("end", end)):
        if value.tzinfo is None:
            raise DomainError("give a time zone offset (e.g. Z)", field=name)
    if end <= start:
        raise DomainError("end must be after start", field="end")
    rows = selectors.escalation_stats(start=start, end=end, region=region)
    return [RegionStatsOut(**asdict(r)) for r in rows]


@router.get("/{escalation_id}", response=EscalationOut)
def get_escalation(request: HttpRequest, escalation_id: int) -> EscalationOut:
    return _detail(_user(request), escalation_id)


@router.get("/{escalation_id}/events", response=list[EventOut], summary="The escalation's log")
def list_events(request: HttpRequest, escalation_id: int) -> list[EscalationEvent]:
    esc = selectors.access_escalation(_user(request), escalation_id)
    return list(selectors.escalation_events(esc))


@router.post("/{escalation_id}/accept", response=EscalationOut, summary="ESC-5: accept")
def accept(request: HttpRequest, escalation_id: int, payload: DecisionIn) -> EscalationOut:
    user = _user(request)
    services.accept_escalation(actor=user, escalation_id=escalation_id, note=payload.note)
    return _detail(user, escalation_id)


@router.post("/{escalation_id}/decline", response=EscalationOut, summary="ESC-5: decline")
def decline(request: HttpRequest, escalation_id: int, payload: DeclineIn) -> EscalationOut:
    user = _user(request)
    services.decline_escalation(
        actor=user, escalation_id=escalation_id, reason=payload.reason, note=payload.note
    )
    return _detail(user, escalation_id)


@router.post("/{escalation_id}/handover", response=EscalationOut, summary="ESC-6: hand over")
def hand_over(request: HttpRequest, escalation_id: int, payload: HandOverIn) -> EscalationOut:
    user = _user(request)
    services.hand_over_escalation(
        actor=user,
        escalation_id=escalation_id,
        to_manager_id=payload.to_manager_id,
        region=payload.region,
        note=payload.note,
    )
    return _detail(user, escalation_id)


@router.post(
    "/{escalation_id}/acknowledge", response=EscalationOut, summary="ESC-6: confirm receipt"
)
def acknowledge(request: HttpRequest, escalation_id: int, payload: AcknowledgeIn) -> EscalationOut:
    user = _user(request)
    services.acknowledge_escalation(
        actor=user,
        escalation_id=escalation_id,
        status_note=payload.status_note,
        next_steps=payload.next_steps,
    )
    return _detail(user, escalation_id)


@router.post("/{escalation_id}/updates", response={201: EventOut}, summary="ESC-6: an update")
def post_update(
    request: HttpRequest, escalation_id: int, payload: UpdateIn
) -> Status[EscalationEvent]:
    event = services.post_escalation_update(
        actor=_user(request), escalation_id=escalation_id, body=payload.body
    )
    return Status(201, event)


@router.get("/{escalation_id}/subscriptions", response=list[SubscriptionOut])
def list_subscriptions(request: HttpRequest, escalation_id: int) -> list[EscalationSubscription]:
    esc = selectors.access_escalation(_user(request), escalation_id)
    return list(selectors.escalation_subscriptions(esc))


@router.post(
    "/{escalation_id}/subscriptions",
    response={201: SubscriptionOut},
    summary="ESC-6: a stakeholder receives every update",
)
def subscribe(
    request: HttpRequest, escalation_id: int, payload: SubscriptionIn
) -> Status[EscalationSubscription]:
    sub = services.subscribe_to_escalation(
        actor=_user(request),
        escalation_id=escalation_id,
        user_id=payload.user_id,
        email=payload.email,
    )
    return Status(201, sub)


@router.delete(
    "/{escalation_id}/subscriptions/{subscription_id}",
    response={204: None},
    summary="ESC-6: a stakeholder stops receiving updates",
)
def unsubscribe(request: HttpRequest, escalation_id: int, subscription_id: int) -> Status[None]:
    services.unsubscribe_from_escalation(
        actor=_user(request), escalation_id=escalation_id, subscription_id=subscription_id
    )
    return Status(204, None)


@router.post(
    "/{escalation_id}/await-client",
    response=EscalationOut,
    summary="ESC-8: troubleshooting steps sent; reminders follow",
)
def await_client(request: HttpRequest, escalation_id: int, payload: AwaitClientIn) -> EscalationOut:
    user = _user(request)
    services.await_client(
        actor=user,
        escalation_id=escalation_id,
        troubleshooting_steps=payload.troubleshooting_steps,
    )
    return _detail(user, escalation_id)


@router.post(
    "/{escalation_id}/client-response",
    response=EscalationOut,
    summary="ESC-8: the client answered; reminders stop",
)
def client_response(
    request: HttpRequest, escalation_id: int, payload: ClientResponseIn
) -> EscalationOut:
    user = _user(request)
    services.record_client_response(
        actor=user, escalation_id=escalation_id, message=payload.message
    )
    return _detail(user, escalation_id)


@router.post("/{escalation_id}/close", response=EscalationOut, summary="ESC-8: close")
def close(request: HttpRequest, escalation_id: int, payload: CloseIn) -> EscalationOut:
    user = _user(request)
    services.close_escalation(
        actor=user, escalation_id=escalation_id, reason=payload.reason, note=payload.note
    )
    return _detail(user, escalation_id)
