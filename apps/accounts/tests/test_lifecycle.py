"""Each lifecycle rule: opening needs verified KYC; dormancy; freeze and maker-checker unfreeze; closure."""

import datetime
from decimal import Decimal
from uuid import uuid4

import pytest

from apps.accounts.errors import AccountStateRefused, InvalidAccountOperation
from apps.accounts.models import Account, Hold
from apps.accounts.services.holds import expire_holds, place_hold, release_hold
from apps.accounts.services.lifecycle import (
    freeze_account,
    mark_dormant_accounts,
    request_closure,
    request_unfreeze,
)
from apps.accounts.services.opening import open_account
from apps.accounts.services.teller import cash_deposit, cash_withdrawal
from apps.accounts.tests.factories import current_product, open_funded_account
from apps.customers.tests.factories import CustomerFactory, verified_customer
from apps.domain_errors import PermissionRefused
from apps.kyc.errors import KycNotVerified
from apps.ledger.errors import AccountNotOpen
from apps.ledger.models import LedgerAccount
from apps.money import Money
from apps.organization.models import ApprovalRequest
from apps.organization.services import approve_request

pytestmark = pytest.mark.django_db
EUR = "EUR"


def test_opening_needs_verified_kyc_and_writes_nothing_otherwise(savings, teller_a, branch_a):
    pending = CustomerFactory(branch=branch_a)
    with pytest.raises(KycNotVerified):
        open_account(customer=pending, product=savings, actor=teller_a)
    assert not Account.objects.exists() and not LedgerAccount.objects.filter(type="liability", code__startswith="PT")


def test_joint_holders_need_verified_kyc_too(customer, savings, teller_a, branch_a):
    with pytest.raises(KycNotVerified):
        open_account(customer=customer, product=savings, actor=teller_a, joint_holders=[CustomerFactory()])
    joint = verified_customer(branch=branch_a)
    account = open_account(customer=customer, product=savings, actor=teller_a, joint_holders=[joint])
    assert set(account.holders.all()) == {customer, joint}


def test_an_account_has_its_own_ledger_account_with_the_products_overdraft(customer, chart, teller_a):
    account = open_account(customer=customer, product=current_product(overdraft_limit="750"), actor=teller_a)
    ledger = account.ledger_account
    assert (ledger.code, ledger.type, ledger.allow_overdraft, ledger.overdraft_limit) == (
        account.number, "liability", True, Decimal("750"))
    assert ledger.owner == account and account.status == Account.Status.ACTIVE


def test_a_product_in_use_cannot_change_its_currency(customer, savings, teller_a, ops_admin):
    from apps.accounts.errors import ProductCurrencyLocked
    from apps.accounts.services.products import propose_product_change

    open_account(customer=customer, product=savings, actor=teller_a)
    savings.currency = "USD"
    with pytest.raises(ProductCurrencyLocked):
        propose_product_change(proposed=savings, tiers=None, maker=ops_admin)
    assert type(savings).objects.get(pk=savings.pk).currency == "EUR"
    assert not ApprovalRequest.objects.exists()


def test_end_of_day_marks_accounts_without_customer_activity_dormant(customer, savings, teller_a):
    account = open_funded_account(customer, savings, "10.00", teller=teller_a)
    today = account.last_customer_activity_on
    assert mark_dormant_accounts(today + datetime.timedelta(days=364)) == {"dormant": 0}
    assert mark_dormant_accounts(today + datetime.timedelta(days=365)) == {"dormant": 1}
    assert Account.objects.get(pk=account.pk).status == Account.Status.DORMANT
    # a movement by the customer wakes it up
    cash_deposit(account=account, amount=Money("1.00", EUR), teller=teller_a, idempotency_key="wake")
    assert Account.objects.get(pk=account.pk).status == Account.Status.ACTIVE


def test_a_frozen_account_takes_no_debit_and_unfreezing_needs_a_second_person(
        customer, savings, teller_a, compliance_officer, manager_a):
    account = open_funded_account(customer, savings, "100.00", teller=teller_a)
    with pytest.raises(PermissionRefused):
        freeze_account(account=account, reason="court order", actor=teller_a)
    freeze_account(account=account, reason="court order", actor=compliance_officer)
    with pytest.raises(AccountStateRefused):
        cash_withdrawal(account=account, amount=Money("1.00", EUR), teller=teller_a, idempotency_key="f1")
    # even a service that skipped the account's rules is refused by the ledger
    from apps.ledger.services import credit, debit, post_journal_entry

    with pytest.raises(AccountNotOpen):
        post_journal_entry(postings=[debit(account.ledger_account, Money("1.00", EUR)),
                                     credit(LedgerAccount.objects.get(code="1000-LIS01"), Money("1.00", EUR))],
                           description="bypass", source="test", idempotency_key="bypass")
    # deposits still arrive
    cash_deposit(account=account, amount=Money("5.00", EUR), teller=teller_a, idempotency_key="f2")
    request = request_unfreeze(account=account, reason="order lifted", maker=compliance_officer)
    assert Account.objects.get(pk=account.pk).status == Account.Status.FROZEN
    from apps.organization.errors import CheckerIsMaker

    with pytest.raises(CheckerIsMaker):
        approve_request(request=request, checker=compliance_officer)
    approve_request(request=request, checker=manager_a)
    account.refresh_from_db()
    assert account.status == Account.Status.ACTIVE and account.ledger_account.status == "open"


