"""Risk benchmark (issue 3): recompute every child's flags on the national dataset, and re-score
one child after a new episode.

Runs against a database that already holds the national synthetic dataset, by default the one
`benchmarks/generate.py` leaves in PostgreSQL:

    .venv/bin/python benchmarks/generate.py --only postgres      # once: 200,000 children
    .venv/bin/python benchmarks/risk.py                          # this benchmark

Targets: every child's flags on PostgreSQL in under 60 s; one child re-scored after a new
episode in under 50 ms. Existing flags are deleted first, so the recompute does the full work.
"""

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/lantern_bench_gen"
    )
    parser.add_argument("--samples", type=int, default=30)
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lantern.settings")
    import django

    django.setup()
    from django.db import transaction
    from django.utils import timezone

    from lantern.episodes.models import MissingEpisode
    from lantern.people.models import Child
    from lantern.risk import services
    from lantern.risk.models import Flag

    children = Child.objects.count()
    episodes = MissingEpisode.objects.count()
    if children < 1000:
        print("The database holds too few children: run benchmarks/generate.py first.")
        return 1
    print(f"Risk benchmark: {children:,} children, {episodes:,} episodes; load {os.getloadavg()}")
    now = timezone.now()
    with transaction.atomic():
        Flag.objects.all().delete()
    started = time.perf_counter()
    raised = services.flags_refresh_all(now=now)
    whole = time.perf_counter() - started
    verdict = "within" if whole < 60 else "OVER"
    print(f"  recompute every child's flags  {whole:8.1f} s  ({raised:,} flags; {verdict} 60 s)")

    # One child after a new episode: add an episode (rolled back afterwards) and re-score.
    ids = list(
        MissingEpisode.objects.filter(returned_at__isnull=False)
        .order_by("-last_seen_at")
        .values_list("child_id", flat=True)[: args.samples * 5]
    )
    sample = list(dict.fromkeys(ids))[: args.samples]
    timings = []
    for child in Child.objects.filter(pk__in=sample):
        latest = child.episodes.order_by("-last_seen_at").first()
        start = max(now - timedelta(hours=3), latest.returned_at + timedelta(minutes=1))
        with transaction.atomic():
            MissingEpisode.objects.create(
                child=child,
                setting="home",
                whereabouts="unknown",
                looked_after=False,
                last_seen_at=start,
                reported_at=start,
                reporter_kind="police",
            )
            began = time.perf_counter()
            services.flags_refresh_for_child(child=child, now=now)
            timings.append((time.perf_counter() - began) * 1000)
            transaction.set_rollback(True)
    timings.sort()
    median = statistics.median(timings)
    verdict = "within" if median < 50 else "OVER"
    print(
        f"  re-score one child after a new episode  median {median:.1f} ms, "
        f"90th {timings[int(len(timings) * 0.9) - 1]:.1f} ms, max {timings[-1]:.1f} ms "
        f"({len(timings)} children; {verdict} 50 ms)"
    )
    print(f"  load average after {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
