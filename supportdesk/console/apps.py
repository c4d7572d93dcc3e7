from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    name = "supportdesk.console"
    label = "console"
    verbose_name = "Agent console"
