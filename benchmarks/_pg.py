"""Set-up shared by the benchmarks that run against a PostgreSQL database of their own.

A script adds the connection options to its parser, then calls ``setup`` before importing any
Django model::

    parser = argparse.ArgumentParser(...)
    _pg.add_arguments(parser, db="lantern_bench_x")
    ARGS = parser.parse_args()
    _pg.setup(ARGS)  # the database exists (--fresh: dropped and made again); Django is set up
"""

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def add_arguments(parser: argparse.ArgumentParser, *, db: str) -> None:
    """--db (default ``db``), --host, --user (PGHOST, PGUSER or local postgres) and --fresh."""
    parser.add_argument("--db", default=db)
    parser.add_argument("--host", default=os.environ.get("PGHOST", "127.0.0.1"))
    parser.add_argument("--user", default=os.environ.get("PGUSER", "postgres"))
    parser.add_argument("--fresh", action="store_true", help="Drop and reload the database")


def ensure_database(args: argparse.Namespace) -> None:
    """Create the database if it is missing; with --fresh, drop it first."""
    import psycopg

    with psycopg.connect(
        host=args.host, user=args.user, dbname="postgres", autocommit=True
    ) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [args.db]).fetchone()
        if exists and args.fresh:
            conn.execute(f'DROP DATABASE "{args.db}"')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{args.db}"')


def setup(args: argparse.Namespace) -> None:
    """Make sure the database exists, point Django at it and set Django up."""
    ensure_database(args)
    os.environ["DATABASE_URL"] = f"postgres://{args.user}@{args.host}:5432/{args.db}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lantern.settings")

    import django

    django.setup()


def must_load(args: argparse.Namespace) -> bool:
    """Migrate, then say whether the children must be loaded: not when the database already
    holds at least --children of them (it is reused). Stops when it holds fewer: a smaller load
    is not topped up (--fresh reloads)."""
    from django.core.management import call_command

    from lantern.people.models import Child

    call_command("migrate", verbosity=0)
    have = Child.objects.count()
    if have >= args.children:
        print(f"Reusing {have:,} children in {args.db}", flush=True)
        return False
    if have:
        raise SystemExit(f"{args.db} holds {have:,} children; use --fresh to reload")
    print(f"Loading {args.children:,} synthetic children into {args.db} ...", flush=True)
    return True


def timed(run: Callable[[], Any], repeat: int) -> tuple[float, float, Any]:
    """Best and median wall time of ``repeat`` runs after one warm-up run, and the last result."""
    result = run()  # warm-up: caches, plans, the first import of matplotlib and friends
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - started)
    return min(times), statistics.median(times), result
