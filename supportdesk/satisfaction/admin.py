from django.contrib import admin

from supportdesk.satisfaction.models import Survey


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin[Survey]):
    list_display = ("case", "requester", "region", "agent", "sent_at", "rating", "rated_at")
    list_filter = ("rating", "region", "asked")
    readonly_fields = ("case", "requester", "organization")
