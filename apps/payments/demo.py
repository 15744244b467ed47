"""Demo payments: fee schedules, transfer limits, the four kinds of fraud rule, a saved beneficiary, a standing
order, a few transfers of the demo channel customer (Ana Sousa) and one held in the review queue.

Everything goes through the payment services (the transfers through ``transfer_between_accounts``, as the API
would call it for Ana), so the demo shows what production does. Idempotent: schedules, limits and rules by
their natural keys, the beneficiary and the standing order by owner and account, transfers by idempotency key.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from apps.accounts.models import Account, ProductKind
from apps.accounts.periods import add_months
from apps.customers.models import Customer
from apps.domain_errors import DomainError
from apps.money import Money
from apps.organization.selectors import current_business_date
from apps.payments.fraud_parameters import validated_parameters
from apps.payments.models import (
    KINDS_WITH_AN_AMOUNT,
    Beneficiary,
    Channel,
    CustomerTier,
    FeeSchedule,
    FraudRule,
    StandingOrder,
    TransferLimit,
)
from apps.payments.selectors import payer_accounts_of
from apps.payments.services.beneficiaries import add_beneficiary
from apps.payments.services.standing_orders import create_standing_order
from apps.payments.services.transfers import transfer_between_accounts

CURRENCY = "EUR"
FEES = [  # channel, fixed, percentage, minimum, maximum
    (Channel.API, "0.20", "0.001", "0.20", "5.00"),
    (Channel.BRANCH, "1.00", "0", "1.00", None),
    (Channel.STANDING_ORDER, "0.10", "0", "0.10", None),
]
LIMITS = [  # tier, per transfer, per business date
    (CustomerTier.STANDARD, "5000.00", "10000.00"),
    (CustomerTier.PREMIUM, "25000.00", "50000.00"),
]
RULES = [  # name, kind, parameters, action, priority (a rule with an amount is in CURRENCY)
    ("High-risk destination country", FraudRule.Kind.HIGH_RISK_COUNTRY,
     {"countries": list(settings.KYC_HIGH_RISK_COUNTRIES)}, FraudRule.Action.BLOCK, 5),
    ("Many payments in a short time", FraudRule.Kind.VELOCITY,
     {"max_payments": 10, "window_minutes": 60}, FraudRule.Action.HOLD, 10),
    ("Amount far above the customer's usual", FraudRule.Kind.UNUSUAL_AMOUNT,
     {"multiple": "5", "history_size": 20, "minimum_history": 3}, FraudRule.Action.HOLD, 20),
    ("Large payment to a new payee", FraudRule.Kind.NEW_BENEFICIARY_LARGE_AMOUNT,
     {"max_age_hours": 72, "amount_above": "2000.00"}, FraudRule.Action.HOLD, 30),
]
PAYER_EMAIL = "ana.sousa@demo.ogpgy.example"
PAYEE_EMAIL = "joao.premium@demo.ogpgy.example"
USUAL_TRANSFERS = ["24.50", "38.00", "61.20", "19.90"]
UNUSUAL_TRANSFER = "900.00"  # more than 5 times Ana's usual: held for review


def _schedules_and_limits() -> None:
    for channel, fixed, percentage, minimum, maximum in FEES:
        FeeSchedule.objects.get_or_create(
            product=None, channel=channel, currency=CURRENCY, is_active=True,
            defaults={"fixed_fee": Decimal(fixed), "percentage": Decimal(percentage),
                      "minimum_fee": Decimal(minimum), "maximum_fee": Decimal(maximum) if maximum else None})
    for tier, per_transaction, per_day in LIMITS:
        TransferLimit.objects.get_or_create(
            product=None, customer_tier=tier, currency=CURRENCY,
            defaults={"per_transaction": Decimal(per_transaction), "per_day": Decimal(per_day)})


def _fraud_rules() -> None:
    for name, kind, parameters, action, priority in RULES:
        if FraudRule.objects.filter(name=name).exists():
            continue
        rule = FraudRule(name=name, kind=kind, parameters=validated_parameters(kind, parameters), action=action,
                         currency=CURRENCY if kind in KINDS_WITH_AN_AMOUNT else "", priority=priority,
                         description="Demo rule; tune or deactivate it in the admin.")
        rule.save()


def _everyday_account(customer: Customer) -> Account | None:
    return (Account.objects.filter(customer=customer, status=Account.Status.ACTIVE, product__currency=CURRENCY)
            .exclude(product__kind=ProductKind.TERM).order_by("pk").first())


def seed_payments(out) -> None:
    _schedules_and_limits()
    _fraud_rules()
    payer_customer = Customer.objects.filter(email__iexact=PAYER_EMAIL, user__isnull=False).first()
    payee_customer = Customer.objects.filter(email__iexact=PAYEE_EMAIL).first()
    payer = _everyday_account(payer_customer) if payer_customer else None
    payee = _everyday_account(payee_customer) if payee_customer else None
    if payer is None or payee is None:
        out.write("Demo payments: fee schedules, limits and fraud rules only (no demo accounts to pay between).\n")
        return
    user = payer_customer.user
    beneficiary = Beneficiary.objects.filter(owner=payer_customer, account_identifier=payee.number,
                                             removed_at__isnull=True).first()
    if beneficiary is None:
        beneficiary = add_beneficiary(owner=payer_customer, name=payee_customer.legal_name,
                                      account_identifier=payee.number, actor=user)
        # Saved two weeks ago, as a migrated payee would be: past its cooling-off period.
        Beneficiary.objects.filter(pk=beneficiary.pk).update(created_at=timezone.now() - datetime.timedelta(days=14))
    today = current_business_date()
    if not StandingOrder.objects.filter(from_account=payer, to_account=payee).exists():
        create_standing_order(from_account=payer, to_account_number=payee.number, money=Money("50.00", CURRENCY),
                              frequency=StandingOrder.Frequency.MONTHLY, day_of_month=1,
                              start_date=add_months(today.replace(day=1), 1), created_by=user,
                              reference="Share of the rent")
    outcomes = []
    for index, amount in enumerate([*USUAL_TRANSFERS, UNUSUAL_TRANSFER], start=1):
        try:
            transfer = transfer_between_accounts(
                from_account_number=payer.number, to_account_number=payee.number, money=Money(amount, CURRENCY),
                reference=f"Demo transfer {index}", channel=Channel.API, initiated_by=user,
                idempotency_key=f"demo-transfer-{index}", payer_accounts=payer_accounts_of(user))
        except DomainError as refusal:  # e.g. a bank whose demo balances were spent: the demo goes on
            outcomes.append(f"{amount} refused ({refusal.code})")
        else:
            outcomes.append(f"{amount} {transfer.status}")
    out.write(f"Demo payments: {payer_customer.legal_name} pays {payee_customer.legal_name}: "
              f"{', '.join(outcomes)}; a monthly standing order; fraud rules in the admin's review queue.\n")
