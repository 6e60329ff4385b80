"""Load the shipped screening tool, override rules, repeat-missing rule and language phrases."""

from typing import Any

from django.core.management.base import BaseCommand

from lantern.risk.services import defaults_load


class Command(BaseCommand):
    help = (
        "Load lantern/risk/data/*.yaml. Idempotent: publishes a new tool version only if the "
        "tool file changed, and adds only rules and phrases that are not there yet."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        loaded = defaults_load(actor=None)
        if loaded.tool_published:
            self.stdout.write(f"Published {loaded.tool}.")
        else:
            self.stdout.write(f"{loaded.tool} is up to date.")
        self.stdout.write(f"Added {loaded.rules_added} rules and {loaded.phrases_added} phrases.")
