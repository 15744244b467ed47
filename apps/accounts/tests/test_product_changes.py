"""A deposit product's rates, tiers, day count, fees and overdraft change only when a second person approves:
saving the product in the admin proposes the change, the checker sees the diff, and approval applies it."""

from decimal import Decimal

import pytest
from django.urls import reverse

from apps.accounts.models import DepositProduct, InterestTier
from apps.accounts.services.products import CHANGE_PRODUCT, apply_product_change
from apps.accounts.tests.factories import current_product, open_funded_account, savings_product
from apps.ledger.models import LedgerAccount
from apps.organization.configuration import StaleConfigurationChange
from apps.organization.errors import CheckerIsMaker, NotAllowedToDecide
from apps.organization.models import ApprovalRequest
from apps.organization.services import approve_request
from apps.organization.tests.admin_approvals import (
    admin_client,
    approve_in_admin,
    change_form_data,
    pending_request,
)

pytestmark = pytest.mark.django_db


def _product_state(product):
    product = DepositProduct.objects.get(pk=product.pk)
    return (product.interest_rate, product.day_count, product.monthly_fee, product.overdraft_limit,
            list(product.tiers.values_list("minimum_balance", "rate")), product.history.count())


def _propose(maker, product, **changes):
    client = admin_client(maker)
    url = reverse("admin:accounts_depositproduct_change", args=[product.pk])
    response = client.post(url, change_form_data(client.get(url), **changes), follow=True)
    assert response.status_code == 200
    return response


@pytest.fixture
def product(chart):
    return savings_product(rate="2.5", tiers={"10000": "3.0"})


def test_saving_a_product_proposes_the_change_and_changes_nothing(product, ops_admin):
    # given
    before = _product_state(product)
    # when
    response = _propose(ops_admin, product, interest_rate="3.25", day_count="act_360", monthly_fee="1.50",
                        **{"tiers-0-rate": "3.5"})
    # then
    approval = pending_request(CHANGE_PRODUCT)
    assert f"request #{approval.pk}" in response.content.decode()
    assert approval.maker == ops_admin
    assert _product_state(product) == before


def test_the_checker_sees_the_change_field_by_field(product, ops_admin, ops_checker):
    _propose(ops_admin, product, interest_rate="3.25", day_count="act_360", **{"tiers-0-rate": "3.5"})
    approval = pending_request(CHANGE_PRODUCT)
    page = admin_client(ops_checker).get(reverse("admin:organization_approvalrequest_change", args=[approval.pk]))
    html = page.content.decode()
    assert "<th>Interest rate</th><td>2.500000</td><td>3.250000</td>" in html
    assert "<th>Day count</th><td>ACT/365 (fixed)</td><td>ACT/360</td>" in html
    assert "<th>Interest tiers</th><td>from 10000.0000: 3.000000%</td><td>from 10000.0000: 3.500000%</td>" in html


def test_another_ops_admin_approves_and_the_change_applies_with_both_in_history(product, ops_admin, ops_checker):
    # given
    _propose(ops_admin, product, interest_rate="3.25", day_count="act_360", monthly_fee="1.50",
             **{"tiers-0-rate": "3.5"})
    # when
    approve_in_admin(ops_checker, pending_request(CHANGE_PRODUCT))
    # then
    changed = DepositProduct.objects.get(pk=product.pk)
    assert (changed.interest_rate, changed.day_count, changed.monthly_fee) == (
        Decimal("3.25"), "act_360", Decimal("1.50"))
    assert list(changed.tiers.values_list("rate", flat=True)) == [Decimal("3.5")]
    latest = changed.history.first()
    assert latest.history_user == ops_checker
    assert latest.history_change_reason == (f"Maker-checker: proposed by {ops_admin.username}, "
                                            f"approved by {ops_checker.username}")
    assert InterestTier.history.filter(product_id=product.pk).first().history_user == ops_checker
    assert ApprovalRequest.objects.get().state == ApprovalRequest.State.APPROVED


def test_the_maker_cannot_approve_their_own_product_change(product, ops_admin):
    # given
    _propose(ops_admin, product, interest_rate="9.99")
    before = _product_state(product)
    # when
    response = approve_in_admin(ops_admin, pending_request(CHANGE_PRODUCT))
    # then
    assert "another person must decide it" in response.content.decode()
    assert _product_state(product) == before
    assert pending_request(CHANGE_PRODUCT).checker is None
    with pytest.raises(CheckerIsMaker):
        approve_request(request=pending_request(CHANGE_PRODUCT), checker=ops_admin)
    assert _product_state(product) == before
    assert pending_request(CHANGE_PRODUCT).checker is None


def test_a_branch_manager_cannot_approve_a_product_change(product, ops_admin, manager_a):
    _propose(ops_admin, product, interest_rate="9.99")
    before = _product_state(product)
    with pytest.raises(NotAllowedToDecide):
        approve_request(request=pending_request(CHANGE_PRODUCT), checker=manager_a)
    assert _product_state(product) == before


