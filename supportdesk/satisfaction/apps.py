from django.apps import AppConfig


class SatisfactionConfig(AppConfig):
    name = "supportdesk.satisfaction"
    label = "satisfaction"
    verbose_name = "Customer satisfaction"

    def ready(self) -> None:
        from supportdesk.satisfaction import tasks  # noqa: F401  registers satisfaction.*
