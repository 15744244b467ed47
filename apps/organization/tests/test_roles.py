import pytest
from django.contrib.auth.models import Group, Permission

from apps.organization import roles

pytestmark = pytest.mark.django_db


def test_every_role_exists_as_a_group():
    assert set(Group.objects.filter(name__in=roles.ALL_ROLES).values_list("name", flat=True)) == set(roles.ALL_ROLES)


def test_roles_hold_the_permissions_roles_py_gives_them():
    for role, names in roles.ROLE_PERMISSIONS.items():
        held = {f"{p.content_type.app_label}.{p.codename}"
                for p in Group.objects.get(name=role).permissions.select_related("content_type")}
        assert set(names) <= held, role


def test_auditor_can_view_everything_and_change_nothing():
    held = Group.objects.get(name=roles.AUDITOR).permissions.all()
    assert held.count() == Permission.objects.filter(codename__startswith="view_").count()
    assert not held.exclude(codename__startswith="view_").exists()


def test_teller_cannot_decide_approvals_but_a_branch_manager_can(teller_a, manager_a):
    assert not teller_a.has_perm("organization.decide_approvalrequest")
    assert manager_a.has_perm("organization.decide_approvalrequest")
