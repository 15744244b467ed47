"""A SAR as goAML XML (report_code "SAR"): the reporting entity, the reason and the action, and each reported
transaction with its two sides as goAML has them — ``t_from_my_client`` / ``t_to_my_client`` for a side that
banks here (the account with its holder as signatory), ``t_from`` / ``t_to`` for another bank's account.

    cash deposit     t_from_my_client (the customer, cash)   -> t_to_my_client (the account)
    cash withdrawal  t_from_my_client (the account)          -> t_to_my_client (the customer, cash)
    transfer         t_from_my_client (payer's account)      -> t_to_my_client (payee's account)
    incoming         t_from (the other bank's account)       -> t_to_my_client (the account)
    outgoing         t_from_my_client (the account)          -> t_to (the other bank's account)
    loan             the loan is the bank's own account: t_from / t_to with the bank as institution

Elements are written in the order goAML's schema requires; apps/compliance/goaml/goaml_sar_subset.xsd is the
schema of exactly what this module writes (docs/compliance/reports.md). A fact the bank does not hold (a
business customer's birth date) is left out, and the validation says what is missing.
"""

from __future__ import annotations

import datetime
import zoneinfo
from decimal import Decimal

from django.conf import settings
from lxml import etree
from schwifty import IBAN
from schwifty.exceptions import SchwiftyException

from apps.accounts.models import Account
from apps.compliance.goaml.codes import goaml_code
from apps.compliance.models import ExpectedActivity, MonitoredTransaction, SuspiciousActivityReport
from apps.compliance.models.monitoring import Direction, MovementKind
from apps.customers.models import Customer
from apps.money import round_to_currency
from apps.organization.models import User
from apps.organization.selectors import current_bank

# Calling codes of the countries a phone number is most often from; another number keeps its whole E.164 form.
CALLING_CODES = {"PT": "351", "ES": "34", "FR": "33", "DE": "49", "IT": "39", "NL": "31", "BE": "32", "LU": "352",
                 "IE": "353", "AT": "43", "CH": "41", "GB": "44", "US": "1", "BR": "55", "AO": "244", "MZ": "258",
                 "CV": "238"}
NOT_DECLARED = "Not declared"


def goaml_datetime(moment: datetime.datetime | datetime.date) -> str:
    """goAML's sql_date: a dateTime in the bank's time, without a zone."""
    if isinstance(moment, datetime.datetime):
        local = moment.astimezone(zoneinfo.ZoneInfo(settings.TIME_ZONE)).replace(tzinfo=None, microsecond=0)
        return local.isoformat()
    return f"{moment.isoformat()}T00:00:00"


def goaml_amount(amount: Decimal, currency: str) -> str:
    return str(round_to_currency(amount, currency))


def _add(parent: etree._Element, tag: str, text: object = None) -> etree._Element:
    element = etree.SubElement(parent, tag)
    if text is not None:
        element.text = str(text)
    return element


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.replace(",", "\n").splitlines() if line.strip()]


def _address(parent: etree._Element, tag: str, text: str, country: str) -> None:
    lines = _lines(text)
    address = _add(parent, tag)
    _add(address, "address_type", goaml_code("address_type"))
    _add(address, "address", lines[0][:100])
    _add(address, "city", lines[-1][:255])
    _add(address, "country_code", country)


