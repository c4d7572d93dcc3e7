from django.apps import AppConfig


class AnswersConfig(AppConfig):
    name = "supportdesk.answers"
    label = "answers"
    verbose_name = "Macros and tags"
