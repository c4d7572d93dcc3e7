from django.apps import AppConfig


class AnswersConfig(AppConfig):
    name = "supportdesk.answers"
    label = "answers"
    verbose_name = "Macros and tags"

    def ready(self) -> None:
        from supportdesk import demo
        from supportdesk.answers.demo import seed_answers

        if seed_answers not in demo.EXTRA_STEPS:
            demo.EXTRA_STEPS.append(seed_answers)
