"""Every kind of movement exports to goAML with its two sides as goAML has them, and validates against the schema
of what we emit; an export missing what goAML requires files nothing."""

import pytest
from lxml import etree

from apps.accounts.tests.factories import deposit, open_funded_account
from apps.compliance.errors import SarExportInvalid
from apps.compliance.goaml.schema import goaml_errors
from apps.compliance.models import Case, MonitoredTransaction
from apps.compliance.models.reports import SarStatus
from apps.compliance.services.monitoring import record_movement
from apps.compliance.services.sar import draft_sar, file_sar, submit_sar_for_review
from apps.compliance.tests.sar_fixtures import case, checker, drafter  # noqa: F401
from apps.customers.models import Customer
from apps.customers.tests.factories import CustomerFactory, verified_customer
from apps.organization.services import approve_request
from apps.outbox.models import OutboxEvent

pytestmark = pytest.mark.django_db


def _entry_id(account, teller) -> int:
    deposit(account, "1.00", teller=teller)
    return OutboxEvent.objects.filter(event_type="money.moved").latest("pk").payload["entry_id"]


def _movement(*, kind, entry_id, legs, counterparty=None, business_date="2026-12-01"):
    return record_movement(payload={
        "entry_id": entry_id, "kind": kind, "business_date": business_date,
        "occurred_at": "2026-12-01T11:00:00+00:00", "currency": "EUR", "branch_id": None,
        "legs": [{"account_id": a.pk, "customer_id": a.customer_id, "direction": d, "amount": amount}
                 for a, d, amount in legs],
        "counterparty": counterparty or {}})


def _approved(case, drafter, checker, transactions):  # noqa: F811
    sar = draft_sar(case=case, reason="Funds moved straight through.", actor=drafter, transactions=transactions)
    approve_request(request=submit_sar_for_review(sar=sar, actor=drafter), checker=checker)
    sar.refresh_from_db()
    return sar


def test_every_kind_of_movement_exports_valid_goaml(case, drafter, checker, savings, teller_a, branch_a):  # noqa: F811
    account = case.alerts.get().transactions.get().account
    payee = open_funded_account(verified_customer(branch=branch_a), savings, "10.00", teller=teller_a)
    _movement(kind="transfer", entry_id=_entry_id(account, teller_a),
              legs=[(account, "out", "2500.00"), (payee, "in", "2500.00")])
    _movement(kind="incoming_payment", entry_id=_entry_id(account, teller_a), legs=[(account, "in", "9000.00")],
              counterparty={"name": "Hans Muster", "iban": "DE89370400440532013000", "country": "DE"})
    _movement(kind="outgoing_payment", entry_id=_entry_id(account, teller_a), legs=[(account, "out", "8800.00")],
              counterparty={"name": "Marie Martin", "iban": "FR1420041010050500013M02606", "country": "FR"})
    _movement(kind="loan_repayment", entry_id=_entry_id(account, teller_a), legs=[(account, "out", "300.00")],
              counterparty={"name": "Loan LN-42", "reference": "LN-42"})
    rows = MonitoredTransaction.objects.filter(customer=case.customer)

    sar = file_sar(sar=_approved(case, drafter, checker, rows), actor=drafter)

    assert goaml_errors(sar.content.encode()) == []
    report = etree.fromstring(sar.content.encode())
    by_mode = {t.findtext("transaction_description").split(",")[0]: t for t in report.findall("transaction")}
    transfer = next(t for d, t in by_mode.items() if d.startswith("Transfer"))
    assert transfer.findtext("t_to_my_client/to_account/account") == payee.number
    incoming = next(t for d, t in by_mode.items() if d.startswith("Incoming"))
    assert incoming.findtext("t_from/from_account/iban") == "DE89370400440532013000"
    assert incoming.findtext("t_from/from_country") == "DE"
    outgoing = next(t for d, t in by_mode.items() if d.startswith("Outgoing"))
    assert outgoing.findtext("t_to/to_account/account_name") == "Marie Martin"
    assert outgoing.find("t_from_my_client/from_account") is not None
    loan = next(t for d, t in by_mode.items() if d.startswith("Loan"))
    assert loan.findtext("t_to/to_account/account") == "ref:LN-42"


def test_an_export_missing_what_goaml_requires_files_nothing(drafter, checker, savings, teller_a, branch_a):  # noqa: F811
    business = CustomerFactory(customer_type=Customer.Type.BUSINESS, legal_name="Acme Trading Lda",
                               branch=branch_a, verified=True)
    account = open_funded_account(business, savings, "100.00", teller=teller_a)
    row = _movement(kind="incoming_payment", entry_id=_entry_id(account, teller_a), legs=[(account, "in", "9.00")],
                    counterparty={"name": "X", "iban": "DE89370400440532013000", "country": "DE"})[0]
    business_case = Case.objects.create(customer=business, detected_on=row.business_date,
                                        sar_due_on=row.business_date)
    sar = _approved(business_case, drafter, checker, [row])

    with pytest.raises(SarExportInvalid, match="birthdate"):
        file_sar(sar=sar, actor=drafter)

    sar.refresh_from_db()
    business_case.refresh_from_db()
    assert sar.status == SarStatus.APPROVED and sar.content == "" and business_case.is_open
