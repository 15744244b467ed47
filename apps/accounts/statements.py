"""Account statements as a bank issues them: the bank (name, address, BIC), the customer and the account (IBAN),
the period and the issue date; opening balance, every transaction in the customer's words with its reference
and running balance (a transfer's fee on a line of its own), debit and credit totals, closing balance, credit
and overdraft interest and the fees of the period, and what is pending (holds, payments not yet settled).
CSV streams row by row; the PDF is drawn page by page into a temporary file. Either way the postings are read
with a server-side cursor in chunks, never all at once."""

from __future__ import annotations

import csv
import datetime
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import OuterRef, Q, Subquery
from django.http import FileResponse, HttpResponseBase, StreamingHttpResponse
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

from apps.accounts.account_numbers import formatted
from apps.accounts.models import Account, TellerTransaction
from apps.accounts.selectors import account_postings, balance_before
from apps.accounts.statement_pending import pending_items
from apps.accounts.statement_wording import PostingFacts, fee_description, line_description, line_reference
from apps.ledger.chart import FEE_INCOME
from apps.ledger.models import LedgerAccount, Posting
from apps.ledger.sums import AmountSum
from apps.money import format_amount, round_to_currency
from apps.organization.models import Bank
from apps.organization.selectors import current_bank

CHUNK = 2000


@dataclass(frozen=True)
class StatementLine:
    business_date: datetime.date
    description: str
    reference: str
    debit: Decimal
    credit: Decimal
    balance: Decimal


@dataclass(frozen=True)
class StatementSummary:
    """The statement's figures. Credit and overdraft interest are apart (the bank pays one and charges the
    other); ``fees`` are what ``fees_charged`` counts; debits and credits are the period's totals, fees and
    interest included, so that opening + credits - debits = closing."""

    account: Account
    bank: Bank
    date_from: datetime.date
    date_to: datetime.date
    issued_on: datetime.date
    opening_balance: Decimal
    closing_balance: Decimal
    total_debits: Decimal
    total_credits: Decimal
    credit_interest: Decimal
    overdraft_interest: Decimal
    fees: Decimal


def fees_charged(account: Account, date_from: datetime.date, date_to: datetime.date) -> Decimal:
    """The fees this account paid in the period, net of fees given back, whoever charged them: a monthly fee
    (``fees``), a transfer fee (inside the transfer's entry), or any other entry that pays the bank's fee income.

    In an entry, the fee charged to the account is what fee income received, up to what the account paid
    (``min``): a transfer debits amount + fee and credits the fee to fee income; a monthly fee entry debits many
    accounts their fee each and credits the total. A fee given back (the reversal of a transfer) is the mirror.
    One grouped query: a row per entry of the period in which the account and fee income both take part.
    """
    fee_income = LedgerAccount.objects.filter(code=FEE_INCOME).values_list("pk", flat=True).first()
    if fee_income is None:
        return Decimal(0)
    own, fees = Q(account_id=account.ledger_account_id), Q(account_id=fee_income)
    entries = Posting.objects.filter(own, entry__business_date__gte=date_from,
                                     entry__business_date__lte=date_to).values("entry_id")
    rows = (Posting.objects.filter(own | fees, entry_id__in=entries).values("entry_id").annotate(
        paid=AmountSum("amount", filter=own & Q(side="D"), default=Decimal(0)),
        received=AmountSum("amount", filter=own & Q(side="C"), default=Decimal(0)),
        fee_credited=AmountSum("amount", filter=fees & Q(side="C"), default=Decimal(0)),
        fee_debited=AmountSum("amount", filter=fees & Q(side="D"), default=Decimal(0)),
    ).filter(Q(fee_credited__gt=0) | Q(fee_debited__gt=0)).order_by())
    return sum((min(row["paid"], row["fee_credited"]) - min(row["received"], row["fee_debited"]) for row in rows),
               Decimal(0))


def statement_summary(account: Account, date_from: datetime.date, date_to: datetime.date, *,
                      issued_on: datetime.date | None = None) -> StatementSummary:
    """Opening and closing balances, the period's totals, interest and fees (``fees_charged``), and the bank
    that issues it; ``issued_on`` defaults to the bank's business date."""
    bank = current_bank()
    opening = balance_before(account, date_from)
    totals = Posting.objects.filter(account_id=account.ledger_account_id, entry__business_date__gte=date_from,
                                    entry__business_date__lte=date_to).aggregate(
        credits=AmountSum("amount", filter=Q(side="C"), default=Decimal(0)),
        debits=AmountSum("amount", filter=Q(side="D"), default=Decimal(0)),
        interest=AmountSum("amount", filter=Q(side="C", entry__source="interest"), default=Decimal(0)),
        overdraft_interest=AmountSum("amount", filter=Q(side="D", entry__source="interest"), default=Decimal(0)),
    )
    return StatementSummary(
        account=account, bank=bank, date_from=date_from, date_to=date_to,
        issued_on=issued_on or bank.current_business_date, opening_balance=opening,
        closing_balance=opening + totals["credits"] - totals["debits"],
        total_debits=totals["debits"], total_credits=totals["credits"],
        credit_interest=totals["interest"], overdraft_interest=totals["overdraft_interest"],
        fees=fees_charged(account, date_from, date_to),
    )


