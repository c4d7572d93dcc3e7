from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "supportdesk.cases"
    label = "cases"
    verbose_name = "Cases"

    def ready(self) -> None:
        from supportdesk import demo
        from supportdesk.cases.demo import seed_cases
        from supportdesk.cases.search import index

        index.connect()

        if seed_cases not in demo.EXTRA_STEPS:
            demo.EXTRA_STEPS.append(seed_cases)
