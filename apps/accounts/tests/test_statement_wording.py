"""A statement line says what happened to the customer's account, not the batch label the bank's staff read."""

import pytest

from apps.accounts.statement_wording import PostingFacts, fee_description, line_description, line_reference

OWN = "PT33OGPG000000000001"
OTHER = "PT06OGPG000000000002"
BATCH = "Interest posting through 2026-09-30 (3 accounts)"


def _facts(source, description, side="D", reference="", **facts):
    return PostingFacts(source=source, description=description, reference=reference, side=side,
                        is_reversal=facts.get("is_reversal", False),
                        counterparty_number=facts.get("counterparty_number"),
                        counterparty_name=facts.get("counterparty_name"), receipt_number=facts.get("receipt_number"))


@pytest.mark.parametrize(("facts", "described"), [
    (_facts("interest", BATCH, side="C"), "Credit interest to 30 Sep 2026"),
    (_facts("interest", BATCH), "Overdraft interest to 30 Sep 2026"),
    (_facts("teller", f"Cash deposit {OWN}", side="C"), "Cash deposit at the counter"),
    (_facts("transfer", f"Transfer {OWN} to {OTHER}", counterparty_number=OTHER, counterparty_name="João Pereira"),
     "Transfer to João Pereira, PT06 OGPG 0000 0000 0002"),
    (_facts("external_payment", "Incoming payment GW-991 from Ana Costa", side="C"), "Payment from Ana Costa"),
    (_facts("accounts", f"Closing payout {OWN} to {OTHER}"),
     "Closing payout PT33 OGPG 0000 0000 0001 to PT06 OGPG 0000 0000 0002"),
    (_facts("manual", "Correction of a keying error (2 accounts)"), "Correction of a keying error"),
])
def test_a_line_reads_in_the_customers_words(facts, described):
    assert line_description(facts) == described


def test_a_monthly_fee_names_its_month_and_a_refund_says_so():
    fee = _facts("fees", "Monthly fee SAV 2026-11 (250 accounts)")
    assert fee_description(fee) == "Monthly account fee, November 2026"
    assert fee_description(_facts("transfer", "Transfer", is_reversal=True, side="C")) == "Transfer fee refunded"


def test_the_reference_is_the_receipt_the_payment_or_the_payers_words_never_the_own_account():
    assert line_reference(_facts("teller", "Cash", reference=OWN, receipt_number="R20261123-00000007"), OWN) == \
        "R20261123-00000007"
    assert line_reference(_facts("teller", "Cash", reference=OWN), OWN) == ""
    assert line_reference(_facts("transfer", "Transfer", reference="Rent November"), OWN) == "Rent November"
