"""The children named by list, search, export and map events, append-only like the events (AD2,
AD6, AD10)."""

import django.db.models.deletion
from django.db import migrations, models

SQLITE = [
    """CREATE TRIGGER audit_event_child_no_update BEFORE UPDATE ON audit_auditeventchild
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;""",
    """CREATE TRIGGER audit_event_child_no_delete BEFORE DELETE ON audit_auditeventchild
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS audit_event_child_no_update;",
    "DROP TRIGGER IF EXISTS audit_event_child_no_delete;",
]
# A function of its own, so lifting either table's triggers never depends on the other's.
POSTGRES = [
    """CREATE OR REPLACE FUNCTION audit_event_child_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'audit events are append-only'; END; $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER audit_event_child_no_change BEFORE UPDATE OR DELETE ON audit_auditeventchild
       FOR EACH ROW EXECUTE FUNCTION audit_event_child_append_only();""",
    """CREATE TRIGGER audit_event_child_no_truncate BEFORE TRUNCATE ON audit_auditeventchild
       FOR EACH STATEMENT EXECUTE FUNCTION audit_event_child_append_only();""",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS audit_event_child_no_change ON audit_auditeventchild;",
    "DROP TRIGGER IF EXISTS audit_event_child_no_truncate ON audit_auditeventchild;",
    "DROP FUNCTION IF EXISTS audit_event_child_append_only();",
]


def forwards(apps, schema_editor):
    statements = POSTGRES if schema_editor.connection.vendor == "postgresql" else SQLITE
    for sql in statements:
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    statements = POSTGRES_REVERSE if schema_editor.connection.vendor == "postgresql" else SQLITE_REVERSE
    for sql in statements:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only")]

    operations = [
        migrations.CreateModel(
            name="AuditEventChild",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("child_id", models.BigIntegerField()),
                (
                    "event",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="children",
                        to="audit.auditevent",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("child_id", "event"), name="audit_event_child_once"
                    )
                ],
            },
        ),
        migrations.RunPython(forwards, backwards),
    ]
