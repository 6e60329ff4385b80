"""`lantern export ssda903|annexa|ssd`: statutory returns as CSV, audited like the web downloads.

    lantern export ssda903 --year 2025 --la E09000014 [--out FILE] [--checks FILE]
    lantern export annexa --la E09000014 [--on 2025-03-31] [--out FILE]
    lantern export ssd --la E09000014 --year 2025 [--out FILE]

The 903 export prints Lantern's check against DfE's rules to standard error; the exit status is
1 when a row would fail DfE validation, so scripts can stop before submitting.
"""

from argparse import ArgumentParser
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from lantern.accounts.models import Organisation
from lantern.reporting import queries, services, ssda903


def council(code: str) -> Organisation:
    found = queries.council_with_code(code)
    if found is None:
        raise CommandError(f"No local authority with ONS code {code}")
    return found


class Command(BaseCommand):
    help = "Export a statutory return (SSDA903 Missing, Annex A List 8, SSD ssd_missing) as CSV."

    def add_arguments(self, parser: ArgumentParser) -> None:
        kinds = parser.add_subparsers(dest="kind", required=True, metavar="{ssda903,annexa,ssd}")
        s903 = kinds.add_parser("ssda903", help="DfE SSDA903 Missing table")
        s903.add_argument("--year", type=int, required=True, help="Collection year ending 31 March")
        s903.add_argument("--checks", help="Also write the check report (CSV) to this file")
        annex = kinds.add_parser("annexa", help="Ofsted Annex A List 8 missing columns")
        annex.add_argument(
            "--on", type=date.fromisoformat, help="End of the 12 months (default today)"
        )
        ssd = kinds.add_parser("ssd", help="Standard Safeguarding Dataset ssd_missing")
        ssd.add_argument("--year", type=int, required=True, help="Collection year ending 31 March")
        for sub in (s903, annex, ssd):
            sub.add_argument("--la", required=True, help="ONS code of the council, e.g. E09000014")
            sub.add_argument("--out", help="Write to this file instead of standard output")

    def handle(self, *args: Any, **options: Any) -> None:
        la = council(options["la"])
        kind = options["kind"]
        failed = False
        if kind == "ssda903":
            export = services.ssda903_export(actor=None, la=la, year=options["year"])
            for problem in export.problems:
                where = f"line {problem.line}" if problem.line else problem.source
                self.stderr.write(
                    f"{problem.severity.upper():9} {problem.rule:5} {problem.table} {where} "
                    f"{problem.child}: {problem.message}"
                )
            failed = any(p.severity == ssda903.ERROR for p in export.problems)
            if options.get("checks"):
                report = services.ssda903_report_export(actor=None, la=la, year=options["year"])
                Path(options["checks"]).write_text(report.content, encoding="utf-8")
        elif kind == "annexa":
            export = services.annex_a_export(
                actor=None, la=la, on=options.get("on") or timezone.localdate()
            )
        else:
            export = services.ssd_export(actor=None, la=la, year=options["year"])
        if options.get("out"):
            Path(options["out"]).write_text(export.content, encoding="utf-8")
            self.stderr.write(f"Wrote {export.rows} rows to {options['out']}")
        else:
            self.stdout.write(export.content, ending="")
        if failed:
            raise SystemExit(1)
