"""Escalate cross-border notifications nobody has acknowledged in time to managers (idempotent).

Run it every few minutes from cron or a systemd timer; the time allowed is
LANTERN["NOTIFICATION_ESCALATE_HOURS"] (default 24 hours).
"""

from typing import Any

from django.core.management.base import BaseCommand

from lantern.intelligence import rules, services


class Command(BaseCommand):
    help = "Escalate unacknowledged cross-border notifications to the receiving organisation's managers."

    def handle(self, *args: Any, **options: Any) -> None:
        escalated = services.notifications_escalate()
        self.stdout.write(
            f"Escalated {len(escalated)} notification(s) unacknowledged for over {rules.escalate_hours()} hours."
        )
