from django.contrib import admin

from supportdesk.escalations.models import Escalation, EscalationEvent, EscalationSubscription


class EventInline(admin.TabularInline[EscalationEvent, Escalation]):
    model = EscalationEvent
    extra = 0
    can_delete = False
    readonly_fields = ("at", "actor", "kind", "data")


class SubscriptionInline(admin.TabularInline[EscalationSubscription, Escalation]):
    model = EscalationSubscription
    extra = 0
    readonly_fields = ("created_at", "created_by")


@admin.register(Escalation)
class EscalationAdmin(admin.ModelAdmin[Escalation]):
    list_display = ("id", "status", "case", "organization", "region", "manager", "requested_at")
    list_filter = ("status", "region", "channel")
    search_fields = ("incident_reference", "business_impact", "case__reference")
    raw_id_fields = ("case", "organization", "requester", "manager", "partner")
    readonly_fields = ("policy_version", "requested_at", "updated_at")
    inlines = [SubscriptionInline, EventInline]
