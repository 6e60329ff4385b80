"""Bulk writes: defer a table's indexes for a big load, and refresh the planner's statistics.

Shared by the demo loader and the imports, which both write hundreds of thousands of rows in
one transaction.
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from django.db import connection, models


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
