from django.apps import AppConfig
from django.db.models.signals import post_migrate


class RiskConfig(AppConfig):
    name = "lantern.risk"
    label = "risk"
    verbose_name = "Exploitation risk"

    def ready(self) -> None:
        from lantern.risk import signals

        signals.connect()
        post_migrate.connect(signals.on_post_migrate, sender=self, dispatch_uid="risk_defaults")
