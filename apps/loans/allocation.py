"""How a repayment is shared among what a loan owes: pure Decimal arithmetic over the instalments, no database.

The rule (Fineract's transaction processing strategies, the product's ``allocation_order``):
- only instalments due on or before the repayment's value date are paid (oldest due date first, so what is past
  due goes before what falls due that day); a later instalment is reached only through a prepayment;
- within an instalment, the components in the product's order (by default penalties, fees, interest, principal);
- never more than is owed: what is left over is returned for the prepayment handling to use, or refused.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from apps.loans.models import COMPONENTS, LoanInstalment
from apps.loans.product_terms import ALLOCATION_COMPONENTS

ZERO = Decimal(0)


@dataclass
class Allocation:
    # instalment id -> component -> amount paid
    by_instalment: dict[int, dict[str, Decimal]] = field(default_factory=dict)
    left_over: Decimal = ZERO

    def portion(self, component: str) -> Decimal:
        return sum((parts.get(component, ZERO) for parts in self.by_instalment.values()), ZERO)

    @property
    def allocated(self) -> Decimal:
        return sum((self.portion(c) for c in COMPONENTS), ZERO)


def components_in_order(allocation_order: str) -> tuple[str, ...]:
    return ALLOCATION_COMPONENTS[allocation_order]


def due_by(instalments: Iterable[LoanInstalment], day: datetime.date) -> list[LoanInstalment]:
    """The instalments due on or before ``day`` with something owed, oldest first."""
    return sorted((i for i in instalments if i.due_date <= day and i.total_owed > 0),
                  key=lambda i: (i.due_date, i.number))


def owed_by(instalments: Iterable[LoanInstalment], day: datetime.date) -> Decimal:
    return sum((i.total_owed for i in due_by(instalments, day)), ZERO)


def allocate(*, instalments: Sequence[LoanInstalment], amount: Decimal, value_date: datetime.date,
             allocation_order: str) -> Allocation:
    """Share ``amount`` among the instalments due by ``value_date``; the instalments are not changed."""
    order = components_in_order(allocation_order)
    allocation = Allocation()
    remaining = amount
    for instalment in due_by(instalments, value_date):
        for component in order:
            if remaining <= 0:
                break
            share = min(instalment.owed(component), remaining)
            if share > 0:
                allocation.by_instalment.setdefault(instalment.pk, {})[component] = share
                remaining -= share
    allocation.left_over = remaining
    return allocation


def apply_allocation(instalments: Sequence[LoanInstalment], allocation: Allocation, *, on: datetime.date) -> None:
    """Add the allocation's amounts to the instalments' paid columns (in memory); a fully paid one reads paid."""
    for instalment in instalments:
        for component, share in allocation.by_instalment.get(instalment.pk, {}).items():
            setattr(instalment, f"{component}_paid", instalment.paid(component) + share)
        if instalment.pk in allocation.by_instalment and instalment.total_owed == 0:
            instalment.status, instalment.paid_on = "paid", on
