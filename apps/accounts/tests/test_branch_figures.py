"""The home's money figures, checked against the postings they sum: deposits, the vault, the counter's cash and
the business date's movements per branch and for the bank; deposits over time; a branch sees only its own."""

import datetime
from collections import defaultdict
from decimal import Decimal

import pytest

from apps.accounts.branch_figures import branch_figures, deposits_over_time
from apps.accounts.services.teller import cash_withdrawal
from apps.accounts.tests.factories import (
    VAULT_OPENING_CASH,
    deposit,
    install_chart,
    open_funded_account,
    savings_product,
)
from apps.customers.tests.factories import verified_customer
from apps.eod.services import advance_business_date
from apps.ledger.models import JournalEntry, Posting
from apps.money import Money
from apps.organization.models import Bank
from apps.organization.tests.factories import CustomerUserFactory
from apps.payments.services.transfers import transfer_between_accounts

pytestmark = pytest.mark.django_db
EUR = "EUR"


@pytest.fixture
def day_at_two_branches(branch_a, branch_b, teller_a, teller_b):
    """Lisbon: 1,000.00 and 250.00 EUR taken in cash, 100.00 paid out, 50.00 transferred to Porto; Porto: 400.00
    taken in."""
    install_chart()
    product = savings_product(rate="0")
    ana = open_funded_account(verified_customer(branch=branch_a, user=CustomerUserFactory()), product, "1000.00",
                              teller=teller_a)
    open_funded_account(verified_customer(branch=branch_a), product, "250.00", teller=teller_a)
    rui = open_funded_account(verified_customer(branch=branch_b), product, "400.00", teller=teller_b)
    cash_withdrawal(account=ana, amount=Money("100.00", EUR), teller=teller_a, idempotency_key="out",
                    approved_by=teller_a)
    transfer_between_accounts(from_account_number=ana.number, to_account_number=rui.number,
                              money=Money("50.00", EUR), initiated_by=ana.customer.user, idempotency_key="to-porto")
    return Bank.objects.get().current_business_date


def _movements_from_postings(business_date):
    """Per branch code, straight from the postings: (entries, debits, credits)."""
    entries, debits, credits = defaultdict(set), defaultdict(Decimal), defaultdict(Decimal)
    for posting in Posting.objects.filter(entry__business_date=business_date).select_related("account__branch"):
        code = posting.account.branch.code if posting.account.branch else None
        entries[code].add(posting.entry_id)
        (debits if posting.side == "D" else credits)[code] += posting.amount
    return entries, debits, credits


def test_head_office_sees_the_bank_then_each_branch_as_the_postings_say(day_at_two_branches,
                                                                          django_assert_num_queries):
    # when
    with django_assert_num_queries(7):
        bank, lisbon, porto = branch_figures(branches=None, business_date=day_at_two_branches)
    # then
    assert (bank.is_bank, lisbon.code, porto.code) == (True, "LIS01", "POR01")
    assert lisbon.deposits == {EUR: Decimal("1100.00")} and lisbon.deposit_accounts == 2
    assert porto.deposits == {EUR: Decimal("450.00")} and porto.deposit_accounts == 1
    assert bank.deposits == {EUR: Decimal("1550.00")} and bank.deposit_accounts == 3
    opening = Decimal(VAULT_OPENING_CASH)
    assert lisbon.vault == {EUR: opening + Decimal("1150.00")}
    assert porto.vault == {EUR: opening + Decimal("400.00")}
    assert bank.vault == {EUR: 2 * opening + Decimal("1550.00")}
    # the counter's cash is the vault's postings of the day (the opening cash of the test's vault included)
    assert lisbon.cash_in_today == {EUR: opening + Decimal("1250.00")}
    assert lisbon.cash_out_today == {EUR: Decimal("100.00")}
    assert lisbon.cash_operations_today == 4 and porto.cash_operations_today == 2
    assert lisbon.cash_in_today_shown == ["101,250.00 EUR"]
    entries, debits, credits = _movements_from_postings(day_at_two_branches)
    for figures in (lisbon, porto):
        assert figures.entries_today == len(entries[figures.code])
        assert figures.debits_today == {EUR: debits[figures.code]}
        assert figures.credits_today == {EUR: credits[figures.code]}
    assert bank.entries_today == JournalEntry.objects.filter(business_date=day_at_two_branches).count()
    assert bank.debits_today == bank.credits_today == {EUR: sum(debits.values())}


def test_a_branch_sees_its_own_figures_and_never_another_branchs(day_at_two_branches, branch_a,
                                                                   django_assert_num_queries):
    with django_assert_num_queries(5):
        figures = branch_figures(branches=[branch_a], business_date=day_at_two_branches)
    assert [branch.code for branch in figures] == ["LIS01"]
    (lisbon,) = figures
    assert lisbon.deposits == {EUR: Decimal("1100.00")}
    entries, _, credits = _movements_from_postings(day_at_two_branches)
    assert lisbon.entries_today == len(entries["LIS01"])
    assert lisbon.credits_today == {EUR: credits["LIS01"]}  # Porto's credit of the transfer is not here


def test_deposits_over_time_walk_back_from_today_by_each_days_flows(branch_a, branch_b, teller_a, teller_b, bank):
    # given three business dates: 1,000.00 in at Lisbon; then 200.00 in and 50.00 out, and 300.00 in at Porto; then
    # nothing
    install_chart()
    product = savings_product(rate="0")
    first = bank.current_business_date
    ana = open_funded_account(verified_customer(branch=branch_a), product, "1000.00", teller=teller_a)
    advance_business_date(to=first + datetime.timedelta(days=1))
    deposit(ana, "200.00", teller=teller_a)
    cash_withdrawal(account=ana, amount=Money("50.00", EUR), teller=teller_a, idempotency_key="w",
                    approved_by=teller_a)
    open_funded_account(verified_customer(branch=branch_b), product, "300.00", teller=teller_b)
    third = first + datetime.timedelta(days=2)
    advance_business_date(to=third)
    # when
    bank_wide = deposits_over_time(branches=None, business_date=third, days=4)
    lisbon = deposits_over_time(branches=[branch_a], business_date=third, days=4)
    # then
    assert bank_wide.dates == [first - datetime.timedelta(days=1), first, first + datetime.timedelta(days=1), third]
    assert bank_wide.by_currency == {EUR: [Decimal("0.00"), Decimal("1000.00"), Decimal("1450.00"),
                                           Decimal("1450.00")]}
    assert lisbon.by_currency == {EUR: [Decimal("0.00"), Decimal("1000.00"), Decimal("1150.00"), Decimal("1150.00")]}
