"""Django's flush, lifting the audit table's append-only triggers for the wipe only."""

from typing import Any

from django.core.management.commands.flush import Command as FlushCommand
from django.db import connections

from lantern.audit.maintenance import triggers_lifted


class Command(FlushCommand):
    def handle(self, **options: Any) -> None:
        connection = connections[options["database"]]
        with triggers_lifted(connection):
            super().handle(**options)
