from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from supportdesk.accounts.models import ApiToken, Organization, Team, User


@admin.register(User)
class UserAdmin(BaseUserAdmin[User]):
    list_display = ("username", "email", "role", "organization", "team", "is_active")
    list_filter = ("role", "team", "is_active")
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        ("Support", {"fields": ("role", "organization", "team", "time_zone", "phone")}),
    )


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin[Organization]):
    list_display = ("name", "kind", "region", "partner", "account_manager", "policy")
    list_filter = ("kind", "region")
    search_fields = ("name", "slug", "email_domains")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin[Team]):
    list_display = ("name", "kind", "region", "escalation_manager")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("prefix", "digest", "created_at", "last_used_at")
