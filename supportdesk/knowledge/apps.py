from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KnowledgeConfig(AppConfig):
    name = "supportdesk.knowledge"
    label = "knowledge"
    verbose_name = _("Knowledge base")

    def ready(self) -> None:
        from supportdesk import demo
        from supportdesk.knowledge.demo import seed_knowledge

        if seed_knowledge not in demo.EXTRA_STEPS:
            demo.EXTRA_STEPS.append(seed_knowledge)