def test_a_stale_product_change_is_refused_at_approval(product, ops_admin, ops_checker):
    # given two proposals made on the same rate; the first is approved
    _propose(ops_admin, product, interest_rate="3.00")
    first = pending_request(CHANGE_PRODUCT)
    _propose(ops_admin, product, interest_rate="4.00")
    second = ApprovalRequest.objects.exclude(pk=first.pk).get()
    approve_request(request=first, checker=ops_checker)
    before = _product_state(product)
    # when / then the second one, made on 2.5%, is refused and nothing changes
    with pytest.raises(StaleConfigurationChange):
        approve_request(request=second, checker=ops_checker)
    assert _product_state(product) == before
    assert ApprovalRequest.objects.get(pk=second.pk).state == ApprovalRequest.State.FAILED


def test_saving_a_product_unchanged_proposes_nothing(product, ops_admin):
    response = _propose(ops_admin, product)
    assert "changes nothing" in response.content.decode()
    assert not ApprovalRequest.objects.exists()


def test_a_new_product_is_created_only_when_approved(chart, ops_admin, ops_checker):
    # given
    client = admin_client(ops_admin)
    url = reverse("admin:accounts_depositproduct_add")
    data = change_form_data(client.get(url), code="SAV2", name="Second savings", kind="savings", currency="EUR",
                            interest_rate="1.0", posting_frequency="monthly", overdraft_limit="0",
                            overdraft_rate="0", minimum_opening_balance="0", monthly_fee="0",
                            early_withdrawal_penalty="0", dormant_after_days="365", is_active=True)
    # when
    client.post(url, data)
    # then
    assert not DepositProduct.objects.filter(code="SAV2").exists()
    approve_in_admin(ops_checker, pending_request(CHANGE_PRODUCT))
    assert DepositProduct.objects.get(code="SAV2").history.get().history_user == ops_checker


def test_an_approved_overdraft_limit_reaches_the_products_accounts(chart, customer, teller_a, ops_admin,
                                                                  ops_checker):
    # given a current account with the product's 500 overdraft
    product = current_product(overdraft_limit="500.00")
    account = open_funded_account(customer, product, "10.00", teller=teller_a)
    # when ops proposes 800 and another ops admin approves
    _propose(ops_admin, product, overdraft_limit="800.00")
    assert LedgerAccount.objects.get(pk=account.ledger_account_id).overdraft_limit == Decimal("500.00")
    approve_in_admin(ops_checker, pending_request(CHANGE_PRODUCT))
    # then the account's ledger account carries it, recorded as the checker's
    ledger = LedgerAccount.objects.get(pk=account.ledger_account_id)
    assert (ledger.allow_overdraft, ledger.overdraft_limit) == (True, Decimal("800.00"))
    assert ledger.history.first().history_user == ops_checker


def test_a_lower_overdraft_limit_is_refused_while_an_account_is_overdrawn_below_it(chart, customer, teller_a,
                                                                                  ops_admin, ops_checker):
    # given an account 300 overdrawn
    from apps.accounts.services.teller import cash_withdrawal
    from apps.money import Money

    product = current_product(overdraft_limit="500.00")
    account = open_funded_account(customer, product, "10.00", teller=teller_a)
    cash_withdrawal(account=account, amount=Money("310.00", "EUR"), teller=teller_a, idempotency_key="od",
                    approved_by=teller_a)
    _propose(ops_admin, product, overdraft_limit="100.00")
    before = _product_state(product)
    # when / then
    response = approve_in_admin(ops_checker, pending_request(CHANGE_PRODUCT))
    assert "settle first" in response.content.decode()
    assert _product_state(product) == before
    assert LedgerAccount.objects.get(pk=account.ledger_account_id).overdraft_limit == Decimal("500.00")


def test_an_overdraft_cannot_be_proposed_on_a_savings_product(product, ops_admin):
    before = _product_state(product)
    response = _propose(ops_admin, product, overdraft_limit="50000.00")
    assert response.context["adminform"].form.errors  # the product's own rule: only current accounts
    assert _product_state(product) == before and not ApprovalRequest.objects.exists()


def test_a_product_change_applies_through_its_service_only_as_approved(product, ops_admin, ops_checker):
    """The approval's runner is the only writer: a forged request naming another field's old value is stale."""
    parameters = {"model": "accounts.depositproduct", "pk": product.pk,
                  "changes": [{"field": "interest_rate", "label": "Interest rate", "before": "9.000000",
                               "after": "1.000000"}]}
    with pytest.raises(StaleConfigurationChange):
        apply_product_change(parameters=parameters, actor=ops_checker, maker=ops_admin)
    assert DepositProduct.objects.get(pk=product.pk).interest_rate == Decimal("2.5")


def test_reverting_a_product_to_an_old_version_from_its_history_is_refused(product, ops_admin):
    # given an old version in the product's history
    version = product.history.earliest()
    client = admin_client(ops_admin)
    url = reverse("admin:accounts_depositproduct_simple_history", args=[product.pk, version.history_id])
    page = client.get(url)
    before = _product_state(product)
    # when the old version's form is posted with another rate
    response = client.post(url, change_form_data(page, interest_rate="7.0"))
    # then (history is evidence: config/history_admin.py answers GET only)
    assert response.status_code == 405
    assert _product_state(product) == before and not ApprovalRequest.objects.exists()
