from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "supportdesk.intake"
    label = "intake"
    verbose_name = "Email intake"

    def ready(self) -> None:
        from supportdesk import demo
        from supportdesk.intake.demo import seed_mail

        if seed_mail not in demo.EXTRA_STEPS:
            demo.EXTRA_STEPS.append(seed_mail)
