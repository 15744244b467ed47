"""Writing a synthetic scenario (apps/compliance/synthetic.py) into the database, for ``manage.py
generate_aml_scenarios``: real customers, accounts, journal entries and monitored transactions, so that the end
of day, a backtest and the officer's pages can be tried on a bank's worth of history with known laundering.

The path, and what is honest about it:

- customers are onboarded, given their documents and KYC-checked by the same services as the demo customers
  (``onboard_customer``, ``upload_kyc_document``, ``run_kyc_check``), at the acting officer's branch, and their
  accounts opened by ``open_account`` on the product given; what each declared becomes its ExpectedActivity;
- each account first receives a migrated opening balance (one entry from suspense) of what it will pay out over
  the scenario, and each branch vault the cash it will hand out, so no later posting is refused for funds: the
  history is loaded the way a migration from a previous core system would load it;
- every movement is posted by ``post_journal_entry`` on its own business date (a transfer within the bank is one
  entry of two legs), so the ledger stays balanced and ``ledger_check`` clean;
- the monitored transactions are then inserted in bulk with the scenario's times, counterparties and idle days.
  They do not go through the outbox: the near-real-time path would stamp them with today's time. They are left
  not evaluated (``evaluated_at`` empty): a backtest or the end of day evaluates them.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from apps.accounts.models import DepositProduct
from apps.accounts.services.opening import open_account
from apps.compliance.errors import ScenarioAlreadyWritten
from apps.compliance.models import ExpectedActivity, MonitoredTransaction
from apps.compliance.synthetic import Scenario
from apps.customers.models import Customer
from apps.customers.services import onboard_customer
from apps.kyc.rules import required_document_types
from apps.kyc.services import run_kyc_check, upload_kyc_document
from apps.ledger.chart import PAYMENTS_CLEARING, SETTLEMENT_ACCOUNT, SUSPENSE, vault_code
from apps.ledger.models import LedgerAccount
from apps.ledger.services import credit, debit, post_journal_entry
from apps.money import Money
from apps.organization.models import Branch, User

SOURCE = "aml_scenario"
EMAIL_DOMAIN = "synthetic.ogpgy.example"
DOCUMENT = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


@dataclass
class WrittenScenario:
    label: str
    customer_ids: dict[int, int] = field(default_factory=dict)  # synthetic id -> Customer pk
    account_ids: dict[int, int] = field(default_factory=dict)  # synthetic id -> Account pk
    movement_ids: dict[int, int] = field(default_factory=dict)  # synthetic id -> MonitoredTransaction pk
    entries: int = 0


def scenario_label(scenario: Scenario) -> str:
    return f"s{scenario.seed}-c{len(scenario.customers)}-d{scenario.days}-{scenario.start:%Y%m%d}"


@transaction.atomic
def write_scenario(*, scenario: Scenario, product: DepositProduct, actor: User) -> WrittenScenario:
    """Write ``scenario`` as customers, accounts, entries and monitored transactions (see the module's text).
    Refuses a scenario already written (its customers' emails are taken)."""
    label = scenario_label(scenario)
    if Customer.objects.filter(email__iendswith=f"@{label}.{EMAIL_DOMAIN}").exists():
        raise ScenarioAlreadyWritten(f"Scenario {label} is already in the database.")
    written = WrittenScenario(label=label)
    branch = actor.home_branch
    branches = list(Branch.objects.order_by("pk"))
    branch_of = {synthetic: branches[(synthetic - 1) % len(branches)] for synthetic in range(1, 5)}
    ledger_of: dict[int, LedgerAccount] = {}
    for synthetic in scenario.customers:
        customer = _onboard(synthetic, label=label, branch=branch, actor=actor)
        written.customer_ids[synthetic.customer_id] = customer.pk
        for account_id in synthetic.account_ids:
            account = open_account(customer=customer, product=product, actor=actor, branch=branch)
            written.account_ids[account_id] = account.pk
            ledger_of[account_id] = account.ledger_account
        context = scenario.contexts.get(synthetic.customer_id)
        if context is not None:
            ExpectedActivity.objects.create(
                customer=customer, currency=scenario.currency, declared_monthly_income=context.declared_monthly_income,
                expected_monthly_turnover=context.expected_monthly_turnover,
                business_activity=context.business_activity, recorded_by=actor)
    house = {code: LedgerAccount.objects.get(code=code) for code in (PAYMENTS_CLEARING, SETTLEMENT_ACCOUNT, SUSPENSE)}
    vaults = {synthetic: LedgerAccount.objects.get(code=vault_code(b.code)) for synthetic, b in branch_of.items()}
    _fund(scenario, written=written, label=label, ledger_of=ledger_of, house=house, vaults=vaults, actor=actor)
    by_id = {m.id: m for m in scenario.movements}
    rows = []
    for number, movement_ids in enumerate(scenario.entries, start=1):
        legs = [by_id[i] for i in movement_ids]
        entry = post_journal_entry(
            postings=_postings(legs, ledger_of=ledger_of, house=house, vaults=vaults), source=SOURCE,
            description=f"Synthetic {legs[0].kind.replace('_', ' ')} ({label})", idempotency_key=f"{label}:{number}",
            business_date=legs[0].business_date, posted_by=actor)
        written.entries += 1
        for m in legs:
            rows.append(_monitored(m, entry_id=entry.pk, legs=legs, written=written, branch_of=branch_of))
    created = MonitoredTransaction.objects.bulk_create(rows, batch_size=2000)
    for synthetic_id, row in zip((r.synthetic_id for r in rows), created, strict=True):
        written.movement_ids[synthetic_id] = row.pk
    return written


def _onboard(synthetic, *, label: str, branch: Branch, actor: User) -> Customer:
    business = synthetic.customer_type == "business"
    number = f"{synthetic.customer_id:06d}"
    customer = onboard_customer(
        actor=actor, customer_type=synthetic.customer_type,
        legal_name=f"Synthetic {'Shop' if business else 'Customer'} {label} {number}",
        email=f"c{number}@{label}.{EMAIL_DOMAIN}", phone=f"+35199{number}", country="PT", branch=branch,
        date_of_birth=None if business else datetime.date(1960, 1, 1) + datetime.timedelta(
            days=synthetic.customer_id * 37 % 15000),
        national_id_last4="" if business else number[-4:],
        business_registration_number=f"SY{number}" if business else "", tax_id=f"SY{label[-8:]}{number}",
        address=f"Synthetic street {synthetic.customer_id}, {branch.name}")
    on = branch.bank.current_business_date
    for document_type in required_document_types(customer):
        upload_kyc_document(
            customer=customer, actor=actor, document_type=document_type, issuing_country="PT",
            number=f"S{number}{document_type[:3].upper()}", issue_date=on - datetime.timedelta(days=400),
            expiry_date=on + datetime.timedelta(days=6 * 365),
            file=SimpleUploadedFile(f"{document_type}.pdf", DOCUMENT, content_type="application/pdf"))
    run_kyc_check(customer=customer)
    customer.refresh_from_db()
    return customer


def _fund(scenario, *, written, label, ledger_of, house, vaults, actor) -> None:
    """Each account's migrated opening balance (what it pays out over the scenario) and each vault's cash."""
    paid_out: dict[int, Decimal] = defaultdict(Decimal)
    cash_out: dict[int, Decimal] = defaultdict(Decimal)
    for m in scenario.movements:
        if m.direction == "out":
            paid_out[m.account_id] += m.amount
            if m.channel == "cash":
                cash_out[m.branch_id] += m.amount
    day = scenario.start - datetime.timedelta(days=1)
    currency = scenario.currency
    for account_id, amount in sorted(paid_out.items()):
        post_journal_entry(postings=[debit(house[SUSPENSE], Money(amount, currency)),
                                     credit(ledger_of[account_id], Money(amount, currency))],
                           source=SOURCE, description=f"Migrated opening balance ({label})",
                           idempotency_key=f"{label}:opening:{account_id}", business_date=day, posted_by=actor)
        written.entries += 1
    for branch_id, amount in sorted(cash_out.items()):
        post_journal_entry(postings=[debit(vaults[branch_id], Money(amount, currency)),
                                     credit(house[SETTLEMENT_ACCOUNT], Money(amount, currency))],
                           source=SOURCE, description=f"Vault cash for the scenario ({label})",
                           idempotency_key=f"{label}:vault:{branch_id}", business_date=day, posted_by=actor)
        written.entries += 1


def _postings(legs, *, ledger_of, house, vaults):
    first = legs[0]
    money = Money(first.amount, first.currency)
    if first.channel == "internal":
        payer = next(m for m in legs if m.direction == "out")
        payee = next(m for m in legs if m.direction == "in")
        return [debit(ledger_of[payer.account_id], money), credit(ledger_of[payee.account_id], money)]
    other = vaults[first.branch_id] if first.channel == "cash" else house[PAYMENTS_CLEARING]
    customer_account = ledger_of[first.account_id]
    if first.direction == "in":
        return [debit(other, money), credit(customer_account, money)]
    return [debit(customer_account, money), credit(other, money)]


def _monitored(m, *, entry_id, legs, written, branch_of) -> MonitoredTransaction:
    other = next((o for o in legs if o is not m), None)
    counterparty_account = written.account_ids[other.account_id] if other is not None else None
    key = f"account:{counterparty_account}" if counterparty_account else m.counterparty_key
    row = MonitoredTransaction(
        entry_id=entry_id, kind=m.kind, channel=m.channel, direction=m.direction,
        customer_id=written.customer_ids[m.customer_id], account_id=written.account_ids[m.account_id],
        branch_id=branch_of[m.branch_id].pk if m.branch_id else None, amount=m.amount, currency=m.currency,
        counterparty_key=key, counterparty_account_id=counterparty_account,
        counterparty_iban=m.counterparty_key.removeprefix("iban:") if m.counterparty_key.startswith("iban:") else "",
        counterparty_country=m.counterparty_country, business_date=m.business_date, occurred_at=m.occurred_at,
        account_idle_days=m.account_idle_days)
    row.synthetic_id = m.id
    return row


def product_for(currency: str, code: str | None = None) -> DepositProduct:
    """The deposit product the scenario's accounts are opened on: ``code``, or the first active current
    account product in the currency with no opening minimum."""
    products = DepositProduct.objects.filter(currency=currency, is_active=True)
    if code:
        return products.get(code=code)
    return products.filter(kind="current", minimum_opening_balance=0).order_by("pk").first() or products.filter(
        minimum_opening_balance=0).exclude(kind="term").order_by("pk").first()

