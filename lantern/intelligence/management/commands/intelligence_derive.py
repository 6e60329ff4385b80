"""Derive intelligence links from every episode and interview already in the database.

For data loaded in bulk (the demo loader writes rows directly, so the signals that derive links
as records are saved do not run). Safe to run again: derived links are keyed. Sends no
notifications: those are for changes as they happen.
"""

from typing import Any

from django.core.management.base import BaseCommand

from lantern.intelligence.derive import derive_all


class Command(BaseCommand):
    help = "Derive found-at, found-together and interview phone and place links for all records."

    def handle(self, *args: Any, **options: Any) -> None:
        result = derive_all()
        self.stdout.write(
            f"Derived {result['links']} new link(s) from {result['episodes']} episode(s) and "
            f"{result['interviews']} interview(s)."
        )
