"""Loan products under maker-checker: a product's limits, rates, amortisation, fee, rounding and ledger accounts
decide what its loans' money may do, so a change (or a new product) is proposed by one person and applied when a
second one, entitled to make it too, approves it. The checker's page shows the diff, field by field."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from apps.domain_errors import PermissionRefused
from apps.ledger.models import AccountType, LedgerAccount
from apps.loans.errors import LoanProductChangeRefused
from apps.loans.models import LoanProduct
from apps.loans.product_terms import FeeKind
from apps.money import Money, MoneyError
from apps.organization.configuration import approval_change_reason, changed_instance, propose_configuration_change
from apps.organization.models import ApprovalRequest, User

CHANGE_LOAN_PRODUCT = "loans.change_loan_product"
PRODUCT_FIELDS = (
    "code", "name", "description", "currency", "is_active", "amortization", "repayment_frequency", "day_count",
    "due_date_rule", "minimum_amount", "maximum_amount", "minimum_term", "default_term", "maximum_term",
    "minimum_rate", "default_rate", "maximum_rate", "principal_grace", "interest_grace", "grace_interest_accrues",
    "fee_kind", "fee_value", "fee_treatment", "rounding_multiple", "allocation_order", "loan_portfolio_account",
    "interest_receivable_account", "interest_income_account", "fee_income_account",
)
# Each ledger account a product posts to, and the type it must have.
LEDGER_ROLES = {
    "loan_portfolio_account": AccountType.ASSET,
    "interest_receivable_account": AccountType.ASSET,
    "interest_income_account": AccountType.INCOME,
    "fee_income_account": AccountType.INCOME,
}


def _validated(product: LoanProduct) -> None:
    try:
        product.full_clean()
    except ValidationError as error:
        raise LoanProductChangeRefused(" ".join(error.messages)) from None


def _amounts_in_currency(product: LoanProduct) -> None:
    """The limits, a fixed fee and the rounding multiple are amounts of the product's currency."""
    amounts = [product.minimum_amount, product.maximum_amount]
    if product.fee_kind == FeeKind.FIXED:
        amounts.append(product.fee_value)
    if product.rounding_multiple is not None:
        amounts.append(product.rounding_multiple)
    for amount in amounts:
        try:
            Money(amount, product.currency)
        except MoneyError as error:
            raise LoanProductChangeRefused(str(error), code=error.code) from None


def _ledger_accounts_fit(product: LoanProduct) -> None:
    """Each mapped ledger account is open, of its role's type and in the product's currency."""
    ids = {role: getattr(product, f"{role}_id") for role in LEDGER_ROLES}
    accounts = LedgerAccount.objects.in_bulk(ids.values())
    for role, expected_type in LEDGER_ROLES.items():
        account = accounts.get(ids[role])
        label = str(LoanProduct._meta.get_field(role).verbose_name)
        if account is None:
            raise LoanProductChangeRefused(f"The {label} does not exist.", code="ledger_account_missing")
        if account.type != expected_type or account.currency != product.currency:
            raise LoanProductChangeRefused(
                f"The {label} must be an {AccountType(expected_type).label.lower()} account in {product.currency}; "
                f"{account.code} is {AccountType(account.type).label.lower()} in {account.currency}.",
                code="ledger_account_unfit")
        if account.status != LedgerAccount.Status.OPEN:
            raise LoanProductChangeRefused(f"The {label} {account.code} is not open.", code="ledger_account_closed")


def check_product_rules(product: LoanProduct) -> None:
    """Everything a product must satisfy beyond its own row's constraints (which ``full_clean`` checks)."""
    _validated(product)
    _amounts_in_currency(product)
    _ledger_accounts_fit(product)


@transaction.atomic
def propose_loan_product_change(*, proposed: LoanProduct, maker: User) -> ApprovalRequest:
    """Ask a checker to approve a new loan product or a change of one (``proposed`` is unsaved: the stored row
    with the new values, or a new row). Refused when nothing changes or a rule fails; nothing is saved."""
    needed = "loans.change_loanproduct" if proposed.pk else "loans.add_loanproduct"
    if not maker.has_perm(needed):
        raise PermissionRefused("Your role may not change loan products.")
    check_product_rules(proposed)
    stored = LoanProduct.objects.get(pk=proposed.pk) if proposed.pk else None
    name = f"loan product {stored.code}" if stored else f"new loan product {proposed.code}"
    return propose_configuration_change(operation=CHANGE_LOAN_PRODUCT, proposed=proposed, fields=PRODUCT_FIELDS,
                                        maker=maker, summary=f"Change {name}")


@transaction.atomic
def apply_loan_product_change(*, parameters: dict[str, Any], actor: User, maker: User) -> dict[str, Any]:
    """Apply an approved change under the product's row lock: refused when stale (a field changed since the
    request) or when a rule no longer holds (a ledger account closed since). History: the checker, both names."""
    locked = LoanProduct.objects.select_for_update().get(pk=parameters["pk"]) if parameters["pk"] else None
    product = changed_instance(locked=locked, model=LoanProduct, parameters=parameters)
    check_product_rules(product)
    product._history_user = actor
    product._change_reason = approval_change_reason(maker=maker, checker=actor)
    product.save()
    return {"product": product.code}
