"""manage.py demo_signins: print the demo users, their roles and the shared password."""

from typing import Any

from django.core.management.base import BaseCommand

from lantern.demo.showcase import SHOWCASE_HINTS
from lantern.demo.users import DEMO_PASSWORD, SIGN_IN_URL, demo_signins


def _role(role: str, job: str) -> str:
    return role if job.lower() in role.lower() else f"{role}: {job}"


class Command(BaseCommand):
    help = "Print the demo sign-ins (one per role and organisation type)."
    # System checks import every view (seconds); runserver and the tests run them anyway.
    requires_system_checks: list[str] = []

    def handle(self, *args: Any, **options: Any) -> None:
        rows = demo_signins()
        if not rows:
            self.stdout.write("No demo users yet. Run: manage.py demo_load")
            return
        table = [("Username", "Role", "Organisation", "Password")] + [
            (r.username, _role(r.role, r.job), r.organisation, DEMO_PASSWORD) for r in rows
        ]
        widths = [max(len(row[i]) for row in table) for i in range(4)]
        lines = [
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
            for row in table
        ]
        lines.insert(1, "  ".join("-" * width for width in widths))
        self.stdout.write(f"\nLantern demo: sign in at {SIGN_IN_URL}\n")
        self.stdout.write("\n".join(lines))
        self.stdout.write("\nEvery demo user has the same password. The data is synthetic.\n")
        self.stdout.write("Children to look at (search by name):")
        for name, story in SHOWCASE_HINTS:
            self.stdout.write(f"  {name}: {story}")
        self.stdout.write("")
