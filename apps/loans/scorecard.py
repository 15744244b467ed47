"""The loan scorecard: from what the bank knows about an applicant to a score from 0 to 100 and an outcome, every
step explained. Pure ``Decimal`` arithmetic, no database: ``services/scoring.py`` gathers the facts and stores
the card; ``score_card(facts, configuration)`` on the stored facts and configuration gives the stored card again.

Each input has a weight (its points at best; the weights sum to 100 by default, LOAN_SCORING_WEIGHTS) and a
sub-score from 0 to 1; its points are weight x sub-score, rounded to 0.01. The score is the sum of the points.

- debt_to_income: (obligations + the bank's loan instalments + the new instalment) / declared income: 1 at 20 %
  or less, 0 at the maximum (LOAN_MAX_DEBT_TO_INCOME), linear between. The obligations are the larger of the
  declared ones and the bureau's (the same debts, seen twice);
- income_cover: declared income / the new instalment: 0 at 1x, 1 at 5x or more;
- deposit_balance: the applicant's deposits in the loan's currency / three new instalments, capped at 1;
- deposit_turnover: money paid into those accounts a month (last 90 days) / declared income, capped at 1;
- past_delinquency: 1 with no loan in arrears at the bank, 0.5 at most 30 days past due, else 0;
- kyc_risk: the customer's KYC risk rating: low 1, medium 0.5, high 0;
- bureau_score: (bureau score - 300) / 550; no file at the bureau (a thin file): 0.5.

Outcome: **decline** on a knock-out (debt-to-income above the maximum, no declared income, a default on the
bureau's file, a loan at the bank more than 90 days past due) or below LOAN_SCORE_REFER_AT; **approve** at or above
LOAN_SCORE_APPROVE_AT; **refer** (the underwriter judges) between; **incomplete** when the bureau could not be
asked (the application waits under review and is scored again).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import ROUND_HALF_EVEN, Decimal

from django.conf import settings

from apps.money import format_amount

ZERO, ONE = Decimal("0"), Decimal("1")
CENT = Decimal("0.01")
DTI_FULL_POINTS = Decimal("0.20")
FULL_INCOME_COVER = Decimal("5")
KYC_RISK_SUBSCORES = {"low": ONE, "medium": Decimal("0.5"), "high": ZERO}
BUREAU_LOW, BUREAU_SPAN = 300, 550

LABELS = {
    "debt_to_income": "Debt to income", "income_cover": "Income cover of the instalment",
    "deposit_balance": "Deposit balance", "deposit_turnover": "Deposit turnover",
    "past_delinquency": "Past delinquency at the bank", "kyc_risk": "KYC risk rating",
    "bureau_score": "Credit bureau score",
}


@dataclass(frozen=True)
class ScoringFacts:
    """What the scorecard reads. Amounts are monthly, in the loan's currency."""

    currency: str
    declared_income: Decimal
    declared_obligations: Decimal
    new_instalment: Decimal
    bank_loan_instalments: Decimal
    deposit_balance: Decimal
    deposit_monthly_credits: Decimal
    loans_in_arrears: int
    max_days_past_due: int
    kyc_risk_rating: str
    bureau_status: str            # "received", "no_file", "unavailable"
    bureau_score: int | None
    bureau_obligations: Decimal
    bureau_defaults: int

    def as_json(self) -> dict:
        return {k: str(v) if isinstance(v, Decimal) else v for k, v in asdict(self).items()}

    @classmethod
    def from_json(cls, stored: dict) -> ScoringFacts:
        amounts = {"declared_income", "declared_obligations", "new_instalment", "bank_loan_instalments",
                   "deposit_balance", "deposit_monthly_credits", "bureau_obligations"}
        return cls(**{k: Decimal(v) if k in amounts else v for k, v in stored.items()})


@dataclass(frozen=True)
class ScoringConfiguration:
    weights: dict[str, int]
    approve_at: int
    refer_at: int
    max_debt_to_income: Decimal

    @classmethod
    def from_settings(cls) -> ScoringConfiguration:
        return cls(weights=dict(settings.LOAN_SCORING_WEIGHTS), approve_at=settings.LOAN_SCORE_APPROVE_AT,
                   refer_at=settings.LOAN_SCORE_REFER_AT,
                   max_debt_to_income=Decimal(settings.LOAN_MAX_DEBT_TO_INCOME))

    def as_json(self) -> dict:
        return {"weights": self.weights, "approve_at": self.approve_at, "refer_at": self.refer_at,
                "max_debt_to_income": str(self.max_debt_to_income)}

    @classmethod
    def from_json(cls, stored: dict) -> ScoringConfiguration:
        return cls(weights=dict(stored["weights"]), approve_at=stored["approve_at"], refer_at=stored["refer_at"],
                   max_debt_to_income=Decimal(stored["max_debt_to_income"]))


@dataclass(frozen=True)
class ScoreLine:
    name: str
    value: str
    subscore: Decimal
    weight: int
    points: Decimal
    explanation: str

    def as_json(self) -> dict:
        return {"name": self.name, "label": LABELS[self.name], "value": self.value, "subscore": str(self.subscore),
                "weight": self.weight, "points": str(self.points), "explanation": self.explanation}


@dataclass(frozen=True)
class ScoreCard:
    lines: list[ScoreLine]
    knockouts: list[dict]
    score: Decimal
    outcome: str


def _clamp(value: Decimal) -> Decimal:
    return min(ONE, max(ZERO, value)).quantize(Decimal("0.0001"), ROUND_HALF_EVEN)


