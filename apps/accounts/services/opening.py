"""Opening deposit accounts (products change under maker-checker: apps.accounts.services.products)."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import F

from apps.accounts.account_numbers import account_number
from apps.accounts.errors import (
    InvalidAccountOperation,
    NotAllowedToOpenAccount,
    ProductNotAvailable,
)
from apps.accounts.models import (
    Account,
    AccountHolder,
    AccountNumberSequence,
    DepositProduct,
    MaturityInstruction,
    ProductKind,
)
from apps.kyc.selectors import ensure_kyc_verified
from apps.ledger.models import AccountType, LedgerAccount
from apps.ledger.services import open_ledger_account
from apps.organization.branch_scope import can_access, grant_branch_access, is_bank_wide
from apps.organization.models import Branch, User
from apps.organization.selectors import current_bank

OPEN_PERMISSION = "accounts.add_account"


def may_open_accounts(actor: User) -> bool:
    """Whether the actor's role opens accounts at all (the admin shows its "Open an account" page to them)."""
    return actor.is_active and actor.is_staff and actor.has_perm(OPEN_PERMISSION)


def ensure_may_open_account(actor: User, *, customers: list[Any], branch: Branch) -> None:
    """Staff whose role opens accounts, for customers they may see, in their own branch (any branch for
    bank-wide roles)."""
    if not may_open_accounts(actor):
        raise NotAllowedToOpenAccount("Your role may not open accounts.")
    if any(not can_access(actor, customer, "view") for customer in customers):
        raise NotAllowedToOpenAccount("You open accounts for your branch's customers only.")
    if not is_bank_wide(actor) and branch.pk != actor.home_branch_id:
        raise NotAllowedToOpenAccount(f"You open accounts in your own branch, not {branch.code}.")


def next_account_number() -> str:
    """A fresh account number: the next serial of the one sequence row, taken under its row lock."""
    sequence, _ = AccountNumberSequence.objects.get_or_create(name="deposit")
    AccountNumberSequence.objects.filter(pk=sequence.pk).update(last_value=F("last_value") + 1)
    serial = AccountNumberSequence.objects.select_for_update().get(pk=sequence.pk).last_value
    return account_number(bank_code=current_bank().code, serial=serial)


@transaction.atomic
def open_account(*, customer: Any, product: DepositProduct, actor: User, branch: Branch | None = None,
                 joint_holders: list[Any] = (), maturity_instruction: str = "",
                 linked_account: Account | None = None) -> Account:
    """Open an account for a KYC-verified customer (and joint holders, each verified) on an active product.

    Opened by staff whose role may (``ensure_may_open_account``), whichever door or task calls it.

    The account gets its own liability ledger account, with the product's overdraft limit as its floor.
    It starts active when the product needs no opening balance, otherwise pending until a deposit reaches the
    minimum. A term deposit needs a maturity instruction and, to pay out, a linked account of the customer.
    """
    branch = branch or customer.branch
    ensure_may_open_account(actor, customers=[customer, *joint_holders], branch=branch)
    if not product.is_active:
        raise ProductNotAvailable(f"Product {product.code} does not accept new accounts.")
    ensure_kyc_verified(customer)
    for holder in joint_holders:
        ensure_kyc_verified(holder)
    if product.kind == ProductKind.TERM:
        if maturity_instruction not in MaturityInstruction.values:
            raise InvalidAccountOperation("A term deposit needs a maturity instruction: pay_out or roll_over.",
                                          code="maturity_instruction_required")
        if maturity_instruction == MaturityInstruction.PAY_OUT and linked_account is None:
            raise InvalidAccountOperation("Paying out at maturity needs a linked account.",
                                          code="linked_account_required")
    elif maturity_instruction:
        raise InvalidAccountOperation("Only term deposits have a maturity instruction.")
    if linked_account is not None:
        if not linked_account.holder_links.filter(customer=customer).exists():
            raise InvalidAccountOperation("The linked account must belong to the same customer.",
                                          code="linked_account_not_customers")
        if linked_account.product.currency != product.currency:
            raise InvalidAccountOperation("The linked account must be in the product's currency.",
                                          code="currency_mismatch")

    number = next_account_number()
    allow_overdraft, overdraft_limit = product.ledger_overdraft()
    starts_active = product.kind != ProductKind.TERM and product.minimum_opening_balance == 0
    business_date = current_bank().current_business_date
    account = Account(
        number=number, product=product, branch=branch, customer=customer,
        status=Account.Status.ACTIVE if starts_active else Account.Status.PENDING,
        opened_on=business_date, last_customer_activity_on=business_date,
        maturity_instruction=maturity_instruction if product.kind == ProductKind.TERM else "",
        linked_account=linked_account, opened_by=actor,
    )
    account.ledger_account = open_ledger_account(
        code=number, name=f"{product.name} {customer.legal_name}"[:200], type=AccountType.LIABILITY,
        currency=product.currency, branch=branch, allow_overdraft=allow_overdraft,
        overdraft_limit=overdraft_limit, opened_by=actor,
    )
    account._history_user = actor
    account.save()
    _attach_owner(account)
    AccountHolder.objects.create(account=account, customer=customer, role=AccountHolder.Role.PRIMARY)
    for holder in joint_holders:
        if holder.pk != customer.pk:
            AccountHolder.objects.get_or_create(account=account, customer=holder)
    grant_branch_access(objects=[account], branch=branch)
    return account


def _attach_owner(account: Account) -> None:
    """The ledger account must exist before the account row (one-to-one, not null), so its owner is set here."""
    owner_type = ContentType.objects.get_for_model(Account)
    LedgerAccount.objects.filter(pk=account.ledger_account_id).update(owner_type=owner_type, owner_id=str(account.pk))
    account.ledger_account.owner_type, account.ledger_account.owner_id = owner_type, str(account.pk)
