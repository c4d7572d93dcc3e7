"""Telling a team: one mail to it and a bell entry for each member not told already,
or, when its fallback would reach someone told already, person by person."""

from __future__ import annotations

from django.utils import translation

from supportdesk.accounts.models import Team, User
from supportdesk.cases.notices.people import tell_people
from supportdesk.cases.notices.telling import (
    Telling,
    bell_entry,
    in_tenant,
    notice_link,
    notice_title,
    send_notice_mail,
)
from supportdesk.domain.notices import Notice, NoticeChannel
from supportdesk.notifications import selectors as notice_selectors
from supportdesk.notifications import services as outbox


def tell_team(telling: Telling, notice: Notice, team: Team) -> None:
    """One mail to the team (its channels, else its members, else the region's
    managers) and a bell entry for each member not already told. When that fallback
    would reach someone told already (or the actor), the team has no channel of its
    own and so is told person by person, each once."""
    told = telling.told
    if (
        NoticeChannel.EMAIL in notice.channels
        and _fallback_overlaps(telling, team)
        and not notice_selectors.has_channel(team)
    ):
        members = User.objects.filter(team=team, is_active=True).exclude(email="").order_by("pk")
        fallback = list(members) or list(notice_selectors.region_managers(team.region))
        people = [(notice, u) for u in fallback if u.pk not in told and in_tenant(u, telling.case)]
        told.update(u.pk for _, u in people)
        telling.staff_told = True
        tell_people(telling, people)
        return
    link = notice_link(telling, staff=True)
    if telling.parties is not None:
        # An escalation's notice: each member reads it in their language, the team's
        # mail is in the site's (docs/translations.md).
        if NoticeChannel.IN_APP in notice.channels:
            _tell_members(telling, notice, team, link)
        with translation.override(notice_selectors.mail_language(None)):
            _mail_team(telling, notice, team, link)
        return
    if NoticeChannel.IN_APP in notice.channels:
        title = notice_title(notice.event, telling.case, telling.facts, staff=True)
        outbox.notify_members_in_app(
            team=team, besides=told, **bell_entry(telling, notice, title, link)
        )
    _mail_team(telling, notice, team, link)


def _fallback_overlaps(telling: Telling, team: Team) -> bool:
    """The team's mail, falling back to its members' addresses (or without any, to the
    region's managers), might reach someone told already. Only staff are members or
    managers, so while no member of staff was told (a customer's new case or reply)
    nothing is read."""
    if not telling.staff_told:
        return False
    members = User.objects.filter(team=team, is_active=True)
    return members.filter(pk__in=telling.told).exists() or not members.exclude(email="").exists()


def _tell_members(telling: Telling, notice: Notice, team: Team, link: str) -> None:
    """A bell entry for each active member of ``team`` not told already, written in
    their language (an escalation's notice: a few people, read with their preferences
    in one statement; a case's team keeps its one ``INSERT ... SELECT``)."""
    members = User.objects.filter(team=team, is_active=True).exclude(pk__in=telling.told)
    fresh = notice_selectors.with_notice_settings_of(list(members.order_by("pk")))
    for member in fresh.values():
        with translation.override(notice_selectors.mail_language(member)):
            title = notice_title(notice.event, telling.case, telling.facts, staff=True)
            outbox.notify_in_app(user=member, **bell_entry(telling, notice, title, link))


def _mail_team(telling: Telling, notice: Notice, team: Team, link: str) -> None:
    """The team's one mail (its channels, else its members', else the region's
    managers')."""
    if NoticeChannel.EMAIL not in notice.channels:
        return
    title = notice_title(notice.event, telling.case, telling.facts, staff=True)
    send_notice_mail(telling, notice, team, title=title, link=link)
