"""Internal transfers between two of the bank's accounts: the one service the API, the admin and standing
orders use."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import QuerySet, Sum
from django.utils import timezone

from apps.accounts.account_numbers import validate_account_number
from apps.accounts.house_accounts import FEE_INCOME, house_account
from apps.accounts.locks import lock_accounts
from apps.accounts.models import Account
from apps.accounts.services.availability import ensure_available
from apps.accounts.services.holds import place_hold
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
from apps.payments.models import Channel, FraudDecision, Transfer
from apps.payments.pricing import ensure_within_limits, transfer_fee, transfer_limit
from apps.payments.services.beneficiaries import beneficiary_for_payment, ensure_cooling_off_respected
from apps.payments.services.fraud import (
    PaymentUnderCheck,
    evaluate_fraud_rules,
    record_hold_decisions,
    recording_fraud_blocks,
    refuse_if_blocked,
)

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
    """What left (or is reserved to leave, held for review) the account by transfer on the business date."""
    return Transfer.objects.filter(from_account=account, business_date=business_date).exclude(
        status=Transfer.Status.REJECTED).aggregate(total=Sum("amount"))["total"] or Decimal("0")


def _hold_for_review(check: PaymentUnderCheck, fired: list, *, payee: Account, fee: Money, reference: str,
                     channel: str, business_date) -> Transfer:
    """Record the transfer as held: nothing is posted; its amount and fee are reserved by an account hold
    until the review releases (posts it) or rejects it (releases the hold)."""
    payer, money = check.from_account, check.money
    hold = place_hold(account=payer, amount=money + fee, reason=f"Transfer to {payee.number} held for review",
                      actor=check.initiated_by)
    transfer = Transfer(from_account=payer, to_account=payee, amount=money.amount, fee=fee.amount,
                        currency=money.currency, reference=reference, channel=channel, business_date=business_date,
                        status=Transfer.Status.HELD, hold=hold, beneficiary=check.beneficiary,
                        initiated_by=check.initiated_by, idempotency_key=check.idempotency_key)
    transfer._history_user = check.initiated_by
    transfer.save()
    record_hold_decisions(check, fired, transfer=transfer)
    transfer.replayed = False
    return transfer


def post_transfer_entry(*, transfer: Transfer, payer: Account, payee: Account, posted_by: Any, business_date):
    """The transfer's one balanced entry: debit payer (amount + fee), credit payee (amount), credit fee income."""
    money, fee = Money(transfer.amount, transfer.currency), Money(transfer.fee, transfer.currency)
    postings = [debit(payer.ledger_account_id, money + fee), credit(payee.ledger_account_id, money)]
    if fee.is_positive:
        postings.append(credit(house_account(FEE_INCOME), fee))
    return post_journal_entry(
        postings=postings, description=f"Transfer {payer.number} to {payee.number}", source="transfer",
        idempotency_key=f"{transfer.initiated_by_id}:{transfer.idempotency_key}", posted_by=posted_by,
        reference=transfer.reference[:100], business_date=business_date,
    )


def transfer_between_accounts(*, from_account_number: str, to_account_number: str, money: Money,
                              reference: str = "", channel: str = Channel.API, initiated_by: Any,
                              idempotency_key: str, payer_accounts: QuerySet[Account] | None = None,
                              beneficiary_id: int | None = None) -> Transfer:
    """Move ``money`` from one account of the bank to another, with the fee of the payer's product and channel,
    as one balanced journal entry.

    A transfer to another customer's account (not a standing order's) also passes the beneficiary cooling-off
    period and the fraud rules: a blocking rule refuses it (the decision alone is recorded, in its own
    transaction); a holding rule records it ``held``, its amount and fee reserved by an account hold, for the
    review queue. ``beneficiary_id`` names the payer's saved beneficiary; without it the payer's beneficiary
    for the payee's account is used, if any.
    """
    with recording_fraud_blocks():
        return _transfer_between_accounts(
            from_account_number=from_account_number, to_account_number=to_account_number, money=money,
            reference=reference, channel=channel, initiated_by=initiated_by, idempotency_key=idempotency_key,
            payer_accounts=payer_accounts, beneficiary_id=beneficiary_id)


@transaction.atomic
def _transfer_between_accounts(*, from_account_number: str, to_account_number: str, money: Money, reference: str,
                               channel: str, initiated_by: Any, idempotency_key: str,
                               payer_accounts: QuerySet[Account] | None, beneficiary_id: int | None) -> Transfer:
    """The transfer in its transaction.

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

    beneficiary, fired, check = None, [], None
    if payer.customer_id != payee.customer_id and channel != Channel.STANDING_ORDER:
        now = timezone.now()
        beneficiary = beneficiary_for_payment(owner_id=payer.customer_id, beneficiary_id=beneficiary_id,
                                              destination=payee.number)
        ensure_cooling_off_respected(beneficiary=beneficiary, money=money, customer_initiated=not initiated_by.is_staff,
                                     now=now)
        check = PaymentUnderCheck(
            payment_kind=FraudDecision.PaymentKind.TRANSFER, from_account=payer, money=money,
            destination=payee.number, destination_country=payee.number[:2], beneficiary=beneficiary,
            initiated_by=initiated_by, idempotency_key=idempotency_key, now=now)
        fired = evaluate_fraud_rules(check)
        refuse_if_blocked(check, fired)
    if fired:
        return _hold_for_review(check, fired, payee=payee, fee=fee, reference=reference, channel=channel,
                                business_date=business_date)

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
                        entry=entry, initiated_by=initiated_by, idempotency_key=idempotency_key,
                        beneficiary=beneficiary)
    transfer._history_user = initiated_by
    transfer.save()
    if channel == Channel.API and payer.last_customer_activity_on != business_date:
        record_customer_activity(account=payer, business_date=business_date, actor=initiated_by)
    transfer.replayed = False
    return transfer
