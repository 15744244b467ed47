"""Internal transfers between two of the bank's accounts: the one service the API, the admin and standing
orders use."""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from apps.accounts.account_numbers import validate_account_number
from apps.accounts.house_accounts import house_account
from apps.accounts.models import Account, Hold
from apps.accounts.services.availability import ensure_available
from apps.accounts.services.holds import place_hold
from apps.accounts.services.lifecycle import idle_days, record_customer_activity
from apps.customers.rules import ensure_customer_may_send
from apps.kyc.selectors import ensure_kyc_verified
from apps.ledger.chart import FEE_INCOME
from apps.ledger.errors import IdempotencyConflict
from apps.ledger.models import LedgerAccount
from apps.ledger.money_movements import MovementLeg, publish_money_movement
from apps.ledger.services import credit, debit, post_journal_entry
from apps.money import Money
from apps.organization.models import User
from apps.payments.errors import (
    AccountNotAvailable,
    SameAccount,
    TransferCurrencyMismatch,
    UnknownAccount,
    UnknownBeneficiaryAccount,
)
from apps.payments.models import Beneficiary, Channel, FraudDecision, Transfer
from apps.payments.pricing import ensure_positive_amount, ensure_within_limits, fee_for
from apps.payments.services.beneficiaries import beneficiary_for_payment, ensure_cooling_off_respected
from apps.payments.services.fraud import (
    PaymentUnderCheck,
    evaluate_fraud_rules,
    record_hold_decisions,
    recording_fraud_blocks,
    refuse_if_blocked,
)
from apps.payments.services.initiators import ensure_may_initiate_transfer
from apps.payments.services.transfers.facts import (
    TransferFacts,
    lock_ledgers,
    lock_transfer_accounts,
    read_transfer_facts,
)
from apps.payments.services.transfers.sql import save_new_transfer


def _replay(existing: Transfer, *, from_id: int, to_id: int, money: Money) -> Transfer:
    if (existing.from_account_id, existing.to_account_id, existing.amount, existing.currency) != (
            from_id, to_id, money.amount, money.currency):
        raise IdempotencyConflict(f"Idempotency key {existing.idempotency_key!r} was already used for another "
                                  f"transfer (TR{existing.pk}).")
    existing.replayed = True
    return existing


def ensure_accounts_can_transfer(payer: Account, payee: Account, *, currency: str) -> None:
    """The accounts' own rules for a transfer in ``currency``: the payer is active (a frozen, dormant, closed or
    pending account sends nothing: ``Account.can_send``) and its owner is neither blocked nor closed
    (``ensure_customer_may_send``), the payee is neither pending nor closed (``Account.can_receive``), and both
    are in ``currency``. Standing orders check the same when
    they are set up (and again at each execution, through the transfer)."""
    if not payer.can_send:
        raise AccountNotAvailable(f"Account {payer.number} is {payer.status}: nothing may be sent from it.",
                                  code=payer.cannot_send_because)
    ensure_customer_may_send(payer.customer)
    if not payee.can_receive:
        raise AccountNotAvailable(f"Account {payee.number} is {payee.status}: it cannot receive transfers.",
                                  code=payee.cannot_receive_because)
    if not (currency == payer.currency == payee.currency):
        raise TransferCurrencyMismatch(f"{payer.number} is in {payer.currency} and {payee.number} in "
                                       f"{payee.currency}; the transfer is in {currency}.")


def resolve_payer_account(number: str, payer_accounts: QuerySet[Account] | None) -> int:
    """The id of the account to debit, among those the initiator may debit; "unknown" otherwise, exactly as for
    a number that does not exist, so nobody learns whether someone else's account exists."""
    normalized = validate_account_number(number)
    scope = Account.objects.all() if payer_accounts is None else payer_accounts
    account_id = scope.filter(number=normalized).values_list("pk", flat=True).first()
    if account_id is None:
        raise UnknownAccount(f"No account {normalized} that you may debit.")
    return account_id


def _hold_for_review(check: PaymentUnderCheck, fired: list, *, payee: Account, fee: Money, reference: str,
                     channel: str, business_date) -> Transfer:
    """Record the transfer as held: nothing is posted; its amount and fee are reserved by an account hold
    until the review releases (posts it) or rejects it (releases the hold)."""
    payer, money = check.from_account, check.money
    hold = place_hold(account=payer, amount=money + fee, reason=f"Transfer to {payee.number} held for review",
                      actor=check.initiated_by, purpose=Hold.Purpose.PAYMENT_REVIEW,
                      idempotency_key=f"transfer-review:{check.initiated_by.pk}:{check.idempotency_key}")
    transfer = Transfer(from_account=payer, to_account=payee, amount=money.amount, fee=fee.amount,
                        currency=money.currency, reference=reference, channel=channel, business_date=business_date,
                        status=Transfer.Status.HELD, hold=hold, beneficiary=check.beneficiary,
                        initiated_by=check.initiated_by, idempotency_key=check.idempotency_key)
    transfer._history_user = check.initiated_by
    transfer.save()
    record_hold_decisions(check, fired, transfer=transfer)
    transfer.replayed = False
    return transfer


