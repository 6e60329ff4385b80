"""On PostgreSQL, the database itself refuses overlapping episodes for one child.

The service checks first and gives the friendly message; this constraint catches anything that
slips past (a race, a bulk import). SQLite relies on the service check under its write lock.
"""

from django.db import migrations

FORWARDS = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist;",
    """ALTER TABLE episodes_missingepisode ADD CONSTRAINT episode_no_overlap
       EXCLUDE USING gist (child_id WITH =, tstzrange(last_seen_at, returned_at, '[)') WITH &&);""",
]
BACKWARDS = ["ALTER TABLE episodes_missingepisode DROP CONSTRAINT IF EXISTS episode_no_overlap;"]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in FORWARDS:
            schema_editor.execute(sql)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in BACKWARDS:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("episodes", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
