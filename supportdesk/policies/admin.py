from django.contrib import admin

from supportdesk.policies.models import Policy, PolicyVersion


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin[Policy]):
    list_display = ("key", "name", "current_version")


@admin.register(PolicyVersion)
class PolicyVersionAdmin(admin.ModelAdmin[PolicyVersion]):
    list_display = ("policy", "version", "loaded_at", "sha256")
    readonly_fields = ("policy", "version", "source", "sha256", "loaded_at")
