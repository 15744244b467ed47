"""Account statements: opening balance, every transaction with its running balance, closing balance, interest
and fees of the period. CSV streams row by row; the PDF is drawn page by page into a temporary file. Either way
the postings are read with a server-side cursor in chunks, never all at once."""

from __future__ import annotations

import csv
import datetime
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q
from django.http import FileResponse, HttpResponseBase, StreamingHttpResponse
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from apps.accounts.account_numbers import formatted
from apps.accounts.models import Account
from apps.accounts.selectors import account_postings, balance_before
from apps.ledger.chart import FEE_INCOME
from apps.ledger.models import LedgerAccount, Posting
from apps.ledger.sums import AmountSum
from apps.money import minor_unit, round_to_currency

CHUNK = 2000


@dataclass(frozen=True)
class StatementLine:
    business_date: datetime.date
    entry_id: int
    description: str
    reference: str
    debit: Decimal
    credit: Decimal
    balance: Decimal


@dataclass(frozen=True)
class StatementSummary:
    account: Account
    date_from: datetime.date
    date_to: datetime.date
    opening_balance: Decimal
    closing_balance: Decimal
    interest: Decimal
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


def statement_summary(account: Account, date_from: datetime.date, date_to: datetime.date) -> StatementSummary:
    """Opening and closing balances and the period's interest and fees (``fees_charged``), in three queries."""
    opening = balance_before(account, date_from)
    totals = Posting.objects.filter(account_id=account.ledger_account_id, entry__business_date__gte=date_from,
                                    entry__business_date__lte=date_to).aggregate(
        credits=AmountSum("amount", filter=Q(side="C"), default=Decimal(0)),
        debits=AmountSum("amount", filter=Q(side="D"), default=Decimal(0)),
        interest=AmountSum("amount", filter=Q(side="C", entry__source="interest"), default=Decimal(0)),
        overdraft_interest=AmountSum("amount", filter=Q(side="D", entry__source="interest"), default=Decimal(0)),
    )
    return StatementSummary(
        account=account, date_from=date_from, date_to=date_to, opening_balance=opening,
        closing_balance=opening + totals["credits"] - totals["debits"],
        interest=totals["interest"] - totals["overdraft_interest"],
        fees=fees_charged(account, date_from, date_to),
    )


def statement_lines(account: Account, date_from: datetime.date, date_to: datetime.date,
                    opening: Decimal) -> Iterator[StatementLine]:
    balance = opening
    rows = account_postings(account, date_from=date_from, date_to=date_to).values_list(
        "entry__business_date", "entry_id", "entry__description", "entry__reference", "side", "amount")
    for business_date, entry_id, description, reference, side, amount in rows.iterator(chunk_size=CHUNK):
        debit_amount, credit_amount = (amount, Decimal(0)) if side == "D" else (Decimal(0), amount)
        balance += credit_amount - debit_amount
        yield StatementLine(business_date, entry_id, description, reference, debit_amount, credit_amount, balance)


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_rows(summary: StatementSummary) -> Iterator[str]:
    """The statement as CSV text, one row at a time (for a StreamingHttpResponse)."""
    writer = csv.writer(_Echo())
    account = summary.account

    def amount(value: Decimal) -> str:
        return str(round_to_currency(value, account.product.currency))
    yield writer.writerow(["account", account.number, account.product.name, account.product.currency])
    yield writer.writerow(["period", summary.date_from.isoformat(), summary.date_to.isoformat()])
    yield writer.writerow(["date", "entry", "description", "reference", "debit", "credit", "balance"])
    yield writer.writerow(["", "", "Opening balance", "", "", "", amount(summary.opening_balance)])
    for line in statement_lines(account, summary.date_from, summary.date_to, summary.opening_balance):
        yield writer.writerow([line.business_date.isoformat(), line.entry_id, line.description, line.reference,
                               amount(line.debit) if line.debit else "", amount(line.credit) if line.credit else "",
                               amount(line.balance)])
    yield writer.writerow(["", "", "Closing balance", "", "", "", amount(summary.closing_balance)])
    yield writer.writerow(["", "", "Interest in the period", "", "", "", amount(summary.interest)])
    yield writer.writerow(["", "", "Fees in the period", "", "", "", amount(summary.fees)])


def pdf_file(summary: StatementSummary):
    """The statement as a PDF in a temporary file (rewound), drawn page by page with reportlab."""
    output = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the response, which closes it
    canvas = Canvas(output, pagesize=A4, pageCompression=1)
    width, height = A4
    account = summary.account
    columns = [15 * mm, 38 * mm, 120 * mm, 150 * mm, 180 * mm]
    decimals = minor_unit(account.product.currency)

    def shown(value: Decimal) -> str:
        return f"{value:,.{decimals}f}"
    page = [0]

    def header():
        page[0] += 1
        canvas.setFont("Helvetica-Bold", 12)
        canvas.drawString(15 * mm, height - 18 * mm, f"Statement {formatted(account.number)}")
        canvas.setFont("Helvetica", 9)
        canvas.drawString(15 * mm, height - 24 * mm, f"{account.product.name} ({account.product.currency}), "
                          f"{summary.date_from:%d %b %Y} to {summary.date_to:%d %b %Y}")
        canvas.drawRightString(width - 15 * mm, height - 18 * mm, f"page {page[0]}")
        canvas.setFont("Helvetica-Bold", 8)
        for x, title in zip(columns, ["date", "description", "debit", "credit", "balance"], strict=True):
            canvas.drawString(x, height - 32 * mm, title)
        canvas.setFont("Helvetica", 8)
        return height - 38 * mm

    y = header()

    def row(values):
        nonlocal y
        if y < 20 * mm:
            canvas.showPage()
            y = header()
        for x, value in zip(columns, values, strict=True):
            canvas.drawString(x, y, value)
        y -= 4.5 * mm

    row(["", "Opening balance", "", "", shown(summary.opening_balance)])
    for line in statement_lines(account, summary.date_from, summary.date_to, summary.opening_balance):
        row([line.business_date.isoformat(), line.description[:48], shown(line.debit) if line.debit else "",
             shown(line.credit) if line.credit else "", shown(line.balance)])
    row(["", "Closing balance", "", "", shown(summary.closing_balance)])
    row(["", "Interest in the period", "", "", shown(summary.interest)])
    row(["", "Fees in the period", "", "", shown(summary.fees)])
    canvas.showPage()
    canvas.save()
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
