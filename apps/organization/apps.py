from django.apps import AppConfig
from django.db.models.signals import post_migrate


class OrganizationConfig(AppConfig):
    name = "apps.organization"
    label = "organization"
    verbose_name = "Organization: bank, branches, staff and approvals"

    def ready(self) -> None:
        from apps.organization import work_queues  # noqa: F401  (registers the approvals queue of the admin home)
        from apps.organization.roles import sync_role_permissions  # here: roles imports auth's models

        # Setup, not business flow: after every migrate the role groups get the permissions roles.py names,
        # including those of models that later migrations added.
        post_migrate.connect(sync_role_permissions, dispatch_uid="organization.sync_role_permissions")

