from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "supportdesk.notifications"
    label = "notifications"
    verbose_name = "Notifications outbox"
