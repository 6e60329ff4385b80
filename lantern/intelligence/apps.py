from django.apps import AppConfig


class IntelligenceConfig(AppConfig):
    name = "lantern.intelligence"
    label = "intelligence"
    verbose_name = "Intelligence and maps"

    def ready(self) -> None:
        from lantern.intelligence import signals

        signals.connect()
