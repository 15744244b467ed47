"""Repayment: what is due by the value date, oldest first, components in the product's order; never more than is
owed but through a prepayment; idempotent; every refusal writes nothing."""

import datetime
from decimal import Decimal

import pytest

from apps.domain_errors import DomainError
from apps.ledger.models import JournalEntry, LedgerAccount
from apps.loans.models import LoanInstalment, LoanStatus, LoanTransaction
from apps.loans.services.quotes import payoff_quote
from apps.loans.services.repayment import repay_loan
from apps.loans.tests.factories import loan_product
from apps.loans.tests.loan_factories import assert_ledger_clean, booked_loan, set_business_date
from apps.money import Money

pytestmark = pytest.mark.django_db
FIRST_DUE = datetime.date(2026, 12, 23)
SECOND_DUE = datetime.date(2027, 1, 25)  # the 23rd is a Saturday: moved to Monday


@pytest.fixture
def loan(product, borrower, deposit, officer):
    return booked_loan(customer=borrower, product=product, account=deposit, staff=officer, amount="1200.00")


def _eur(amount) -> Money:
    return Money(amount, "EUR")


def _instalments(loan):
    return list(loan.instalments.exclude(status="rescheduled").order_by("number"))


def _state(loan):
    return [(i.number, i.status, i.principal_paid, i.interest_paid, i.fee_paid, i.penalty_paid) for i in
            _instalments(loan)]


def _deposit_balance(loan):
    return LedgerAccount.objects.get(pk=loan.deposit_account.ledger_account_id).balance


def test_repaying_the_first_instalment_on_its_due_date_pays_it_in_full(loan, officer):
    set_business_date(FIRST_DUE)
    first = _instalments(loan)[0]
    total = first.principal_due + first.interest_due

    txn = repay_loan(loan=loan, amount=_eur(total), idempotency_key="r1", actor=officer)

    first.refresh_from_db()
    assert first.status == "paid" and first.paid_on == FIRST_DUE
    assert (txn.principal_portion, txn.interest_portion) == (first.principal_due, first.interest_due)
    postings = {(p.account.code, p.side): p.amount for p in txn.journal_entry.postings.select_related("account")}
    assert postings[("1200", "C")] == first.principal_due and postings[("1210", "C")] == first.interest_due
    assert _deposit_balance(loan) == Decimal("1700.00") - total
    assert_ledger_clean()


def test_a_part_payment_goes_to_interest_before_principal_by_default(loan, officer):
    set_business_date(FIRST_DUE)
    first = _instalments(loan)[0]

    txn = repay_loan(loan=loan, amount=_eur(first.interest_due + 1), idempotency_key="r1", actor=officer)

    assert (txn.interest_portion, txn.principal_portion) == (first.interest_due, Decimal("1"))
    assert _instalments(loan)[0].status == "due"


def test_the_products_order_can_put_principal_first(chart, borrower, deposit, officer):
    product = loan_product(allocation_order="principal_interest_penalty_fee")
    loan = booked_loan(customer=borrower, product=product, account=deposit, staff=officer, amount="1200.00")
    set_business_date(FIRST_DUE)
    first = _instalments(loan)[0]

    txn = repay_loan(loan=loan, amount=_eur(first.principal_due + 1), idempotency_key="r1", actor=officer)

    assert (txn.principal_portion, txn.interest_portion) == (first.principal_due, Decimal("1"))


def test_what_is_past_due_is_paid_before_what_falls_due(loan, officer):
    set_business_date(SECOND_DUE)
    first, second = _instalments(loan)[:2]
    total_first = first.principal_due + first.interest_due

    repay_loan(loan=loan, amount=_eur(total_first + 2), idempotency_key="r1", actor=officer)

    first, second = _instalments(loan)[:2]
    assert first.status == "paid" and second.interest_paid == Decimal("2") and second.principal_paid == 0
    assert_ledger_clean()


def test_a_replayed_key_returns_the_first_repayment_and_moves_nothing(loan, officer):
    set_business_date(FIRST_DUE)
    first = repay_loan(loan=loan, amount=_eur("10"), idempotency_key="r1", actor=officer)
    balance = _deposit_balance(loan)

    again = repay_loan(loan=loan, amount=_eur("10"), idempotency_key="r1", actor=officer)

    assert again.pk == first.pk and again.replayed
    assert _deposit_balance(loan) == balance and LoanTransaction.objects.filter(kind="repayment").count() == 1
    with pytest.raises(DomainError) as conflict:
        repay_loan(loan=loan, amount=_eur("11"), idempotency_key="r1", actor=officer)
    assert conflict.value.code == "idempotency_conflict" and conflict.value.status == 409


def _refused(loan, actor, code, **kwargs):
    before = (JournalEntry.objects.count(), LoanTransaction.objects.count(), _state(loan), _deposit_balance(loan))
    arguments = {"amount": _eur("10"), "idempotency_key": "refused", **kwargs}
    with pytest.raises(DomainError) as refused:
        repay_loan(loan=loan, actor=actor, **arguments)
    assert refused.value.code == code, refused.value
    assert 400 <= refused.value.status < 500
    assert (JournalEntry.objects.count(), LoanTransaction.objects.count(), _state(loan),
            _deposit_balance(loan)) == before


