from django.core.management.base import BaseCommand

from apps.organization.roles import ALL_ROLES, permissions_for, sync_role_permissions


class Command(BaseCommand):
    help = "Give each role group exactly the permissions apps/organization/roles.py defines (idempotent)."

    def handle(self, *args, **options):
        sync_role_permissions()
        for role in ALL_ROLES:
            self.stdout.write(f"{role}: {permissions_for(role).count()} permissions")
