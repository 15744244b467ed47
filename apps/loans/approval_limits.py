"""How much each role may approve alone, per currency (LOAN_APPROVAL_LIMITS in config/settings.py, read with
``apps.ledger.thresholds`` as the payment and cash thresholds are): a loan officer up to one amount, a branch
manager up to another; above every limit of the checker's roles, two distinct members of the credit committee
(``loans.sit_on_credit_committee``). A currency for which the bank set a role no amount gives that role no
authority in it: such loans go to the committee, whatever the amount (a new currency is never waved through)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings

from apps.ledger.thresholds import is_above, threshold
from apps.money import Money, format_amount
from apps.organization.models import User

COMMITTEE_PERMISSION = "loans.sit_on_credit_committee"
COMMITTEE_SIZE = 2
AUTHORITY_ROLE = "role"
AUTHORITY_COMMITTEE = "credit_committee"


def approval_limit(user: User, currency: str) -> Decimal | None:
    """The largest loan in ``currency`` ``user`` may approve alone: the highest of their roles' amounts; None
    when none of their roles has one."""
    roles = set(user.groups.values_list("name", flat=True))
    limits = [threshold(amounts, currency) for role, amounts in settings.LOAN_APPROVAL_LIMITS.items()
              if role in roles]
    return max((limit for limit in limits if limit is not None), default=None)


def may_approve_alone(user: User, amount: Money) -> bool:
    """Within the user's own limit (superusers have none)."""
    return user.is_superuser or not is_above(amount, approval_limit(user, amount.currency))


def limit_in_words(user: User, currency: str) -> str:
    limit = approval_limit(user, currency)
    return f"no approval limit in {currency} for your role" if limit is None else \
        f"your limit of {format_amount(limit, currency)}"
