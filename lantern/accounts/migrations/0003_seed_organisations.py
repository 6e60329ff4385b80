from django.db import migrations


def seed(apps, schema_editor):
    from lantern.accounts.services import organisations_seed

    organisations_seed(apps.get_model("accounts", "Organisation"))


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
