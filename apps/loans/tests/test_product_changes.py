"""A loan product's terms change only when a second person approves: saving it in the admin proposes the
change, the checker sees the diff field by field, approving applies it with both people in its history."""

from decimal import Decimal

import pytest
from django.urls import reverse

from apps.domain_errors import PermissionRefused
from apps.ledger.models import AccountType, LedgerAccount
from apps.ledger.services import open_ledger_account
from apps.loans.errors import LoanProductChangeRefused
from apps.loans.models import LoanProduct
from apps.loans.services.products import CHANGE_LOAN_PRODUCT, propose_loan_product_change
from apps.loans.tests.factories import ledger_accounts
from apps.organization.configuration import NothingToChange, StaleConfigurationChange
from apps.organization.errors import CheckerIsMaker, NotAllowedToDecide
from apps.organization.models import ApprovalRequest
from apps.organization.services import approve_request
from apps.organization.tests.admin_approvals import admin_client, approve_in_admin, change_form_data, pending_request

pytestmark = pytest.mark.django_db


def _state(product):
    product = LoanProduct.objects.get(pk=product.pk)
    return (product.default_rate, product.maximum_amount, product.amortization, product.fee_kind,
            product.history.count())


def _propose(maker, product, **changes):
    client = admin_client(maker)
    url = reverse("admin:loans_loanproduct_change", args=[product.pk])
    response = client.post(url, change_form_data(client.get(url), **changes), follow=True)
    assert response.status_code == 200
    return response


def test_saving_a_loan_product_proposes_the_change_and_changes_nothing(product, ops_admin):
    # given
    before = _state(product)
    # when
    response = _propose(ops_admin, product, default_rate="11.5", maximum_amount="75000")
    # then
    approval = pending_request(CHANGE_LOAN_PRODUCT)
    assert f"request #{approval.pk}" in response.content.decode()
    assert approval.maker == ops_admin
    assert _state(product) == before


def test_the_checker_sees_the_diff_field_by_field(product, ops_admin, ops_checker):
    _propose(ops_admin, product, default_rate="11.5", amortization="equal_principal")
    approval = pending_request(CHANGE_LOAN_PRODUCT)
    html = admin_client(ops_checker).get(
        reverse("admin:organization_approvalrequest_change", args=[approval.pk])).content.decode()
    assert "<th>Default rate</th><td>9.482200</td><td>11.500000</td>" in html
    assert "<th>Amortization</th><td>Equal instalments (annuity)</td><td>Equal principal</td>" in html


def test_another_ops_admin_approves_and_the_change_applies_with_both_in_history(product, ops_admin, ops_checker):
    # given
    _propose(ops_admin, product, default_rate="11.5", maximum_amount="75000")
    # when
    approve_in_admin(ops_checker, pending_request(CHANGE_LOAN_PRODUCT))
    # then
    changed = LoanProduct.objects.get(pk=product.pk)
    assert (changed.default_rate, changed.maximum_amount) == (Decimal("11.5"), Decimal("75000"))
    latest = changed.history.first()
    assert latest.history_user == ops_checker
    assert latest.history_change_reason == (f"Maker-checker: proposed by {ops_admin.username}, "
                                            f"approved by {ops_checker.username}")
    assert ApprovalRequest.objects.get().state == ApprovalRequest.State.APPROVED


def test_a_new_loan_product_is_proposed_and_created_on_approval(chart, ops_admin, ops_checker):
    # given
    proposed = LoanProduct(code="CAR", name="Car loan", currency="EUR", minimum_amount=Decimal("1000"),
                           maximum_amount=Decimal("40000"), minimum_term=12, default_term=48, maximum_term=84,
                           minimum_rate=Decimal("4"), default_rate=Decimal("6.9"), maximum_rate=Decimal("12"),
                           **ledger_accounts())
    # when
    approval = propose_loan_product_change(proposed=proposed, maker=ops_admin)
    # then nothing yet, then the product once approved
    assert not LoanProduct.objects.exists()
    approve_request(request=approval, checker=ops_checker)
    created = LoanProduct.objects.get(code="CAR")
    assert created.history.get().history_user == ops_checker


def test_the_maker_cannot_approve_their_own_change(product, ops_admin):
    _propose(ops_admin, product, default_rate="11.5")
    before = _state(product)
    with pytest.raises(CheckerIsMaker):
        approve_request(request=pending_request(CHANGE_LOAN_PRODUCT), checker=ops_admin)
    assert _state(product) == before


