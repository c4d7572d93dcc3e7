from django.apps import AppConfig


class OncallConfig(AppConfig):
    name = "supportdesk.oncall"
    label = "oncall"
    verbose_name = "On-call schedules and pages"

    def ready(self) -> None:
        from supportdesk import demo
        from supportdesk.oncall.demo import seed_oncall

        if seed_oncall not in demo.EXTRA_STEPS:
            demo.EXTRA_STEPS.append(seed_oncall)