def test_closing_pays_out_the_balance_then_closes_at_zero(customer, savings, teller_a, manager_a):
    account = open_funded_account(customer, savings, "120.00", teller=teller_a)
    vault = LedgerAccount.objects.get(code="1000-LIS01").balance
    request = request_closure(account=account, maker=manager_a)
    assert Account.objects.get(pk=account.pk).status == Account.Status.ACTIVE
    from apps.organization import roles
    from apps.organization.tests.factories import StaffFactory

    approve_request(request=request, checker=StaffFactory(role=roles.BRANCH_MANAGER, home_branch=account.branch))
    account.refresh_from_db()
    account.ledger_account.refresh_from_db()
    assert account.status == Account.Status.CLOSED and account.closed_on is not None
    assert account.ledger_account.balance == 0 and account.ledger_account.status == "closed"
    assert LedgerAccount.objects.get(code="1000-LIS01").balance == vault - Decimal("120.00")


def test_closing_is_refused_with_active_holds_or_an_overdraft(customer, chart, teller_a, manager_a, branch_a):
    from apps.accounts.services.lifecycle import close_account

    account = open_funded_account(customer, current_product(), "10.00", teller=teller_a)
    hold = place_hold(account=account, amount=Money("5.00", EUR), reason="card", actor=teller_a,
                      idempotency_key=uuid4().hex)
    with pytest.raises(AccountStateRefused, match="holds"):
        close_account(account=account, actor=manager_a)
    release_hold(hold=hold, actor=teller_a)
    cash_withdrawal(account=account, amount=Money("50.00", EUR), teller=teller_a, idempotency_key="od")
    with pytest.raises(AccountStateRefused, match="overdrawn"):
        close_account(account=account, actor=manager_a)
    assert Account.objects.get(pk=account.pk).status == Account.Status.ACTIVE


def test_holds_expire_at_end_of_their_date(customer, savings, teller_a):
    account = open_funded_account(customer, savings, "100.00", teller=teller_a)
    today = account.opened_on
    hold = place_hold(account=account, amount=Money("60.00", EUR), reason="card", actor=teller_a,
                      idempotency_key=uuid4().hex, expires_on=today + datetime.timedelta(days=2))
    assert expire_holds(business_date=today + datetime.timedelta(days=1)) == 0
    assert expire_holds(business_date=today + datetime.timedelta(days=2)) == 1
    hold.refresh_from_db()
    assert hold.status == Hold.Status.EXPIRED
    assert expire_holds(business_date=today + datetime.timedelta(days=2)) == 0


def test_a_hold_never_takes_available_balance_below_the_products_floor(customer, chart, teller_a):
    from apps.accounts.errors import InsufficientAvailableBalance
    from apps.accounts.selectors import available_balance

    account = open_funded_account(customer, current_product(overdraft_limit="500"), "100.00", teller=teller_a)
    assert available_balance(account) == Money("600.00", EUR)
    place_hold(idempotency_key=uuid4().hex, account=account, amount=Money("550.00", EUR), reason="card", actor=teller_a)
    with pytest.raises(InsufficientAvailableBalance):
        place_hold(account=account, amount=Money("50.01", EUR), reason="card", actor=teller_a,
                   idempotency_key=uuid4().hex)
    assert available_balance(account) == Money("50.00", EUR)


def test_a_replayed_hold_returns_the_first_and_another_hold_under_its_key_is_refused(customer, savings, teller_a):
    from apps.accounts.errors import HoldReplayConflict

    account = open_funded_account(customer, savings, "100.00", teller=teller_a)
    first = place_hold(account=account, amount=Money("30.00", EUR), reason="card", actor=teller_a,
                       idempotency_key="hold-key")
    again = place_hold(account=account, amount=Money("30.00", EUR), reason="card", actor=teller_a,
                       idempotency_key="hold-key")
    assert (again.pk, first.replayed, again.replayed) == (first.pk, False, True)
    with pytest.raises(HoldReplayConflict):
        place_hold(account=account, amount=Money("31.00", EUR), reason="card", actor=teller_a,
                   idempotency_key="hold-key")
    assert list(Hold.objects.filter(account=account).values_list("amount", flat=True)) == [Decimal("30.00")]


def test_a_hold_needs_an_idempotency_key_and_nothing_is_held_without_one(customer, savings, teller_a):
    account = open_funded_account(customer, savings, "100.00", teller=teller_a)
    with pytest.raises(InvalidAccountOperation, match="idempotency key"):
        place_hold(account=account, amount=Money("30.00", EUR), reason="card", actor=teller_a, idempotency_key="")
    assert not Hold.objects.filter(account=account).exists()


def test_staff_cannot_release_a_payment_reviews_hold_and_the_review_can(customer, savings, teller_a):
    from apps.accounts.errors import HoldNotReleasable

    account = open_funded_account(customer, savings, "100.00", teller=teller_a)
    hold = place_hold(account=account, amount=Money("30.00", EUR), reason="review", actor=teller_a,
                      idempotency_key="review-hold", purpose=Hold.Purpose.PAYMENT_REVIEW)
    with pytest.raises(HoldNotReleasable):
        release_hold(hold=hold, actor=teller_a)
    hold.refresh_from_db()
    assert hold.status == Hold.Status.ACTIVE
    release_hold(hold=hold, actor=teller_a, purpose=Hold.Purpose.PAYMENT_REVIEW)
    hold.refresh_from_db()
    assert hold.status == Hold.Status.RELEASED