def _statement_postings(account: Account, date_from: datetime.date, date_to: datetime.date):
    """The account's postings of the period with what each line needs to read: the fee part of its entry (what
    fee income took in, or gave back), the counterparty's account and name, the teller receipt."""
    fee_income = LedgerAccount.objects.filter(code=FEE_INCOME).values_list("pk", flat=True).first()
    in_entry = Posting.objects.filter(entry_id=OuterRef("entry_id"))

    def fee_income_side(side: str):
        return Subquery(in_entry.filter(account_id=fee_income, side=side).values("entry_id").annotate(
            total=AmountSum("amount")).values("total")[:1])

    counterparty = in_entry.exclude(account_id=account.ledger_account_id).filter(
        account__deposit_account__isnull=False).order_by("id")
    receipt = TellerTransaction.objects.filter(entry_id=OuterRef("entry_id"))
    return account_postings(account, date_from=date_from, date_to=date_to).annotate(
        fee_credited=fee_income_side("C"), fee_debited=fee_income_side("D"),
        counterparty_number=Subquery(counterparty.values("account__deposit_account__number")[:1]),
        counterparty_name=Subquery(counterparty.values("account__deposit_account__customer__legal_name")[:1]),
        receipt_id=Subquery(receipt.values("pk")[:1]),
    ).values("entry__business_date", "entry__source", "entry__description", "entry__reference",
             "entry__reverses_id", "side", "amount", "fee_credited", "fee_debited", "counterparty_number",
             "counterparty_name", "receipt_id")


def statement_lines(account: Account, date_from: datetime.date, date_to: datetime.date,
                    opening: Decimal) -> Iterator[StatementLine]:
    """Each posting as the customer reads it, with the running balance. A posting that paid a fee (a transfer
    debits amount + fee in one posting) is two lines: the payment, then the fee, with the same reference; a
    posting that is all fee (a monthly fee) is one fee line. The fee part is what fee income took in the entry,
    up to the posting (the rule of ``fees_charged``), so the fee lines add up to the statement's fees."""
    balance = opening
    currency = account.product.currency
    for row in _statement_postings(account, date_from, date_to).iterator(chunk_size=CHUNK):
        facts = PostingFacts(
            source=row["entry__source"], description=row["entry__description"], reference=row["entry__reference"],
            side=row["side"], is_reversal=row["entry__reverses_id"] is not None,
            counterparty_number=row["counterparty_number"], counterparty_name=row["counterparty_name"],
            # a receipt has its entry's business date (the teller service gives both the same)
            receipt_number=(TellerTransaction.number_of_receipt(row["entry__business_date"], row["receipt_id"])
                            if row["receipt_id"] else None))
        amount = row["amount"]
        fee_side = row["fee_credited"] if row["side"] == "D" else row["fee_debited"]
        fee = min(amount, round_to_currency(Decimal(fee_side), currency)) if fee_side else Decimal(0)
        reference = line_reference(facts, account.number)
        parts = [(line_description(facts), amount - fee), (fee_description(facts), fee)]
        for description, part in parts:
            if not part:
                continue
            debit_amount, credit_amount = (part, Decimal(0)) if row["side"] == "D" else (Decimal(0), part)
            balance += credit_amount - debit_amount
            yield StatementLine(row["entry__business_date"], description, reference, debit_amount, credit_amount,
                                balance)


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_rows(summary: StatementSummary) -> Iterator[str]:
    """The statement as CSV text, one row at a time (for a StreamingHttpResponse). Amounts are plain numbers
    in the currency's decimals, for a spreadsheet; each line has the reference the customer can quote."""
    writer = csv.writer(_Echo())
    account, bank = summary.account, summary.bank
    currency = account.product.currency

    def amount(value: Decimal) -> str:
        return str(round_to_currency(value, currency))
    yield writer.writerow(["bank", bank.name, bank.bic])
    yield writer.writerow(["account holder", account.customer.legal_name])
    yield writer.writerow(["account", account.number, account.product.name, currency])
    yield writer.writerow(["period", summary.date_from.isoformat(), summary.date_to.isoformat()])
    yield writer.writerow(["issued", summary.issued_on.isoformat()])
    yield writer.writerow(["date", "description", "reference", "debit", "credit", "balance"])
    yield writer.writerow(["", "Opening balance", "", "", "", amount(summary.opening_balance)])
    for line in statement_lines(account, summary.date_from, summary.date_to, summary.opening_balance):
        yield writer.writerow([line.business_date.isoformat(), line.description, line.reference,
                               amount(line.debit) if line.debit else "", amount(line.credit) if line.credit else "",
                               amount(line.balance)])
    yield writer.writerow(["", "Total debits and credits", "", amount(summary.total_debits),
                           amount(summary.total_credits), ""])
    yield writer.writerow(["", "Closing balance", "", "", "", amount(summary.closing_balance)])
    yield writer.writerow(["", "Credit interest in the period", "", "", "", amount(summary.credit_interest)])
    yield writer.writerow(["", "Overdraft interest in the period", "", "", "", amount(summary.overdraft_interest)])
    yield writer.writerow(["", "Fees in the period", "", "", "", amount(summary.fees)])
    for item in pending_items(account):
        yield writer.writerow(["pending", item.since.isoformat(), item.description, item.reference,
                               amount(item.amount), item.state])


