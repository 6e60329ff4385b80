"""A big import into a small database builds its indexes once; they come back exactly."""

import pytest
from django.db import connection

from lantern.common import bulk
from lantern.episodes.models import MissingEpisode
from lantern.imports import services, writer
from lantern.imports.tests.builders import write_903
from lantern.people.models import Child

pytestmark = pytest.mark.django_db


def schema_of(tables: list[str]) -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            marks = ", ".join(["%s"] * len(tables))
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' "  # noqa: S608
                f"AND tbl_name IN ({marks}) ORDER BY name",
                tables,
            )
        else:
            cursor.execute(
                """SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s)
                   UNION ALL
                   SELECT conname, pg_get_constraintdef(c.oid) FROM pg_constraint c
                   JOIN pg_class t ON t.oid = c.conrelid WHERE t.relname = ANY(%s)
                   ORDER BY 1""",
                [tables, tables],
            )
        return sorted(cursor.fetchall())


TABLES = ["people_child", "people_childidentifier", "people_placement", "episodes_missingepisode"]


def test_only_a_big_import_into_a_small_table_defers(world, monkeypatch):
    monkeypatch.setattr(writer, "DEFER_INDEXES_FROM", 3)
    assert writer.should_defer_indexes(MissingEpisode, 5)
    assert not writer.should_defer_indexes(MissingEpisode, 2)


def test_a_deferred_import_writes_the_rows_and_restores_every_index(world, tmp_path, monkeypatch):
    before = schema_of(TABLES)
    monkeypatch.setattr(writer, "DEFER_INDEXES_FROM", 1)
    seen = {}
    deferred = bulk.indexes_deferred

    def watching(tables, defer):
        seen["defer"] = defer
        return deferred(tables, defer)

    monkeypatch.setattr(services, "indexes_deferred", watching)
    run = services.ssda903_import(actor=None, directory=write_903(tmp_path), la=world.haringey)
    assert seen == {"defer": True}
    assert (run.children_created, run.episodes_created) == (2, 5)
    assert Child.objects.count() == 2
    assert schema_of(TABLES) == before


def test_a_failure_with_indexes_dropped_brings_them_back(world, tmp_path, monkeypatch):
    before = schema_of(TABLES)
    monkeypatch.setattr(writer, "DEFER_INDEXES_FROM", 1)

    def failing(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "_write_903", failing)
    with pytest.raises(RuntimeError):
        services.ssda903_import(actor=None, directory=write_903(tmp_path), la=world.haringey)
    assert schema_of(TABLES) == before