def post_transfer_entry(*, transfer: Transfer, payer: Account, payee: Account, posted_by: User, business_date,
                        fee_income_id: int | None = None, locked_ledgers: dict | None = None,
                        payer_idle_days: int | None = None):
    """The transfer's one balanced entry: debit payer (amount + fee), credit payee (amount), credit fee income;
    and its money movement for monitoring (one event, both customers' legs: the outbox row, one INSERT).
    ``fee_income_id`` and ``locked_ledgers``: what the caller already read and locked in this transaction;
    ``payer_idle_days``: the payer's idle days, when the caller records the payer's activity."""
    money, fee = Money(transfer.amount, transfer.currency), Money(transfer.fee, transfer.currency)
    postings = [debit(payer.ledger_account_id, money + fee), credit(payee.ledger_account_id, money)]
    if fee.is_positive:
        postings.append(credit(fee_income_id or house_account(FEE_INCOME).pk, fee))
    entry = post_journal_entry(
        postings=postings, description=f"Transfer {payer.number} to {payee.number}", source="transfer",
        idempotency_key=f"{transfer.initiated_by_id}:{transfer.idempotency_key}", posted_by=posted_by,
        reference=transfer.reference[:100], business_date=business_date, locked_accounts=locked_ledgers,
    )
    # The fee is the bank's, not a movement between customers: monitoring sees the amount on both legs.
    publish_money_movement(kind="transfer", entry=entry, currency=transfer.currency, legs=[
        MovementLeg(account_id=payer.pk, customer_id=payer.customer_id, direction="out", amount=money.amount,
                    idle_days=payer_idle_days),
        MovementLeg(account_id=payee.pk, customer_id=payee.customer_id, direction="in", amount=money.amount),
    ])
    return entry


def transfer_between_accounts(*, from_account_number: str, to_account_number: str, money: Money,
                              reference: str = "", channel: str = Channel.API, initiated_by: User,
                              idempotency_key: str, payer_accounts: QuerySet[Account] | None = None,
                              beneficiary_id: int | None = None) -> Transfer:
    """Move ``money`` from one account of the bank to another, with the fee of the payer's product and channel,
    as one balanced journal entry.

    A transfer to another customer's account (not a standing order's) also passes the beneficiary cooling-off
    period and the fraud rules: a blocking rule refuses it (the decision alone is recorded, in its own
    transaction); a holding rule records it ``held``, its amount and fee reserved by an account hold, for the
    review queue. ``beneficiary_id`` names the payer's saved beneficiary; without it the payer's beneficiary
    for the payee's account is used, if any. Staff initiate only if their role may (``initiators``).
    """
    ensure_may_initiate_transfer(initiated_by, channel=channel)
    with recording_fraud_blocks():
        return _transfer_between_accounts(
            from_account_number=from_account_number, to_account_number=to_account_number, money=money,
            reference=reference, channel=channel, initiated_by=initiated_by, idempotency_key=idempotency_key,
            payer_accounts=payer_accounts, beneficiary_id=beneficiary_id)


@transaction.atomic
def _transfer_between_accounts(*, from_account_number: str, to_account_number: str, money: Money, reference: str,
                               channel: str, initiated_by: User, idempotency_key: str,
                               payer_accounts: QuerySet[Account] | None, beneficiary_id: int | None) -> Transfer:
    """The transfer in its transaction.

    ``payer_accounts`` is what the initiator may debit (a customer's own accounts); an account outside it is
    "unknown", exactly like one that does not exist (the locking statement only finds it within that scope).
    Rules, all checked under the two accounts' row locks
    (taken in id order, then their ledger accounts'): the payer is active, the payee open; one currency
    throughout; the payer's KYC is verified; the amount is within the per-transfer and daily limits of the
    payer's product and tier; the available balance covers amount and fee. A replay of ``idempotency_key`` by
    the same initiator returns the first transfer (``replayed``) and moves nothing; reusing it for another
    transfer is a conflict. What the rules read is read in three statements
    (``apps.payments.services.transfers.facts``).
    """
    ensure_positive_amount(money)
    payer, payee, fee_income_id = _lock_payer_and_payee(from_account_number, to_account_number, payer_accounts)
    ledgers = lock_ledgers(payer, payee, fee_income_id)
    to_someone_else = payer.customer_id != payee.customer_id and channel != Channel.STANDING_ORDER
    facts = read_transfer_facts(
        payer=payer, channel=channel, currency=money.currency, initiated_by_id=initiated_by.pk,
        idempotency_key=idempotency_key,
        beneficiary_destination=payee.number if to_someone_else and beneficiary_id is None else None)
    if facts.existing_transfer_id is not None:
        return _replay(Transfer.objects.get(pk=facts.existing_transfer_id), from_id=payer.pk, to_id=payee.pk,
                       money=money)
    fee = _fee_once_the_rules_pass(payer, payee, money=money, facts=facts)
    beneficiary, check, fired = None, None, []
    if to_someone_else:
        beneficiary, check, fired = _screen_payment_to_someone_else(
            payer, payee, money=money, facts=facts, beneficiary_id=beneficiary_id, initiated_by=initiated_by,
            idempotency_key=idempotency_key)
    if fired:
        return _hold_for_review(check, fired, payee=payee, fee=fee, reference=reference, channel=channel,
                                business_date=facts.business_date)
    return _complete(
        Transfer(from_account=payer, to_account=payee, amount=money.amount, fee=fee.amount, currency=money.currency,
                 reference=reference, channel=channel, business_date=facts.business_date, initiated_by=initiated_by,
                 idempotency_key=idempotency_key, beneficiary=beneficiary),
        fee_income_id=fee_income_id, ledgers=ledgers)


