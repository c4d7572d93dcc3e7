from django.urls import path

from supportdesk.portal import deadlines, find, help, reporting, satisfaction, views

app_name = "portal"

urlpatterns = [
    path("", views.case_list, name="cases"),
    path("search/", find.search, name="search"),
    path("cases/<int:case_id>/", views.case_detail, name="case"),
    path("cases/<int:case_id>/deadlines/", deadlines.case_deadlines, name="case_deadlines"),
    path("cases/<int:case_id>/attachments", views.case_attach, name="case_attach"),
    path(
        "cases/<int:case_id>/attachments/<int:attachment_id>",
        views.attachment_download,
        name="attachment",
    ),
    path("cases/<int:case_id>/details", views.case_details, name="case_details"),
    path("cases/<int:case_id>/status", views.case_transition, name="case_transition"),
    path("cases/<int:case_id>/rating", satisfaction.case_rate, name="case_rate"),
    path("cases/<int:case_id>/escalate", views.case_escalate, name="case_escalate"),
    path(
        "cases/<int:case_id>/escalations/<int:escalation_id>/respond",
        views.escalation_respond,
        name="escalation_respond",
    ),
    path("report/", reporting.report, name="report"),
    path("report/triage", reporting.report_triage, name="report_triage"),
    path("report/suggestions", help.report_suggestions, name="report_suggestions"),
    path("report/deflected", help.report_deflected, name="report_deflected"),
    path("support/", views.support_policy, name="policy"),
]
