from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EscalationsConfig(AppConfig):
    name = "supportdesk.escalations"
    label = "escalations"
    verbose_name = _("Escalations")

    def ready(self) -> None:
        from supportdesk import demo
        from supportdesk.escalations import tasks  # noqa: F401  registers the escalations.* tasks
        from supportdesk.escalations.demo import seed_escalations

        if seed_escalations not in demo.EXTRA_STEPS:
            demo.EXTRA_STEPS.append(seed_escalations)