def _ratio(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    return None if denominator <= 0 else numerator / denominator


def _pct(value: Decimal) -> str:
    return f"{(value * 100).quantize(CENT, ROUND_HALF_EVEN)} %"


def debt_to_income(facts: ScoringFacts) -> Decimal | None:
    """Monthly debt service with the new loan / declared income; None without income."""
    obligations = max(facts.declared_obligations, facts.bureau_obligations)
    return _ratio(obligations + facts.bank_loan_instalments + facts.new_instalment, facts.declared_income)


def _subscores(facts: ScoringFacts, config: ScoringConfiguration) -> list[tuple[str, str, Decimal, str]]:
    c = facts.currency
    dti = debt_to_income(facts)
    if dti is None:
        dti_line = ("debt_to_income", "no income", ZERO, "No declared income: the debt cannot be serviced.")
    else:
        span = config.max_debt_to_income - DTI_FULL_POINTS
        sub = ONE if dti <= DTI_FULL_POINTS else _clamp((config.max_debt_to_income - dti) / span) if span > 0 else ZERO
        dti_line = ("debt_to_income", _pct(dti), _clamp(sub),
                    f"Full points at {_pct(DTI_FULL_POINTS)} or less, none at {_pct(config.max_debt_to_income)}.")
    cover = _ratio(facts.declared_income, facts.new_instalment)
    cover_sub = ZERO if cover is None else _clamp((cover - ONE) / (FULL_INCOME_COVER - ONE))
    three = facts.new_instalment * 3
    balance_sub = ONE if three <= 0 else _clamp(facts.deposit_balance / three)
    turnover = _ratio(facts.deposit_monthly_credits, facts.declared_income)
    turnover_sub = ZERO if turnover is None else _clamp(turnover)
    if facts.loans_in_arrears == 0 and facts.max_days_past_due == 0:
        delinquency_sub, delinquency = ONE, "none"
    else:
        delinquency_sub = Decimal("0.5") if facts.max_days_past_due <= 30 else ZERO
        delinquency = f"{facts.loans_in_arrears} in arrears, up to {facts.max_days_past_due} days"
    if facts.bureau_status == "received":
        bureau_sub = _clamp(Decimal(facts.bureau_score - BUREAU_LOW) / BUREAU_SPAN)
        bureau = (str(facts.bureau_score), f"From 0 at {BUREAU_LOW} to full points at {BUREAU_LOW + BUREAU_SPAN}.")
    elif facts.bureau_status == "no_file":
        bureau_sub, bureau = Decimal("0.5"), ("no file", "The bureau has no file on the applicant: half points.")
    else:
        bureau_sub, bureau = ZERO, ("unavailable", "The bureau could not be asked: scored again when it answers.")
    return [
        dti_line,
        ("income_cover", "no instalment" if cover is None else f"{cover.quantize(CENT)}x", cover_sub,
         f"Declared income of {format_amount(facts.declared_income, c)} a month over the instalment of "
         f"{format_amount(facts.new_instalment, c)}: none at 1x, full points at {FULL_INCOME_COVER}x."),
        ("deposit_balance", format_amount(facts.deposit_balance, c), balance_sub,
         f"Full points with three instalments ({format_amount(three, c)}) in the applicant's deposits."),
        ("deposit_turnover", f"{format_amount(facts.deposit_monthly_credits, c)} a month", turnover_sub,
         "Money paid into the applicant's accounts a month (last 90 days) over the declared income."),
        ("past_delinquency", delinquency, delinquency_sub,
         "Full points with no loan in arrears; half up to 30 days past due."),
        ("kyc_risk", facts.kyc_risk_rating, KYC_RISK_SUBSCORES.get(facts.kyc_risk_rating, ZERO),
         "Low risk: full points; medium: half; high: none."),
        ("bureau_score", bureau[0], bureau_sub, bureau[1]),
    ]


def _knockouts(facts: ScoringFacts, config: ScoringConfiguration) -> list[dict]:
    found = []
    dti = debt_to_income(facts)
    if dti is None:
        found.append({"code": "no_declared_income", "message": "No monthly income was declared."})
    elif dti > config.max_debt_to_income:
        found.append({"code": "debt_to_income_too_high",
                      "message": f"Repayments would take {_pct(dti)} of the declared income; the most the bank "
                                 f"lends to is {_pct(config.max_debt_to_income)}."})
    if facts.bureau_status == "received" and facts.bureau_defaults > 0:
        found.append({"code": "bureau_default", "message": "The credit bureau reports a loan in default."})
    if facts.max_days_past_due > 90:
        found.append({"code": "delinquent_at_bank", "message": "A loan at the bank is more than 90 days past due."})
    return found


def score_card(facts: ScoringFacts, config: ScoringConfiguration) -> ScoreCard:
    lines = []
    for name, value, subscore, explanation in _subscores(facts, config):
        subscore = _clamp(subscore)
        weight = int(config.weights.get(name, 0))
        points = (weight * subscore).quantize(CENT, ROUND_HALF_EVEN)
        lines.append(ScoreLine(name=name, value=value, subscore=subscore, weight=weight, points=points,
                               explanation=explanation))
    score = min(Decimal("100"), sum((line.points for line in lines), ZERO))
    knockouts = _knockouts(facts, config)
    if knockouts:
        outcome = "decline"
    elif facts.bureau_status == "unavailable":
        outcome = "incomplete"
    elif score >= config.approve_at:
        outcome = "approve"
    elif score >= config.refer_at:
        outcome = "refer"
    else:
        outcome = "decline"
    return ScoreCard(lines=lines, knockouts=knockouts, score=score, outcome=outcome)
