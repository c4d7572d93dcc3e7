from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "supportdesk.cases"
    label = "cases"
    verbose_name = "Cases"

    def ready(self) -> None:
        from supportdesk import demo
        from supportdesk.api import register_status
        from supportdesk.cases.demo import seed_cases
        from supportdesk.cases.services import (
            AttachmentTooLarge,
            IdempotencyConflict,
            UnsupportedMediaType,
        )
        from supportdesk.domain.lifecycle import IllegalTransition, TransitionForbidden

        for exc, status in (
            (IllegalTransition, 409),
            (IdempotencyConflict, 409),
            (TransitionForbidden, 403),
            (AttachmentTooLarge, 413),
            (UnsupportedMediaType, 415),
        ):
            if (exc, status) not in register_status.__globals__["STATUS_FOR"]:
                register_status(exc, status)
        if seed_cases not in demo.EXTRA_STEPS:
            demo.EXTRA_STEPS.append(seed_cases)
