"""The `lantern` command: Django's management commands under one short name.

`lantern export ssda903 ...` runs the `export` management command, and so on.
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lantern.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["lantern", *sys.argv[1:]])
