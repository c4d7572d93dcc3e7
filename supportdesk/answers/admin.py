from django.contrib import admin

from supportdesk.answers.models import CaseTag, Macro


@admin.register(Macro)
class MacroAdmin(admin.ModelAdmin[Macro]):
    list_display = ("name", "owner", "region", "team", "status", "usage_count")
    search_fields = ("name",)


admin.site.register(CaseTag)
