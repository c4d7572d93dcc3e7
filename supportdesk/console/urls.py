from django.urls import path

from supportdesk.console import (
    boards,
    case_emergency,
    case_files,
    case_mail,
    escalations,
    find,
    planning,
    policy_adopt,
    policy_truth,
    reports,
    views,
)

app_name = "console"

urlpatterns = [
    path("", views.home, name="home"),
    path("console/", views.queue, name="queue"),
    path("console/bulk", find.bulk, name="bulk"),
    path("console/views/", find.save_view, name="save_view"),
    path("console/views/<int:view_id>/delete", find.delete_view, name="delete_view"),
    path("console/export.csv", find.export, name="export"),
    path("console/cases/<int:case_id>/merge", find.merge, name="case_merge"),
    path("console/cases/<int:case_id>/", views.case_detail, name="case"),
    path("console/cases/<int:case_id>/reply", views.case_reply, name="case_reply"),
    path("console/cases/<int:case_id>/severity", views.case_severity, name="case_severity"),
    path("console/cases/<int:case_id>/status", views.case_transition, name="case_transition"),
    path("console/cases/<int:case_id>/assign", views.case_assign, name="case_assign"),
    path(
        "console/cases/<int:case_id>/confirm-emergency",
        case_emergency.case_confirm_emergency,
        name="case_confirm_emergency",
    ),
    path(
        "console/cases/<int:case_id>/handover-note",
        views.case_handover_note,
        name="case_handover_note",
    ),
    path(
        "console/cases/<int:case_id>/follow-ups/<int:task_id>/done",
        views.follow_up_done,
        name="follow_up_done",
    ),
    path("console/cases/<int:case_id>/attachments", case_files.case_attach, name="case_attach"),
    path(
        "console/cases/<int:case_id>/attachments/<int:attachment_id>",
        case_files.attachment_download,
        name="attachment",
    ),
    path(
        "console/cases/<int:case_id>/attachments/<int:attachment_id>/mail",
        case_mail.attached_message,
        name="attached_message",
    ),
    path("console/cases/<int:case_id>/mail/", case_mail.case_mail, name="case_mail"),
    path(
        "console/cases/<int:case_id>/mail/<int:message_id>/",
        case_mail.mail_message,
        name="mail_message",
    ),
    path(
        "console/cases/<int:case_id>/mail/<int:message_id>/original",
        case_mail.mail_original,
        name="mail_original",
    ),
    path("console/cases/<int:case_id>/release", planning.case_release, name="case_release"),
    path("console/cases/<int:case_id>/sprint", planning.case_sprint, name="case_sprint"),
    path("console/sprints/", planning.sprint_board, name="sprints"),
    path("console/daily-review/", planning.daily_review, name="daily_review"),
    path("console/phone-call/", views.phone_call, name="phone_call"),
    path("console/policy/", boards.policy, name="policy"),
    path("console/policy/versions/", policy_truth.policy_diff, name="policy_diff"),
    path("console/policy/whatif/", policy_truth.policy_whatif, name="policy_whatif"),
    path("console/policy/adopt/", policy_adopt.policy_adopt, name="policy_adopt"),
    path(
        "console/cases/<int:case_id>/deadlines/",
        policy_truth.case_deadlines,
        name="case_deadlines",
    ),
    path("console/escalations/", escalations.escalation_board, name="escalations"),
    path(
        "console/escalations/<int:escalation_id>/",
        escalations.escalation_detail,
        name="escalation",
    ),
    path(
        "console/escalations/<int:escalation_id>/take",
        escalations.escalation_take,
        name="escalation_take",
    ),
    path(
        "console/escalations/<int:escalation_id>/do/<slug:action>",
        escalations.escalation_action,
        name="escalation_action",
    ),
    path(
        "console/escalations/<int:escalation_id>/<slug:decision>",
        escalations.escalation_decide,
        name="escalation_decide",
    ),
    path("console/on-call/", boards.on_call, name="on_call"),
    path(
        "console/on-call/pages/<int:page_id>/acknowledge",
        boards.page_acknowledge,
        name="page_acknowledge",
    ),
    path("console/reports/", reports.reports, name="reports"),
]
