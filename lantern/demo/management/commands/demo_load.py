"""manage.py demo_load: load the synthetic demo (or national-size) dataset and the demo users."""

import json
import resource
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from lantern.demo import generator
from lantern.demo.loader import load_generated
from lantern.demo.rows import peak_rss_mb
from lantern.demo.users import demo_users_ensure
from lantern.people.models import Child
from lantern.risk.services import flags_refresh_all

SCALES = {
    "demo": (generator.demo_config, 500),
    "national": (generator.national_config, 200_000),
}


class Command(BaseCommand):
    help = (
        "Load synthetic children, episodes and interviews (never real people) and the demo "
        "users. --scale demo: Haringey and its neighbours, about 500 children; --scale "
        "national: 200,000 children and about a million episodes across England."
    )
    # System checks import every view (seconds); runserver and the tests run them anyway.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", choices=sorted(SCALES), default="demo")
        parser.add_argument("--children", type=int, help="How many children (default by scale)")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing if any child exists already"
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bar")
        parser.add_argument("--json", action="store_true", help="Print the result as JSON")
        parser.add_argument(
            "--keep-indexes",
            action="store_true",
            help="Keep indexes while loading (by default big loads re-create them at the end)",
        )
        parser.add_argument(
            "--no-flags",
            action="store_true",
            help="Do not compute risk flags after loading (the generator benchmark times the "
            "load alone)",
        )
        parser.add_argument(
            "--in-process",
            action="store_true",
            help="Generate in this process (by default large loads generate in a second one)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError(
                "demo_load creates users with a published password: not in production."
            )
        if options["if_empty"] and Child.objects.exists():
            self.stdout.write("Children already exist: the demo data was not loaded again.")
            return
        make_config, default_children = SCALES[options["scale"]]
        children = options["children"] or default_children
        if children < 1:
            raise CommandError("--children must be 1 or more")
        with transaction.atomic():
            created = demo_users_ensure()
            first = (Child.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
            config = make_config(children=children, seed=options["seed"], first_number=first)
            result = load_generated(
                config,
                worker=False if options["in_process"] else None,
                defer_indexes=False if options["keep_indexes"] else None,
                progress=not options["no_progress"] and sys.stderr.isatty(),
                summary={
                    "scale": options["scale"],
                    "seed": options["seed"],
                    "children": children,
                    "users_created": created,
                },
            )
        flags = flag_seconds = 0.0
        if not options["no_flags"]:
            # The loader writes rows, not model saves, so no per-write refresh ran (risk app).
            started = time.monotonic()
            flags = flags_refresh_all()
            flag_seconds = time.monotonic() - started
        me = resource.getrusage(resource.RUSAGE_SELF)
        worker = resource.getrusage(resource.RUSAGE_CHILDREN)
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "children": result.children,
                        "episodes": result.episodes,
                        "rows": result.total_rows,
                        "tables": result.rows,
                        "seconds": round(result.seconds, 2),
                        "write_seconds": round(result.write_seconds, 2),
                        "index_seconds": round(result.index_seconds, 2),
                        "deferred_indexes": result.deferred_indexes,
                        "peak_rss_mb": round(peak_rss_mb(), 1),
                        "cpu_seconds": round(me.ru_utime + me.ru_stime, 1),
                        "worker_peak_rss_mb": round(result.worker_peak_mb, 1),
                        "worker_cpu_seconds": round(worker.ru_utime + worker.ru_stime, 1),
                        "flags_raised": flags,
                        "flag_seconds": round(flag_seconds, 2),
                        "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
                    }
                )
            )
            return
        self.stdout.write(
            f"Loaded {result.children:,} children, {result.episodes:,} episodes and "
            f"{result.total_rows:,} rows in all in {result.seconds:.1f} seconds "
            f"({result.total_rows / max(result.seconds, 1e-9):,.0f} rows a second)."
        )
        if not options["no_flags"]:
            self.stdout.write(f"Raised {flags:,} risk flags in {flag_seconds:.1f} seconds.")
