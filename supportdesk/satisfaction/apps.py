from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SatisfactionConfig(AppConfig):
    name = "supportdesk.satisfaction"
    label = "satisfaction"
    verbose_name = _("Customer satisfaction")

    def ready(self) -> None:
        from supportdesk.satisfaction import tasks  # noqa: F401  registers satisfaction.*
