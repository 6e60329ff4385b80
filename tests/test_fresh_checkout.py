"""`make run` on a fresh checkout: the embedded database's folder does not exist yet."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_migrate_creates_the_sqlite_folder_of_a_fresh_checkout(tmp_path):
    var = tmp_path / "fresh" / "var"
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("LANTERN_") and k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")
    }
    env.update(DJANGO_SETTINGS_MODULE="lantern.settings", LANTERN_VAR_DIR=str(var))
    result = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert (var / "lantern.sqlite3").stat().st_size > 0
