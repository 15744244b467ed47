"""Repayment of a booked loan from the customer's deposit account: at the counter, over the API, or by the end of
day's automatic debit.

Rules: the amount is positive, in the loan's currency, and the deposit account can pay it (its status, its
available balance, its owner neither blocked nor closed); the loan is active; a customer repays only their own
loan, staff with the role in their branch. It pays what is due by its value date, oldest instalment first, each
instalment's components in the product's order (``apps.loans.allocation``). Beyond that only with a prepayment
choice: the payoff amount closes the loan (``quotes.payoff_quote``); less re-amortises what is not yet due
(``prepayment``); more is refused. A value date before transactions already on the loan replays them
(``loan_book.replay_if_backdated``).

Idempotent: one key per loan; a replay of the key returns the first transaction and moves nothing. Locks: the
loan row, then the deposit account, then (in ``post_journal_entry``) the ledger accounts.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from simple_history.utils import bulk_create_with_history

from apps.accounts.services.availability import DEBITABLE, ensure_available, ensure_status
from apps.customers.rules import ensure_customer_may_send
from apps.ledger.money_movements import MovementLeg, publish_money_movement
from apps.loans.allocation import Allocation, allocate, apply_allocation
from apps.loans.errors import LoanClosed, LoanIdempotencyConflict, RepaymentRefused
from apps.loans.loan_interest import interest_earned
from apps.loans.loan_rules import ensure_may_repay, live_instalments, lock_account_and_loan
from apps.loans.models import (
    COMPONENTS,
    InstalmentStatus,
    Loan,
    LoanInstalment,
    LoanStatus,
    LoanTransaction,
    TransactionChannel,
    TransactionKind,
)
from apps.loans.services.loan_book import (
    EARLY,
    close_if_repaid,
    post_repayment,
    replay_if_backdated,
    repost,
    save_instalments,
    set_portions,
)
from apps.loans.services.prepayment import reamortise
from apps.loans.services.quotes import payoff_from
from apps.money import Money, format_amount
from apps.organization.models import User
from apps.organization.selectors import current_business_date


def replayed_transaction(existing: LoanTransaction, *, kind_in: tuple[str, ...], amount: Money) -> LoanTransaction:
    if existing.kind not in kind_in or existing.amount != amount.amount:
        raise LoanIdempotencyConflict(f"Idempotency key {existing.idempotency_key!r} was used for "
                                      f"{existing.get_kind_display().lower()} {existing.pk} of {existing.amount}.")
    existing.replayed = True
    return existing


def ensure_active(loan: Loan) -> None:
    if loan.status != LoanStatus.ACTIVE:
        raise LoanClosed(f"Loan {loan.pk} is {loan.get_status_display().lower()}.", code=f"loan_{loan.status}")


def ensure_amount(loan: Loan, amount: Money, refusal: type = RepaymentRefused) -> None:
    if amount.currency != loan.currency:
        raise refusal(f"Loan {loan.pk} is in {loan.currency}, not {amount.currency}.", code="currency_mismatch")
    if not amount.is_positive:
        raise refusal("The amount must be positive.", code="amount_not_positive")


def ensure_value_date(loan: Loan, value_date: datetime.date, day: datetime.date, refusal: type) -> None:
    if value_date > day:
        raise refusal(f"The value date {value_date} is after the business date {day}.", code="value_date_future")
    if value_date < loan.disbursement_date:
        raise refusal(f"The value date {value_date} is before the disbursement.", code="value_date_before_loan")


def _settle_not_due(instalments: list[LoanInstalment], allocation: Allocation, *, value_date: datetime.date,
                    currency: str) -> None:
    """A payoff: the instalments not yet due keep only the interest earned to the value date, and everything
    left on them is paid."""
    for instalment in instalments:
        if instalment.due_date <= value_date:
            continue
        earned = interest_earned(interest_due=instalment.interest_due, start=instalment.period_start,
                                 end=instalment.period_end, day=value_date, currency=currency)
        instalment.interest_due = max(earned, instalment.interest_paid, instalment.interest_accrued)
        parts = allocation.by_instalment.setdefault(instalment.pk, {})
        for component in COMPONENTS:
            if instalment.owed(component) > 0:
                parts[component] = parts.get(component, Decimal(0)) + instalment.owed(component)
    allocation.left_over = Decimal(0)


def _book_in_order(*, loan: Loan, instalments: list[LoanInstalment], txn: LoanTransaction,
                   prepayment: str) -> list[LoanInstalment]:
    """Allocate a repayment dated on or after everything on the loan; returns the instalments it creates (a
    re-amortisation) after marking the ones they supersede."""
    value_date = txn.value_date
    allocation = allocate(instalments=instalments, amount=txn.amount, value_date=value_date,
                          allocation_order=loan.product.allocation_order)
    created: list[LoanInstalment] = []
    if allocation.left_over > 0:
        payoff = payoff_from(instalments, day=value_date, currency=loan.currency)
        if txn.amount > payoff.total:
            total = format_amount(payoff.total, loan.currency)
            raise RepaymentRefused(f"The loan is paid off with {total} on {value_date}; "
                                   f"{format_amount(txn.amount, loan.currency)} is more.",
                                   code="amount_exceeds_payoff", payoff=str(payoff.total))
        if not prepayment:
            due = format_amount(txn.amount - allocation.left_over, loan.currency)
            raise RepaymentRefused(f"{due} is due by {value_date}; paying more needs a prepayment choice "
                                   "(shorten_term or lower_instalment).", code="prepayment_choice_required")
        if txn.amount == payoff.total:
            txn.kind = TransactionKind.PAYOFF
            _settle_not_due(instalments, allocation, value_date=value_date, currency=loan.currency)
        else:
            txn.kind, txn.prepayment = TransactionKind.PREPAYMENT, prepayment
            future = [i for i in instalments if i.due_date > value_date]
            created = list(reamortise(loan=loan, future=future, prepaid=allocation.left_over,
                                      value_date=value_date, choice=prepayment).instalments)
            allocation.by_instalment.setdefault(future[0].pk, {})["principal"] = allocation.left_over
            for instalment in future:
                instalment.status, instalment.interest_accrued = InstalmentStatus.RESCHEDULED, Decimal(0)
            allocation.left_over = Decimal(0)
    set_portions(txn, allocation)
    # The prepaid principal is not paid on a superseded instalment: it is what the new schedule no longer owes.
    apply_allocation([i for i in instalments if i.status != InstalmentStatus.RESCHEDULED], allocation,
                     on=value_date)
    return created


@transaction.atomic
def repay_loan(*, loan: Loan, amount: Money, idempotency_key: str, actor: User | None,
               channel: str = TransactionChannel.COUNTER, value_date: datetime.date | None = None,
               prepayment: str = "", booked_on: datetime.date | None = None) -> LoanTransaction:
    """Repay ``loan`` from its deposit account (the module's docstring has the rules). ``actor`` None is the
    bank itself (the end-of-day automatic debit). ``booked_on``: the business date it is booked and posted on
    (default the bank's; the end of day books on the date it closes, which the bank has already left). Every
    refusal is raised before anything is written."""
    if not idempotency_key:
        raise RepaymentRefused("A repayment needs an idempotency key.", code="idempotency_key_missing")
    account, locked = lock_account_and_loan(loan)
    existing = locked.transactions.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        ensure_may_repay(actor, locked)
        return replayed_transaction(existing, kind_in=(TransactionKind.REPAYMENT, *EARLY), amount=amount)
    ensure_may_repay(actor, locked)
    ensure_active(locked)
    ensure_amount(locked, amount)
    day = min(booked_on or current_business_date(), current_business_date())
    value_date = value_date or day
    ensure_value_date(locked, value_date, day, RepaymentRefused)
    ensure_status(account, DEBITABLE, "a loan repayment")
    # The account is the borrower's (the disbursement checked it): a blocked or closed borrower sends nothing.
    ensure_customer_may_send(locked.customer)
    ensure_available(account, amount)

    instalments = list(live_instalments(locked))
    txn = LoanTransaction(loan=locked, kind=TransactionKind.REPAYMENT, channel=channel, value_date=value_date,
                          booked_on=day, amount=amount.amount, idempotency_key=idempotency_key, created_by=actor,
                          prepayment=prepayment)
    replayed = replay_if_backdated(loan=locked, instalments=instalments, txn=txn, refusal=RepaymentRefused)
    changed, moved = replayed or ([], [])
    created: list[LoanInstalment] = []
    if replayed is None:
        txn.prepayment = ""  # set again when the repayment turns out to be a prepayment
        created = _book_in_order(loan=locked, instalments=instalments, txn=txn, prepayment=prepayment)
    key = f"loan-repayment:{locked.pk}:{idempotency_key}"
    txn.journal_entry = post_repayment(loan=locked, txn=txn, deposit_ledger_id=account.ledger_account_id, day=day,
                                       actor=actor, key=key)
    publish_money_movement(
        kind="loan_repayment", entry=txn.journal_entry, currency=locked.currency,
        counterparty_reference=f"LOAN-{locked.pk}",
        legs=[MovementLeg(account_id=account.pk, customer_id=account.customer_id, direction="out",
                          amount=amount.amount)])
    txn._history_user = actor
    txn.save()
    repost(loan=locked, changed=changed, moved=moved, deposit_ledger_id=account.ledger_account_id, day=day,
           actor=actor, reason=f"replayed from {value_date} (loan {locked.pk})")
    live = [i for i in instalments if i.status != InstalmentStatus.RESCHEDULED]
    if not created:
        close_if_repaid(loan=locked, instalments=live, day=day, actor=actor)
    # The superseded instalments first: their numbers pass to the new ones.
    save_instalments(instalments, day=day, actor=actor)
    if created:
        bulk_create_with_history(created, LoanInstalment, default_user=actor)
    txn.replayed = False
    return txn
