"""manage.py demo_build_postcodes: rebuild the generator's fixed sample of real postcodes."""

from typing import Any

from django.core.management.base import BaseCommand

from lantern.demo.reference import POSTCODE_SAMPLE, build_postcode_sample


class Command(BaseCommand):
    help = "Rebuild lantern/demo/data/postcode_sample.csv from the ONS Postcode Directory."

    def handle(self, *args: Any, **options: Any) -> None:
        count = build_postcode_sample()
        self.stdout.write(f"Wrote {count:,} postcodes to {POSTCODE_SAMPLE}")