class _StatementPdf:
    """Draws the statement on A4 pages with reportlab: the bank, the customer and the account on the first page,
    a running header and footer on every page ("Page 2 of 3": the total is a form drawn once at the end, so the
    lines are still read in chunks), the lines with their amounts right-aligned in the currency's format, the
    totals, interest and fees, and what is pending."""

    WIDTH, HEIGHT = A4
    LEFT, RIGHT = 15 * mm, A4[0] - 15 * mm
    BOTTOM = 24 * mm
    DATE_X, DESCRIPTION_X, REFERENCE_X = LEFT, 34 * mm, 94 * mm
    DESCRIPTION_WIDTH, REFERENCE_WIDTH = 58 * mm, 26 * mm
    DEBIT_RIGHT, CREDIT_RIGHT, BALANCE_RIGHT = 145 * mm, 170 * mm, RIGHT
    LINE = 3.6 * mm

    def __init__(self, summary: StatementSummary, output) -> None:
        self.summary, self.account, self.bank = summary, summary.account, summary.bank
        self.currency = self.account.product.currency
        self.canvas = Canvas(output, pagesize=A4, pageCompression=1)
        self.canvas.setTitle(f"Statement {formatted(self.account.number)} {summary.date_from} to {summary.date_to}")
        self.canvas.setAuthor(self.bank.name)
        self.page = 0
        self.y = 0.0

    def money(self, value: Decimal) -> str:
        return format_amount(value, self.currency)

    def _first_page_header(self) -> float:
        canvas, summary, account, bank = self.canvas, self.summary, self.account, self.bank
        top = self.HEIGHT - 18 * mm
        canvas.setFont("Helvetica-Bold", 15)
        canvas.drawString(self.LEFT, top, bank.name)
        canvas.setFont("Helvetica", 8)
        y = top - 5 * mm
        for text in [*bank.address.splitlines(), f"BIC {bank.bic}" if bank.bic else ""]:
            if text.strip():
                canvas.drawString(self.LEFT, y, text.strip())
                y -= self.LINE
        canvas.setFont("Helvetica-Bold", 13)
        canvas.drawRightString(self.RIGHT, top, "Account statement")
        canvas.setFont("Helvetica", 8.5)
        canvas.drawRightString(self.RIGHT, top - 5 * mm,
                               f"Period {summary.date_from:%d %b %Y} to {summary.date_to:%d %b %Y}")
        canvas.drawRightString(self.RIGHT, top - 9 * mm, f"Issued on {summary.issued_on:%d %b %Y}")
        self._page_number(top - 13 * mm)

        # the customer, where a window envelope shows the address
        y = self.HEIGHT - 52 * mm
        customer = account.customer
        canvas.setFont("Helvetica-Bold", 10)
        canvas.drawString(self.LEFT, y, customer.legal_name)
        canvas.setFont("Helvetica", 9)
        for text in customer.address.splitlines():
            y -= 4.2 * mm
            canvas.drawString(self.LEFT, y, text.strip())

        # the account
        x, y = 112 * mm, self.HEIGHT - 52 * mm
        rows = [("Account", account.product.name), ("IBAN", formatted(account.number)),
                ("BIC", bank.bic or "—"), ("Currency", self.currency), ("Branch", account.branch.name)]
        for label, value in rows:
            canvas.setFont("Helvetica", 8)
            canvas.drawString(x, y, label)
            canvas.setFont("Helvetica-Bold" if label == "IBAN" else "Helvetica", 9)
            canvas.drawString(x + 18 * mm, y, value)
            y -= 4.4 * mm

        # the period at a glance
        y = self.HEIGHT - 88 * mm
        canvas.setStrokeGray(0.6)
        canvas.setFillGray(0.95)
        canvas.rect(self.LEFT, y - 4 * mm, self.RIGHT - self.LEFT, 13 * mm, stroke=1, fill=1)
        canvas.setFillGray(0)
        figures = [("Opening balance", summary.opening_balance), ("Total credits", summary.total_credits),
                   ("Total debits", summary.total_debits), ("Closing balance", summary.closing_balance)]
        cell = (self.RIGHT - self.LEFT) / len(figures)
        for index, (label, value) in enumerate(figures):
            right = self.LEFT + cell * (index + 1) - 3 * mm
            canvas.setFont("Helvetica", 7.5)
            canvas.drawRightString(right, y + 4.5 * mm, label)
            canvas.setFont("Helvetica-Bold", 10)
            canvas.drawRightString(right, y, self.money(value))
        return y - 12 * mm

    def _next_page_header(self) -> float:
        canvas, summary = self.canvas, self.summary
        top = self.HEIGHT - 15 * mm
        canvas.setFont("Helvetica-Bold", 10)
        canvas.drawString(self.LEFT, top, self.bank.name)
        canvas.setFont("Helvetica", 8)
        canvas.drawString(self.LEFT, top - 4 * mm, f"Account statement, IBAN {formatted(self.account.number)}, "
                          f"{summary.date_from:%d %b %Y} to {summary.date_to:%d %b %Y}")
        self._page_number(top)
        return top - 12 * mm

    def _page_number(self, y: float) -> None:
        # "Page 2 of " here, the total a form that is drawn once the last page is known
        self.canvas.setFont("Helvetica", 8.5)
        self.canvas.drawRightString(self.RIGHT - 5 * mm, y, f"Page {self.page} of ")
        self.canvas.saveState()
        self.canvas.translate(self.RIGHT - 5 * mm, y)
        self.canvas.doForm("page_count")
        self.canvas.restoreState()

    def _footer(self) -> None:
        canvas, bank = self.canvas, self.bank
        canvas.setStrokeGray(0.7)
        canvas.line(self.LEFT, 16 * mm, self.RIGHT, 16 * mm)
        canvas.setFont("Helvetica", 6.5)
        address = ", ".join(line.strip() for line in bank.address.splitlines() if line.strip())
        canvas.drawString(self.LEFT, 12.5 * mm, " · ".join(
            part for part in [bank.name, address, f"BIC {bank.bic}" if bank.bic else ""] if part))
        canvas.drawString(self.LEFT, 9.5 * mm, "The balance is the ledger balance after each line; money held and "
                          "payments not yet final are listed at the end. Please tell us of any error.")

    def _column_titles(self) -> None:
        canvas, y = self.canvas, self.y
        canvas.setFont("Helvetica-Bold", 8)
        canvas.drawString(self.DATE_X, y, "Date")
        canvas.drawString(self.DESCRIPTION_X, y, "Description")
        canvas.drawString(self.REFERENCE_X, y, "Reference")
        canvas.drawRightString(self.DEBIT_RIGHT, y, "Debit")
        canvas.drawRightString(self.CREDIT_RIGHT, y, "Credit")
        canvas.drawRightString(self.BALANCE_RIGHT, y, "Balance")
        canvas.setStrokeGray(0.3)
        canvas.line(self.LEFT, y - 1.6 * mm, self.RIGHT, y - 1.6 * mm)
        self.y = y - 5.5 * mm

    def new_page(self, *, columns: bool = True) -> None:
        if self.page:
            self._footer()
            self.canvas.showPage()
        self.page += 1
        self.y = self._first_page_header() if self.page == 1 else self._next_page_header()
        if columns:
            self._column_titles()

    def room_for(self, height: float, *, columns: bool = True) -> None:
        if self.y - height < self.BOTTOM:
            self.new_page(columns=columns)

    def line(self, date: str, description: str, reference: str, debit: str, credit: str, balance: str, *,
             bold: bool = False) -> None:
        font = "Helvetica-Bold" if bold else "Helvetica"
        described = simpleSplit(description, font, 8, self.DESCRIPTION_WIDTH) or [""]
        referenced = simpleSplit(reference, "Helvetica", 7, self.REFERENCE_WIDTH) or [""]
        height = max(len(described), len(referenced)) * self.LINE
        self.room_for(height)
        canvas, y = self.canvas, self.y
        canvas.setFont(font, 8)
        canvas.drawString(self.DATE_X, y, date)
        for index, text in enumerate(described):
            canvas.drawString(self.DESCRIPTION_X, y - index * self.LINE, text)
        canvas.drawRightString(self.DEBIT_RIGHT, y, debit)
        canvas.drawRightString(self.CREDIT_RIGHT, y, credit)
        canvas.drawRightString(self.BALANCE_RIGHT, y, balance)
        canvas.setFont("Helvetica", 7)
        for index, text in enumerate(referenced):
            canvas.drawString(self.REFERENCE_X, y - index * self.LINE, text)
        self.y = y - height - 1.2 * mm

    def rule(self) -> None:
        self.canvas.setStrokeGray(0.6)
        self.canvas.line(self.LEFT, self.y + 2.6 * mm, self.RIGHT, self.y + 2.6 * mm)

    def heading(self, text: str) -> None:
        self.room_for(14 * mm, columns=False)
        self.y -= 4 * mm
        self.canvas.setFont("Helvetica-Bold", 9.5)
        self.canvas.drawString(self.LEFT, self.y, text)
        self.y -= 5.5 * mm

    def figure(self, label: str, value: str, note: str = "") -> None:
        self.room_for(self.LINE, columns=False)
        self.canvas.setFont("Helvetica", 8)
        self.canvas.drawString(self.LEFT, self.y, label)
        self.canvas.drawRightString(self.BALANCE_RIGHT, self.y, value)
        if note:
            self.canvas.setFont("Helvetica", 7)
            self.canvas.drawString(self.REFERENCE_X + 6 * mm, self.y, note)
        self.y -= self.LINE + 0.8 * mm

    def draw(self) -> None:
        summary, money = self.summary, self.money
        self.new_page()
        self.line(f"{summary.date_from:%d %b %Y}", "Opening balance", "", "", "", money(summary.opening_balance),
                  bold=True)
        for line in statement_lines(self.account, summary.date_from, summary.date_to, summary.opening_balance):
            self.line(f"{line.business_date:%d %b %Y}", line.description, line.reference,
                      money(line.debit) if line.debit else "", money(line.credit) if line.credit else "",
                      money(line.balance))
        self.room_for(2 * self.LINE + 4 * mm)
        self.rule()
        self.line("", "Total debits and credits", "", money(summary.total_debits), money(summary.total_credits),
                  "", bold=True)
        self.line(f"{summary.date_to:%d %b %Y}", "Closing balance", "", "", "", money(summary.closing_balance),
                  bold=True)

        self.heading("Interest and fees in the period")
        self.figure("Credit interest paid to you", money(summary.credit_interest))
        self.figure("Overdraft interest charged", money(summary.overdraft_interest))
        self.figure("Fees charged", money(summary.fees), "net of fees refunded")

        self.heading(f"Pending on {summary.issued_on:%d %b %Y}")
        pending = pending_items(self.account)
        if not pending:
            self.figure("No payment is pending and no money is held.", "")
        for item in pending:
            self.line(f"{item.since:%d %b %Y}", item.description, f"{item.reference} {item.state}".strip(), "", "",
                      money(item.amount))
        self._footer()
        self.canvas.showPage()
        self.canvas.beginForm("page_count")
        self.canvas.setFont("Helvetica", 8.5)
        self.canvas.drawString(0, 0, str(self.page))
        self.canvas.endForm()
        self.canvas.save()


def pdf_file(summary: StatementSummary):
    """The statement as a PDF in a temporary file (rewound), drawn page by page with reportlab."""
    output = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the response, which closes it
    _StatementPdf(summary, output).draw()
    output.seek(0)
    return output


def statement_download(summary: StatementSummary, *, kind: str) -> HttpResponseBase:
    """The statement as a file to download, named for the account and the period: ``kind`` "pdf" a PDF, "csv"
    CSV streamed row by row. The admin's and the API's statement both answer with it."""
    name = f"statement-{summary.account.number}-{summary.date_from}-{summary.date_to}"
    if kind == "pdf":
        return FileResponse(pdf_file(summary), as_attachment=True, filename=f"{name}.pdf",
                            content_type="application/pdf")
    response = StreamingHttpResponse(csv_rows(summary), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response
