"""A killed import leaves nothing behind: SIGKILL a real `lantern import` half way through.

The import runs in a child process against a real database file (SQLite) or the test database
(PostgreSQL). A small wrapper pauses it just after it has written its first rows, inside its
transaction; the test then kills it with SIGKILL (no cleanup, no rollback call: the process just
stops) and counts what the database kept.
"""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from lantern.imports.tests.builders import write_903

TABLES = (
    "people_child",
    "people_childidentifier",
    "people_placement",
    "episodes_missingepisode",
    "imports_importrun",
)

PAUSING_IMPORT = """
import sys, time
from pathlib import Path
import django
django.setup()
from lantern.imports import writer
flush = writer.Inserter.flush
def pausing(self):
    flush(self)
    if self.written:
        Path(sys.argv[2]).write_text("written")
        time.sleep(120)
writer.Inserter.flush = pausing
from django.core.management import call_command
call_command("import", "ssda903", sys.argv[1], la="E09000014")
"""


def _database_env(tmp_path: Path) -> tuple[dict[str, str], object]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "lantern.settings", "LANTERN_TESTING": "1"}
    if connection.vendor == "sqlite":
        # The test database lives in memory: copy it (schema and organisations) to a file.
        path = tmp_path / "killed.sqlite3"
        target = sqlite3.connect(path)
        connection.ensure_connection()
        connection.connection.backup(target)
        target.close()
        env["LANTERN_SQLITE_PATH"] = str(path)
        env.pop("DATABASE_URL", None)

        def count_sqlite(table: str) -> int:
            with sqlite3.connect(path) as db:
                return db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]  # noqa: S608

        return env, count_sqlite
    db = connection.settings_dict
    env["DATABASE_URL"] = (
        f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )

    def count(table: str) -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608
            return cursor.fetchone()[0]

    return env, count


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_an_import_killed_half_way_leaves_the_database_as_it_was(world, tmp_path):
    env, count = _database_env(tmp_path)
    before = {table: count(table) for table in TABLES}
    marker = tmp_path / "written"
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-c", PAUSING_IMPORT, str(write_903(tmp_path / "set")), str(marker)],
        env=env,
        cwd=settings.BASE_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            assert process.poll() is None, process.communicate()[1].decode()[-2000:]
            assert time.monotonic() < deadline, "the import never reached its first write"
            time.sleep(0.1)
        if connection.vendor == "postgresql":
            # Written, but inside a transaction nobody else can see.
            assert count("people_child") == before["people_child"]
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    assert {table: count(table) for table in TABLES} == before


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_same_import_left_alone_commits(world, tmp_path):
    """The control: without the kill, the wrapper's import does write (so the test above could
    fail)."""
    env, count = _database_env(tmp_path)
    before = count("people_child")
    result = subprocess.run(  # noqa: S603
        [
            sys.executable,
            "-c",
            PAUSING_IMPORT.replace("time.sleep(120)", "pass"),
            str(write_903(tmp_path / "set")),
            str(tmp_path / "written"),
        ],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr.decode()[-2000:]
    assert count("people_child") == before + 2
