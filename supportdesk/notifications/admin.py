from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy, ngettext

from supportdesk.notifications import services
from supportdesk.notifications.models import (
    ContactChannel,
    DeliveryAttempt,
    OutboxMessage,
    WorkingHours,
)


class DeliveryAttemptInline(admin.TabularInline[DeliveryAttempt, OutboxMessage]):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    readonly_fields = ("attempt", "target", "started_at", "duration_ms", "ok", "error")
    exclude = ("target_key",)


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin[OutboxMessage]):
    list_display = ("id", "kind", "priority", "subject", "state", "attempts", "next_attempt_at")
    list_filter = ("state", "kind", "priority")
    search_fields = ("subject", "dedupe_key")
    readonly_fields = ("lease_token", "lease_expires_at", "sent_at", "last_error", "attempts")
    inlines = [DeliveryAttemptInline]
    actions = ["requeue"]

    @admin.action(description=gettext_lazy("Requeue dead-lettered messages"))
    def requeue(self, request: HttpRequest, queryset: QuerySet[OutboxMessage]) -> None:
        count = sum(services.requeue_dead(message=m) for m in queryset)
        self.message_user(
            request,
            ngettext("%(count)d message requeued.", "%(count)d messages requeued.", count)
            % {"count": count},
        )


@admin.register(ContactChannel)
class ContactChannelAdmin(admin.ModelAdmin[ContactChannel]):
    list_display = ("id", "label", "user", "team", "enabled")
    list_filter = ("enabled",)


@admin.register(WorkingHours)
class WorkingHoursAdmin(admin.ModelAdmin[WorkingHours]):
    list_display = ("user", "zone")
