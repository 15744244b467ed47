"""The API tokens of ``rest_framework.authtoken`` were stored in plain text and never expired. They are
replaced by knox's hashed, expiring tokens: drop the old table, so no plain secret stays in the database and
no old token can ever be accepted again, and forget the old app's permissions and migration records.

Every channel logs in again after this migration (its old token is a 401).
"""

from django.db import migrations
from django.db.migrations.recorder import MigrationRecorder


def forget_rest_framework_authtoken(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.using(schema_editor.connection.alias).filter(app_label="authtoken").delete()  # + its permissions
    MigrationRecorder(schema_editor.connection).migration_qs.filter(app="authtoken").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("organization", "0002_role_groups"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("knox", "0009_extend_authtoken_field"),
    ]

    operations = [
        # Standard SQL on both PostgreSQL and SQLite; a fresh database never had the table.
        migrations.RunSQL("DROP TABLE IF EXISTS authtoken_token", reverse_sql=migrations.RunSQL.noop),
        migrations.RunPython(forget_rest_framework_authtoken, migrations.RunPython.noop),
    ]
