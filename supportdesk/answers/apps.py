from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnswersConfig(AppConfig):
    name = "supportdesk.answers"
    label = "answers"
    verbose_name = _("Macros and tags")

    def ready(self) -> None:
        from supportdesk import demo
        from supportdesk.answers.demo import seed_answers

        if seed_answers not in demo.EXTRA_STEPS:
            demo.EXTRA_STEPS.append(seed_answers)
