"""Bulk writes: defer a table's indexes for a big load, refresh the planner's statistics, and
insert plain rows without building model instances.

Shared by the demo loader and the imports, which both write hundreds of thousands of rows in
one transaction, and by services that write thousands of rows in one request (agenda builds and
the shares they make).
"""

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from django.db import connection, models


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector while a bulk load builds its rows.

    A load of a few hundred thousand rows holds millions of small objects (rows, dates, tuples)
    until it ends; each of the collector's passes walks them all and frees nothing, and the
    passes come more often the more there are: about a fifth of a 400,000-row import's Python
    time. Memory is still freed as usual when the last reference goes; cycles wait until the
    end. The collector is process-wide, so other threads' cycles wait too.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def analyze(tables: Sequence[type[models.Model]]) -> None:
    """Refresh the query planner's statistics for these tables.

    After a bulk load the planner otherwise guesses from an empty or much smaller table (until
    autovacuum gets round to it), and picks scans that cost a national table per child: one
    child's re-score went from about 20 ms to 300 ms on freshly loaded national data.
    """
    names = [connection.ops.quote_name(m._meta.db_table) for m in tables]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE " + ", ".join(names))
        elif connection.vendor == "sqlite":
            for name in names:
                cursor.execute(f"ANALYZE {name}")


@contextmanager
def indexes_deferred(tables: Sequence[type[models.Model]], defer: bool) -> Iterator[int]:
    """Drop the tables' secondary indexes (on PostgreSQL also their foreign keys and exclusion
    constraints) for the body, then re-create them from the database's own catalogue and
    refresh the tables' statistics.

    Re-creating them checks every row again (a dangling key or an overlap fails the load), and
    they come back exactly as the migrations made them. Primary keys, unique and check
    constraints stay in force throughout. Dropping takes an exclusive lock on the tables until
    the transaction commits, so this is for a big load into a small database. If the body
    fails, the rollback brings everything back as it was: DDL is transactional in both
    databases. Yields how many indexes and constraints will be re-created.
    """
    if not defer:
        yield 0
        return
    names = [m._meta.db_table for m in tables]
    quote = connection.ops.quote_name
    drop: list[str] = []
    restore: list[str] = []
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            marks = ", ".join(["%s"] * len(names))
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "  # noqa: S608
                f"AND tbl_name IN ({marks}) ORDER BY name",
                names,
            )
            for name, sql in cursor.fetchall():
                drop.append(f"DROP INDEX {quote(name)}")
                restore.append(sql)
        else:
            cursor.execute(
                """SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid)
                   FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
                   WHERE t.relname = ANY(%s) AND c.contype IN ('f', 'x') ORDER BY 1, 2""",
                [names],
            )
            constraints = cursor.fetchall()
            cursor.execute(
                """SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
                   FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
                   WHERE t.relname = ANY(%s) AND NOT i.indisprimary
                     AND NOT EXISTS (SELECT 1 FROM pg_constraint c
                                     WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid)
                   ORDER BY 1""",
                [names],
            )
            indexes = cursor.fetchall()
            for table, name, _ in constraints:
                drop.append(f"ALTER TABLE {table} DROP CONSTRAINT {quote(name)}")
            for name, definition in indexes:
                drop.append(f"DROP INDEX {name}")
                restore.append(definition)
            for table, name, definition in constraints:
                restore.append(f"ALTER TABLE {table} ADD CONSTRAINT {quote(name)} {definition}")
            # A table with foreign-key checks still queued in this transaction cannot be
            # altered: run those now, then go back to Django's deferred checking.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for sql in drop:
            cursor.execute(sql)
    yield len(restore)
    with connection.cursor() as cursor:
        for sql in restore:
            cursor.execute(sql)
    analyze(tables)


def rows_insert(table: str, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> None:
    """Insert plain rows: COPY on PostgreSQL, executemany elsewhere.

    Building thousands of model instances (and binding their parameters) costs far more than the
    insert itself. Runs in the caller's transaction like any other write; constraints and
    triggers apply as usual. Rows get no primary keys back.
    """
    if not rows:
        return
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {quote(table)} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        adapt = connection.ops.adapt_datetimefield_value
        cursor.executemany(
            f"INSERT INTO {quote(table)} ({names}) VALUES ({', '.join('%s' for _ in columns)})",  # noqa: S608
            [tuple(adapt(v) if isinstance(v, datetime) else v for v in row) for row in rows],
        )
