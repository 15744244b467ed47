"""The statement reads as a bank's statement: the bank, the customer and the account on top; lines in the
customer's words with a reference; a transfer's fee on its own line; credit and overdraft interest apart; debit
and credit totals; what is pending; no internal entry ids. The arithmetic stays the ledger's."""

import csv
import io
import os
import re
from decimal import Decimal
from uuid import uuid4

import pytest
from pypdf import PdfReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from rest_framework.test import APIClient

from apps.accounts.account_numbers import formatted
from apps.accounts.house_accounts import house_account
from apps.accounts.services.holds import place_hold
from apps.accounts.tests.factories import deposit, open_funded_account, savings_product
from apps.customers.tests.factories import verified_customer
from apps.ledger.chart import INTEREST_PAYABLE, INTEREST_RECEIVABLE
from apps.ledger.models import JournalEntry
from apps.ledger.services import credit, debit, post_journal_entry, reverse_journal_entry
from apps.money import Money
from apps.organization.tests.factories import CustomerUserFactory
from apps.payments.models import Channel, FeeSchedule
from apps.payments.services.external import initiate_outgoing_payment
from apps.payments.services.transfers import transfer_between_accounts

pytestmark = pytest.mark.django_db

PERIOD = "from=2026-11-01&to=2026-11-30"
CREDITOR_IBAN = "PT50000201231234567890154"


@pytest.fixture
def maria(chart, branch_a, teller_a):
    product = savings_product(rate="0")
    FeeSchedule.objects.create(product=product, channel=Channel.BRANCH, currency="EUR", fixed_fee=Decimal("0.55"))
    customer = verified_customer(branch=branch_a, user=CustomerUserFactory(), legal_name="Maria Silva",
                                 address="Rua Augusta 12\n1100-053 Lisboa")
    payee = verified_customer(branch=branch_a, user=CustomerUserFactory(), legal_name="João Pereira")
    return (open_funded_account(customer, product, "1500.00", teller=teller_a),
            open_funded_account(payee, product, "100.00", teller=teller_a))


def _month(account, teller, ops_admin):
    """A month of an account: a deposit, a transfer with its fee, interest both ways, a hold, a payment out."""
    payer, payee = account
    transfer = transfer_between_accounts(
        from_account_number=payer.number, to_account_number=payee.number, money=Money("20.00", "EUR"),
        reference="Rent November", channel=Channel.BRANCH, initiated_by=teller, idempotency_key="rent")
    post_journal_entry(
        postings=[credit(payer.ledger_account, Money("1.25", "EUR")), debit(payer.ledger_account, Money("0.40", "EUR")),
                  debit(house_account(INTEREST_PAYABLE), Money("1.25", "EUR")),
                  credit(house_account(INTEREST_RECEIVABLE), Money("0.40", "EUR"))],
        description="Interest posting through 2026-11-30 (3 accounts)", source="interest", idempotency_key="int-11")
    place_hold(account=payer, amount=Money("30.00", "EUR"), reason="Card authorisation", actor=teller,
               idempotency_key=uuid4().hex)
    initiate_outgoing_payment(
        from_account_number=payer.number, money=Money("45.00", "EUR"), rail="instant", creditor_name="Ana Costa",
        creditor_account=CREDITOR_IBAN, creditor_country="PT", initiated_by=payer.customer.user,
        idempotency_key="out-1")
    return transfer


def _csv(account, query=PERIOD):
    client = APIClient()
    client.force_authenticate(account.customer.user)
    response = client.get(f"/api/v1/accounts/{account.number}/statement/?{query}")
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def _pdf(account, query=PERIOD):
    client = APIClient()
    client.force_authenticate(account.customer.user)
    response = client.get(f"/api/v1/accounts/{account.number}/statement/?{query}&format=pdf")
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    if os.environ.get("STATEMENT_PDF_OUT"):  # to look at it: STATEMENT_PDF_OUT=/tmp/statement.pdf pytest ...
        with open(os.environ["STATEMENT_PDF_OUT"], "wb") as out:
            out.write(content)
    return PdfReader(io.BytesIO(content))


def _lines(rows):
    return [row for row in rows if row[0].startswith("2026-")]


def test_the_statement_names_the_bank_the_customer_the_account_period_and_issue_date(maria, teller_a, ops_admin):
    # given
    payer, _ = maria
    _month(maria, teller_a, ops_admin)
    # when
    rows = _csv(payer)
    text = _pdf(payer).pages[0].extract_text()
    # then
    assert rows[:5] == [["bank", "OgPgy Bank", "OGPGPTPL"], ["account holder", "Maria Silva"],
                        ["account", payer.number, payer.product.name, "EUR"],
                        ["period", "2026-11-01", "2026-11-30"], ["issued", "2026-11-23"]]
    for shown in ("OgPgy Bank", "Avenida da Liberdade 100", "1250-146 Lisboa", "BIC OGPGPTPL", "Maria Silva",
                  "Rua Augusta 12", "1100-053 Lisboa", formatted(payer.number), "Period 01 Nov 2026 to 30 Nov 2026",
                  "Issued on 23 Nov 2026", "Account statement"):
        assert shown in text, shown
    assert re.search(r"Page 1 of\s*1", text)  # the total is drawn apart, once the last page is known


