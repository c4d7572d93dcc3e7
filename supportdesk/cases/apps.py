from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "supportdesk.cases"
    label = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from supportdesk import demo
        from supportdesk.cases import notices, planning_stamp
        from supportdesk.cases.demo import seed_cases
        from supportdesk.cases.search import index
        from supportdesk.notifications.services import register_expansion

        index.connect()
        planning_stamp.connect()
        register_expansion(notices.KIND, notices.expand)

        if seed_cases not in demo.EXTRA_STEPS:
            demo.EXTRA_STEPS.append(seed_cases)
