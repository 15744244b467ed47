"""Internal transfers between two of the bank's accounts: the one service the API, the admin and standing
orders use."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import QuerySet, Sum

from apps.accounts.account_numbers import validate_account_number
from apps.accounts.house_accounts import FEE_INCOME, house_account
from apps.accounts.locks import lock_accounts
from apps.accounts.models import Account
from apps.accounts.services.availability import ensure_available
from apps.accounts.services.lifecycle import record_customer_activity
from apps.kyc.selectors import ensure_kyc_verified
from apps.ledger.errors import IdempotencyConflict
from apps.ledger.money import Money, MoneyError
from apps.ledger.services import credit, debit, post_journal_entry
from apps.organization.selectors import current_business_date
from apps.payments.errors import (
    AccountNotAvailable,
    SameAccount,
    TransferCurrencyMismatch,
    UnknownAccount,
    UnknownBeneficiaryAccount,
)
from apps.payments.models import Channel, Transfer
from apps.payments.pricing import ensure_within_limits, transfer_fee, transfer_limit

PAYEE_REFUSED_STATUSES = (Account.Status.PENDING, Account.Status.CLOSED)


def _replay(existing: Transfer, *, from_id: int, to_id: int, money: Money) -> Transfer:
    if (existing.from_account_id, existing.to_account_id, existing.amount, existing.currency) != (
            from_id, to_id, money.amount, money.currency):
        raise IdempotencyConflict(f"Idempotency key {existing.idempotency_key!r} was already used for another "
                                  f"transfer (TR{existing.pk}).")
    existing.replayed = True
    return existing


def resolve_payer_account(number: str, payer_accounts: QuerySet[Account] | None) -> int:
    """The id of the account to debit, among those the initiator may debit; "unknown" otherwise, exactly as for
    a number that does not exist, so nobody learns whether someone else's account exists."""
    normalized = validate_account_number(number)
    scope = Account.objects.all() if payer_accounts is None else payer_accounts
    account_id = scope.filter(number=normalized).values_list("pk", flat=True).first()
    if account_id is None:
        raise UnknownAccount(f"No account {normalized} that you may debit.")
    return account_id


def spent_today(account: Account, business_date) -> Decimal:
    return Transfer.objects.filter(from_account=account, business_date=business_date).aggregate(
        total=Sum("amount"))["total"] or Decimal("0")


@transaction.atomic
def transfer_between_accounts(*, from_account_number: str, to_account_number: str, money: Money,
                              reference: str = "", channel: str = Channel.API, initiated_by: Any,
                              idempotency_key: str, payer_accounts: QuerySet[Account] | None = None) -> Transfer:
    """Move ``money`` from one account of the bank to another, with the fee of the payer's product and channel,
    as one balanced journal entry.

    ``payer_accounts`` is what the initiator may debit (a customer's own accounts); an account outside it is
    "unknown", exactly like one that does not exist. Rules, all checked under the two accounts' row locks
    (taken in id order): the payer is active, the payee open; one currency throughout; the payer's KYC is
    verified; the amount is within the per-transfer and daily limits of the payer's product and tier; the
    available balance covers amount and fee. A replay of ``idempotency_key`` by the same initiator returns the
    first transfer (``replayed``) and moves nothing; reusing it for another transfer is a conflict.
    """
    if not money.is_positive:
        raise MoneyError("A transfer amount must be positive.", code="amount_not_positive")
    from_id = resolve_payer_account(from_account_number, payer_accounts)
    to_number = validate_account_number(to_account_number)
    to_id = Account.objects.filter(number=to_number).values_list("pk", flat=True).first()
    if to_id is None:
        raise UnknownBeneficiaryAccount(f"No account {to_number} at this bank.")
    if from_id == to_id:
        raise SameAccount("The payer and the payee account are the same.")

    locked = {account.pk: account for account in lock_accounts([from_id, to_id])}
    payer, payee = locked[from_id], locked[to_id]
    existing = Transfer.objects.filter(initiated_by=initiated_by, idempotency_key=idempotency_key).first()
    if existing is not None:
        return _replay(existing, from_id=from_id, to_id=to_id, money=money)

    if payer.status != Account.Status.ACTIVE:
        raise AccountNotAvailable(f"Account {payer.number} is {payer.status}: nothing may be sent from it.",
                                  code=f"account_{payer.status}")
    if payee.status in PAYEE_REFUSED_STATUSES:
        raise AccountNotAvailable(f"Account {payee.number} is {payee.status}: it cannot receive transfers.",
                                  code=f"beneficiary_account_{payee.status}")
    if not (money.currency == payer.currency == payee.currency):
        raise TransferCurrencyMismatch(f"{payer.number} is in {payer.currency} and {payee.number} in "
                                       f"{payee.currency}; the transfer is in {money.currency}.")
    ensure_kyc_verified(payer.customer)
    business_date = current_business_date()
    ensure_within_limits(
        limit=transfer_limit(product_id=payer.product_id, is_premium=payer.customer.is_premium,
                             currency=money.currency),
        money=money, spent_today=spent_today(payer, business_date),
    )
    fee = transfer_fee(product_id=payer.product_id, channel=channel, money=money)
    ensure_available(payer, money + fee)

    postings = [debit(payer.ledger_account_id, money + fee), credit(payee.ledger_account_id, money)]
    if fee.is_positive:
        postings.append(credit(house_account(FEE_INCOME), fee))
    entry = post_journal_entry(
        postings=postings, description=f"Transfer {payer.number} to {payee.number}", source="transfer",
        idempotency_key=f"{initiated_by.pk}:{idempotency_key}", posted_by=initiated_by, reference=reference[:100],
        business_date=business_date,
    )
    transfer = Transfer(from_account=payer, to_account=payee, amount=money.amount, fee=fee.amount,
                        currency=money.currency, reference=reference, channel=channel, business_date=business_date,
                        entry=entry, initiated_by=initiated_by, idempotency_key=idempotency_key)
    transfer._history_user = initiated_by
    transfer.save()
    if channel == Channel.API and payer.last_customer_activity_on != business_date:
        record_customer_activity(account=payer, business_date=business_date, actor=initiated_by)
    transfer.replayed = False
    return transfer
