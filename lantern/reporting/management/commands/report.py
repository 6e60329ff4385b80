"""`lantern report monthly|regional`: figures in the terminal, audited like the web downloads.

lantern report monthly --la E09000014 [--month 2025-10] [--months 12] [--csv]
lantern report monthly --month 2025-10            (England)
lantern report regional --region E12000007 --year 2025 [--by category|month] [--csv]
"""

from argparse import ArgumentParser
from collections.abc import Sequence
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from lantern.accounts.models import Organisation
from lantern.reporting import queries, services
from lantern.reporting.figures import Period, Table, monthly_figures
from lantern.reporting.forms import last_complete_month


def text_table(header: Sequence[object], rows: Sequence[Sequence[object]]) -> str:
    cells = [[str(c) for c in header], *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(cells[0]))]
    lines = []
    for n, row in enumerate(cells):
        lines.append(
            "  ".join(
                cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i])
                for i, cell in enumerate(row)
            ).rstrip()
        )
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def council(code: str) -> Organisation:
    found = queries.council_with_code(code)
    if found is None:
        raise CommandError(f"No local authority with ONS code {code}")
    return found


def _month(text: str | None) -> tuple[int, int]:
    if not text:
        return last_complete_month(timezone.localdate())
    try:
        year, month = (int(part) for part in text.split("-"))
    except ValueError:
        raise CommandError("Give the month as YYYY-MM, e.g. 2025-10") from None
    if not 1 <= month <= 12:
        raise CommandError("Give the month as YYYY-MM, e.g. 2025-10")
    return year, month


class Command(BaseCommand):
    help = "Print monthly figures for a council (or England) or a suppressed regional table."

    def add_arguments(self, parser: ArgumentParser) -> None:
        kinds = parser.add_subparsers(dest="kind", required=True, metavar="{monthly,regional}")
        monthly = kinds.add_parser("monthly", help="Monthly figures and KPIs")
        monthly.add_argument("--la", help="ONS code of the council (default: England)")
        monthly.add_argument("--month", help="Last month of the period, YYYY-MM")
        monthly.add_argument("--months", type=int, default=1, choices=[1, 3, 6, 12])
        regional = kinds.add_parser("regional", help="Incidents by council, suppressed")
        regional.add_argument("--region", required=True, help="ONS region code, e.g. E12000007")
        regional.add_argument("--year", type=int, required=True, help="Collection year")
        regional.add_argument("--by", choices=["category", "month"], default="category")
        for sub in (monthly, regional):
            sub.add_argument("--csv", action="store_true", help="Print CSV instead of a table")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["kind"] == "monthly":
            self.monthly(options)
        else:
            self.regional(options)

    def monthly(self, options: dict[str, Any]) -> None:
        la = council(options["la"]) if options.get("la") else None
        year, month = _month(options.get("month"))
        figures = monthly_figures(la, Period.months_to(year, month, options["months"]))
        export = services.figures_export(
            actor=None, figures=figures, code=la.ons_code if la else "E92000001"
        )
        if options["csv"]:
            self.stdout.write(export.content, ending="")
            return
        self.stdout.write(f"{figures.scope}: {figures.period.label}\n")
        self.stdout.write(
            text_table(["Measure", "Value"], [[s.label, s.text] for s in figures.stats])
        )
        for table in figures.tables:
            self.print_table(table)

    def print_table(self, table: Table) -> None:
        self.stdout.write(f"\n{table.title}")
        if table.rows:
            self.stdout.write(text_table(table.columns, table.rows))
        else:
            self.stdout.write("None in this period.")

    def regional(self, options: dict[str, Any]) -> None:
        if options["region"] not in queries.regions():
            raise CommandError(f"No English region with code {options['region']}")
        counts, table = queries.regional_table(options["region"], options["year"], options["by"])
        export = services.regional_export(
            actor=None, region=options["region"], year=options["year"], breakdown=options["by"]
        )
        if options["csv"]:
            self.stdout.write(export.content, ending="")
            return
        self.stdout.write(counts.title + "\n")
        self.stdout.write(text_table(["Council", *table.header[1:]], table.body))
        self.stdout.write(
            f"\nc = hidden to protect confidentiality ({table.suppressed_count} cells). "
            "Regional totals rounded to the nearest 10."
        )
