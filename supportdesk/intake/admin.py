from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext, gettext_lazy

from supportdesk.cases.models import OutboundMail
from supportdesk.domain.errors import DomainError
from supportdesk.intake.models import InboundMessage
from supportdesk.intake.services.held import assign_held_message, replay_message


@admin.register(InboundMessage)
class InboundMessageAdmin(admin.ModelAdmin[InboundMessage]):
    list_display = ("id", "received_at", "sender", "subject", "state", "case", "attempts")
    list_filter = ("state", "via")
    search_fields = ("message_id", "sender", "subject")
    readonly_fields = (
        "message_id",
        "size",
        "sender",
        "envelope_sender",
        "recipients",
        "subject",
        "via",
        "received_at",
        "processed_at",
        "state",
        "reason",
        "attempts",
        "case",
        "follows_case",
        "content_hash",
        "refused",
    )
    exclude = ("raw",)
    actions = ("replay", "open_case_for_organisation")

    @admin.action(
        description=gettext_lazy("Replay the selected messages (failed, unprocessed, rate-limited)")
    )
    def replay(self, request: HttpRequest, queryset: QuerySet[InboundMessage]) -> None:
        for message in queryset:
            try:
                done = replay_message(message_id=message.pk)
            except DomainError as exc:
                self.message_user(
                    request,
                    gettext("%(message)s: %(reason)s")
                    % {"message": message.pk, "reason": exc.message},
                    messages.WARNING,
                )
                continue
            self.message_user(request, f"{message.pk}: {done.state} {done.reason}".strip())

    @admin.action(
        description=gettext_lazy("Held: open the case for the organisation set on the message")
    )
    def open_case_for_organisation(
        self, request: HttpRequest, queryset: QuerySet[InboundMessage]
    ) -> None:
        for message in queryset:
            if message.organization_id is None:
                self.message_user(
                    request,
                    gettext("%(message)s: set its organisation first") % {"message": message.pk},
                    messages.WARNING,
                )
                continue
            try:
                done = assign_held_message(
                    actor=request.user,  # type: ignore[arg-type]
                    message_id=message.pk,
                    organisation_id=message.organization_id,
                )
            except DomainError as exc:
                self.message_user(
                    request,
                    gettext("%(message)s: %(reason)s")
                    % {"message": message.pk, "reason": exc.message},
                    messages.WARNING,
                )
                continue
            self.message_user(request, f"{message.pk}: {done.state}")


@admin.register(OutboundMail)
class OutboundMailAdmin(admin.ModelAdmin[OutboundMail]):
    list_display = ("id", "message_id", "case", "in_reply_to", "auto_submitted", "created_at")
    search_fields = ("message_id", "in_reply_to")
    readonly_fields = ("outbox", "message_id", "case", "in_reply_to", "references", "created_at")