def _lock_payer_and_payee(from_account_number: str, to_account_number: str,
                          payer_accounts: QuerySet[Account] | None) -> tuple[Account, Account, int]:
    """The two accounts, locked, and the fee income account's id; "unknown" for a payer outside
    ``payer_accounts`` as for one that does not exist."""
    from_number = validate_account_number(from_account_number)
    to_number = validate_account_number(to_account_number)
    if from_number == to_number:
        raise SameAccount("The payer and the payee account are the same.")
    locked, fee_income_id = lock_transfer_accounts(payer_number=from_number, payee_number=to_number,
                                                   payer_scope=payer_accounts)
    payer, payee = locked.get(from_number), locked.get(to_number)
    if payer is None:
        raise UnknownAccount(f"No account {from_number} that you may debit.")
    if payee is None:
        raise UnknownBeneficiaryAccount(f"No account {to_number} at this bank.")
    return payer, payee, fee_income_id


def _fee_once_the_rules_pass(payer: Account, payee: Account, *, money: Money, facts: TransferFacts) -> Money:
    """The transfer's fee, once the accounts, KYC, the limits and the available balance allow it."""
    ensure_accounts_can_transfer(payer, payee, currency=money.currency)
    ensure_kyc_verified(payer.customer, on=facts.business_date, documents=facts.kyc_documents)
    ensure_within_limits(limit=facts.limit, money=money, spent_today=facts.spent_today)
    fee = fee_for(facts.fee_schedule, money)
    ensure_available(payer, money + fee, holds_total=facts.holds_total)
    return fee


def _screen_payment_to_someone_else(payer: Account, payee: Account, *, money: Money, facts: TransferFacts,
                                    beneficiary_id: int | None, initiated_by: User, idempotency_key: str,
                                    ) -> tuple[Beneficiary | None, PaymentUnderCheck | None, list]:
    """The payer's beneficiary for the payee (the one named, else the saved one, if any), once the cooling-off
    period allows the payment; then the fraud rules: a blocking rule refuses it, the holding rules that fired
    are returned (with the payment they checked) to hold it for review."""
    now = timezone.now()
    beneficiary = None
    if beneficiary_id is not None:
        beneficiary = beneficiary_for_payment(owner_id=payer.customer_id, beneficiary_id=beneficiary_id,
                                              destination=payee.number)
    elif facts.saved_beneficiary_id is not None:
        beneficiary = Beneficiary.objects.get(pk=facts.saved_beneficiary_id)
    ensure_cooling_off_respected(beneficiary=beneficiary, money=money, customer_initiated=not initiated_by.is_staff,
                                 now=now)
    if not facts.fraud_rules_active:
        return beneficiary, None, []
    check = PaymentUnderCheck(
        payment_kind=FraudDecision.PaymentKind.TRANSFER, from_account=payer, money=money,
        destination=payee.number, destination_country=payee.number[:2], beneficiary=beneficiary,
        initiated_by=initiated_by, idempotency_key=idempotency_key, now=now)
    fired = evaluate_fraud_rules(check)
    refuse_if_blocked(check, fired)
    return beneficiary, check, fired


def _complete(transfer: Transfer, *, fee_income_id: int, ledgers: dict[int, LedgerAccount]) -> Transfer:
    """Post the transfer's entry, save it with its history row and, for a customer's own transfer, record the
    payer's activity (the dormancy clock)."""
    payer, initiated_by, business_date = transfer.from_account, transfer.initiated_by, transfer.business_date
    customers_own = transfer.channel == Channel.API
    # read before the activity is recorded below (no query: the locked row's date)
    payer_idle_days = idle_days(payer, business_date) if customers_own else None
    transfer.entry = post_transfer_entry(transfer=transfer, payer=payer, payee=transfer.to_account,
                                         posted_by=initiated_by, business_date=business_date,
                                         fee_income_id=fee_income_id, locked_ledgers=ledgers,
                                         payer_idle_days=payer_idle_days)
    save_new_transfer(transfer, actor=initiated_by)
    if customers_own and payer.last_customer_activity_on != business_date:
        record_customer_activity(account=payer, business_date=business_date, actor=initiated_by)
    transfer.replayed = False
    return transfer
