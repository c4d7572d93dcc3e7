from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    name = "supportdesk.intake"
    label = "intake"
    verbose_name = _("Email intake")

    def ready(self) -> None:
        from supportdesk import demo
        from supportdesk.intake.demo import seed_mail

        if seed_mail not in demo.EXTRA_STEPS:
            demo.EXTRA_STEPS.append(seed_mail)
