from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OncallConfig(AppConfig):
    name = "supportdesk.oncall"
    label = "oncall"
    verbose_name = _("On-call schedules and pages")

    def ready(self) -> None:
        from supportdesk import demo
        from supportdesk.oncall.demo import seed_oncall

        if seed_oncall not in demo.EXTRA_STEPS:
            demo.EXTRA_STEPS.append(seed_oncall)
