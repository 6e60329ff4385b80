"""Write generated children to the database fast, in one transaction with one audit event.

At national scale (200,000 children, about 8 million rows) saving model instances one by one
would take hours, so the loader assigns primary keys itself and writes plain rows: SQLite
``executemany`` and PostgreSQL ``COPY`` through Django's own connection, so the transaction,
the constraints and the triggers are the ordinary ones. Column lists (``rows.COLUMNS``) are
checked against the models, so a field added later with a default is filled in, and one
without is reported.

``load_generated`` can run generation and row building in a worker process while this one
writes, which uses both cores of a small machine. Search keys (``ChildNameKey``) are written
with the children, as ``people.services`` would.
"""

import multiprocessing
import os
import queue as queues
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import Max
from tqdm import tqdm

from lantern.accounts.models import Organisation, User
from lantern.audit.models import Action
from lantern.audit.services import audit_record
from lantern.common import bulk
from lantern.demo.generator import generate
from lantern.demo.records import Config, GenChild
from lantern.demo.rows import COLUMNS, Batch, Context, RowBuilder, produce
from lantern.demo.users import demo_organisations
from lantern.episodes.models import MissingEpisode, PoliceGrading
from lantern.interviews.models import Disclosure, InterviewFactor, ReturnInterview
from lantern.people.models import (
    Child,
    ChildAlias,
    ChildIdentifier,
    ChildNameKey,
    LeadProfessional,
    Placement,
)

MODELS: dict[str, type[models.Model]] = {
    "child": Child,
    "alias": ChildAlias,
    "identifier": ChildIdentifier,
    "namekey": ChildNameKey,
    "lead": LeadProfessional,
    "placement": Placement,
    "episode": MissingEpisode,
    "grading": PoliceGrading,
    "interview": ReturnInterview,
    "interview_episode": ReturnInterview.episodes.through,
    "factor": InterviewFactor,
    "disclosure": Disclosure,
}
WORKER_TIMEOUT = 600  # seconds without a batch before giving up on the worker
DEFER_INDEXES_FROM = 5000  # children


class LoaderSchemaError(RuntimeError):
    pass


class _Table:
    """One table: its columns (the loader's, then the model's others from their defaults)."""

    def __init__(self, model: type[models.Model], columns: tuple[str, ...]) -> None:
        fields = {f.attname: f for f in model._meta.concrete_fields if not f.generated}
        unknown = [name for name in columns if name not in fields]
        if unknown:
            raise LoaderSchemaError(f"{model.__name__} has no column {unknown}")
        extra_names, extra_values = [], []
        for name, f in fields.items():
            if name in columns:
                continue
            fills_itself = f.empty_strings_allowed and not f.is_relation
            if not (f.has_default() or f.null or fills_itself):
                raise LoaderSchemaError(
                    f"{model.__name__}.{name} has no default: teach lantern.demo.rows about it"
                )
            extra_names.append(str(f.column))
            extra_values.append(f.get_db_prep_save(f.get_default(), connection))
        self.model = model
        self.table = model._meta.db_table
        self.columns = [str(fields[name].column) for name in columns] + extra_names
        self.suffix = tuple(extra_values)
        self.written = 0
        self.next_id = (model._default_manager.aggregate(top=Max("id"))["top"] or 0) + 1

    def write(self, cursor: Any, rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        quoted = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        table = connection.ops.quote_name(self.table)
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(self.columns))
            cursor.executemany(f"INSERT INTO {table} ({quoted}) VALUES ({marks})", rows)  # noqa: S608
        self.written += len(rows)


@dataclass
class LoadResult:
    children: int = 0
    episodes: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    write_seconds: float = 0.0  # of ``seconds``, spent in the database writing rows
    index_seconds: float = 0.0  # of ``seconds``: re-creating deferred indexes, statistics
    deferred_indexes: int = 0
    first_child_id: int = 0
    last_child_id: int = 0
    worker: bool = False
    worker_peak_mb: float = 0.0

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


Batches = Callable[[Context], Iterator[Batch]]


def _in_process(children: Iterable[GenChild], batch: int) -> Batches:
    def batches(context: Context) -> Iterator[Batch]:
        builder = RowBuilder(context)
        pending = episodes = 0
        for child in children:
            builder.add(child)
            pending += 1
            episodes += len(child.episodes)
            if pending >= batch:
                yield Batch(builder.take(), pending, episodes)
                pending = episodes = 0
        yield Batch(builder.take(), pending, episodes)

    return batches


def _in_worker(cfg: Config, batch: int) -> Batches:
    """Generate in a fresh ('spawn') process, so it shares no database connection with us."""

    def batches(context: Context) -> Iterator[Batch]:
        ctx = multiprocessing.get_context("spawn")
        channel = ctx.Queue(maxsize=4)
        worker = ctx.Process(target=produce, args=(cfg, context, channel, batch), daemon=True)
        worker.start()
        waited = 0.0
        try:
            while True:
                try:
                    item = channel.get(timeout=5)
                except queues.Empty:
                    waited += 5
                    if not worker.is_alive() or waited > WORKER_TIMEOUT:
                        raise RuntimeError("The generator worker stopped unexpectedly") from None
                    continue
                waited = 0.0
                if item.error:
                    raise RuntimeError(f"The generator worker failed:\n{item.error}")
                yield item
                if item.done:
                    break
            worker.join(timeout=30)
        finally:
            if worker.is_alive():
                worker.terminate()
                worker.join()

    return batches


