"""Database-level append-only protection for the audit table, and the one way around it.

The triggers (installed by migration 0002) refuse UPDATE, DELETE and TRUNCATE for the
application. Only `manage.py flush` — a whole-database wipe that operators and the test runner use
— lifts them, for the duration of the wipe.
"""

import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_migration = importlib.import_module("lantern.audit.migrations.0002_append_only")


def _statements(connection: Any, install: bool) -> list[str]:
    if connection.vendor == "postgresql":
        return _migration.POSTGRES if install else _migration.POSTGRES_REVERSE
    return _migration.SQLITE if install else _migration.SQLITE_REVERSE


@contextmanager
def triggers_lifted(connection: Any) -> Iterator[None]:
    with connection.cursor() as cursor:
        for sql in _statements(connection, install=False):
            cursor.execute(sql)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for sql in _statements(connection, install=True):
                cursor.execute(sql)
