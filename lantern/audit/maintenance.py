"""Database-level append-only protection for the audit tables, and the one way around it.

The triggers (installed by migrations 0002 for events and 0003 for the children they name)
refuse UPDATE, DELETE and TRUNCATE for the application. Only `manage.py flush` — a whole-database
wipe that operators and the test runner use — lifts them, for the duration of the wipe.
"""

import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_migrations = [
    importlib.import_module("lantern.audit.migrations.0002_append_only"),
    importlib.import_module("lantern.audit.migrations.0003_event_children"),
]


def _statements(connection: Any, install: bool) -> list[str]:
    statements: list[str] = []
    for migration in _migrations:
        if connection.vendor == "postgresql":
            statements += migration.POSTGRES if install else migration.POSTGRES_REVERSE
        else:
            statements += migration.SQLITE if install else migration.SQLITE_REVERSE
    return statements


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
