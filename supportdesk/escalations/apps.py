from django.apps import AppConfig


class EscalationsConfig(AppConfig):
    name = "supportdesk.escalations"
    label = "escalations"
    verbose_name = "Escalations"

    def ready(self) -> None:
        from supportdesk import demo
        from supportdesk.api import STATUS_FOR, register_status
        from supportdesk.escalations import tasks  # noqa: F401  registers the escalations.* tasks
        from supportdesk.escalations.demo import seed_escalations
        from supportdesk.escalations.services import EscalationConflict

        if (EscalationConflict, 409) not in STATUS_FOR:
            register_status(EscalationConflict, 409)
        if seed_escalations not in demo.EXTRA_STEPS:
            demo.EXTRA_STEPS.append(seed_escalations)
