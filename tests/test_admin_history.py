"""History in the admin is evidence: every history page only reads (a POST to a past version is 405 and writes
nothing: no revert, no restore of a removed row), and it is scoped like the change view (an object outside the
staff member's branch, or no longer there, is 404). Proven for every registered history-enabled ModelAdmin, and
for the cases found in the admin: a reverted compliance freeze, a restored beneficiary, a settled payment set
back to initiated, an approved request set back to pending, and another branch's rows shown."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.contrib import admin
from django.db import models
from django.test import Client
from django.urls import reverse
from simple_history.admin import SimpleHistoryAdmin

from apps.accounts.models import Account, TellerTransaction
from apps.accounts.services.lifecycle import freeze_account, request_unfreeze
from apps.accounts.tests.factories import install_chart, open_funded_account, savings_product
from apps.compliance.models import BacktestRun, Case, CtrThreshold, CurrencyTransactionReport, TypologySetting
from apps.compliance.services.expected_activity import record_expected_activity
from apps.compliance.services.sar import draft_sar
from apps.compliance.services.suppressions import create_suppression
from apps.compliance.tests.sar_fixtures import DRAFTER_PERMISSIONS, with_permissions
from apps.customers.tests.factories import CustomerFactory, verified_customer
from apps.kyc.models import KycDocument, ScreeningHit
from apps.kyc.tests.factories import ListRowFactory, import_list
from apps.ledger.models import JournalEntry
from apps.loans.services.applications import ApplicationTerms, submit_application
from apps.loans.tests.factories import loan_product
from apps.loans.tests.loan_factories import booked_loan, loan_staff
from apps.money import Money
from apps.organization import roles
from apps.organization.models import ApprovalRequest, Holiday
from apps.organization.services import approve_request
from apps.organization.tests.factories import CustomerUserFactory, StaffFactory
from apps.payments.gateway.base import GatewayOutcome
from apps.payments.models import (
    Beneficiary,
    FeeSchedule,
    OutgoingPayment,
    PaymentReview,
    Transfer,
    TransferLimit,
)
from apps.payments.services.beneficiaries import remove_beneficiary
from apps.payments.services.external import apply_gateway_outcome, initiate_outgoing_payment, receive_incoming_payment
from apps.payments.services.standing_orders import create_standing_order
from apps.payments.services.transfers import transfer_between_accounts
from apps.payments.tests.factories import fraud_rule, saved_beneficiary
from config.history_admin import EvidenceHistoryAdmin

pytestmark = pytest.mark.django_db
EXTERNAL_IBAN = "PT50000201231234567890154"


def _history_admins() -> list[tuple[type[models.Model], SimpleHistoryAdmin]]:
    return sorted(((model, model_admin) for model, model_admin in admin.site._registry.items()
                   if isinstance(model_admin, SimpleHistoryAdmin)), key=lambda pair: pair[0]._meta.label)


HISTORY_MODELS = [model for model, _ in _history_admins()]
# Configuration and the bank's own records belong to no branch: every staff member with the view permission
# sees the same rows, in the change view as in the history.
BANK_WIDE_MODELS = {"organization.Bank", "organization.Branch", "organization.User", "accounts.DepositProduct",
                    "payments.FeeSchedule", "payments.TransferLimit", "payments.FraudRule", "organization.Holiday",
                    "loans.LoanProduct", "compliance.TypologySetting", "compliance.BacktestRun",
                    "compliance.CtrThreshold",
                    # what a customer declared (compliance only: no branch role sees it)
                    "compliance.ExpectedActivity",
                    # the reports to the FIU are the bank's (compliance works bank-wide; no branch role sees them)
                    "compliance.CurrencyTransactionReport", "compliance.SuspiciousActivityReport",
                    # AML cases and suppressions are read by bank-wide roles only (compliance, audit); a branch's
                    # staff hold no view permission on them (403 everywhere, not a branch scope).
                    "compliance.Case", "compliance.Suppression"}


def _login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _history_url(obj: models.Model) -> str:
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[obj.pk])


def _version_url(obj: models.Model, version: models.Model) -> str:
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_simple_history", args=[obj.pk, version.history_id])


def _row(obj: models.Model) -> dict:
    return type(obj)._default_manager.filter(pk=obj.pk).values().get()


def _evidence(obj: models.Model) -> tuple[dict, int]:
    """What a refused write must leave as it was: the row and the number of its history rows."""
    return _row(obj), obj.history.count()


def _revert_post(client: Client, obj: models.Model, version: models.Model):
    """POST a past version as the Revert button did: the version's own form data."""
    url = _version_url(obj, version)
    data = {}
    page = client.get(url)
    if page.status_code == 200 and page.context and "adminform" in page.context:
        form = page.context["adminform"].form
        data = {name: form[name].value() if form[name].value() is not None else "" for name in form.fields}
    data["_save"] = "Revert"
    return client.post(url, data)


