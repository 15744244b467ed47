"""What a statement line says to the customer. A journal entry's description is written for the bank's staff
("Interest posting through 2026-09-30 (3 accounts)", "Transfer PT50... to PT50..."), often for a batch of many
accounts; the customer reads what happened to their own account: "Credit interest to 30 Sep 2026", "Transfer to
Maria Silva, PT50 OGPG 0000 0000 0012 34".

The wording is chosen by the entry's source and the side of the account's posting, from what the statement
query reads beside each posting (the counterparty's account and name in the same entry, the teller receipt);
anything unknown falls back to the entry's description with its batch count taken off.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from apps.accounts.account_numbers import formatted

_BATCH_COUNT = re.compile(r"\s*\(\d+ accounts?\)$")
_INTEREST_THROUGH = re.compile(r"through (\d{4}-\d{2}-\d{2})")
_MONTHLY_FEE = re.compile(r"^Monthly fee \S+ (\d{4})-(\d{2})")
_OUTGOING = re.compile(r"^Outgoing payment (\S+) to (.+)$")
_INCOMING = re.compile(r"^Incoming payment (\S+) from (.+)$")
_ACCOUNT_NUMBER = re.compile(r"\b[A-Z]{2}[0-9]{2}[A-Z0-9]{4}[0-9]{12}\b")


@dataclass(frozen=True)
class PostingFacts:
    """What the statement query read about one of the account's postings."""

    source: str
    description: str
    reference: str
    side: str  # "D" or "C", of the account's own posting
    is_reversal: bool
    counterparty_number: str | None
    counterparty_name: str | None
    receipt_number: str | None


def _day(text: str) -> str:
    return f"{datetime.date.fromisoformat(text):%d %b %Y}"


def grouped_account_numbers(text: str) -> str:
    """The text with each account number in it grouped in fours, as people read them."""
    return _ACCOUNT_NUMBER.sub(lambda match: formatted(match.group(0)), text)


def _readable(description: str) -> str:
    """The staff's description without its batch count, account numbers grouped."""
    return grouped_account_numbers(_BATCH_COUNT.sub("", description))


def _counterparty(facts: PostingFacts) -> str:
    parts = [facts.counterparty_name, formatted(facts.counterparty_number) if facts.counterparty_number else None]
    return ", ".join(part for part in parts if part)


def _wording(facts: PostingFacts, side: str) -> str:
    """The line as it reads when the account's posting is on ``side`` (a reversal asks for the other side)."""
    debit = side == "D"
    if facts.source == "teller":
        return "Cash withdrawal at the counter" if debit else "Cash deposit at the counter"
    if facts.source == "interest":
        through = _INTEREST_THROUGH.search(facts.description)
        period = f" to {_day(through.group(1))}" if through else ""
        if facts.description.startswith("Early withdrawal interest"):
            return "Interest on early withdrawal"
        return f"Overdraft interest{period}" if debit else f"Credit interest{period}"
    if facts.source == "transfer" and facts.counterparty_number:
        return f"Transfer to {_counterparty(facts)}" if debit else f"Transfer from {_counterparty(facts)}"
    if facts.source == "external_payment":
        outgoing, incoming = _OUTGOING.match(facts.description), _INCOMING.match(facts.description)
        if outgoing:
            return f"Payment to {outgoing.group(2)}"
        if incoming:
            return f"Payment from {incoming.group(2)}"
    return _readable(facts.description)


def line_description(facts: PostingFacts) -> str:
    """The description of the line for the account's posting (without its fee, which is a line of its own)."""
    if facts.is_reversal:
        other_side = "C" if facts.side == "D" else "D"
        original = _wording(facts, other_side)
        return f"Reversal: {original}"
    return _wording(facts, facts.side)


def fee_description(facts: PostingFacts) -> str:
    """The description of the fee part of the posting: the transfer fee, a monthly fee, or its refund."""
    monthly = _MONTHLY_FEE.match(facts.description)
    if monthly:
        name = f"{datetime.date(int(monthly.group(1)), int(monthly.group(2)), 1):%B %Y}"
        fee = f"Monthly account fee, {name}"
    elif facts.source == "transfer":
        fee = "Transfer fee"
    else:
        fee = "Fee"
    return f"{fee} refunded" if facts.is_reversal else fee


def line_reference(facts: PostingFacts, own_number: str) -> str:
    """The reference the customer can quote: the payment's, the payer's words, or the teller receipt."""
    if facts.receipt_number:
        return facts.receipt_number
    if facts.source == "external_payment" and not facts.reference:
        found = _OUTGOING.match(facts.description) or _INCOMING.match(facts.description)
        if found:
            return found.group(1)
    return "" if facts.reference == own_number else facts.reference
