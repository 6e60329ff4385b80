"""Import files from other systems (optional) and run record linkage over Lantern's records.

    manage.py linkage_run
    manage.py linkage_run --source met.csv --format police --organisation E23000001 \
        --imported-by E09000014 --threshold 0.9
    manage.py linkage_run --source header.csv --format ssda903 --organisation E09000014 \
        --source roll.csv --format school --organisation "Northside Academy"
    manage.py linkage_run --backend spark        # same model on Spark (local unless configured)

Each --source needs a --format and an --organisation (ONS code, or exact name) in the same
order. File formats: docs/linkage-formats.md. Proposed pairs go to the review queue.
"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from lantern.accounts.models import Organisation
from lantern.linkage import engine, services, sources


def _organisation(value: str) -> Organisation:
    found = (
        Organisation.objects.filter(ons_code=value).first()
        or Organisation.objects.filter(name=value).first()
    )
    if found is None:
        raise CommandError(f"No organisation with ONS code or name {value!r}")
    return found


class Command(BaseCommand):
    help = "Import files for linkage (optional) and propose possible matches for review."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--source", action="append", default=[], help="A CSV file")
        parser.add_argument("--format", action="append", default=[], choices=sources.FORMATS)
        parser.add_argument(
            "--organisation",
            action="append",
            default=[],
            help="Whose records the file holds (ONS code or exact name)",
        )
        parser.add_argument(
            "--imported-by",
            help="The organisation importing the files (default: each file's organisation)",
        )
        parser.add_argument("--backend", choices=engine.BACKENDS, default="duckdb")
        parser.add_argument("--threshold", type=float, default=engine.DEFAULT_THRESHOLD)
        parser.add_argument(
            "--train",
            action="store_true",
            help="Train the model on these records instead of using the shipped parameters",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        files, formats, owners = options["source"], options["format"], options["organisation"]
        if not (len(files) == len(formats) == len(owners)):
            raise CommandError("Give a --format and an --organisation for every --source")
        if not 0 < options["threshold"] < 1:
            raise CommandError("--threshold must be between 0 and 1")
        importer = _organisation(options["imported_by"]) if options["imported_by"] else None
        for path, fmt, owner in zip(files, formats, owners, strict=True):
            organisation = _organisation(owner)
            try:
                text = Path(path).read_text(encoding="utf-8-sig")
            except OSError as error:
                raise CommandError(f"Cannot read {path}: {error}") from error
            try:
                with transaction.atomic():
                    batch = services.file_import(
                        actor=None,
                        text=text,
                        fmt=fmt,
                        filename=Path(path).name,
                        organisation=organisation,
                        imported_by_organisation=importer or organisation,
                    )
            except sources.FileFormatError as error:
                raise CommandError(f"{path}: {error}") from error
            self.stdout.write(f"Imported {batch.rows} {fmt} records from {path}")
        spark = engine.spark_session() if options["backend"] == "spark" else None
        run = services.linkage_run(
            options=services.RunOptions(
                backend=options["backend"],
                threshold=options["threshold"],
                train=options["train"],
            ),
            spark=spark,
        )
        self.stdout.write(
            f"Compared {run.records} records: {run.pairs_proposed} new possible duplicate records "
            f"proposed for review ({run.clusters} clusters at threshold {run.threshold})."
        )