@dataclass
class Porto:
    """One row of every history-enabled model, in the Porto branch (or bank-wide)."""

    rows: dict[str, models.Model]

    def __getitem__(self, label: str) -> models.Model:
        return self.rows[label]


@pytest.fixture
def porto(bank, branch_a, branch_b, teller_b, manager_b, compliance_officer) -> Porto:
    install_chart()
    savings = savings_product(rate="0")
    customer = verified_customer(branch=branch_b, user=CustomerUserFactory(), legal_name="Rui Ramos")
    account = open_funded_account(customer, savings, "1000.00", teller=teller_b)
    other = open_funded_account(verified_customer(branch=branch_b), savings, "100.00", teller=teller_b)
    transfer = transfer_between_accounts(from_account_number=account.number, to_account_number=other.number,
                                         money=Money("10.00", "EUR"), initiated_by=customer.user,
                                         idempotency_key="porto-transfer", reference="Porto rent November")
    beneficiary = saved_beneficiary(customer, EXTERNAL_IBAN, name="Porto Landlord")
    remove_beneficiary(beneficiary=beneficiary, actor=customer.user)
    outgoing = initiate_outgoing_payment(
        from_account_number=account.number, money=Money("120.00", "EUR"), rail="instant",
        creditor_name="Porto Landlord", creditor_account=EXTERNAL_IBAN, creditor_country="PT",
        remittance_information="Porto deposit", initiated_by=customer.user, idempotency_key="porto-outgoing")
    outgoing = apply_gateway_outcome(reference=outgoing.reference,
                                     outcome=GatewayOutcome(status=GatewayOutcome.SETTLED, gateway_id="VP-1"))
    incoming = receive_incoming_payment(gateway="velocitypay", gateway_id="VP-IN-1", account_number=account.number,
                                        money=Money("5.00", "EUR"), debtor_name="Ana Costa")
    order = create_standing_order(from_account=account, to_account_number=other.number,
                                  money=Money("15.00", "EUR"), frequency="monthly",
                                  start_date=bank.current_business_date + datetime.timedelta(days=1),
                                  created_by=manager_b, day_of_month=1, count=3, reference="Porto savings")
    # an approved maker-checker request of the branch: compliance freezes, operations unfreezes
    freeze_account(account=other, reason="Investigation", actor=compliance_officer)
    checker = StaffFactory(role=roles.OPERATIONS_ADMIN, home_branch=branch_a)
    approval = approve_request(request=request_unfreeze(account=other, reason="Cleared", maker=compliance_officer),
                               checker=checker)
    # a screening hit: the customer's name is on a list
    import_list(ListRowFactory(name="Ivan Petrov", source_id="EU-1"))
    listed = CustomerFactory(branch=branch_b, legal_name="Ivan Petrov")
    # a payment held by a fraud rule: its decision and its review
    rule = fraud_rule("high_risk_country", action="hold", name="Review Portugal", countries=["PT"])
    held = transfer_between_accounts(from_account_number=account.number, to_account_number=other.number,
                                     money=Money("20.00", "EUR"), initiated_by=customer.user,
                                     idempotency_key="porto-held")
    fee = FeeSchedule.objects.create(channel="branch", currency="EUR", fixed_fee=Decimal("1.00"))
    limit = TransferLimit.objects.create(customer_tier="premium", currency="EUR", per_transaction=Decimal("5000"),
                                         per_day=Decimal("10000"))
    personal_loan = loan_product()
    loan_application = submit_application(
        customer=customer, submitted_by=customer.user, idempotency_key="porto-loan",
        terms=ApplicationTerms(product=personal_loan, amount=Money("2000.00", "EUR"),
                               declared_monthly_income=Money("1500.00", "EUR")))
    rows = {
        "organization.Bank": bank, "organization.Branch": branch_b, "organization.User": teller_b,
        "organization.ApprovalRequest": approval, "accounts.DepositProduct": savings, "accounts.Account": account,
        "customers.Customer": customer, "kyc.KycDocument": KycDocument.objects.filter(customer=customer).first(),
        "kyc.ScreeningHit": ScreeningHit.objects.get(customer=listed), "ledger.LedgerAccount": account.ledger_account,
        "payments.FeeSchedule": fee, "payments.TransferLimit": limit, "payments.Transfer": transfer,
        "payments.OutgoingPayment": outgoing, "payments.IncomingPayment": incoming,
        "payments.StandingOrder": order, "payments.Beneficiary": beneficiary, "payments.FraudRule": rule,
        "payments.FraudDecision": held.fraud_decisions.get(), "payments.PaymentReview": held.review,
        "organization.Holiday": Holiday.objects.create(date=datetime.date(2025, 12, 25), name="Christmas Day"),
        "loans.LoanProduct": personal_loan, "loans.LoanApplication": loan_application,
        "compliance.TypologySetting": TypologySetting.objects.create(typology="large_cash", currency="EUR",
                                                                     parameters={"amount_at_least": "10000.00"}),
        "compliance.BacktestRun": BacktestRun.objects.create(
            typology="large_cash", typology_version=1, currency="EUR", parameters={"amount_at_least": "5000.00"},
            date_from=datetime.date(2025, 11, 1), date_to=datetime.date(2025, 11, 30),
            requested_by=compliance_officer),
    }
    # the reports to the FIU: a CTR entry, and a SAR drafted from a case (apps/compliance)
    case = Case.objects.create(customer=customer, detected_on=bank.current_business_date,
                               sar_due_on=bank.current_business_date)
    drafter = with_permissions(compliance_officer, DRAFTER_PERMISSIONS)
    rows["compliance.SuspiciousActivityReport"] = draft_sar(case=case, reason="Porto cash.", actor=drafter)
    rows["compliance.CurrencyTransactionReport"] = CurrencyTransactionReport.objects.create(
        customer=customer, business_date=bank.current_business_date, currency="EUR", cash_in=Decimal("10500.00"),
        cash_out=Decimal("0.00"), threshold=Decimal("10000.00"))
    rows["compliance.ExpectedActivity"] = record_expected_activity(
        customer=customer, currency="EUR", declared_monthly_income=Decimal("2500.00"), expected_monthly_turnover=None,
        business_activity="Fisherman", actor=compliance_officer)
    rows["compliance.CtrThreshold"] = CtrThreshold.objects.get_or_create(
        currency="EUR", defaults={"amount": Decimal("10000.00")})[0]
    rows["compliance.Case"] = case
    rows["compliance.Suppression"] = create_suppression(
        customer=customer, typology="", reason="Porto market stall takings", business_date=bank.current_business_date,
        expires_on=bank.current_business_date + datetime.timedelta(days=30), actor=compliance_officer)
    rows["loans.Loan"] = booked_loan(customer=customer, product=rows["loans.LoanProduct"], account=account,
                                     staff=loan_staff(branch_b))
    return Porto({label: type(row)._default_manager.get(pk=row.pk) for label, row in rows.items()})


