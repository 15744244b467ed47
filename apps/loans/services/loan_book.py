"""What the loan's money services share: its journal entries, its instalments' statuses, saving them with history,
closing a loan that is paid in full, and the deterministic replay of its transactions (a backdated one).

The replay: when a repayment or a charge is dated before transactions already on the loan, every repayment and
charge of the loan is applied again from the start in value-date order (same date: in the order they were
booked), charges placed and repayments allocated as if each had arrived on its value date. A repayment whose
share changed has its journal entry reversed and a new one posted (posted entries are never edited).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal

from simple_history.utils import bulk_update_with_history

from apps.ledger.services import credit, debit, post_journal_entry, reverse_journal_entry
from apps.loans.allocation import allocate, apply_allocation
from apps.loans.errors import LoanChargeRefused, RepaymentRefused
from apps.loans.models import (
    COMPONENTS,
    InstalmentStatus,
    Loan,
    LoanInstalment,
    LoanStatus,
    LoanTransaction,
    TransactionKind,
)
from apps.loans.models.loans import INSTALMENT_STATE, REPLAYED_KINDS
from apps.money import Money
from apps.organization.models import User

SOURCE = "loans"
ZERO = Decimal(0)
CHARGES = (TransactionKind.FEE, TransactionKind.PENALTY)
EARLY = (TransactionKind.PREPAYMENT, TransactionKind.PAYOFF)


def status_on(instalment: LoanInstalment, day: datetime.date) -> str:
    if instalment.status == InstalmentStatus.RESCHEDULED:
        return instalment.status
    if instalment.total_owed == 0:
        return InstalmentStatus.PAID
    if instalment.due_date < day:
        return InstalmentStatus.OVERDUE
    return InstalmentStatus.DUE if instalment.due_date == day else InstalmentStatus.PENDING


def save_instalments(instalments: Sequence[LoanInstalment], *, day: datetime.date, actor: User | None) -> None:
    """Set each instalment's status as of ``day`` and save, with history, in one statement, those that changed
    since they were read (a repayment touches one or two of a loan's instalments, not all of them)."""
    for instalment in instalments:
        instalment.status = status_on(instalment, day)
        if instalment.status != InstalmentStatus.PAID:
            instalment.paid_on = None
        elif instalment.paid_on is None:
            instalment.paid_on = day
    changed = [i for i in instalments if getattr(i, "_loaded", None) != i.snapshot()]
    if changed:
        bulk_update_with_history(changed, LoanInstalment, list(INSTALMENT_STATE), default_user=actor)


def repayment_postings(*, loan: Loan, deposit_ledger_id: int, txn: LoanTransaction) -> list:
    """Dr the deposit account the amount; Cr the portfolio the principal, Cr receivable the interest and charges."""
    product, currency = loan.product, loan.currency
    postings = [debit(deposit_ledger_id, Money(txn.amount, currency))]
    if txn.principal_portion > 0:
        postings.append(credit(product.loan_portfolio_account_id, Money(txn.principal_portion, currency)))
    receivable = txn.interest_portion + txn.fee_portion + txn.penalty_portion
    if receivable > 0:
        postings.append(credit(product.interest_receivable_account_id, Money(receivable, currency)))
    return postings


def post_repayment(*, loan: Loan, txn: LoanTransaction, deposit_ledger_id: int, day: datetime.date,
                   actor: User | None, key: str):
    return post_journal_entry(
        postings=repayment_postings(loan=loan, deposit_ledger_id=deposit_ledger_id, txn=txn),
        description=f"Loan {loan.pk} {txn.get_kind_display().lower()} (value {txn.value_date})", source=SOURCE,
        idempotency_key=key, posted_by=actor, business_date=day, reference=f"LOAN-{loan.pk}")


def post_charge(*, loan: Loan, txn: LoanTransaction, day: datetime.date, actor: User | None):
    """A fee or penalty charged: Dr receivable, Cr fee income."""
    money = Money(txn.amount, loan.currency)
    return post_journal_entry(
        postings=[debit(loan.product.interest_receivable_account_id, money),
                  credit(loan.product.fee_income_account_id, money)],
        description=f"Loan {loan.pk} {txn.get_kind_display().lower()} (value {txn.value_date})", source=SOURCE,
        idempotency_key=f"loan-charge:{loan.pk}:{txn.idempotency_key}", posted_by=actor, business_date=day,
        reference=f"LOAN-{loan.pk}")


def close_if_repaid(*, loan: Loan, instalments: Sequence[LoanInstalment], day: datetime.date,
                    actor: User | None) -> bool:
    """A loan with nothing owed closes; the interest not yet accrued on it (today's, which the end of day will no
    longer accrue) is accrued now in one entry: Dr interest receivable, Cr interest income."""
    if any(i.total_owed > 0 for i in instalments):
        return False
    rest = sum((i.interest_due - i.interest_accrued for i in instalments), ZERO)
    for instalment in instalments:
        instalment.interest_accrued = instalment.interest_due
    if rest > 0:
        money = Money(rest, loan.currency)
        post_journal_entry(postings=[debit(loan.product.interest_receivable_account_id, money),
                                     credit(loan.product.interest_income_account_id, money)],
                           description=f"Loan {loan.pk} interest accrued at closing", source=SOURCE,
                           idempotency_key=f"loan-closing-accrual:{loan.pk}", posted_by=actor, business_date=day,
                           reference=f"LOAN-{loan.pk}")
    loan.status, loan.closed_on = LoanStatus.CLOSED, day
    loan._history_user = actor
    loan.save(update_fields=["status", "closed_on"])
    return True


def charge_target(instalments: Sequence[LoanInstalment], day: datetime.date) -> LoanInstalment:
    """A charge lands on the oldest instalment due by its date that still owes something, else on the next one
    due after it."""
    owing = [i for i in instalments if i.due_date <= day and i.total_owed > 0]
    later = [i for i in instalments if i.due_date > day]
    candidates = owing or later
    if not candidates:
        raise LoanChargeRefused("No instalment is left to carry the charge.", code="no_instalment_for_charge")
    return min(candidates, key=lambda i: (i.due_date, i.number))


def set_portions(txn: LoanTransaction, allocation) -> bool:
    """Write the allocation's portions on ``txn``; True when they changed."""
    before = tuple(getattr(txn, f"{c}_portion") for c in COMPONENTS)
    for component in COMPONENTS:
        setattr(txn, f"{component}_portion", allocation.portion(component))
    return before != tuple(getattr(txn, f"{c}_portion") for c in COMPONENTS)


def replay(*, loan: Loan, instalments: Sequence[LoanInstalment],
           events: Sequence[LoanTransaction]) -> tuple[list[LoanTransaction], list[LoanTransaction]]:
    """Apply every repayment and charge again from the start, in value-date order (in memory). Returns the
    repayments already booked whose portions changed, and the charges already booked that moved to another
    instalment. A repayment that would now pay more than is owed by its
    date is refused (``replay_overpays``): nothing has been written."""
    for instalment in instalments:
        for component in COMPONENTS:
            setattr(instalment, f"{component}_paid", ZERO)
        instalment.fee_due = instalment.penalty_due = ZERO
        instalment.status, instalment.paid_on = InstalmentStatus.PENDING, None
    changed, moved = [], []
    for event in sorted(events, key=lambda t: (t.value_date, t.pk is None, t.pk or 0)):
        if event.kind in CHARGES:
            target = charge_target(instalments, event.value_date)
            component = "fee" if event.kind == TransactionKind.FEE else "penalty"
            setattr(target, f"{component}_due", target.due(component) + event.amount)
            if event.pk is not None and event.instalment_id != target.pk:
                moved.append(event)
            event.instalment = target
            continue
        allocation = allocate(instalments=instalments, amount=event.amount, value_date=event.value_date,
                              allocation_order=loan.product.allocation_order)
        if allocation.left_over > 0:
            raise RepaymentRefused(
                f"Replayed from its value date, the repayment of {event.amount} on {event.value_date} would pay more "
                "than the loan owed by then.", code="replay_overpays")
        apply_allocation(instalments, allocation, on=event.value_date)
        if set_portions(event, allocation) and event.pk is not None:
            changed.append(event)
    return changed, moved


def replay_if_backdated(*, loan: Loan, instalments: Sequence[LoanInstalment], txn: LoanTransaction,
                        refusal: type) -> tuple[list[LoanTransaction], list[LoanTransaction]] | None:
    """None when ``txn`` is dated on or after everything on the loan (nothing to replay); else the replay of the
    loan's repayments and charges with it (``replay``). Replaying across a prepayment or a payoff (which
    re-amortised or settled the schedule) is refused: ``backdated_prepayment``."""
    later = loan.transactions.filter(kind__in=(*REPLAYED_KINDS, *EARLY), value_date__gt=txn.value_date)
    if not later.exists():
        return None
    if txn.kind in EARLY or txn.prepayment or loan.transactions.filter(kind__in=EARLY).exists():
        raise refusal("A backdated transaction cannot cross or be a prepayment.", code="backdated_prepayment")
    events = list(loan.transactions.filter(kind__in=REPLAYED_KINDS).order_by("value_date", "pk"))
    return replay(loan=loan, instalments=instalments, events=[*events, txn])


def repost(*, loan: Loan, changed: Sequence[LoanTransaction], moved: Sequence[LoanTransaction],
           deposit_ledger_id: int, day: datetime.date, actor: User | None, reason: str) -> None:
    """Each changed repayment: its entry reversed, a new one posted with its new portions. A moved charge keeps
    its entry (fee income and receivable do not depend on the instalment): only its instalment is saved."""
    if moved:
        bulk_update_with_history(list(moved), LoanTransaction, ["instalment"], default_user=actor)
    for txn in changed:
        reverse_journal_entry(entry=txn.journal_entry, reason=reason, reversed_by=actor, business_date=day)
        txn.postings += 1
        txn.journal_entry = post_repayment(loan=loan, txn=txn, deposit_ledger_id=deposit_ledger_id, day=day,
                                           actor=actor, key=f"loan-txn:{txn.pk}:{txn.postings}")
    if changed:
        bulk_update_with_history(list(changed), LoanTransaction, [
            "principal_portion", "interest_portion", "fee_portion", "penalty_portion", "postings", "journal_entry"],
            default_user=actor)
