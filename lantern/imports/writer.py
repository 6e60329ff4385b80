"""Writing checked rows fast: PostgreSQL ``COPY`` or SQLite ``executemany``, inside the caller's
transaction, so the database's own constraints and triggers still apply.

Primary keys are reserved first (PostgreSQL sequences; SQLite's write lock is already held by its
IMMEDIATE transaction) so children, placements, episodes and gradings can refer to each other
before any row exists. Columns the import does not fill take the model's defaults, and a field
added to a model later without a default stops the import with a clear error, never a guess.
"""

import random
import re
from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from django.db import connection, models
from django.db.models import Max

BATCH = 20_000


class WriterSchemaError(RuntimeError):
    pass


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """``count`` fresh primary keys for ``model``; the caller must be inside a transaction."""
    if count <= 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return [row[0] for row in cursor.fetchall()]
    top = model._default_manager.aggregate(top=Max("id"))["top"] or 0
    return list(range(top + 1, top + 1 + count))


_SPECIAL = re.compile(r"[\\\t\n\r]")
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


_MOMENTS: dict[date, str] = {}


def _copy_text(value: Any) -> str:
    """One value in PostgreSQL's COPY text format.

    Done here rather than by psycopg's ``write_row`` because it is several times faster for the
    plain types an import writes, and an import may write millions of values. Dates and times
    repeat a great deal (every row's created_at, midday on popular days) and are remembered.
    """
    if value is None:
        return "\\N"
    kind = type(value)
    if kind is str:
        return value.translate(_ESCAPES) if _SPECIAL.search(value) else value
    if kind is bool:
        return "t" if value else "f"
    if kind is int or kind is Decimal:
        return str(value)
    if kind is datetime or kind is date:
        text = _MOMENTS.get(value)
        if text is None:
            text = value.isoformat()
            if len(_MOMENTS) < 200_000:
                _MOMENTS[value] = text
        return text
    if isinstance(value, str):  # a choices member: its plain value
        return _copy_text(str.__str__(value))
    if isinstance(value, datetime | date | int | Decimal):
        return str(value) if not isinstance(value, date) else value.isoformat()
    raise TypeError(f"Cannot write {kind.__name__} with COPY")


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, datetime):
        # Django keeps SQLite date-times as naive UTC text.
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


class Inserter:
    """Rows for one table. ``columns`` are attribute names (``child_id``), in row order."""

    def __init__(
        self, model: type[models.Model], columns: Sequence[str], *, shuffle: bool = False
    ) -> None:
        fields = {f.attname: f for f in model._meta.concrete_fields if not f.generated}
        unknown = [name for name in columns if name not in fields]
        if unknown:
            raise WriterSchemaError(f"{model.__name__} has no column {unknown}")
        extra_columns, extra_values = [], []
        for name, f in fields.items():
            if name in columns:
                continue
            fills_itself = f.empty_strings_allowed and not f.is_relation
            if not (f.has_default() or f.null or fills_itself):
                raise WriterSchemaError(
                    f"{model.__name__}.{name} has no default: teach lantern.imports about it"
                )
            extra_columns.append(str(f.column))
            extra_values.append(f.get_db_prep_save(f.get_default(), connection))
        self.model = model
        self.table = model._meta.db_table
        self.columns = [str(fields[name].column) for name in columns] + extra_columns
        self.suffix = tuple(extra_values)
        self.rows: list[tuple[Any, ...]] = []
        self.written = 0
        # GiST indexes (the no-overlap constraint on episodes) take rows that arrive in key
        # order about twice as slowly as rows in no particular order: measured on PostgreSQL 15.
        self.shuffle = shuffle
        self._random = random.Random(0)

    def add(self, row: tuple[Any, ...]) -> None:
        self.rows.append(row)
        if len(self.rows) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        rows, self.rows = self.rows, []
        quoted = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        table = connection.ops.quote_name(self.table)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                if self.shuffle:
                    self._random.shuffle(rows)
                suffix = "".join("\t" + _copy_text(v) for v in self.suffix)
                with cursor.cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
                    # Format a slice, send it, format the next: the server works on one slice
                    # while Python prepares the next.
                    for start in range(0, len(rows), 1000):
                        copy.write(
                            "".join(
                                "\t".join([_copy_text(v) for v in row]) + suffix + "\n"
                                for row in rows[start : start + 1000]
                            ).encode()
                        )
            else:
                marks = ", ".join(["%s"] * len(self.columns))
                cursor.executemany(
                    f"INSERT INTO {table} ({quoted}) VALUES ({marks})",  # noqa: S608
                    [tuple(_sqlite_value(v) for v in row + self.suffix) for row in rows],
                )
        self.written += len(rows)


# Worth it for a big import into a small database (building an index once beats growing it row
# by row), not for a month's reports added to a big one: the same rule as lantern.demo.loader.
DEFER_INDEXES_FROM = 20_000


def should_defer_indexes(model: type[models.Model], new_rows: int) -> bool:
    """True when ``new_rows`` is at least DEFER_INDEXES_FROM and more than the table holds."""
    if new_rows < DEFER_INDEXES_FROM:
        return False
    return new_rows > model._default_manager.count()