def test_repayment_refusals_write_nothing(loan, officer, borrower, branch_a):
    from apps.customers.tests.factories import verified_customer
    from apps.organization.tests.factories import CustomerUserFactory

    set_business_date(FIRST_DUE)
    due = _instalments(loan)[0]
    _refused(loan, officer, "amount_not_positive", amount=_eur("0"))
    _refused(loan, officer, "currency_mismatch", amount=Money("10", "USD"))
    _refused(loan, officer, "insufficient_available_balance", amount=_eur("1701"), prepayment="shorten_term")
    _refused(loan, officer, "prepayment_choice_required", amount=_eur(due.principal_due + due.interest_due + 1))
    _refused(loan, officer, "amount_exceeds_payoff", amount=_eur("1500"), prepayment="shorten_term")
    _refused(loan, officer, "value_date_future", value_date=FIRST_DUE + datetime.timedelta(days=1))
    _refused(loan, officer, "idempotency_key_missing", idempotency_key="")
    stranger = verified_customer(branch=branch_a, user=CustomerUserFactory()).user
    _refused(loan, stranger, "loan_not_found")


def test_a_blocked_borrower_repays_nothing(loan, officer, borrower):
    from apps.customers.models import Customer

    set_business_date(FIRST_DUE)
    Customer.objects.filter(pk=borrower.pk).update(status=Customer.Status.BLOCKED,
                                                   status_before_block=Customer.Status.ACTIVE)

    _refused(loan, officer, "customer_blocked")


def test_a_closed_loan_takes_no_repayment(loan, officer):
    set_business_date(FIRST_DUE)
    quote = payoff_quote(loan=loan, as_of=FIRST_DUE)
    repay_loan(loan=loan, amount=_eur(quote.total), idempotency_key="payoff", actor=officer,
               prepayment="shorten_term")

    _refused(loan, officer, "loan_closed")


def test_the_borrower_repays_their_own_loan(loan, borrower):
    set_business_date(FIRST_DUE)

    txn = repay_loan(loan=loan, amount=_eur("10"), idempotency_key="own", actor=borrower.user, channel="api")

    assert txn.channel == "api" and txn.created_by == borrower.user


def test_payoff_mid_period_charges_interest_to_the_day_and_closes_the_loan(loan, officer):
    day = datetime.date(2027, 1, 8)  # the first instalment overdue, the second 16 days into its 31 (to the 23rd)
    set_business_date(day)
    first, second = _instalments(loan)[:2]

    quote = payoff_quote(loan=loan, as_of=day)
    earned = (second.interest_due * 16 / 31).quantize(Decimal("0.01"))
    assert quote.principal == Decimal("1200.00")
    assert quote.interest == first.interest_due + earned
    txn = repay_loan(loan=loan, amount=_eur(quote.total), idempotency_key="payoff", actor=officer,
                     prepayment="lower_instalment")

    loan.refresh_from_db()
    assert txn.kind == "payoff" and loan.status == LoanStatus.CLOSED and loan.closed_on == day
    assert all(i.status == "paid" and i.interest_accrued == i.interest_due for i in _instalments(loan))
    # The portfolio and the receivable are back to zero: nothing is owed on the bank's only loan.
    balances = {a.code: a for a in LedgerAccount.objects.filter(code__in=["1200", "1210"])}
    from apps.ledger.selectors import account_balance
    assert account_balance(balances["1200"]).amount == 0 and account_balance(balances["1210"]).amount == 0
    assert_ledger_clean()


@pytest.mark.parametrize("choice", ["lower_instalment", "shorten_term"])
def test_a_part_prepayment_reamortises_what_is_not_yet_due(loan, officer, choice):
    set_business_date(FIRST_DUE)
    first = _instalments(loan)[0]
    due_now = first.principal_due + first.interest_due
    old_regular = _instalments(loan)[1].principal_due + _instalments(loan)[1].interest_due

    txn = repay_loan(loan=loan, amount=_eur(due_now + Decimal("500")), idempotency_key="pre", actor=officer,
                     prepayment=choice)

    assert txn.kind == "prepayment" and txn.principal_portion == first.principal_due + Decimal("500")
    live = _instalments(loan)
    assert sum(i.principal_due - i.principal_paid for i in live) == Decimal("1200") - txn.principal_portion
    regular = live[2].principal_due + live[2].interest_due
    if choice == "lower_instalment":
        assert len(live) == 12 and regular < old_regular
    else:
        assert len(live) < 12 and regular <= old_regular
    assert LoanInstalment.objects.filter(loan=loan, status="rescheduled").count() == 11
    assert_ledger_clean()


def test_the_part_prepayment_quote_shows_the_schedule_the_prepayment_then_makes(loan, officer):
    from apps.loans.services.prepayment import prepayment_quote

    set_business_date(FIRST_DUE)
    first = _instalments(loan)[0]
    due_now = first.principal_due + first.interest_due
    before = (_state(loan), LoanTransaction.objects.count(), JournalEntry.objects.count())

    quote = prepayment_quote(loan=loan, instalments=_instalments(loan), prepaid=Decimal("500"),
                             value_date=FIRST_DUE, choice="shorten_term")

    assert (_state(loan), LoanTransaction.objects.count(), JournalEntry.objects.count()) == before
    repay_loan(loan=loan, amount=_eur(due_now + Decimal("500")), idempotency_key="pre", actor=officer,
               prepayment="shorten_term")
    made = _instalments(loan)[1:]
    assert [(i.due_date, i.principal_due, i.interest_due) for i in quote.instalments] == [
        (i.due_date, i.principal_due, i.interest_due) for i in made]
