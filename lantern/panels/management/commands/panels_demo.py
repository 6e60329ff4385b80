"""manage.py panels_demo: the demo's exploitation panel (idempotent; run after demo_load)."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from lantern.panels.demo import panels_demo_ensure


class Command(BaseCommand):
    help = (
        "Create Haringey's demo exploitation panel with its member organisations, remits, "
        "referral criteria, last meeting and next meeting. Safe to run again."
    )
    requires_system_checks: list[str] = []

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("panels_demo creates demo data: not in production.")
        result = panels_demo_ensure()
        made = ", ".join(result.meetings_created) or "no new meetings"
        self.stdout.write(
            f"{'Created' if result.created else 'Kept'} the panel {result.panel.name}: {made}."
        )
