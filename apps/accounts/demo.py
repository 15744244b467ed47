"""Demo deposit products and accounts for the demo customers, with about three months of history and interest.

The history is back-dated the way a migration from a previous core system would load it: accounts opened 90
days ago, cash movements posted on their own past business dates, then interest accrued day by day and
posted at each month end by the same services end of day uses (``accrue_interest``, ``post_due_interest``,
``charge_monthly_fees``). The current business date is left open: the first ``run_eod`` closes it and seals
everything up to it. Idempotent: products by code, accounts by customer and product.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from apps.accounts.models import Account, AccrualRun, DepositProduct, InterestTier, PostingFrequency, ProductKind
from apps.accounts.periods import add_months, latest_month_end, month_end
from apps.accounts.services.accrual import accrue_interest
from apps.accounts.services.interest import charge_monthly_fees, post_due_interest
from apps.accounts.services.opening import open_account
from apps.customers.models import Customer
from apps.kyc.selectors import is_kyc_verified
from apps.ledger.chart import vault_code
from apps.ledger.models import LedgerAccount
from apps.ledger.services import credit, debit, post_journal_entry
from apps.money import Money
from apps.organization.models import User
from apps.organization.selectors import current_business_date

HISTORY_DAYS = 90
PRODUCTS = [
    dict(code="SAV", name="Everyday Savings", kind=ProductKind.SAVINGS, interest_rate="1.75", day_count="act_365f",
         posting_frequency=PostingFrequency.MONTHLY, tiers={"10000": "2.25", "50000": "2.75"}),
    dict(code="SAVQ", name="Quarterly Saver", kind=ProductKind.SAVINGS, interest_rate="2.10", day_count="30_360_us",
         posting_frequency=PostingFrequency.QUARTERLY, minimum_opening_balance="500"),
    dict(code="CUR", name="Current Account", kind=ProductKind.CURRENT, interest_rate="0.05", day_count="act_360",
         posting_frequency=PostingFrequency.MONTHLY, overdraft_limit="1500", overdraft_rate="11.5",
         monthly_fee="3.50"),
    dict(code="TD12", name="12-month Term Deposit", kind=ProductKind.TERM, interest_rate="3.25",
         day_count="act_act_isda", posting_frequency=PostingFrequency.AT_MATURITY, term_months=12,
         minimum_opening_balance="1000", early_withdrawal_penalty="50"),
]
# (customer email, product, opening amount, monthly salary-like credit, typical withdrawal)
ACCOUNTS = [
    ("ana.sousa@demo.ogpgy.example", "CUR", "1200.00", "1850.00", "620.00"),
    ("ana.sousa@demo.ogpgy.example", "SAV", "15000.00", "300.00", "0"),
    ("ana.sousa@demo.ogpgy.example", "TD12", "10000.00", "0", "0"),
    ("tasca.rio@demo.ogpgy.example", "CUR", "300.00", "2400.00", "1300.00"),
    ("joao.premium@demo.ogpgy.example", "SAV", "62000.00", "0", "150.00"),
    ("joao.premium@demo.ogpgy.example", "SAVQ", "8000.00", "250.00", "0"),
    ("ines.costa@demo.ogpgy.example", "CUR", "800.00", "1400.00", "900.00"),
]


def _products() -> dict[str, DepositProduct]:
    made = {}
    for spec in PRODUCTS:
        spec = dict(spec)
        tiers = spec.pop("tiers", {})
        fields = {k: Decimal(v) if isinstance(v, str) and k not in ("code", "name", "kind", "day_count",
                                                                      "posting_frequency") else v
                  for k, v in spec.items()}
        product, created = DepositProduct.objects.get_or_create(code=spec["code"], defaults=fields)
        if created:
            for minimum, rate in tiers.items():
                InterestTier.objects.create(product=product, minimum_balance=Decimal(minimum), rate=Decimal(rate))
        made[product.code] = product
    return made


def _post_cash(account: Account, amount: str, day: datetime.date, key: str, *, withdrawal: bool) -> None:
    money = Money(amount, account.product.currency)
    vault = LedgerAccount.objects.get(code=vault_code(account.branch.code))
    customer_leg, vault_leg = (debit, credit) if withdrawal else (credit, debit)
    post_journal_entry(postings=[customer_leg(account.ledger_account, money), vault_leg(vault, money)],
                       description=f"{'Cash withdrawal' if withdrawal else 'Cash deposit'} {account.number}",
                       source="demo", idempotency_key=key, business_date=day, reference=account.number)


def seed_accounts(out) -> None:
    products = _products()
    today = current_business_date()
    start = today - datetime.timedelta(days=HISTORY_DAYS)
    opened = []
    for email, code, opening, monthly_in, monthly_out in ACCOUNTS:
        customer = Customer.objects.filter(email__iexact=email).first()
        if customer is None or not is_kyc_verified(customer):
            continue
        if Account.objects.filter(customer=customer, product=products[code]).exists():
            continue
        teller = User.objects.get(username=f"teller.{customer.branch.code.lower()}")
        linked = Account.objects.filter(customer=customer, product__kind=ProductKind.CURRENT).first()
        account = open_account(customer=customer, product=products[code], actor=teller,
                               maturity_instruction="pay_out" if code == "TD12" else "",
                               linked_account=linked if code == "TD12" else None)
        # back-date the opening (loaded history), then the cash movements on their own dates
        Account.objects.filter(pk=account.pk).update(
            status=Account.Status.ACTIVE, opened_on=start, last_customer_activity_on=start,
            maturity_date=add_months(start, 12) if code == "TD12" else None)
        account.refresh_from_db()
        _post_cash(account, opening, start, f"demo-open-{account.number}", withdrawal=False)
        day = start + datetime.timedelta(days=7)
        week = 0
        while day < today:
            if Decimal(monthly_in) and week % 4 == 0:
                _post_cash(account, monthly_in, day, f"demo-in-{account.number}-{week}", withdrawal=False)
            if Decimal(monthly_out) and week % 2 == 1:
                _post_cash(account, monthly_out, day, f"demo-out-{account.number}-{week}", withdrawal=True)
            day += datetime.timedelta(days=7)
            week += 1
        opened.append(account)

    if opened and not AccrualRun.objects.exists():
        # interest day by day, posted at each month end, as end of day would have done
        month = month_end(start)
        while month < today:
            accrue_interest(month)
            post_due_interest(month)
            charge_monthly_fees(month)
            month = month_end(month + datetime.timedelta(days=1))
        yesterday = today - datetime.timedelta(days=1)
        accrue_interest(yesterday)
        if latest_month_end(yesterday) == yesterday:
            post_due_interest(yesterday)

    out.write("Demo deposit accounts (about three months of history and interest):")
    for account in Account.objects.select_related("customer", "product", "ledger_account").order_by("number"):
        out.write(f"  {account.number}  {account.product.code:<5} {account.customer.legal_name:<22} "
                  f"{account.ledger_account.balance:>12} {account.product.currency} {account.status}")
