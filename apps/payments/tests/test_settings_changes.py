"""Transfer fees, transfer limits and fraud rules (the thresholds the bank keeps in the database) change only when
a second person approves: saving one in the admin proposes the change, the checker sees the diff, approval
applies it with the checker and the maker in history, the maker approving their own change is refused."""

from decimal import Decimal

import pytest
from django.urls import reverse

from apps.organization.errors import CheckerIsMaker
from apps.organization.models import ApprovalRequest
from apps.organization.services import approve_request
from apps.organization.tests.admin_approvals import (
    admin_client,
    approve_in_admin,
    change_form_data,
    pending_request,
)
from apps.payments.models import FeeSchedule, FraudRule, TransferLimit
from apps.payments.tests.factories import fraud_rule

pytestmark = pytest.mark.django_db


def _fee(savings):
    return FeeSchedule.objects.create(product=savings, channel="api", currency="EUR", fixed_fee=Decimal("0.50"))


def _limit(savings):
    return TransferLimit.objects.create(product=savings, customer_tier="standard", currency="EUR",
                                        per_transaction=Decimal("1000"), per_day=Decimal("5000"))


def _rule(savings):
    return fraud_rule("new_beneficiary_large_amount", action="hold", currency="EUR", max_age_hours=72,
                      amount_above="5000")


# kind: (make the row, operation, the change posted, field, value after approval, a line of the checker's diff)
KINDS = {
    "fee schedule": (_fee, "payments.change_fee_schedule", {"fixed_fee": "0.00"}, "fixed_fee", Decimal("0"),
                     "<th>Fixed fee</th><td>0.5000</td><td>0.0000</td>"),
    "transfer limit": (_limit, "payments.change_transfer_limit", {"per_transaction": "2500.00"},
                       "per_transaction", Decimal("2500"),
                       "<th>Per transaction</th><td>1000.0000</td><td>2500.0000</td>"),
    "fraud rule": (_rule, "payments.change_fraud_rule",
                   {"parameters": '{"max_age_hours": 72, "amount_above": "500000"}'}, "parameters",
                   {"max_age_hours": 72, "amount_above": "500000"},
                   "<td>{&quot;amount_above&quot;: &quot;5000&quot;, &quot;max_age_hours&quot;: 72}</td>"),
}


def _state(row):
    row = type(row).objects.get(pk=row.pk)
    return {f.attname: getattr(row, f.attname) for f in row._meta.concrete_fields}, row.history.count()


def _propose(maker, row, changes):
    client = admin_client(maker)
    url = reverse(f"admin:payments_{row._meta.model_name}_change", args=[row.pk])
    return client.post(url, change_form_data(client.get(url), **changes), follow=True)


@pytest.fixture(params=sorted(KINDS))
def kind(request, savings):
    make, operation, changes, field, after, diff_line = KINDS[request.param]
    return make(savings), operation, changes, field, after, diff_line


def test_saving_a_payment_setting_proposes_the_change_and_changes_nothing(kind, ops_admin):
    row, operation, changes, *_ = kind
    before = _state(row)
    response = _propose(ops_admin, row, changes)
    approval = pending_request(operation)
    assert f"request #{approval.pk}" in response.content.decode()
    assert _state(row) == before


def test_the_checker_sees_the_payment_setting_diff(kind, ops_admin, ops_checker):
    row, operation, changes, *_, diff_line = kind
    _propose(ops_admin, row, changes)
    page = admin_client(ops_checker).get(
        reverse("admin:organization_approvalrequest_change", args=[pending_request(operation).pk]))
    assert diff_line in page.content.decode()


def test_another_ops_admin_approves_and_the_payment_setting_changes(kind, ops_admin, ops_checker):
    row, operation, changes, field, after, _ = kind
    _propose(ops_admin, row, changes)
    approve_in_admin(ops_checker, pending_request(operation))
    changed = type(row).objects.get(pk=row.pk)
    assert getattr(changed, field) == after
    latest = changed.history.first()
    assert latest.history_user == ops_checker
    assert ops_admin.username in latest.history_change_reason
    assert ApprovalRequest.objects.get().state == ApprovalRequest.State.APPROVED


def test_the_maker_cannot_approve_their_own_payment_setting_change(kind, ops_admin):
    row, operation, changes, *_ = kind
    _propose(ops_admin, row, changes)
    before = _state(row)
    response = approve_in_admin(ops_admin, pending_request(operation))
    assert "another person must decide it" in response.content.decode()
    with pytest.raises(CheckerIsMaker):
        approve_request(request=pending_request(operation), checker=ops_admin)
    assert _state(row) == before


def test_a_compliance_officer_cannot_approve_a_fee_change(savings, ops_admin, compliance_officer):
    from apps.organization.errors import NotAllowedToDecide

    row = _fee(savings)
    _propose(ops_admin, row, {"fixed_fee": "0.00"})
    with pytest.raises(NotAllowedToDecide):
        approve_request(request=pending_request("payments.change_fee_schedule"), checker=compliance_officer)
    assert FeeSchedule.objects.get(pk=row.pk).fixed_fee == Decimal("0.50")


def test_a_new_transfer_limit_exists_only_once_approved(savings, ops_admin, ops_checker):
    client = admin_client(ops_admin)
    url = reverse("admin:payments_transferlimit_add")
    client.post(url, change_form_data(client.get(url), product=savings.pk, customer_tier="premium", currency="EUR",
                                      per_transaction="2000", per_day="9000"))
    assert not TransferLimit.objects.exists()
    approve_in_admin(ops_checker, pending_request("payments.change_transfer_limit"))
    assert TransferLimit.objects.get().per_day == Decimal("9000")


def test_fraud_rules_are_not_edited_in_the_list(savings, ops_admin):
    rule = _rule(savings)
    client = admin_client(ops_admin)
    client.post(reverse("admin:payments_fraudrule_changelist"),
                {"form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "1", "form-0-id": rule.pk,
                 "form-0-priority": "1", "_save": "Save"})
    assert FraudRule.objects.get(pk=rule.pk).is_active and FraudRule.objects.get(pk=rule.pk).priority == 100
