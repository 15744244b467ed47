"""Create the role groups. Their permissions come from apps/organization/roles.py (synced after migrate)."""

from django.db import migrations

ROLES = ["Teller", "Branch manager", "Loan officer", "Compliance officer", "Auditor", "Operations admin"]


def create_role_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLES:
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [("organization", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(create_role_groups, migrations.RunPython.noop)]
