"""Term deposits: maturity (pay out or roll over, as instructed at opening) and early withdrawal."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction

from apps.accounts.errors import AccountStateRefused
from apps.accounts.house_accounts import house_account, vault_cash
from apps.accounts.locks import lock_accounts
from apps.accounts.models import Account, AccrualKind, InterestAccrual, MaturityInstruction, ProductKind
from apps.accounts.periods import add_months
from apps.accounts.services.interest import capitalize_interest
from apps.domain_errors import PermissionRefused
from apps.ledger.chart import INTEREST_EXPENSE, INTEREST_PAYABLE
from apps.ledger.models import LedgerAccount
from apps.ledger.services import credit, debit, post_journal_entry, set_ledger_account_status
from apps.ledger.sums import exact_sum
from apps.money import Money, round_to_currency
from apps.organization.branch_scope import can_access
from apps.organization.models import User
from apps.organization.selectors import current_business_date

RECEIVING = (Account.Status.ACTIVE, Account.Status.DORMANT, Account.Status.FROZEN)


def _lock_with_linked(deposit: Account) -> tuple[Account, Account | None]:
    ids = [deposit.pk] + ([deposit.linked_account_id] if deposit.linked_account_id else [])
    locked = {account.pk: account for account in lock_accounts(ids)}
    return locked[deposit.pk], locked.get(deposit.linked_account_id)


def _close(deposit: Account, *, on: datetime.date, actor: User) -> None:
    set_ledger_account_status(account=deposit.ledger_account, status=LedgerAccount.Status.CLOSED, changed_by=actor,
                              for_owner=True)
    deposit.status, deposit.closed_on = Account.Status.CLOSED, on
    deposit._history_user = actor
    deposit.save(update_fields=["status", "closed_on"])


def _pay_out(deposit: Account, target: LedgerAccount, *, on: datetime.date, description: str, actor: User) -> None:
    deposit.ledger_account.refresh_from_db(fields=["balance"])
    balance = deposit.ledger_account.balance
    if balance > 0:
        money = Money(balance, deposit.ledger_account.currency)
        post_journal_entry(postings=[debit(deposit.ledger_account, money), credit(target, money)],
                           description=description, source="accounts", idempotency_key=f"term-payout:{deposit.pk}",
                           business_date=on, posted_by=actor, reference=deposit.number)


@transaction.atomic
def mature_term_deposits(business_date: datetime.date) -> dict[str, int]:
    """End-of-day step: each running term deposit whose maturity date has come gets its interest credited,
    then is paid out to its linked account and closed, or rolled over for another term. Idempotent: a paid
    out deposit is closed, a rolled over one has its next maturity date."""
    counts = {"paid_out": 0, "rolled_over": 0, "blocked": 0}
    due = (Account.objects.filter(product__kind=ProductKind.TERM, status=Account.Status.ACTIVE,
                                  maturity_date__lte=business_date).order_by("pk").values_list("pk", flat=True))
    for pk in list(due):
        deposit, linked = _lock_with_linked(Account.objects.get(pk=pk))
        capitalize_interest(accounts=[deposit], through=business_date, business_date=business_date,
                            purpose="maturity")
        if deposit.maturity_instruction == MaturityInstruction.ROLL_OVER:
            while deposit.maturity_date <= business_date:
                deposit.maturity_date = add_months(deposit.maturity_date, deposit.product.term_months)
            deposit.save(update_fields=["maturity_date"])
            counts["rolled_over"] += 1
            continue
        if linked is None or linked.status not in RECEIVING:
            counts["blocked"] += 1  # stays matured, earning nothing, until staff pay it out
            continue
        _pay_out(deposit, linked.ledger_account, on=business_date, actor=None,
                 description=f"Term deposit {deposit.number} matured: paid to {linked.number}")
        _close(deposit, on=business_date, actor=None)
        counts["paid_out"] += 1
    return counts


def ensure_may_break_term_deposit(actor: User, deposit: Account) -> None:
    """An early withdrawal moves the customer's money: branch staff who may change the deposit (its branch's,
    ``accounts.change_account``: tellers and branch managers) break it; head-office roles do not."""
    if actor is None or not actor.is_active or not can_access(actor, deposit, "change"):
        raise PermissionRefused(f"Your role may not break term deposit {deposit.number} (another branch's, or a "
                                "role that moves no customer money).")


@transaction.atomic
def break_term_deposit(*, deposit: Account, actor: User) -> Account:
    """Early withdrawal: the interest earned so far, less the product's penalty (a share of it), is credited;
    the forfeited part goes back from interest payable to interest expense; the whole balance is paid to the
    linked account (or in cash at the branch) and the deposit is closed. Refused to staff outside
    ``ensure_may_break_term_deposit``."""
    ensure_may_break_term_deposit(actor, deposit)
    deposit, linked = _lock_with_linked(deposit)
    if deposit.product.kind != ProductKind.TERM or deposit.status != Account.Status.ACTIVE:
        raise AccountStateRefused(f"Account {deposit.number} is not a running term deposit.",
                                  code="not_running_term_deposit")
    on = current_business_date()
    currency = deposit.ledger_account.currency
    unposted = InterestAccrual.objects.filter(account=deposit, kind=AccrualKind.CREDIT, posted_on__isnull=True)
    earned = exact_sum(unposted, field="amount")
    penalty = earned * deposit.product.early_withdrawal_penalty / Decimal(100)
    paid = max(round_to_currency(earned - penalty + deposit.interest_residue, currency), Decimal(0))
    forfeited = max(round_to_currency(penalty, currency), Decimal(0))
    postings = []
    if paid + forfeited > 0:
        postings.append(debit(house_account(INTEREST_PAYABLE), Money(paid + forfeited, currency)))
    if paid > 0:
        postings.append(credit(deposit.ledger_account, Money(paid, currency)))
    if forfeited > 0:
        postings.append(credit(house_account(INTEREST_EXPENSE), Money(forfeited, currency)))
    entry = None
    if postings:
        entry = post_journal_entry(postings=postings, description=f"Early withdrawal interest {deposit.number} "
                                   f"(penalty {deposit.product.early_withdrawal_penalty}% of {earned:.2f})",
                                   source="interest", idempotency_key=f"term-break-interest:{deposit.pk}",
                                   business_date=on, posted_by=actor, reference=deposit.number)
    unposted.update(posted_on=on, posted_entry=entry)
    deposit.interest_residue = Decimal(0)
    deposit.interest_posted_through = on
    deposit.save(update_fields=["interest_residue", "interest_posted_through"])
    target = linked.ledger_account if linked is not None and linked.status in RECEIVING else vault_cash(deposit.branch)
    _pay_out(deposit, target, on=on, actor=actor,
             description=f"Term deposit {deposit.number} withdrawn early")
    _close(deposit, on=on, actor=actor)
    return deposit