def test_lines_read_in_the_customers_words_with_a_reference_and_no_entry_id(maria, teller_a, ops_admin):
    # given
    payer, payee = maria
    _month(maria, teller_a, ops_admin)
    # when
    rows = _csv(payer)
    # then: the columns have no entry id, each line its customer-facing description and reference
    assert ["date", "description", "reference", "debit", "credit", "balance"] in rows
    lines = [(row[1], row[2], row[3], row[4]) for row in _lines(rows)]
    receipt = lines[0][1]
    assert receipt.startswith("R20261123-")
    assert lines == [
        ("Cash deposit at the counter", receipt, "", "1500.00"),
        (f"Transfer to João Pereira, {formatted(payee.number)}", "Rent November", "20.00", ""),
        ("Transfer fee", "Rent November", "0.55", ""),
        ("Credit interest to 30 Nov 2026", "", "", "1.25"),
        ("Overdraft interest to 30 Nov 2026", "", "0.40", ""),
        ("Payment to Ana Costa", lines[5][1], "45.00", ""),
    ]
    assert lines[5][1].startswith("OP")
    entry_ids = {str(pk) for pk in JournalEntry.objects.values_list("pk", flat=True)}
    assert not any(cell in entry_ids for row in _lines(rows) for cell in row)
    # and the payee reads the other side, with the payer's name
    payee_lines = [row[1] for row in _lines(_csv(payee))]
    assert payee_lines[-1] == f"Transfer from Maria Silva, {formatted(payer.number)}"


def test_totals_interest_and_fees_add_up_to_the_ledger(maria, teller_a, ops_admin):
    # given
    payer, _ = maria
    _month(maria, teller_a, ops_admin)
    # when
    rows = _csv(payer)
    # then
    labelled = {row[1]: row for row in rows if row[0] == ""}
    lines = _lines(rows)
    debits = sum(Decimal(row[3]) for row in lines if row[3])
    credits = sum(Decimal(row[4]) for row in lines if row[4])
    totals = labelled["Total debits and credits"]
    assert (Decimal(totals[3]), Decimal(totals[4])) == (debits, credits) == (Decimal("65.95"), Decimal("1501.25"))
    payer.ledger_account.refresh_from_db()
    closing = Decimal(labelled["Closing balance"][5])
    assert closing == Decimal(labelled["Opening balance"][5]) + credits - debits == payer.ledger_account.balance
    assert Decimal(lines[-1][5]) == closing
    assert labelled["Credit interest in the period"][5] == "1.25"
    assert labelled["Overdraft interest in the period"][5] == "0.40"
    assert labelled["Fees in the period"][5] == "0.55"


def test_the_pending_hold_and_the_unsettled_payment_are_mentioned(maria, teller_a, ops_admin):
    # given
    payer, _ = maria
    _month(maria, teller_a, ops_admin)
    # when
    pending = [row[1:] for row in _csv(payer) if row[0] == "pending"]
    text = "".join(page.extract_text() for page in _pdf(payer).pages)
    # then
    assert pending[0] == ["2026-11-23", "Hold: Card authorisation", "", "30.00", "reserved, not in the balance"]
    assert pending[1][1:] == [f"Payment to Ana Costa, {formatted(CREDITOR_IBAN)}", pending[1][2], "45.00",
                              "debited, not yet sent"]
    assert "Pending on 23 Nov 2026" in text and "Hold: Card authorisation" in text and "30.00 EUR" in text


def test_a_reversed_transfer_gives_back_its_fee_on_a_line_of_its_own(maria, teller_a, ops_admin):
    # given
    payer, payee = maria
    transfer = _month(maria, teller_a, ops_admin)
    reverse_journal_entry(entry=transfer.entry, reason="keyed twice", reversed_by=ops_admin)
    # when
    lines = [(row[1], row[3], row[4]) for row in _lines(_csv(payer))][-2:]
    # then
    assert lines == [(f"Reversal: Transfer to João Pereira, {formatted(payee.number)}", "", "20.00"),
                     ("Transfer fee refunded", "", "0.55")]


def _drawn(reader):
    """Every string drawn on the pages: its text, where it ends (x + its width) and its font size."""
    drawn = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            font_name = font["/BaseFont"].lstrip("/") if font else "Helvetica"
            start = tm[4] * cm[0] + cm[4]
            drawn.append((text.strip(), start + stringWidth(text.strip(), font_name, size), size))
    for page in reader.pages:
        page.extract_text(visitor_text=visit)
    return drawn


def test_amounts_are_right_aligned_in_the_currencys_format_and_every_page_says_of_how_many(
        maria, teller_a, ops_admin):
    # given: enough lines for a second page
    payer, _ = maria
    _month(maria, teller_a, ops_admin)
    for number in range(60):
        deposit(payer, "1000.00", teller=teller_a, key=f"d{number}")
    # when
    reader = _pdf(payer)
    # then
    assert len(reader.pages) == 2
    assert re.search(r"Page 1 of\s*2", reader.pages[0].extract_text())
    assert re.search(r"Page 2 of\s*2", reader.pages[1].extract_text())
    amounts = [(text, end) for text, end, size in _drawn(reader) if text.endswith(" EUR") and size == 8]
    assert {"1,500.00 EUR", "61,435.30 EUR", "0.55 EUR"} <= {text for text, _ in amounts}
    right_edges = {round(end) for _, end in amounts}
    assert len(right_edges) == 3  # the debit, credit and balance columns, each flush right