@pytest.fixture
def superuser(branch_a):
    return StaffFactory(is_superuser=True, home_branch=branch_a)


def test_every_history_admin_is_evidence_only():
    assert HISTORY_MODELS, "no history-enabled ModelAdmin found"
    not_evidence = [model._meta.label for model, model_admin in _history_admins()
                    if not isinstance(model_admin, EvidenceHistoryAdmin)]
    assert not_evidence == []


def test_the_porto_rows_cover_every_history_admin(porto):
    assert sorted(porto.rows) == sorted(model._meta.label for model in HISTORY_MODELS)


def test_a_past_version_is_never_saved_back_even_by_a_superuser(porto, superuser):
    client = _login(superuser)
    saved_back = []
    for model in HISTORY_MODELS:
        # given a row with a past version the superuser reads
        obj = porto[model._meta.label]
        version = obj.history.earliest()
        assert client.get(_history_url(obj)).status_code == 200, model
        assert client.get(_version_url(obj, version)).status_code == 200, model
        before = _evidence(obj)
        # when they post it back as the Revert button did
        response = _revert_post(client, obj, version)
        # then it is refused and nothing is written
        if response.status_code != 405 or _evidence(obj) != before:
            saved_back.append((model._meta.label, response.status_code))
    assert saved_back == []


