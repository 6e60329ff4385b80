"""`lantern import ssda903 DIR --la E09000014` and `lantern import police FILE --force E23000001`.

Everything is checked before anything is written, and written in one transaction: a rejected or
interrupted import leaves the database as it was. Problems are printed one per line with the
file, line and column; the exit status is 1 when the import was rejected.
"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lantern.accounts.models import Membership, Organisation, OrgType
from lantern.accounts.roles import WRITE_ROLES
from lantern.imports import services
from lantern.imports.files import ImportRejected
from lantern.imports.models import ImportRun


class Command(BaseCommand):
    help = "Import SSDA903 tables or police missing-person reports (see docs/imports.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="kind", required=True)
        ssda = sub.add_parser("ssda903", help="A folder with the Header, Episodes and Missing CSVs")
        ssda.add_argument("directory", type=Path)
        ssda.add_argument("--la", required=True, help="The council's ONS code, e.g. E09000014")
        ssda.add_argument("--user", help="Record the import as done by this user")
        police = sub.add_parser("police", help="A police missing-person report CSV")
        police.add_argument("file", type=Path)
        police.add_argument("--force", required=True, help="The force's ONS code, e.g. E23000001")
        police.add_argument("--user", help="Record the import as done by this user")

    def handle(self, *args: Any, **options: Any) -> None:
        kind = options["kind"]
        code = options["la"] if kind == "ssda903" else options["force"]
        wanted = OrgType.LOCAL_AUTHORITY if kind == "ssda903" else OrgType.POLICE
        organisation = Organisation.objects.filter(ons_code=code, type=wanted, active=True).first()
        if organisation is None:
            noun = "council" if kind == "ssda903" else "police force"
            raise CommandError(f"No active {noun} has the code {code}")
        actor = self._actor(options.get("user"), organisation)
        try:
            if kind == "ssda903":
                directory = options["directory"]
                if not directory.is_dir():
                    raise CommandError(f"{directory} is not a folder")
                run = services.ssda903_import(actor=actor, directory=directory, la=organisation)
            else:
                path = options["file"]
                if not path.is_file():
                    raise CommandError(f"{path} is not a file")
                run = services.police_import(actor=actor, path=path, force=organisation)
        except ImportRejected as rejected:
            for problem in rejected.problems:
                self.stderr.write(str(problem))
            if rejected.more:
                self.stderr.write("... and more: checking stopped at this many problems.")
            raise CommandError(
                f"Import rejected: {len(rejected.problems)}{'+' if rejected.more else ''} "
                "problems. Nothing was written."
            ) from None
        self.stdout.write(self._summary(run))

    def _actor(self, username: str | None, organisation: Organisation) -> Any:
        if not username:
            return None
        membership = (
            Membership.objects.select_related("user", "organisation")
            .filter(
                user__username=username,
                user__is_active=True,
                organisation=organisation,
                active=True,
                role__in=WRITE_ROLES,
            )
            .first()
        )
        if membership is None:
            raise CommandError(
                f"{username} cannot change records for {organisation.name}: "
                "they need an active role there that may change records"
            )
        user = membership.user
        user.acting_membership = membership  # type: ignore[attr-defined]
        return user

    def _summary(self, run: ImportRun) -> str:
        return (
            f"Imported {run.file_names} ({run.rows_read} rows): "
            f"{run.children_created} children, {run.placements_created} placements, "
            f"{run.episodes_created} episodes and {run.gradings_created} gradings added; "
            f"{run.rows_updated} changed; {run.rows_unchanged} already in Lantern. "
            f"Import run {run.pk}."
        )
