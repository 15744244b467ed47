"""The goAML lookup codes the export writes. Each FIU publishes its own lookup tables (funds types, transaction
modes, account types, ...); goAML's schema lists their codes without meaning. These defaults are codes the
published goAML 5.0.1 schema accepts; a bank sets its FIU's with ``COMPLIANCE_GOAML_CODES`` (JSON, any subset of
the keys below), e.g. ``{"funds_cash": "K", "transmode_cash_deposit": "A"}``."""

from __future__ import annotations

from django.conf import settings

DEFAULT_CODES = {
    "submission": "E",  # electronic
    # funds: how the money left (from_funds_code) and arrived (to_funds_code)
    "funds_cash": "K",
    "funds_account": "A",
    # the transaction's mode (transmode_code), per kind of movement
    "transmode_cash_deposit": "A",
    "transmode_cash_withdrawal": "B",
    "transmode_transfer": "C",
    "transmode_incoming_payment": "D",
    "transmode_outgoing_payment": "E",
    "transmode_loan_disbursement": "F",
    "transmode_loan_repayment": "F",
    "account_type": "A",  # personal_account_type
    "account_status_active": "A",
    "account_status_other": "B",
    "signatory_role": "A",
    "contact_type": "1",
    "communication_mobile": "M",
    "address_type": "1",
    "report_indicator": "-",
}


def goaml_code(name: str) -> str:
    return str(settings.COMPLIANCE_GOAML_CODES.get(name, DEFAULT_CODES[name]))