class SarDocument:
    """Builds one SAR's XML: the subject and counterparties read once each."""

    def __init__(self, sar: SuspiciousActivityReport, *, filed_by: User, filed_at: datetime.datetime) -> None:
        self.sar, self.filed_by, self.filed_at = sar, filed_by, filed_at
        self.bank = current_bank()
        self.rows = list(sar.transactions.select_related(
            "branch", "account__branch", "account__product", "counterparty_account__branch",
            "counterparty_account__product")
                         .order_by("occurred_at", "id"))
        customer_ids = {row.customer_id for row in self.rows} | {
            row.counterparty_account.customer_id for row in self.rows if row.counterparty_account_id}
        self.customers = Customer.objects.in_bulk(customer_ids)
        self.occupations = dict(ExpectedActivity.objects.filter(customer_id__in=customer_ids)
                                .exclude(business_activity="").values_list("customer_id", "business_activity"))

    # --- the report -----------------------------------------------------------------------------------------
    def build(self) -> etree._Element:
        report = etree.Element("report")
        _add(report, "rentity_id", settings.COMPLIANCE_GOAML_RENTITY_ID)
        _add(report, "rentity_branch", settings.COMPLIANCE_GOAML_RENTITY_BRANCH)
        _add(report, "submission_code", goaml_code("submission"))
        _add(report, "report_code", "SAR")
        _add(report, "entity_reference", f"SAR-{self.sar.pk}")
        _add(report, "submission_date", goaml_datetime(self.filed_at))
        _add(report, "currency_code_local", self.bank.base_currency)
        _add(report, "reporting_user_code", self.filed_by.get_username()[:50])
        _address(report, "location", self.bank.address or self.bank.name, settings.COMPLIANCE_GOAML_COUNTRY)
        _add(report, "reason", self.sar.reason[:8000])
        if self.sar.action:
            _add(report, "action", self.sar.action[:8000])
        for row in self.rows:
            self.transaction(report, row)
        indicators = _add(report, "report_indicators")
        _add(indicators, "indicator", goaml_code("report_indicator"))
        return report

    def transaction(self, report: etree._Element, row: MonitoredTransaction) -> None:
        element = _add(report, "transaction")
        _add(element, "transactionnumber", f"{row.entry_id}-{row.pk}")
        _add(element, "internal_ref_number", row.pk)
        _add(element, "transaction_location", row.branch.name[:255] if row.branch_id else "")
        _add(element, "transaction_description", self.description(row))
        _add(element, "date_transaction", goaml_datetime(row.occurred_at))
        _add(element, "value_date", goaml_datetime(row.business_date))
        _add(element, "transmode_code", goaml_code(f"transmode_{row.kind}"))
        _add(element, "amount_local", goaml_amount(row.amount, row.currency))
        kind = row.kind
        if kind == MovementKind.CASH_DEPOSIT:
            self.my_person_side(element, "from", row.customer_id, funds="funds_cash")
            self.my_account_side(element, "to", row.account)
        elif kind == MovementKind.CASH_WITHDRAWAL:
            self.my_account_side(element, "from", row.account)
            self.my_person_side(element, "to", row.customer_id, funds="funds_cash")
        elif kind == MovementKind.TRANSFER and row.counterparty_account_id:
            payer, payee = ((row.account, row.counterparty_account) if row.direction == Direction.OUT
                            else (row.counterparty_account, row.account))
            self.my_account_side(element, "from", payer)
            self.my_account_side(element, "to", payee)
        elif row.direction == Direction.IN:
            self.other_account_side(element, "from", row)
            self.my_account_side(element, "to", row.account)
        else:
            self.my_account_side(element, "from", row.account)
            self.other_account_side(element, "to", row)
        if row.currency != self.bank.base_currency:
            _add(element, "comments", f"Amount in {row.currency}: the bank keeps no exchange rate.")

    def description(self, row: MonitoredTransaction) -> str:
        words = MovementKind(row.kind).label
        if row.counterparty_name:
            words += f" {'from' if row.direction == Direction.IN else 'to'} {row.counterparty_name}"
        return f"{words}, {goaml_amount(row.amount, row.currency)} {row.currency}"[:8000]

    # --- the two sides --------------------------------------------------------------------------------------
    def my_account_side(self, transaction: etree._Element, side: str, account: Account) -> None:
        element = _add(transaction, f"t_{side}_my_client")
        _add(element, f"{side}_funds_code", goaml_code("funds_account"))
        account_element = _add(element, f"{side}_account")
        self.my_account(account_element, account)
        _add(element, f"{side}_country", self.customers[account.customer_id].country)

    def my_person_side(self, transaction: etree._Element, side: str, customer_id: int, *, funds: str) -> None:
        element = _add(transaction, f"t_{side}_my_client")
        _add(element, f"{side}_funds_code", goaml_code(funds))
        self.my_person(_add(element, f"{side}_person"), self.customers[customer_id])
        _add(element, f"{side}_country", self.customers[customer_id].country)

    def other_account_side(self, transaction: etree._Element, side: str, row: MonitoredTransaction) -> None:
        """Another bank's account (from the IBAN), or the bank's own loan account."""
        element = _add(transaction, f"t_{side}")
        _add(element, f"{side}_funds_code", goaml_code("funds_account"))
        account = _add(element, f"{side}_account")
        iban = _iban(row.counterparty_iban)
        if iban is not None:
            _add(account, "institution_name", (iban.bank_name or f"Bank {iban.bank_code}")[:255])
            if iban.bic:
                _add(account, "swift", str(iban.bic)[:11])
            else:
                _add(account, "institution_code", (iban.bank_code or iban.country_code)[:50])
            _add(account, "institution_country", iban.country_code)
            _add(account, "account", str(iban.compact))
            if row.counterparty_name:
                _add(account, "account_name", row.counterparty_name[:255])
            _add(account, "iban", str(iban.compact))
            country = row.counterparty_country or iban.country_code
        else:  # a loan, or a counterparty known by a reference only: the bank's own books
            self.institution(account)
            _add(account, "account", (row.counterparty_key or row.counterparty_name or "unknown")[:255])
            if row.counterparty_name:
                _add(account, "account_name", row.counterparty_name[:255])
            country = row.counterparty_country or settings.COMPLIANCE_GOAML_COUNTRY
        _add(element, f"{side}_country", country)

    # --- accounts and people --------------------------------------------------------------------------------
    def institution(self, element: etree._Element) -> None:
        _add(element, "institution_name", self.bank.name[:255])
        if self.bank.bic:
            _add(element, "swift", self.bank.bic)
        else:
            _add(element, "institution_code", self.bank.code)

    def my_account(self, element: etree._Element, account: Account) -> None:
        holder = self.customers[account.customer_id]
        self.institution(element)
        _add(element, "branch", account.branch.name[:255])
        _add(element, "account", account.number)
        _add(element, "currency_code", account.currency)
        _add(element, "account_name", holder.legal_name[:255])
        _add(element, "client_number", str(holder.pk))
        _add(element, "personal_account_type", goaml_code("account_type"))
        signatory = _add(element, "signatory")
        _add(signatory, "is_primary", "1")
        self.my_person(_add(signatory, "t_person"), holder)
        _add(signatory, "role", goaml_code("signatory_role"))
        _add(element, "opened", goaml_datetime(account.opened_on))
        active = account.status == Account.Status.ACTIVE
        _add(element, "status_code", goaml_code("account_status_active" if active else "account_status_other"))

    def my_person(self, element: etree._Element, customer: Customer) -> None:
        names = customer.legal_name.split()
        _add(element, "first_name", " ".join(names[:-1] or names)[:100])
        _add(element, "last_name", names[-1][:100])
        if customer.date_of_birth:
            _add(element, "birthdate", goaml_datetime(customer.date_of_birth))
        if customer.national_id_last4:
            _add(element, "ssn", customer.national_id_last4)
        _add(element, "nationality1", customer.country)
        _add(element, "residence", customer.country)
        phones = _add(element, "phones")
        phone = _add(phones, "phone")
        _add(phone, "tph_contact_type", goaml_code("contact_type"))
        _add(phone, "tph_communication_type", goaml_code("communication_mobile"))
        prefix, number = _phone_parts(customer.phone, customer.country)
        _add(phone, "tph_country_prefix", prefix)
        _add(phone, "tph_number", number)
        if customer.address.strip():
            addresses = _add(element, "addresses")
            _address(addresses, "address", customer.address, customer.country)
        if customer.email:
            _add(element, "email", customer.email)
        _add(element, "occupation", self.occupations.get(customer.pk, NOT_DECLARED)[:255])
        if customer.tax_id:
            _add(element, "tax_number", customer.tax_id[:100])


def _iban(text: str) -> IBAN | None:
    if not text:
        return None
    try:
        return IBAN(text)
    except SchwiftyException:
        return None


def _phone_parts(phone: str, country: str) -> tuple[str, str]:
    digits = phone.lstrip("+")
    code = CALLING_CODES.get(country, "")
    if code and digits.startswith(code) and len(digits) > len(code):
        return code, digits[len(code):]
    return "+", phone


def render_sar_xml(sar: SuspiciousActivityReport, *, filed_by: User, filed_at: datetime.datetime) -> bytes:
    """The SAR's goAML XML, UTF-8, as it is filed (and hashed)."""
    report = SarDocument(sar, filed_by=filed_by, filed_at=filed_at).build()
    return etree.tostring(report, xml_declaration=True, encoding="UTF-8", pretty_print=True)