def test_a_checker_who_may_not_change_loan_products_cannot_approve_one(product, ops_admin, manager_a):
    _propose(ops_admin, product, default_rate="11.5")
    before = _state(product)
    with pytest.raises(NotAllowedToDecide):
        approve_request(request=pending_request(CHANGE_LOAN_PRODUCT), checker=manager_a)
    assert _state(product) == before


def test_a_role_that_may_not_change_loan_products_cannot_propose_one(product, loan_officer):
    proposed = LoanProduct.objects.get(pk=product.pk)
    proposed.default_rate = Decimal("3")
    with pytest.raises(PermissionRefused):
        propose_loan_product_change(proposed=proposed, maker=loan_officer)
    assert not ApprovalRequest.objects.exists()


def test_a_change_made_on_values_since_changed_is_refused_as_stale(product, ops_admin, ops_checker):
    # given two proposals made on the same stored rate
    first = LoanProduct.objects.get(pk=product.pk)
    first.default_rate = Decimal("10")
    first_request = propose_loan_product_change(proposed=first, maker=ops_admin)
    second = LoanProduct.objects.get(pk=product.pk)
    second.default_rate = Decimal("12")
    second_request = propose_loan_product_change(proposed=second, maker=ops_admin)
    approve_request(request=first_request, checker=ops_checker)
    before = _state(product)
    # when / then
    with pytest.raises(StaleConfigurationChange):
        approve_request(request=second_request, checker=ops_checker)
    assert _state(product) == before
    assert ApprovalRequest.objects.get(pk=second_request.pk).state == ApprovalRequest.State.FAILED


def test_a_proposal_that_changes_nothing_is_refused(product, ops_admin):
    with pytest.raises(NothingToChange):
        propose_loan_product_change(proposed=LoanProduct.objects.get(pk=product.pk), maker=ops_admin)
    assert not ApprovalRequest.objects.exists()


@pytest.mark.parametrize(("changes", "code"), [
    (dict(minimum_amount=Decimal("0.001")), "too_many_decimals"),
    (dict(fee_kind="fixed", fee_value=Decimal("1.005")), "too_many_decimals"),
    (dict(rounding_multiple=Decimal("0.001")), "too_many_decimals"),
    (dict(currency="USD"), "ledger_account_unfit"),
    (dict(minimum_term=1, principal_grace=1), "loan_product_change_refused"),
])
def test_a_proposal_that_breaks_a_rule_is_refused_and_nothing_is_requested(product, ops_admin, changes, code):
    proposed = LoanProduct.objects.get(pk=product.pk)
    for name, value in changes.items():
        setattr(proposed, name, value)
    with pytest.raises(LoanProductChangeRefused) as refused:
        propose_loan_product_change(proposed=proposed, maker=ops_admin)
    assert refused.value.code == code
    assert not ApprovalRequest.objects.exists()


def test_a_ledger_account_of_the_wrong_type_is_refused(product, ops_admin):
    liability = open_ledger_account(code="2990", name="Some liability", type=AccountType.LIABILITY, currency="EUR")
    proposed = LoanProduct.objects.get(pk=product.pk)
    proposed.loan_portfolio_account = liability
    with pytest.raises(LoanProductChangeRefused) as refused:
        propose_loan_product_change(proposed=proposed, maker=ops_admin)
    assert refused.value.code == "ledger_account_unfit"
    assert LedgerAccount.objects.filter(code="2990").exists() and not ApprovalRequest.objects.exists()


def test_an_approval_refused_when_it_runs_leaves_the_product_as_it_was(product, ops_admin, ops_checker):
    # given a proposal whose ledger account is closed before the checker approves
    new_income = open_ledger_account(code="4190", name="Other loan income", type=AccountType.INCOME, currency="EUR")
    proposed = LoanProduct.objects.get(pk=product.pk)
    proposed.interest_income_account = new_income
    approval = propose_loan_product_change(proposed=proposed, maker=ops_admin)
    LedgerAccount.objects.filter(pk=new_income.pk).update(status=LedgerAccount.Status.CLOSED)
    before = _state(product)
    # when
    with pytest.raises(LoanProductChangeRefused) as refused:
        approve_request(request=approval, checker=ops_checker)
    # then
    assert refused.value.code == "ledger_account_closed"
    assert ApprovalRequest.objects.get(pk=approval.pk).state == ApprovalRequest.State.FAILED
    assert _state(product) == before
    assert LoanProduct.objects.get(pk=product.pk).interest_income_account_id != new_income.pk
