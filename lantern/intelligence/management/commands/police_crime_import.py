"""Import data.police.uk street-level crime CSV files as counts by area, month and crime type.

    manage.py police_crime_import 2024-01-surrey-street.csv 2024-01-city-of-london-street.csv

Every file is checked in full before anything is written; importing a file again replaces its
counts (no duplicates).
"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lantern.intelligence.crime import CrimeFileError, crime_import


class Command(BaseCommand):
    help = "Import data.police.uk street-level crime files (checked whole, atomic, idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = crime_import(options["files"])
        except CrimeFileError as error:
            raise CommandError(
                "Nothing was imported.\n" + "\n".join(str(e) for e in error.errors)
            ) from None
        self.stdout.write(
            f"Imported {result.rows} crimes from {result.files} file(s) as {result.counts} counts "
            f"(replaced {result.replaced} earlier counts)."
        )
