"""A SAR as a PDF for the file, drawn with reportlab from its goAML XML: the filed content for a filed report (so
the paper says what the FIU received, with its SHA-256), a fresh render marked "draft" otherwise."""

from __future__ import annotations

import io
import tempfile

from django.utils import timezone
from lxml import etree
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

from apps.compliance.goaml.sar_xml import render_sar_xml
from apps.compliance.models import SuspiciousActivityReport

MARGIN = 18 * mm
WIDTH, HEIGHT = A4
LINE = 5 * mm


def sar_xml_for_paper(sar: SuspiciousActivityReport, *, viewer) -> bytes:
    if sar.is_filed:
        return sar.content.encode("utf-8")
    return render_sar_xml(sar, filed_by=viewer, filed_at=timezone.now())


def _text(element, path: str) -> str:
    found = element.find(path)
    return "" if found is None or found.text is None else found.text


def _party(side) -> str:
    """One side of a transaction in words: the person, or the account and its holder."""
    if side is None:
        return ""
    for tag in side:
        if tag.tag.endswith("_person"):
            return f"{_text(tag, 'first_name')} {_text(tag, 'last_name')} (cash)"
        if tag.tag.endswith("_account"):
            holder = _text(tag, "account_name")
            return f"{_text(tag, 'account')} at {_text(tag, 'institution_name')}" + (f", {holder}" if holder else "")
    return ""


class SarPaper:
    def __init__(self, sar: SuspiciousActivityReport, xml: bytes, output) -> None:
        self.sar, self.report = sar, etree.fromstring(xml)
        self.canvas = Canvas(output, pagesize=A4)
        self.canvas.setTitle(f"Suspicious activity report {sar.pk}")
        self.y = HEIGHT - MARGIN

    def room_for(self, height: float) -> None:
        if self.y - height < MARGIN:
            self.canvas.showPage()
            self.y = HEIGHT - MARGIN

    def write(self, text: str, *, font: str = "Helvetica", size: float = 9, indent: float = 0) -> None:
        for line in simpleSplit(text, font, size, WIDTH - 2 * MARGIN - indent) or [""]:
            self.room_for(LINE)
            self.canvas.setFont(font, size)
            self.canvas.drawString(MARGIN + indent, self.y, line)
            self.y -= LINE

    def heading(self, text: str) -> None:
        self.y -= LINE / 2
        self.write(text, font="Helvetica-Bold", size=11)

    def draw(self) -> None:
        sar, report = self.sar, self.report
        self.write(f"Suspicious activity report {sar.pk}" + ("" if sar.is_filed else " (DRAFT, not filed)"),
                   font="Helvetica-Bold", size=14)
        self.write(f"goAML report {_text(report, 'report_code')}, reporting entity {_text(report, 'rentity_id')} "
                   f"({_text(report, 'rentity_branch')}), reference {_text(report, 'entity_reference')}")
        self.write(f"Case {sar.case_id}, customer {sar.case.customer_id}. Status: {sar.get_status_display()}.")
        if sar.is_filed:
            self.write(f"Filed {sar.filed_at:%Y-%m-%d %H:%M} UTC by {sar.filed_by}; kept until {sar.retain_until}.")
            self.write(f"FIU acknowledgement: {sar.fiu_reference or 'not yet recorded'}.")
            self.write(f"SHA-256 of the filed XML: {sar.content_sha256}", font="Courier", size=8)
        self.heading("Reason")
        self.write(_text(report, "reason"))
        self.heading("Action taken")
        self.write(_text(report, "action") or "(none stated)")
        transactions = report.findall("transaction")
        self.heading(f"Transactions ({len(transactions)})")
        for element in transactions:
            # the description names the amount in the movement's own currency
            self.write(f"{_text(element, 'date_transaction').replace('T', ' ')}  "
                       f"{_text(element, 'transaction_description')}", font="Helvetica-Bold")
            source = element.find("t_from_my_client")
            source = source if source is not None else element.find("t_from")
            target = element.find("t_to_my_client")
            target = target if target is not None else element.find("t_to")
            self.write(f"from {_party(source)}", indent=6 * mm)
            self.write(f"to {_party(target)}", indent=6 * mm)
        self.canvas.showPage()
        self.canvas.save()


def sar_pdf(sar: SuspiciousActivityReport, *, viewer) -> io.BufferedRandom:
    """The SAR as a PDF in a temporary file (rewound)."""
    output = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the response, which closes it
    SarPaper(sar, sar_xml_for_paper(sar, viewer=viewer), output).draw()
    output.seek(0)
    return output
