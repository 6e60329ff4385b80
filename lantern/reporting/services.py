"""Exports: each builds its file and writes an EXPORT audit event in the same transaction.

Downloads are the one way row-level data leaves Lantern in bulk, so each event says what was
exported, for which council and period, and how many rows (security goal AD2).
"""

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from lantern.accounts.models import Organisation
from lantern.audit.models import Action
from lantern.audit.services import audit_record
from lantern.reporting import queries, ssda903
from lantern.reporting.csvsafe import csv_text
from lantern.reporting.figures import Figures
from lantern.reporting.ssda903 import CollectionYear, Problem

PROBLEM_COLUMNS = ["Rule", "Severity", "Table", "Line", "CHILD", "Field", "Message", "Episode"]


@dataclass(frozen=True)
class ExportFile:
    filename: str
    content: str
    rows: int
    problems: list[Problem] = field(default_factory=list)


def _audit(
    actor: Any,
    kind: str,
    key: str,
    summary: str,
    detail: dict[str, Any],
    child_ids: list[int] | None = None,
) -> None:
    """One EXPORT event per file; a file of child-level rows also names each child in it, for
    the children's "who has seen this record" pages (AD2, AD10)."""
    audit_record(
        actor=actor,
        action=Action.EXPORT,
        object_type=f"reporting.{kind}",
        object_id=key,
        summary=summary,
        detail={**detail, "via": "web" if getattr(actor, "pk", None) else "command line"},
        child_ids=child_ids,
    )


def _rule_counts(problems: list[Problem]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for problem in problems:
        counts[problem.rule] = counts.get(problem.rule, 0) + 1
    return counts


def ssda903_check(la: Organisation, year: int) -> tuple[ssda903.BuildResult, list[Problem]]:
    """The rows Lantern would send and every finding: what was left out, then DfE's checks,
    including rule 576 against the rows Lantern would have sent last year."""
    collection, previous = CollectionYear(year), CollectionYear(year - 1)
    inputs = queries.ssda903_inputs(la, previous, collection)
    today = timezone.localdate()
    built = ssda903.missing_rows(inputs, collection, today=today)
    last_year = [row.as_csv() for row in ssda903.missing_rows(inputs, previous, today=today).rows]
    checked = ssda903.validate(
        [row.as_csv() for row in built.rows],
        year=collection,
        header=built.header,
        episodes=built.episodes,
        last_year=last_year,
    )
    # Name the Lantern episode behind each Missing row, so it can be found and corrected.
    problems = built.problems + [
        replace(p, source=built.rows[p.line - 2].source)
        if p.table == "Missing" and p.line and not p.source
        else p
        for p in checked
    ]
    return built, problems


@transaction.atomic
def ssda903_export(*, actor: Any, la: Organisation, year: int) -> ExportFile:
    """The SSDA903 Missing table for the council and collection year, checked by Lantern."""
    built, problems = ssda903_check(la, year)
    content = csv_text(
        ssda903.MISSING_COLUMNS,
        ([r[c] for c in ssda903.MISSING_COLUMNS] for r in (row.as_csv() for row in built.rows)),
    )
    _audit(
        actor,
        "ssda903_missing",
        f"{la.ons_code}/{year}",
        f"Exported the SSDA903 Missing table for {la.name}, {year - 1} to {year}",
        {
            "la": la.ons_code,
            "year": year,
            "rows": len(built.rows),
            "children": len({r.child for r in built.rows}),
            "problems": _rule_counts(problems),
        },
        queries.child_pks(la, (r.child for r in built.rows)),
    )
    return ExportFile(
        f"ssda903-missing-{la.ons_code}-{year}.csv", content, len(built.rows), problems
    )


@transaction.atomic
def ssda903_report_export(*, actor: Any, la: Organisation, year: int) -> ExportFile:
    """The validation report as a file: every finding with rule, line, child and message."""
    _, problems = ssda903_check(la, year)
    content = csv_text(
        PROBLEM_COLUMNS,
        (
            [p.rule, p.severity, p.table, p.line or "", p.child, p.field, p.message, p.source]
            for p in problems
        ),
    )
    _audit(
        actor,
        "ssda903_validation",
        f"{la.ons_code}/{year}",
        f"Exported the SSDA903 Missing validation report for {la.name}, {year - 1} to {year}",
        {
            "la": la.ons_code,
            "year": year,
            "rows": len(problems),
            "problems": _rule_counts(problems),
        },
        queries.child_pks(la, (p.child for p in problems)),
    )
    return ExportFile(f"ssda903-missing-checks-{la.ons_code}-{year}.csv", content, len(problems))


@transaction.atomic
def annex_a_export(*, actor: Any, la: Organisation, on: date) -> ExportFile:
    """Ofsted Annex A List 8, the missing columns, for children looked after in the 12 months."""
    rows = queries.annex_a_rows(la, on)
    _audit(
        actor,
        "annex_a_list8_missing",
        f"{la.ons_code}/{on.isoformat()}",
        f"Exported Annex A List 8 missing columns for {la.name} to {on:%d/%m/%Y}",
        {"la": la.ons_code, "on": on.isoformat(), "rows": len(rows)},
        queries.child_pks(la, (str(row[0]) for row in rows)),
    )
    return ExportFile(
        f"annex-a-list8-missing-{la.ons_code}-{on.isoformat()}.csv",
        csv_text(queries.ANNEX_A_COLUMNS, rows),
        len(rows),
    )


@transaction.atomic
def ssd_export(*, actor: Any, la: Organisation, year: int) -> ExportFile:
    """The Standard Safeguarding Dataset ssd_missing table for episodes in a collection year."""
    collection = CollectionYear(year)
    rows = queries.ssd_missing_rows(la, collection.start, collection.end)
    _audit(
        actor,
        "ssd_missing",
        f"{la.ons_code}/{year}",
        f"Exported the SSD ssd_missing table for {la.name}, {year - 1} to {year}",
        {"la": la.ons_code, "year": year, "rows": len(rows)},
        queries.child_pks(la, (str(row[1]) for row in rows)),
    )
    return ExportFile(
        f"ssd-missing-{la.ons_code}-{year}.csv",
        csv_text(queries.SSD_MISSING_COLUMNS, rows),
        len(rows),
    )


@transaction.atomic
def figures_export(*, actor: Any, figures: Figures, code: str) -> ExportFile:
    rows = figures.csv_rows()
    _audit(
        actor,
        "monthly_figures",
        f"{code}/{figures.period.start:%Y-%m}/{figures.period.month_count}",
        f"Downloaded figures for {figures.scope}, {figures.period.label}",
        {"area": code, "period": figures.period.label, "rows": len(rows)},
    )
    return ExportFile(
        f"lantern-figures-{code}-{figures.period.start:%Y-%m}-{figures.period.month_count}m.csv",
        csv_text(Figures.CSV_HEADER, rows),
        len(rows),
    )


@transaction.atomic
def regional_export(*, actor: Any, region: str, year: int, breakdown: str) -> ExportFile:
    _, table = queries.regional_table(region, year, breakdown)
    _audit(
        actor,
        "regional_table",
        f"{region}/{year}/{breakdown}",
        f"Downloaded the suppressed regional table for {region}, {year - 1} to {year}",
        {
            "region": region,
            "year": year,
            "breakdown": breakdown,
            "rows": len(table.body),
            "suppressed": table.suppressed_count,
        },
    )
    return ExportFile(
        f"lantern-regional-{region}-{year}-{breakdown}.csv",
        csv_text(["Council", *table.header[1:]], table.body),
        len(table.body),
    )
