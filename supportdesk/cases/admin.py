from django.contrib import admin

from supportdesk.cases.models import Case, CaseEvent, FollowUpTask, Release, SlaClock, Sprint


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin[Case]):
    list_display = ("reference", "title", "organization", "severity", "status", "escalated")
    list_filter = ("status", "severity", "escalated", "region")
    search_fields = ("reference", "title")
    readonly_fields = ("policy_version", "received_at", "queue_due_at")


@admin.register(CaseEvent)
class CaseEventAdmin(admin.ModelAdmin[CaseEvent]):
    list_display = ("case", "at", "kind", "actor", "public")
    list_filter = ("kind",)


admin.site.register(SlaClock)
admin.site.register(FollowUpTask)
admin.site.register(Sprint)
admin.site.register(Release)
