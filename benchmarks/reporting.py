"""Benchmark: monthly national figures and the SSDA903 Missing export on PostgreSQL.

Targets (issue 6): monthly national figures over 1,000,000 episodes in under 2 seconds; the 903
export for a council with 2,000 looked-after children in under 2 seconds.

    .venv/bin/python benchmarks/reporting.py                    # full scale: 200,000 children
    .venv/bin/python benchmarks/reporting.py --children 20000   # a tenth, while developing

Data: the synthetic national dataset from lantern.demo (about five episodes per child over eight
years), loaded into its own PostgreSQL database (``lantern_bench_rep`` unless --db says
otherwise; it is created if missing and reused when it already holds the asked-for number of
children). The council with the most looked-after children is topped up with synthetic
looked-after children to 2,000 for the 903 timing. Timings are the best and median of
--repeat runs, after one warm-up run, measured in this process through Django, as a page would.
"""

import argparse
import json
import os
import sys
from datetime import date, datetime, timedelta
from typing import Any

import _pg
from _pg import timed


def _parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--children", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--looked-after", type=int, default=2000)
    _pg.add_arguments(parser, db="lantern_bench_rep")
    return parser.parse_args()


ARGS = _parse()


_pg.setup(ARGS)

from django.db import connection, transaction  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.utils import timezone  # noqa: E402

from lantern.accounts.models import Organisation  # noqa: E402
from lantern.demo import generator  # noqa: E402
from lantern.demo.loader import load  # noqa: E402
from lantern.episodes.models import MissingEpisode  # noqa: E402
from lantern.people.models import Child, Placement  # noqa: E402
from lantern.reporting import queries, services  # noqa: E402
from lantern.reporting.figures import Period, monthly_figures  # noqa: E402
from lantern.reporting.forms import last_complete_month, latest_collection_year  # noqa: E402
from lantern.reporting.ssda903 import CollectionYear  # noqa: E402


def load_data() -> float:
    if not _pg.must_load(ARGS):
        return 0.0
    config = generator.national_config(children=ARGS.children, seed=2026)
    result = load(generator.generate(config), total=ARGS.children, progress=sys.stderr.isatty())
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # as autovacuum would: fresh statistics, visibility map
    return result.seconds


def looked_after_in(la: Organisation, year: CollectionYear) -> int:
    return (
        Placement.objects.filter(placing_la=la, started_on__lte=year.end)
        .exclude(ended_on__lt=year.start)
        .values("child_id")
        .distinct()
        .count()
    )


