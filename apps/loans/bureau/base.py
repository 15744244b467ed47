"""What the loans app expects of a credit bureau, whatever vendor is behind it."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol


@dataclass(frozen=True)
class BureauSubject:
    """Who the report is about, as the bureau identifies people. ``inquiry_reference`` is ours (the application's)
    and doubles as the bureau's idempotency key: asking twice is one inquiry on the applicant's file."""

    inquiry_reference: str
    legal_name: str
    country: str
    date_of_birth: datetime.date | None = None
    national_id_last4: str = ""
    registration_number: str = ""


@dataclass(frozen=True)
class CreditReport:
    """The bureau's answer. ``found`` False: the bureau has no file on the subject (a thin file, not an error)."""

    bureau: str
    reference: str
    found: bool
    score: int | None = None
    open_accounts: int = 0
    monthly_obligations: Decimal = Decimal("0")
    defaults: int = 0
    delinquent_accounts: int = 0
    raw: dict = field(default_factory=dict, compare=False)


class BureauError(Exception):
    """Base of bureau failures."""


class BureauUnavailable(BureauError):
    """The bureau could not be reached, answered with an error, or its circuit breaker is open. Nothing is known
    about the subject; asking again later with the same reference is safe."""


class BureauRefused(BureauUnavailable):
    """The bureau answered and refused the inquiry (bad credentials, a malformed request): retrying will not help
    until someone fixes the set-up; for the application it is the same as an unavailable bureau."""


class CreditBureau(Protocol):
    name: str

    def fetch_report(self, subject: BureauSubject) -> CreditReport: ...
