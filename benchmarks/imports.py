"""Benchmark: importing 400,000 SSDA903 missing-episode rows into PostgreSQL.

Target (issue 6): 30,000 rows per second or more, printed beside the time PostgreSQL's own COPY
takes to load the same rows into a plain table.

    .venv/bin/python benchmarks/imports.py                  # full size: 400,000 Missing rows
    .venv/bin/python benchmarks/imports.py --rows 40000     # a tenth, while developing

What is timed: ``lantern.imports.services.ssda903_import`` end to end, as ``lantern import
ssda903`` runs it: reading and checking the Header, Episodes and Missing CSVs, checking them
against the database, writing children, identifiers, placements and episodes in one transaction
(every constraint, index, foreign key and the PostgreSQL no-overlap exclusion constraint in
force) and committing. The database (``lantern_bench_imp`` unless --db says otherwise) is
dropped, created and migrated first, so the import lands in an empty Lantern, as a council's
first import of its history would. A second import of the same files (nothing new to write,
every row recognised) is timed too.

The baseline: psycopg ``COPY`` of the same three CSV files into plain tables with the same
columns typed (text and dates), no indexes or constraints: what the disk and server cost
without any checking.

Data: synthetic, seeded. One child in ten of the rows has a Header row; each child has one or
two placements (903 episodes) and about ten missing or away periods inside them, some back to
back or on the same day, the last sometimes still open.
"""

import argparse
import csv
import os
import random
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=400_000, help="Missing rows to import")
    parser.add_argument("--per-child", type=int, default=10)
    parser.add_argument("--db", default="lantern_bench_imp")
    parser.add_argument("--host", default=os.environ.get("PGHOST", "127.0.0.1"))
    parser.add_argument("--user", default=os.environ.get("PGUSER", "postgres"))
    parser.add_argument("--seed", type=int, default=903)
    return parser.parse_args()


ARGS = _parse()


def _recreate_database() -> None:
    import psycopg

    with psycopg.connect(
        host=ARGS.host, user=ARGS.user, dbname="postgres", autocommit=True
    ) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{ARGS.db}"')
        conn.execute(f'CREATE DATABASE "{ARGS.db}"')


_recreate_database()
os.environ["DATABASE_URL"] = f"postgres://{ARGS.user}@{ARGS.host}:5432/{ARGS.db}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lantern.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from lantern.accounts.models import Organisation  # noqa: E402
from lantern.episodes.models import MissingEpisode  # noqa: E402
from lantern.imports import services, ssda903  # noqa: E402
from lantern.people.models import Child, Placement  # noqa: E402

# Real postcodes (ONSPD): placements in and out of Haringey, homes in Haringey.
HOMES = ["N17 6AA", "N15 4AB", "N22 8LE", "N8 9JP", "N17 8AA"]
PLACES = [*HOMES, "BN1 1AA", "BN2 1TW", "E8 1DY", "SE1 7PB"]
ETHNIC = ["WBRI", "BCRB", "BAFR", "MWBC", "WOTH", "AOTH", "NOBT"]
TODAY = date(2026, 11, 1)


