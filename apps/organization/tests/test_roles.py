import io

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command

from apps.organization import roles

pytestmark = pytest.mark.django_db


def test_every_role_exists_as_a_group():
    assert set(Group.objects.filter(name__in=roles.ALL_ROLES).values_list("name", flat=True)) == set(roles.ALL_ROLES)


def test_roles_hold_the_permissions_roles_py_gives_them():
    for role, names in roles.ROLE_PERMISSIONS.items():
        held = {f"{p.content_type.app_label}.{p.codename}"
                for p in Group.objects.get(name=role).permissions.select_related("content_type")}
        assert set(names) <= held, role


def test_auditor_can_view_everything_but_credentials_and_change_nothing():
    held = Group.objects.get(name=roles.AUDITOR).permissions.all()
    viewable = Permission.objects.filter(codename__startswith="view_").exclude(content_type__app_label="knox")
    assert set(held) == set(viewable)
    assert not held.exclude(codename__startswith="view_").exists()


def _held(role):
    return {f"{p.content_type.app_label}.{p.codename}"
            for p in Group.objects.get(name=role).permissions.select_related("content_type")}


def test_no_head_office_role_holds_a_permission_that_moves_customer_money():
    money_moving = {"accounts.change_account", "accounts.operate_cash", "accounts.add_tellertransaction",
                    "payments.add_transfer", "payments.add_outgoingpayment", "payments.request_large_payment"}
    for role in (roles.COMPLIANCE_OFFICER, roles.AUDITOR, roles.OPERATIONS_ADMIN):
        assert not _held(role) & money_moving, role
    assert "organization.decide_approvalrequest" not in _held(roles.COMPLIANCE_OFFICER)


def test_only_operations_may_change_the_beat_schedules():
    for role in roles.ALL_ROLES:
        changes_beat = any(name.startswith("django_celery_beat.") and not name.split(".")[1].startswith("view_")
                           for name in _held(role))
        assert changes_beat == (role == roles.OPERATIONS_ADMIN), role


@pytest.mark.parametrize("resync", [
    lambda: call_command("sync_roles", stdout=io.StringIO()),
    lambda: call_command("migrate", "organization", verbosity=0),  # post_migrate: what a deployment runs
])
def test_a_deployed_group_loses_a_permission_roles_py_no_longer_gives(resync):
    # given a compliance group as deployed before the roles review
    group = Group.objects.get(name=roles.COMPLIANCE_OFFICER)
    group.permissions.add(Permission.objects.get(content_type__app_label="accounts", codename="change_account"),
                          Permission.objects.get(content_type__app_label="organization",
                                                 codename="decide_approvalrequest"))
    resync()
    assert "accounts.change_account" not in _held(roles.COMPLIANCE_OFFICER)
    assert "organization.decide_approvalrequest" not in _held(roles.COMPLIANCE_OFFICER)
    assert set(roles.ROLE_PERMISSIONS[roles.COMPLIANCE_OFFICER]) == _held(roles.COMPLIANCE_OFFICER)


def test_teller_cannot_decide_approvals_but_a_branch_manager_can(teller_a, manager_a):
    assert not teller_a.has_perm("organization.decide_approvalrequest")
    assert manager_a.has_perm("organization.decide_approvalrequest")
