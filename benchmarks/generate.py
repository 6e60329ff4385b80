"""Benchmark: generate and load the national-size synthetic dataset on SQLite and PostgreSQL.

Each run uses a fresh database (a new SQLite file in a temporary folder; the PostgreSQL database
named in --database-url dropped and created again), migrates it, then runs
``manage.py demo_load --scale national`` in its own process and prints children, episodes, total
rows, seconds, rows per second, CPU seconds and peak memory. The load generates in a worker
process while the main one writes; peak memory is reported for each (the kernel's high-water
mark) and added up, since they run side by side. The machine's load average is printed too:
on a shared machine, wall-clock time says as much about the neighbours as about the code.

    python benchmarks/generate.py                    # 200,000 children on both databases
    python benchmarks/generate.py --children 20000   # a smaller run
    python benchmarks/generate.py --only sqlite

Target on the 2-core development machine: national size in under 10 minutes on each.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent
MANAGE = ROOT / "manage.py"
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/lantern_bench_gen"
TARGET_SECONDS = 600


def _run(args: list[str], env: dict[str, str]) -> tuple[str, float]:
    """Run manage.py; return its output and how long it took (wall-clock seconds)."""
    started = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, str(MANAGE), *args], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    out = proc.stdout.read()
    proc.wait()
    proc.stdout.close()
    wall = time.monotonic() - started
    if proc.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed with exit code {proc.returncode}")
    return out, wall


def _environment(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "LANTERN_SQLITE_PATH")}
    env.pop("LANTERN_TESTING", None)
    env.update(extra)
    return env


def _recreate_postgres(url: str) -> None:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name.replace("_", "").isalnum():
        raise SystemExit(f"Refusing an unusual database name: {name!r}")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _load(env: dict[str, str], children: int, seed: int) -> dict:
    _run(["migrate", "--noinput", "-v0"], env)
    out, wall = _run(
        [
            "demo_load",
            "--scale",
            "national",
            "--children",
            str(children),
            "--seed",
            str(seed),
            "--json",
            "--no-flags",  # risk flags are the risk app's work, timed by its own benchmark
        ],
        env,
    )
    result = json.loads(out.strip().splitlines()[-1])
    result["wall_seconds"] = round(wall, 1)
    return result


def bench_sqlite(children: int, seed: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="lantern-bench-") as folder:
        path = Path(folder) / "bench.sqlite3"
        result = _load(_environment(LANTERN_SQLITE_PATH=str(path)), children, seed)
        result["database_mb"] = round(
            sum(p.stat().st_size for p in Path(folder).iterdir()) / 2**20, 1
        )
    result["database"] = "SQLite"
    return result


def bench_postgres(children: int, seed: int, url: str) -> dict:
    _recreate_postgres(url)
    result = _load(_environment(DATABASE_URL=url), children, seed)
    with psycopg.connect(url) as conn:
        size = conn.execute("SELECT pg_database_size(current_database())").fetchone()
    result["database_mb"] = round(size[0] / 2**20, 1) if size else None
    result["database"] = "PostgreSQL"
    return result


def _report(result: dict) -> None:
    rate = result["rows"] / result["seconds"] if result["seconds"] else 0
    verdict = "within" if result["wall_seconds"] < TARGET_SECONDS else "OVER"
    print(
        f"\n{result['database']}\n"
        f"  children                {result['children']:>12,}\n"
        f"  episodes                {result['episodes']:>12,}\n"
        f"  rows in total           {result['rows']:>12,}\n"
        f"  seconds (load)          {result['seconds']:>12,.1f}"
        f"  of which writing {result['write_seconds']:,.1f}\n"
        f"  seconds (whole command) {result['wall_seconds']:>12,.1f}"
        f"  ({verdict} the {TARGET_SECONDS // 60}-minute target)\n"
        f"  rows per second         {rate:>12,.0f}\n"
        f"  CPU seconds             {result['cpu_seconds']:>12,.1f}"
        f"  + generator worker {result['worker_cpu_seconds']:,.1f}\n"
        f"  peak memory (MB)        {_peak(result):>12,.1f}"
        f"  (loader {result['peak_rss_mb']:,.0f} + generator worker "
        f"{result['worker_peak_rss_mb']:,.0f}, running side by side)\n"
        f"  database size (MB)      {result['database_mb']:>12,.1f}\n"
        f"  load average after      {_load_average()}",
        flush=True,
    )


def _peak(result: dict) -> float:
    return result["peak_rss_mb"] + result["worker_peak_rss_mb"]


def _load_average() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_PG))
    parser.add_argument("--markdown", action="store_true", help="Also print a Markdown table")
    args = parser.parse_args()
    print(
        f"Lantern generator benchmark: {args.children:,} children, seed {args.seed}, "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"load average {_load_average()}",
        flush=True,
    )
    results = []
    if args.only in (None, "sqlite"):
        results.append(bench_sqlite(args.children, args.seed))
        _report(results[-1])
    if args.only in (None, "postgres"):
        results.append(bench_postgres(args.children, args.seed, args.database_url))
        _report(results[-1])
    if args.markdown:
        print(
            "\n| Database | Children | Episodes | Rows | Load s | Command s | Rows/s "
            "| CPU s (loader + worker) | Peak MB (loader + worker) |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for r in results:
            rate = r["rows"] / r["seconds"] if r["seconds"] else 0
            print(
                f"| {r['database']} | {r['children']:,} | {r['episodes']:,} | {r['rows']:,} | "
                f"{r['seconds']:,.0f} | {r['wall_seconds']:,.0f} | {rate:,.0f} | "
                f"{r['cpu_seconds']:,.0f} + {r['worker_cpu_seconds']:,.0f} | "
                f"{r['peak_rss_mb']:,.0f} + {r['worker_peak_rss_mb']:,.0f} |"
            )


if __name__ == "__main__":
    main()
