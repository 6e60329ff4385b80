"""manage.py demo_setup: everything `make run` needs, once.

Loads the synthetic demo dataset and users when the database has no children yet, then adds each
feature's demo story (intelligence, record linkage, panels) on top. On later runs it does nothing,
so restarting `make run` never duplicates the demo.
"""

from typing import Any

from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand

from lantern.people.models import Child

# Each feature's own idempotent demo command, run after the base dataset when it exists.
FEATURE_DEMOS = ("intelligence_demo", "linkage_demo", "panels_demo")


class Command(BaseCommand):
    help = "Load the demo dataset and each feature's demo story, once (used by make run)."
    requires_system_checks: list[str] = []

    def handle(self, *args: Any, **options: Any) -> None:
        if Child.objects.exists():
            self.stdout.write("The demo data is already loaded.")
            return
        call_command("demo_load", no_progress=True)
        available = get_commands()
        for name in FEATURE_DEMOS:
            if name in available:
                call_command(name)