def _fmt(day: date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def generate(directory: Path) -> dict[str, int]:
    """Header, Episodes and Missing CSVs with about --rows Missing rows, valid throughout."""
    rng = random.Random(ARGS.seed)
    counts = {"Header": 0, "Episodes": 0, "Missing": 0}
    with (
        open(directory / "header.csv", "w", newline="") as h,
        open(directory / "episodes.csv", "w", newline="") as e,
        open(directory / "missing.csv", "w", newline="") as m,
    ):
        header, episodes, missing = csv.writer(h), csv.writer(e), csv.writer(m)
        header.writerow(ssda903.HEADER_COLUMNS)
        episodes.writerow(ssda903.EPISODES_COLUMNS)
        missing.writerow(ssda903.MISSING_COLUMNS)
        number = 0
        while counts["Missing"] < ARGS.rows:
            number += 1
            child = f"H{number:07d}"
            dob = date(2009, 1, 1) + timedelta(days=rng.randrange(5 * 365))
            home = rng.choice(HOMES)
            header.writerow([child, rng.choice("12"), _fmt(dob), rng.choice(ETHNIC), "UN4", "", ""])
            counts["Header"] += 1
            # One long placement, or two back to back (a change of placement, REC X1).
            start = max(dob + timedelta(days=3650), date(2019, 4, 1)) + timedelta(
                days=rng.randrange(200)
            )
            spans: list[tuple[date, date | None]] = [(start, None)]
            if rng.random() < 0.4:
                change = start + timedelta(days=300 + rng.randrange(300))
                spans = [(start, change), (change, None)]
            for i, (decom, dec) in enumerate(spans):
                episodes.writerow(
                    [
                        child,
                        _fmt(decom),
                        "S" if i == 0 else "P",
                        "C2",
                        "N1",
                        rng.choice(["U6", "K2", "U4", "H5"]),
                        rng.choice(["PR1", "PR4", "PR5"]),
                        _fmt(dec),
                        "X1" if dec else "",
                        "CARPL" if i else "",
                        home,
                        rng.choice(PLACES),
                        "",
                    ]
                )
                counts["Episodes"] += 1
            # Periods inside the placements, never overlapping: gaps, back to back, same day.
            cursor = start + timedelta(days=rng.randrange(1, 30))
            for i in range(ARGS.per_child):
                length = rng.choice([0, 0, 1, 1, 2, 3, 5, 8])
                end = cursor + timedelta(days=length)
                last = i == ARGS.per_child - 1
                if end >= TODAY:
                    break
                # Open at the end only inside the open placement (DfE rule 575).
                still_missing = last and cursor > spans[-1][0] and rng.random() < 0.2
                missing.writerow(
                    [child, _fmt(dob), rng.choice("MMMA"), _fmt(cursor),
                     "" if still_missing else _fmt(end)]
                )  # fmt: skip
                counts["Missing"] += 1
                cursor = end + timedelta(days=rng.choice([0, 0, 1, 7, 20, 45]))
                if counts["Missing"] >= ARGS.rows:
                    break
    return counts


def copy_baseline(directory: Path) -> dict[str, float]:
    """COPY of the same three files into plain typed tables, in one transaction."""
    import psycopg

    ddl = {
        "Header": "child text, sex text, dob date, ethnic text, upn text, mother text, mc_dob date",
        "Episodes": (
            "child text, decom date, rne text, ls text, cin text, place text, place_provider "
            "text, dec date, rec text, reason_place_change text, home_post text, pl_post text, "
            "urn text"
        ),
        "Missing": "child text, dob date, missing text, mis_start date, mis_end date",
    }
    files = {"Header": "header.csv", "Episodes": "episodes.csv", "Missing": "missing.csv"}
    timings: dict[str, float] = {}
    with psycopg.connect(host=ARGS.host, user=ARGS.user, dbname=ARGS.db) as conn:
        conn.execute("SET datestyle = 'ISO, DMY'")
        for table, columns in ddl.items():
            conn.execute(f"DROP TABLE IF EXISTS bench_copy_{table.lower()}")
            conn.execute(f"CREATE TABLE bench_copy_{table.lower()} ({columns})")
        conn.commit()
        started = time.perf_counter()
        with conn.cursor() as cursor:
            for table, name in files.items():
                t0 = time.perf_counter()
                copy_sql = (
                    f"COPY bench_copy_{table.lower()} FROM STDIN "
                    "WITH (FORMAT csv, HEADER true, NULL '')"
                )
                with cursor.copy(copy_sql) as copy, open(directory / name, "rb") as handle:
                    while block := handle.read(1 << 20):
                        copy.write(block)
                timings[table] = time.perf_counter() - t0
        conn.commit()
        timings["all"] = time.perf_counter() - started
        for table in ddl:
            conn.execute(f"DROP TABLE bench_copy_{table.lower()}")
        conn.commit()
    return timings


# label -> [wall seconds, CPU seconds in Python, CPU seconds in the PostgreSQL backend]
PHASES: dict[str, list[float]] = {}


def _backend_cpu() -> float:
    """CPU seconds used so far by this connection's PostgreSQL backend (same machine only).

    Parallel workers that help build a b-tree index are other processes: not counted."""
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _clocks() -> tuple[float, float, float]:
    return time.perf_counter(), time.process_time(), _backend_cpu()


def _add(label: str, since: tuple[float, float, float]) -> None:
    now = _clocks()
    totals = PHASES.setdefault(label, [0.0, 0.0, 0.0])
    for i in range(3):
        totals[i] += now[i] - since[i]


def _timed(module: object, name: str, label: str) -> None:
    """Wrap module.name so the time spent in it is added to PHASES[label]."""
    inner = getattr(module, name)

    def wrapper(*args: object, **kwargs: object) -> object:
        since = _clocks()
        try:
            return inner(*args, **kwargs)
        finally:
            _add(label, since)

    setattr(module, name, wrapper)


def _load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> None:
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"Migrated {ARGS.db} in {time.perf_counter() - started:.1f} s")
    haringey = Organisation.objects.get(ons_code="E09000014")
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        t0 = time.perf_counter()
        counts = generate(directory)
        total_rows = sum(counts.values())
        print(
            f"Generated {counts['Missing']:,} Missing, {counts['Episodes']:,} Episodes and "
            f"{counts['Header']:,} Header rows in {time.perf_counter() - t0:.1f} s"
        )
        from lantern.imports import writer

        order = [
            "read and check the files",
            "look up what Lantern holds",
            "plan (match, place periods in time)",
            "write (COPY into the real tables)",
            "  of which COPY (rows made as they go)",
            "rebuild indexes and constraints, analyze",
            "record the run and audit",
            "commit, and the rest",
        ]
        _timed(ssda903, "check_set", order[0])
        _timed(services, "_known_903", order[1])
        _timed(services, "_plan_903", order[2])
        _timed(services, "_write_903", order[3])
        _timed(writer.Inserter, "flush", order[4])
        _timed(writer.Inserter, "stream", order[4])
        _timed(services, "_record_success", order[6])
        deferred = services.indexes_deferred

        @contextmanager
        def timed_indexes(tables: list[object], defer: bool) -> Iterator[int]:
            with deferred(tables, defer) as count:  # type: ignore[arg-type]
                yield count
                since = _clocks()
            _add(order[5], since)

        services.indexes_deferred = timed_indexes  # type: ignore[assignment]
        load_before = _load()
        start = _clocks()
        run = services.ssda903_import(actor=None, directory=directory, la=haringey)
        end = _clocks()
        load_after = _load()
        seconds, py_cpu, pg_cpu = (end[i] - start[i] for i in range(3))
        phases = {label: PHASES[label] for label in order if label in PHASES}
        # What is left is the commit, the transaction's start and the rejection bookkeeping.
        phases[order[7]] = [
            total - sum(v[i] for k, v in phases.items() if not k.startswith("  "))
            for i, total in enumerate((seconds, py_cpu, pg_cpu))
        ]
        PHASES.clear()
        assert run.episodes_created == counts["Missing"], run.episodes_created
        assert MissingEpisode.objects.count() == counts["Missing"]
        assert Placement.objects.count() == counts["Episodes"]
        assert Child.objects.count() == counts["Header"]
        t0 = time.perf_counter()
        again = services.ssda903_import(actor=None, directory=directory, la=haringey)
        again_seconds = time.perf_counter() - t0
        assert again.episodes_created == 0 and again.rows_unchanged == total_rows
        copy = copy_baseline(directory)
    missing_rate = counts["Missing"] / seconds
    print()
    print(f"PostgreSQL {connection.pg_version // 10000}, {os.cpu_count()} cores")  # type: ignore[attr-defined]
    print(
        f"Lantern import:  {seconds:6.2f} s  {counts['Missing']:,} episode rows "
        f"-> {missing_rate:,.0f} episode rows/s "
        f"({total_rows / seconds:,.0f} rows/s over all {total_rows:,} rows)"
    )
    print(
        f"PostgreSQL COPY: {copy['all']:6.2f} s  the same three files into plain tables "
        f"(Missing alone {copy['Missing']:.2f} s: {counts['Missing'] / copy['Missing']:,.0f} rows/s)"
    )
    print(f"Import / COPY:   {seconds / copy['all']:6.1f} x")
    print(
        f"Re-import:       {again_seconds:6.2f} s  every row recognised, nothing written "
        f"({total_rows / again_seconds:,.0f} rows/s)"
    )
    print(
        f"CPU time:        {py_cpu:6.2f} s in Python, {pg_cpu:6.2f} s in the PostgreSQL backend "
        f"({py_cpu + pg_cpu:.2f} s on {os.cpu_count()} cores in {seconds:.2f} s)"
    )
    print(
        f"Load average:    {load_before} before the import, {load_after} after "
        "(1, 5 and 15 minutes; the import itself adds about 1 to 2)"
    )
    print(f"First import, by phase:{'wall':>27} {'Python':>7} {'backend':>8}")
    for label, (wall, py, pg) in phases.items():
        print(f"  {label:42} {wall:6.2f} s {py:6.2f} {pg:7.2f}")
    target = 30_000
    verdict = "meets" if missing_rate >= target else "MISSES"
    print(f"Target {target:,} episode rows/s: {verdict}")


if __name__ == "__main__":
    main()
