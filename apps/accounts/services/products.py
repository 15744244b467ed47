"""Deposit products under maker-checker: a product's rates, tiers, day count, fees, limits and overdraft decide
what its accounts' money may do, so a change (or a new product) is proposed by one person and applied when a
second one, entitled to make it too, approves it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from simple_history.utils import bulk_update_with_history

from apps.accounts.errors import AccountsError, ProductCurrencyLocked, ProductKindLocked
from apps.accounts.models import Account, DepositProduct, InterestTier
from apps.domain_errors import PermissionRefused
from apps.ledger.locks import lock_ledger_accounts
from apps.ledger.models import LedgerAccount
from apps.money import Money
from apps.organization.configuration import (
    EMPTY_TEXT,
    StaleConfigurationChange,
    approval_change_reason,
    changed_instance,
    propose_configuration_change,
)
from apps.organization.models import User

CHANGE_PRODUCT = "accounts.change_deposit_product"
PRODUCT_FIELDS = ("code", "name", "kind", "currency", "interest_rate", "day_count", "posting_frequency",
                  "minimum_opening_balance", "overdraft_limit", "overdraft_rate", "monthly_fee", "term_months",
                  "early_withdrawal_penalty", "dormant_after_days", "is_active")
TIERS = "@tiers"  # the diff row of the product's interest tiers (not a field of the product row)

Tiers = list[tuple[Decimal, Decimal]]


class ProductChangeRefused(AccountsError):
    code = "product_change_refused"
    title = "The product change was refused"


def _tier_rows(tiers: Tiers) -> list[list[str]]:
    quantum_amount, quantum_rate = Decimal(1).scaleb(-4), Decimal(1).scaleb(-6)
    return sorted([str(Decimal(minimum).quantize(quantum_amount)), str(Decimal(rate).quantize(quantum_rate))]
                  for minimum, rate in tiers)


def _tiers_text(rows: list[list[str]]) -> str:
    return "; ".join(f"from {minimum}: {rate}%" for minimum, rate in rows) or EMPTY_TEXT


def _stored_tiers(product: DepositProduct | None) -> list[list[str]]:
    if product is None or product.pk is None:
        return []
    return _tier_rows(InterestTier.objects.filter(product=product).values_list("minimum_balance", "rate"))


def _check_product_rules(*, stored: DepositProduct | None, proposed: DepositProduct) -> None:
    """A product's overdraft limit is an amount of its currency (its accounts' ledgers carry it); a product with
    accounts keeps its currency (their ledgers are in it) and its kind (their overdraft, maturity and posting
    follow it)."""
    Money(proposed.overdraft_limit, proposed.currency)  # refuses a fraction of the minor unit
    if stored is None or not Account.objects.filter(product=stored).exists():
        return
    if stored.currency != proposed.currency:
        raise ProductCurrencyLocked(f"Product {stored.code} has accounts in {stored.currency}; "
                                    "its currency cannot change.")
    if stored.kind != proposed.kind:
        raise ProductKindLocked(f"Product {stored.code} has {stored.get_kind_display().lower()} accounts; "
                                "its kind cannot change.")


def _validated(product: DepositProduct) -> None:
    try:
        product.full_clean()
    except ValidationError as error:
        raise ProductChangeRefused(" ".join(error.messages)) from None


@transaction.atomic
def propose_product_change(*, proposed: DepositProduct, tiers: Tiers | None, maker: User) -> Any:
    """Ask a checker to approve a new product or a change of one (``proposed`` is unsaved; ``tiers`` the whole
    new set of (minimum balance, rate), or None to leave them). Nothing is saved until approval."""
    needed = "accounts.change_depositproduct" if proposed.pk else "accounts.add_depositproduct"
    if not maker.has_perm(needed):
        raise PermissionRefused("Your role may not change deposit products.")
    stored = DepositProduct.objects.get(pk=proposed.pk) if proposed.pk else None
    _validated(proposed)
    _check_product_rules(stored=stored, proposed=proposed)
    extra = []
    before = _stored_tiers(stored)
    after = before if tiers is None else _tier_rows(tiers)
    if after != before:
        extra.append({"field": TIERS, "label": "Interest tiers", "before": before, "after": after,
                      "before_text": _tiers_text(before), "after_text": _tiers_text(after)})
    name = f"product {stored.code}" if stored else f"new product {proposed.code}"
    return propose_configuration_change(operation=CHANGE_PRODUCT, proposed=proposed, fields=PRODUCT_FIELDS,
                                        maker=maker, summary=f"Change {name}", extra_changes=extra)


def _accounts_follow_overdraft(*, product: DepositProduct, actor: User, reason: str) -> None:
    """Every account of the product carries the product's overdraft in its ledger account. Refused when an
    account is already overdrawn below the new floor (it must be settled first)."""
    allow, limit = product.ledger_overdraft()
    limit = None if limit is None else Money(limit, product.currency).amount
    ledger_ids = list(Account.objects.filter(product=product).values_list("ledger_account_id", flat=True))
    ledgers = list(lock_ledger_accounts(ledger_ids).values())
    floor = -(limit or Decimal("0"))
    below = [ledger.code for ledger in ledgers if ledger.balance < floor]
    if below:
        raise ProductChangeRefused(f"{', '.join(sorted(below)[:5])} {'is' if len(below) == 1 else 'are'} "
                                   f"overdrawn below the new limit of {-floor}: settle first.",
                                   code="overdraft_in_use")
    changed = [ledger for ledger in ledgers if (ledger.allow_overdraft, ledger.overdraft_limit) != (allow, limit)]
    for ledger in changed:
        ledger.allow_overdraft, ledger.overdraft_limit = allow, limit
    bulk_update_with_history(changed, LedgerAccount, ["allow_overdraft", "overdraft_limit"], batch_size=500,
                             default_user=actor, default_change_reason=reason)


def _replace_tiers(*, product: DepositProduct, rows: list[list[str]], actor: User, reason: str) -> None:
    wanted = {Decimal(minimum): Decimal(rate) for minimum, rate in rows}
    for tier in InterestTier.objects.filter(product=product).select_for_update():
        tier._history_user, tier._change_reason = actor, reason
        rate = wanted.pop(tier.minimum_balance, None)
        if rate is None:
            tier.delete()
        elif tier.rate != rate:
            tier.rate = rate
            tier.save()
    for minimum, rate in wanted.items():
        tier = InterestTier(product=product, minimum_balance=minimum, rate=rate)
        tier._history_user, tier._change_reason = actor, reason
        tier.save()


@transaction.atomic
def apply_product_change(*, parameters: dict[str, Any], actor: User, maker: User) -> dict[str, Any]:
    """Apply an approved product change under the product's row lock: refused when stale or when a rule no
    longer holds; the product's overdraft reaches its accounts' ledger accounts in the same transaction."""
    locked = DepositProduct.objects.select_for_update().get(pk=parameters["pk"]) if parameters["pk"] else None
    stored = None if locked is None else DepositProduct.objects.get(pk=locked.pk)
    tier_change = next((c for c in parameters["changes"] if c["field"] == TIERS), None)
    if tier_change is not None and _stored_tiers(locked) != tier_change["before"]:
        raise StaleConfigurationChange("Interest tiers changed since the request was made: reject it and propose "
                                       "the change again.")
    product = changed_instance(locked=locked, model=DepositProduct, parameters=parameters)
    _validated(product)
    _check_product_rules(stored=stored, proposed=product)
    reason = approval_change_reason(maker=maker, checker=actor)
    product._history_user, product._change_reason = actor, reason
    # The database checks each row as it is written: a wider overdraft reaches the product first, a narrower
    # one the accounts first, so no account ever holds more than its product allows.
    new_limit = product.ledger_overdraft()[1] or Decimal("0")
    old_limit = (stored.ledger_overdraft()[1] or Decimal("0")) if stored is not None else Decimal("0")
    widening = new_limit >= old_limit
    if widening:
        product.save()
    if stored is not None:
        _accounts_follow_overdraft(product=product, actor=actor, reason=reason)
    if not widening:
        product.save()
    if tier_change is not None:
        _replace_tiers(product=product, rows=tier_change["after"], actor=actor, reason=reason)
    return {"product": product.code}
