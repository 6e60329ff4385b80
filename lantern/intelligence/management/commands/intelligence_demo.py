"""Derive links for the loaded demo and add its intelligence story (idempotent; never in production)."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from lantern.intelligence.demo import demo_intelligence_seed


class Command(BaseCommand):
    help = (
        "Derive links from the demo's episodes and interviews and add the demo intelligence story."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("intelligence_demo adds synthetic demo records: not in production.")
        result = demo_intelligence_seed()
        self.stdout.write(
            f"Derived {result['links']} link(s); "
            + (
                "added the demo intelligence story."
                if result["seeded"]
                else "the story was already there."
            )
        )
