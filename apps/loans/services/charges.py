"""Fees and penalties charged on a booked loan: Dr interest and charges receivable, Cr fee income, in one entry.

A charge lands on the oldest instalment due by its value date that still owes something (a late fee on the
overdue instalment), else on the next one due (``loan_book.charge_target``). Dated before a repayment already on
the loan, it replays the loan's transactions, as a backdated repayment does. Idempotent by key, per loan.
"""

from __future__ import annotations

import datetime

from django.db import transaction

from apps.loans.errors import LoanChargeRefused
from apps.loans.loan_rules import CHARGE, ensure_staff_may, live_instalments, lock_account_and_loan
from apps.loans.models import Loan, LoanTransaction, TransactionChannel, TransactionKind
from apps.loans.services.loan_book import (
    CHARGES,
    charge_target,
    post_charge,
    replay_if_backdated,
    repost,
    save_instalments,
)
from apps.loans.services.repayment import ensure_active, ensure_amount, ensure_value_date, replayed_transaction
from apps.money import Money
from apps.organization.models import User
from apps.organization.selectors import current_business_date


@transaction.atomic
def charge_loan(*, loan: Loan, kind: str, amount: Money, idempotency_key: str, actor: User | None,
                value_date: datetime.date | None = None, channel: str = TransactionChannel.COUNTER
                ) -> LoanTransaction:
    """Charge a fee or a penalty on ``loan`` (staff with ``loans.charge_loan`` in the loan's branch; ``actor``
    None: the bank's own end of day). Refusals write nothing."""
    if kind not in CHARGES:
        raise LoanChargeRefused(f"Unknown charge {kind!r}.", code="unknown_charge")
    if not idempotency_key:
        raise LoanChargeRefused("A charge needs an idempotency key.", code="idempotency_key_missing")
    # The deposit account too, though a charge debits it only when the charge replays a repayment after it.
    account, locked = lock_account_and_loan(loan)
    if actor is not None:
        ensure_staff_may(actor, CHARGE, branch_id=locked.branch_id)
    existing = locked.transactions.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return replayed_transaction(existing, kind_in=(kind,), amount=amount)
    ensure_active(locked)
    ensure_amount(locked, amount, LoanChargeRefused)
    day = current_business_date()
    value_date = value_date or day
    ensure_value_date(locked, value_date, day, LoanChargeRefused)
    instalments = list(live_instalments(locked))
    txn = LoanTransaction(loan=locked, kind=kind, channel=channel, value_date=value_date, booked_on=day,
                          amount=amount.amount, idempotency_key=idempotency_key, created_by=actor)
    replayed = replay_if_backdated(loan=locked, instalments=instalments, txn=txn, refusal=LoanChargeRefused)
    changed, moved = replayed or ([], [])
    if replayed is None:
        target = charge_target(instalments, value_date)
        component = "fee" if kind == TransactionKind.FEE else "penalty"
        setattr(target, f"{component}_due", target.due(component) + amount.amount)
        txn.instalment = target
    txn.journal_entry = post_charge(loan=locked, txn=txn, day=day, actor=actor)
    txn._history_user = actor
    txn.save()
    if changed or moved:
        # A reposted repayment credits the deposit account back, then debits it the same amount.
        repost(loan=locked, changed=changed, moved=moved, deposit_ledger_id=account.ledger_account_id, day=day,
               actor=actor, reason=f"replayed from {value_date} (loan {locked.pk})")
    save_instalments(instalments, day=day, actor=actor)
    txn.replayed = False
    return txn