def top_up(la: Organisation, year: CollectionYear, target: int) -> int:
    """Add synthetic looked-after children (a placement and a few episodes each) to reach
    ``target`` looked-after children in the year; returns how many were added."""
    have = looked_after_in(la, year)
    missing = target - have
    if missing <= 0:
        return 0
    start = timezone.make_aware(datetime(year.start.year, 4, 3, 21, 0))
    with transaction.atomic():
        children = Child.objects.bulk_create(
            Child(
                first_name="Bench",
                last_name=f"Looked After {n}",
                date_of_birth=date(2008 + n % 8, 1 + n % 12, 1 + n % 28),
                sex="MF"[n % 2],
                home_la=la,
                care_status="lac",
                legal_status="C2",
            )
            for n in range(missing)
        )
        Placement.objects.bulk_create(
            Placement(
                child=child,
                placing_la=la,
                place="K2",
                provider="PR4",
                postcode="N17 6AA",
                started_on=year.start - timedelta(days=200 + n % 300),
                ended_on=None if n % 3 else year.start + timedelta(days=100 + n % 150),
                location="IN" if n % 4 else "OUT",
            )
            for n, child in enumerate(children)
        )
        episodes = []
        for n, child in enumerate(children):
            for k in range(n % 5):
                seen = start + timedelta(days=7 * k + n % 60, hours=n % 11)
                episodes.append(
                    MissingEpisode(
                        child=child,
                        setting="care",
                        whereabouts="unknown" if (n + k) % 3 else "known",
                        looked_after=True,
                        last_seen_at=seen,
                        reported_at=seen + timedelta(hours=1),
                        reporter_kind="foster_carer",
                        returned_at=seen + timedelta(hours=5 + (n * k) % 70),
                    )
                )
        MissingEpisode.objects.bulk_create(episodes, batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return missing


def main() -> None:
    load_seconds = load_data()
    episodes = MissingEpisode.objects.count()
    children = Child.objects.count()
    today = timezone.localdate()
    year, month = last_complete_month(today)
    period = Period.months_to(year, month)
    collection = CollectionYear(latest_collection_year(today))

    national_best, national_median, figures = timed(
        lambda: monthly_figures(None, period), ARGS.repeat
    )
    national_year_best, national_year_median, _ = timed(
        lambda: monthly_figures(None, Period.months_to(year, month, 12)), ARGS.repeat
    )

    busiest = (
        Placement.objects.filter(started_on__lte=collection.end)
        .exclude(ended_on__lt=collection.start)
        .values("placing_la")
        .annotate(n=Count("child_id", distinct=True))
        .order_by("-n")
        .first()
    )
    if busiest is None:
        raise SystemExit("No placements in the benchmark data")
    council = Organisation.objects.get(pk=busiest["placing_la"])
    added = top_up(council, collection, ARGS.looked_after)
    in_care = looked_after_in(council, collection)

    def export() -> Any:
        with transaction.atomic():
            result = services.ssda903_export(actor=None, la=council, year=collection.year)
            transaction.set_rollback(True)  # keep the benchmark database's audit log small
        return result

    export_best, export_median, export_file = timed(export, ARGS.repeat)
    la_best, la_median, _ = timed(lambda: monthly_figures(council, period), ARGS.repeat)
    regional_best, regional_median, (_, regional) = timed(
        lambda: queries.regional_table(council.region_code, collection.year, "category"),
        ARGS.repeat,
    )

    rows = [
        ("Monthly national figures, one month", national_best, national_median, 2.0),
        ("Monthly national figures, 12 months", national_year_best, national_year_median, None),
        (f"Monthly figures, {council.name}", la_best, la_median, None),
        (f"SSDA903 Missing export, {council.name}", export_best, export_median, 2.0),
        ("Regional table with suppression", regional_best, regional_median, None),
    ]
    print()
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    print(f"PostgreSQL {version}, database {ARGS.db}")
    print("Load average (1, 5, 15 min): " + ", ".join(f"{v:.1f}" for v in os.getloadavg()))
    print(
        f"{children:,} children, {episodes:,} episodes"
        + (f" (loaded in {load_seconds:.0f} s)" if load_seconds else "")
    )
    print(f"Month: {period.label}: {figures.stat('incidents').value:,} incidents nationally")
    print(
        f"903: {council.name}, {in_care:,} looked-after children in {collection.year - 1}-"
        f"{collection.year} ({added:,} added for the benchmark), {export_file.rows:,} rows, "
        f"{len(export_file.problems)} findings"
    )
    print(f"Regional: {len(regional.body) - 1} councils, {regional.suppressed_count} cells hidden")
    print()
    print(f"{'What':55} {'best':>8} {'median':>8}  target")
    for name, best, median, target in rows:
        verdict = (
            ""
            if target is None
            else (f"< {target:.0f} s " + ("ok" if median < target else "MISSED"))
        )
        print(f"{name:55} {best:7.3f}s {median:7.3f}s  {verdict}")
    print()
    print(
        json.dumps(
            {
                "children": children,
                "episodes": episodes,
                "national_month_s": round(national_median, 3),
                "national_12_months_s": round(national_year_median, 3),
                "la_month_s": round(la_median, 3),
                "ssda903_export_s": round(export_median, 3),
                "ssda903_looked_after": in_care,
                "regional_s": round(regional_median, 3),
                "load_average": round(os.getloadavg()[0], 1),
            }
        )
    )


if __name__ == "__main__":
    main()
