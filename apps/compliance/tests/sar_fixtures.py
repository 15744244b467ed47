"""A case raised by a real large-cash alert, and the two compliance officers of a SAR's maker-checker."""

import pytest
from django.contrib.auth.models import Permission

from apps.accounts.tests.factories import deposit, open_funded_account
from apps.compliance.models import Case, TypologySetting
from apps.organization import roles
from apps.organization.tests.factories import StaffFactory

DRAFTER_PERMISSIONS = ("compliance.draft_sar", "compliance.file_sar", "compliance.view_suspiciousactivityreport",
                       "compliance.view_currencytransactionreport", "compliance.file_ctr")
CHECKER_PERMISSIONS = ("compliance.approve_sar", "organization.decide_approvalrequest",
                       "compliance.view_suspiciousactivityreport")


def with_permissions(user, names):
    for name in names:
        app_label, codename = name.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return type(user).objects.get(pk=user.pk)  # permissions are cached on the instance


@pytest.fixture
def case(customer, savings, teller_a, django_capture_on_commit_callbacks):
    TypologySetting.objects.create(typology="large_cash", currency="EUR", parameters={"amount_at_least": "10000"})
    account = open_funded_account(customer, savings, "100.00", teller=teller_a)
    with django_capture_on_commit_callbacks(execute=True):
        deposit(account, "12000.00", teller=teller_a)
    return Case.objects.get(customer=customer)


@pytest.fixture
def drafter(compliance_officer):
    return with_permissions(compliance_officer, DRAFTER_PERMISSIONS)


@pytest.fixture
def checker(branch_a):
    return with_permissions(StaffFactory(role=roles.COMPLIANCE_OFFICER, home_branch=branch_a), CHECKER_PERMISSIONS)