def test_the_history_of_a_row_that_is_gone_is_not_found(porto, superuser):
    client = _login(superuser)
    found = []
    for model in HISTORY_MODELS:
        # given history rows of an object that no longer exists (deleted, or never in this database)
        obj = porto[model._meta.label]
        ghost = obj.history.earliest()
        ghost.history_id, ghost.history_type = None, "-"
        setattr(ghost, model._meta.pk.attname, model._default_manager.order_by("-pk").first().pk + 1000)
        ghost.save()
        gone = model(pk=getattr(ghost, model._meta.pk.attname))
        # then its history and its versions are not found, and it cannot be recovered from them
        answers = (client.get(_history_url(gone)).status_code, client.get(_version_url(gone, ghost)).status_code,
                   _revert_post(client, gone, ghost).status_code)
        if answers != (404, 404, 405) or model._default_manager.filter(pk=gone.pk).exists():
            found.append((model._meta.label, answers))
    assert found == []


def test_the_history_of_another_branchs_row_is_not_found(porto, teller_a, manager_a, auditor):
    shown = []
    for model in HISTORY_MODELS:
        if model._meta.label in BANK_WIDE_MODELS:
            continue
        obj = porto[model._meta.label]
        version = obj.history.earliest()
        # a bank-wide auditor sees it: the row is there
        assert _login(auditor).get(_history_url(obj)).status_code == 200, model
        for lisbon in (teller_a, manager_a):
            client = _login(lisbon)
            answers = (client.get(_history_url(obj)).status_code, client.get(_version_url(obj, version)).status_code)
            if answers != (404, 404):
                shown.append((model._meta.label, lisbon.username, answers))
    assert shown == []


def test_a_version_of_another_row_is_not_shown_under_this_one(porto, teller_b):
    # the version id must be one of the object's own versions
    account, other = porto["accounts.Account"], porto["payments.Transfer"].to_account
    url = reverse("admin:accounts_account_simple_history", args=[account.pk, other.history.earliest().history_id])
    assert _login(teller_b).get(url).status_code == 404


# --- the cases found in the admin ---------------------------------------------------------------------------


@pytest.mark.parametrize("label, secrets", [
    ("payments.Transfer", ["Porto rent November"]),
    ("payments.OutgoingPayment", ["Porto deposit", EXTERNAL_IBAN]),
    ("payments.Beneficiary", ["Porto Landlord", EXTERNAL_IBAN]),
    ("kyc.KycDocument", ["Rui Ramos"]),
    ("organization.ApprovalRequest", ["Unfreeze"]),
])
def test_a_lisbon_teller_or_manager_cannot_read_a_porto_history(label, secrets, porto, teller_a, manager_a, teller_b):
    # given a Porto row the Porto teller reads in its history
    obj = porto[label]
    version = obj.history.earliest()
    page = _login(teller_b).get(_version_url(obj, version))
    assert page.status_code == 200 and all(secret in page.content.decode() for secret in secrets)
    for lisbon in (teller_a, manager_a):
        client = _login(lisbon)
        # then Lisbon staff get 404, as the change view says it does not exist
        assert client.get(reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change",
                                  args=[obj.pk])).status_code == 302
        for url in (_history_url(obj), _version_url(obj, version)):
            response = client.get(url)
            assert response.status_code == 404
            assert not any(secret in response.content.decode() for secret in secrets)