def _lock_tables(cursor: Any) -> None:
    """Primary keys are assigned here, so no one else may insert while the load runs.

    SQLite's IMMEDIATE transactions already hold the write lock; PostgreSQL needs telling.
    """
    if connection.vendor == "postgresql":
        names = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in MODELS.values())
        cursor.execute(f"LOCK TABLE {names} IN SHARE ROW EXCLUSIVE MODE")


def _context(tables: dict[str, _Table]) -> Context:
    orgs = dict(Organisation.objects.exclude(ons_code="").values_list("ons_code", "id"))
    orgs.update({key: org.pk for key, org in demo_organisations().items()})
    return Context(
        orgs=orgs,
        users=dict(User.objects.values_list("username", "id")),
        next_ids={key: table.next_id for key, table in tables.items()},
        sqlite=connection.vendor == "sqlite",
        suffixes={key: table.suffix for key, table in tables.items() if table.suffix},
    )


def _load(
    batches: Batches,
    *,
    total: int | None,
    progress: bool,
    summary: dict[str, Any] | None,
    worker: bool = False,
    defer_indexes: bool | None = None,
) -> LoadResult:
    started = time.monotonic()
    result = LoadResult(worker=worker)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # 256 MB of page cache, so index pages stay in memory as the tables grow.
            cursor.execute("PRAGMA cache_size = -262144")
        _lock_tables(cursor)
        tables = {key: _Table(MODELS[key], columns) for key, columns in COLUMNS.items()}
        context = _context(tables)
        result.first_child_id = tables["child"].next_id
        if defer_indexes is None:
            # Worth it for a big load into a small database (building an index once beats
            # growing it row by row), not for a few children added to a big one.
            existing = result.first_child_id - 1
            defer_indexes = (total or 0) >= DEFER_INDEXES_FROM and (total or 0) > existing
        loaded = list(MODELS.values())
        with bulk.indexes_deferred(loaded, defer_indexes) as deferred_count:
            with tqdm(total=total, unit=" children", disable=not progress, smoothing=0.1) as bar:
                for batch in batches(context):
                    if batch.done:
                        result.worker_peak_mb = batch.extra.get("peak_rss_mb", 0.0)
                        continue
                    writing = time.monotonic()
                    for key, rows in batch.rows.items():
                        tables[key].write(cursor, rows)
                    result.write_seconds += time.monotonic() - writing
                    result.episodes += batch.episodes
                    bar.update(batch.children)
            indexing = time.monotonic()
        if not defer_indexes:
            bulk.analyze(loaded)  # (a deferred load's indexes_deferred has just done this)
        result.index_seconds = time.monotonic() - indexing
        result.deferred_indexes = deferred_count
        if connection.vendor == "postgresql":
            for sql in connection.ops.sequence_reset_sql(no_style(), list(MODELS.values())):
                cursor.execute(sql)
        result.rows = {t.model._meta.label_lower: t.written for t in tables.values()}
        result.children = tables["child"].written
        result.last_child_id = result.first_child_id + result.children - 1
        result.seconds = time.monotonic() - started
        audit_record(
            actor=None,
            action=Action.CREATE,
            object_type="demo.load",
            summary=(
                f"Loaded synthetic demo data: {result.children} children, "
                f"{result.episodes} episodes"
            ),
            detail={
                **(summary or {}),
                "rows": result.rows,
                "first_child_id": result.first_child_id,
                "last_child_id": result.last_child_id,
                "loaded_at": datetime.now(UTC).isoformat(),
            },
        )
    return result


def load(
    children: Iterable[GenChild],
    *,
    total: int | None = None,
    progress: bool = False,
    batch: int = 2000,
    summary: dict[str, Any] | None = None,
    defer_indexes: bool | None = None,
) -> LoadResult:
    """Write the children and everything about them; one transaction, one audit event.

    ``summary`` goes into the audit event's detail (scale, seed and so on).
    """
    return _load(
        _in_process(children, batch),
        total=total,
        progress=progress,
        summary=summary,
        defer_indexes=defer_indexes,
    )


def load_generated(
    cfg: Config,
    *,
    worker: bool | None = None,
    progress: bool = False,
    batch: int = 2000,
    summary: dict[str, Any] | None = None,
    defer_indexes: bool | None = None,
) -> LoadResult:
    """Generate ``cfg`` and load it. ``worker``: generate in a second process (the default
    for large loads on a machine with more than one core)."""
    if worker is None:
        worker = cfg.children >= 5000 and (os.cpu_count() or 1) > 1
    batches = _in_worker(cfg, batch) if worker else _in_process(generate(cfg), batch)
    return _load(
        batches,
        total=cfg.children,
        progress=progress,
        summary=summary,
        worker=worker,
        defer_indexes=defer_indexes,
    )
