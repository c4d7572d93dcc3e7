from django.contrib import admin

from supportdesk.oncall.models import (
    CoverageGap,
    Layer,
    LayerParticipant,
    Override,
    Page,
    PageNotification,
    Schedule,
)


class LayerInline(admin.TabularInline[Layer, Schedule]):
    model = Layer
    extra = 0


class OverrideInline(admin.TabularInline[Override, Schedule]):
    model = Override
    extra = 0


@admin.register(Schedule)
class ScheduleAdmin(admin.ModelAdmin[Schedule]):
    list_display = ("name", "team", "zone", "renotify_minutes", "escalate_after_minutes")
    inlines = [LayerInline, OverrideInline]


class ParticipantInline(admin.TabularInline[LayerParticipant, Layer]):
    model = LayerParticipant
    extra = 0


@admin.register(Layer)
class LayerAdmin(admin.ModelAdmin[Layer]):
    list_display = ("schedule", "name", "position", "period", "handoff_time", "zone")
    inlines = [ParticipantInline]


class PageNotificationInline(admin.TabularInline[PageNotification, Page]):
    model = PageNotification
    extra = 0
    can_delete = False
    readonly_fields = ("target", "step", "round", "reason", "due_at", "created_at", "message")
    exclude = ("key",)


@admin.register(Page)
class PageAdmin(admin.ModelAdmin[Page]):
    list_display = (
        "id",
        "summary",
        "severity",
        "status",
        "holder",
        "created_at",
        "acknowledged_at",
    )
    list_filter = ("status", "severity", "coverage_gap")
    readonly_fields = ("steps",)
    inlines = [PageNotificationInline]


@admin.register(CoverageGap)
class CoverageGapAdmin(admin.ModelAdmin[CoverageGap]):
    list_display = ("schedule", "at", "fallback", "page")