def test_a_lisbon_teller_cannot_restore_a_porto_customers_removed_beneficiary(porto, teller_a, teller_b):
    beneficiary = porto["payments.Beneficiary"]
    before_removal = beneficiary.history.filter(removed_at__isnull=True).earliest()
    before = _evidence(beneficiary)
    for teller in (teller_a, teller_b):  # another branch's teller, and the customer's own branch's
        assert _revert_post(_login(teller), beneficiary, before_removal).status_code == 405
    assert _evidence(beneficiary) == before
    assert Beneficiary.objects.get(pk=beneficiary.pk).removed_at is not None


def test_a_teller_cannot_set_a_settled_outgoing_payment_back_to_initiated(porto, teller_a, teller_b):
    payment = porto["payments.OutgoingPayment"]
    initiated = payment.history.filter(status=OutgoingPayment.Status.INITIATED).earliest()
    before, entries = _evidence(payment), JournalEntry.objects.count()
    for teller in (teller_a, teller_b):
        assert _revert_post(_login(teller), payment, initiated).status_code == 405
    assert _evidence(payment) == before and JournalEntry.objects.count() == entries
    assert OutgoingPayment.objects.get(pk=payment.pk).status == OutgoingPayment.Status.SETTLED


def test_the_auditor_cannot_set_an_approved_request_back_to_pending(porto, auditor):
    approval = porto["organization.ApprovalRequest"]
    pending = approval.history.filter(state=ApprovalRequest.State.PENDING).earliest()
    before = _evidence(approval)
    client = _login(auditor)
    assert client.get(_version_url(approval, pending)).status_code == 200  # the auditor reads it
    assert _revert_post(client, approval, pending).status_code == 405
    assert _evidence(approval) == before
    assert ApprovalRequest.objects.get(pk=approval.pk).state == ApprovalRequest.State.APPROVED


def test_a_past_version_shows_no_revert_button_and_no_editable_field(porto, teller_b):
    customer = porto["customers.Customer"]
    page = _login(teller_b).get(_version_url(customer, customer.history.earliest()))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'value="Revert"' not in html and 'name="legal_name"' not in html
    assert "Rui Ramos" in html


def test_a_teller_cannot_revert_a_compliance_freeze(branch_a, branch_b, teller_a, compliance_officer):
    # given an active Lisbon account that compliance froze
    install_chart()
    account = open_funded_account(verified_customer(branch=branch_a), savings_product(rate="0"), "100.00",
                                  teller=teller_a)
    freeze_account(account=account, reason="Sanctions investigation", actor=compliance_officer)
    account.refresh_from_db()
    active = account.history.filter(status=Account.Status.ACTIVE).latest()
    before, receipts = _evidence(account), TellerTransaction.objects.count()
    client = _login(teller_a)
    # when the teller opens the history, chooses the version before the freeze and reverts
    assert client.get(_history_url(account)).status_code == 200
    response = _revert_post(client, account, active)
    # then it is refused: the account is still frozen, and nothing may leave it (a frozen account still
    # receives money, so the withdrawal is what the freeze refuses)
    assert response.status_code == 405
    assert _evidence(account) == before
    assert Account.objects.get(pk=account.pk).status == Account.Status.FROZEN
    page = client.get(f"/admin/accounts/account/{account.pk}/cash/")
    key = re.search(r'name="idempotency_key" value="([0-9a-f-]+)"', page.content.decode()).group(1)
    client.post(f"/admin/accounts/account/{account.pk}/cash/",
                {"kind": "withdrawal", "amount": "50.00", "idempotency_key": key})
    assert TellerTransaction.objects.count() == receipts


def test_a_held_payment_review_is_still_decided_through_its_service(porto, compliance_officer):
    # the history pages changed; the change view's own doors did not
    review = porto["payments.PaymentReview"]
    assert review.status == PaymentReview.Status.PENDING
    page = _login(compliance_officer).get(reverse("admin:payments_paymentreview_change", args=[review.pk]))
    assert page.status_code == 200 and 'name="decision"' in page.content.decode()
    assert Transfer.objects.get(pk=review.transfer_id).status == Transfer.Status.HELD
