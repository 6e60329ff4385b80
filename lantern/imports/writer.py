"""Writing checked rows fast: PostgreSQL ``COPY`` or SQLite ``executemany``, inside the caller's
transaction, so the database's own constraints and triggers still apply.

Primary keys that other new rows point at are reserved first (PostgreSQL sequences; SQLite's
write lock is already held by its IMMEDIATE transaction), so a child's placements and episodes can
name the child before any row exists; rows nothing points at are numbered by the database as they
arrive. Columns the import does not fill take the model's defaults, and a field added to a model
later without a default stops the import with a clear error, never a guess.
"""

import random
import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from itertools import islice
from typing import Any

from django.db import connection, models
from django.db.models import Max

BATCH = 20_000
SLICE = 1000  # rows per write to a COPY


class WriterSchemaError(RuntimeError):
    pass


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """``count`` fresh primary keys for ``model``; the caller must be inside a transaction."""
    if count <= 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One block of numbers comes back as its ends; numbers shared out with another
            # session at the same moment come back one by one.
            cursor.execute(
                """WITH taken AS (SELECT nextval(pg_get_serial_sequence(%s, 'id')) AS n
                                  FROM generate_series(1, %s))
                   SELECT min(n), max(n),
                          CASE WHEN max(n) - min(n) + 1 = count(*) THEN NULL
                               ELSE array_agg(n ORDER BY n) END
                   FROM taken""",
                [table, count],
            )
            low, high, scattered = cursor.fetchone()
            return list(range(low, high + 1)) if scattered is None else list(scattered)
    top = model._default_manager.aggregate(top=Max("id"))["top"] or 0
    return list(range(top + 1, top + 1 + count))


def gist_order(rows: Sequence[tuple[Any, ...]]) -> list[tuple[int, int]]:
    """The runs of ``rows`` that share their first value (a child), in the order to write them.

    The no-overlap constraint on episodes is a GiST index on (child, period). Built over a table
    written child by child it costs about twice what it costs over one whose children come in
    no particular order (measured on PostgreSQL 15), so children are written in a shuffled
    order, each child's rows together. Seeded: the same import writes the same way.
    """
    runs: list[tuple[int, int]] = []
    first = 0
    for index in range(1, len(rows) + 1):
        if index == len(rows) or rows[index][0] != rows[first][0]:
            runs.append((first, index))
            first = index
    random.Random(0).shuffle(runs)
    return runs


_SPECIAL = re.compile(r"[\\\t\n\r]")
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value: Any) -> str:
    """One value in PostgreSQL's COPY text format.

    Done here rather than by psycopg's ``write_row`` because it is several times faster for the
    plain types an import writes, and an import may write millions of values.
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
        return value.isoformat()
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
    """Rows for one table. ``columns`` are attribute names (``child_id``), in row order;
    ``constants`` are columns with the same value on every row, given once.

    Leave out an auto-numbered primary key and the database numbers the rows as they arrive.
    """

    def __init__(
        self,
        model: type[models.Model],
        columns: Sequence[str],
        *,
        constants: dict[str, Any] | None = None,
        shuffle: bool = False,
    ) -> None:
        constants = constants or {}
        fields = {f.attname: f for f in model._meta.concrete_fields if not f.generated}
        unknown = [name for name in [*columns, *constants] if name not in fields]
        if unknown:
            raise WriterSchemaError(f"{model.__name__} has no column {unknown}")
        extra_columns, extra_values = [], []
        for name, f in fields.items():
            if name in columns or name in constants:
                continue
            if f.primary_key and isinstance(f, models.AutoField):
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
        self.columns = (
            [str(fields[name].column) for name in columns]
            + [str(fields[name].column) for name in constants]
            + extra_columns
        )
        self.suffix = (*constants.values(), *extra_values)
        self.rows: list[tuple[Any, ...]] = []
        self.written = 0
        # GiST indexes (the no-overlap constraint on episodes) take rows that arrive in key
        # order about twice as slowly as rows in no particular order: measured on PostgreSQL 15.
        self.shuffle = shuffle
        self._random = random.Random(0)
        # One cache per column of the text each value is written as: most values repeat
        # (a child's id, a popular day, a code), and a cache per column keeps True and 1 apart.
        self._texts: list[dict[Any, str]] = [{None: "\\N"} for _ in columns]
        self._suffix_text: str | None = None

    def add(self, row: tuple[Any, ...]) -> None:
        self.rows.append(row)
        if len(self.rows) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        rows, self.rows = self.rows, []
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                if self.shuffle:
                    self._random.shuffle(rows)
                with cursor.cursor.copy(self._copy_sql()) as copy:
                    # Format a slice, send it, format the next: the server stores one slice
                    # while Python prepares the next.
                    for start in range(0, len(rows), SLICE):
                        copy.write(self._copy_lines(rows[start : start + SLICE]))
            else:
                marks = ", ".join(["%s"] * len(self.columns))
                cursor.executemany(
                    f"INSERT INTO {self._quoted_table()} ({self._quoted_columns()}) "  # noqa: S608
                    f"VALUES ({marks})",
                    [tuple(_sqlite_value(v) for v in row + self.suffix) for row in rows],
                )
        self.written += len(rows)

    def stream(self, rows: Iterable[tuple[Any, ...]]) -> None:
        """Write rows as they are made. On PostgreSQL they go in one COPY, a slice at a time,
        so the server stores each slice while Python makes the next."""
        self.flush()
        if connection.vendor != "postgresql":
            for row in rows:
                self.add(row)
            self.flush()
            return
        with connection.cursor() as cursor, cursor.cursor.copy(self._copy_sql()) as copy:
            for chunk in _batches(rows, SLICE):
                copy.write(self._copy_lines(chunk))
                self.written += len(chunk)

    def _quoted_table(self) -> str:
        return connection.ops.quote_name(self.table)

    def _quoted_columns(self) -> str:
        return ", ".join(connection.ops.quote_name(c) for c in self.columns)

    def _copy_sql(self) -> str:
        return f"COPY {self._quoted_table()} ({self._quoted_columns()}) FROM STDIN"

    def _copy_lines(self, rows: Sequence[tuple[Any, ...]]) -> bytes:
        """Rows in COPY's text format. Each column remembers the text of the values it has seen."""
        suffix = self._suffix_text
        if suffix is None:
            suffix = self._suffix_text = "".join("\t" + _copy_text(v) for v in self.suffix) + "\n"
        texts = self._texts
        return "".join(
            [
                "\t".join(
                    [
                        known[v] if v in known else _remember(known, v)
                        for known, v in zip(texts, row, strict=True)
                    ]
                )
                + suffix
                for row in rows
            ]
        ).encode()


def _batches(rows: Iterable[tuple[Any, ...]], size: int) -> Iterator[list[tuple[Any, ...]]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _remember(known: dict[Any, str], value: Any) -> str:
    text = _copy_text(value)
    if len(known) < 100_000:
        known[value] = text
    return text


# Worth it for a big import into a small database (building an index once beats growing it row
# by row), not for a month's reports added to a big one: the same rule as lantern.demo.loader.
DEFER_INDEXES_FROM = 20_000


def should_defer_indexes(model: type[models.Model], new_rows: int) -> bool:
    """True when ``new_rows`` is at least DEFER_INDEXES_FROM and more than the table holds."""
    if new_rows < DEFER_INDEXES_FROM:
        return False
    return new_rows > model._default_manager.count()
