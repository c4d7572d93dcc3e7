from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    name = "supportdesk.policies"
    label = "policies"
    verbose_name = "Support policies"
