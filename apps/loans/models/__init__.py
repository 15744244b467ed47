"""The loans app's tables, one module per part of the loan's life:
- ``products``: what the bank lends on (terms, limits, fee, rounding, ledger accounts);
- ``applications``: a customer's request for a loan, from submission to approval, rejection or disbursement.
The loan itself (its fixed schedule, balances and transactions) and the underwriting records sit beside them.
"""

from apps.loans.models.applications import ApplicationChannel, ApplicationStatus, LoanApplication
from apps.loans.models.loans import (
    COMPONENTS,
    InstalmentStatus,
    Loan,
    LoanAccrual,
    LoanEodRun,
    LoanInstalment,
    LoanStatus,
    LoanTransaction,
    PrepaymentChoice,
    TransactionChannel,
    TransactionKind,
)
from apps.loans.models.products import FEE_VALUE_FIELD, MAX_TERM, RATE_FIELD, LoanProduct
from apps.loans.models.underwriting import (
    ApplicationApproval,
    CreditBureauReport,
    Recommendation,
    ScoringDecision,
    ScoringOutcome,
    UnderwritingRecommendation,
)

__all__ = ["FEE_VALUE_FIELD", "MAX_TERM", "RATE_FIELD", "ApplicationChannel", "ApplicationStatus",
           "LoanApplication", "LoanProduct"]
__all__ += ["ApplicationApproval", "CreditBureauReport", "Recommendation", "ScoringDecision", "ScoringOutcome",
            "UnderwritingRecommendation"]
__all__ += ["COMPONENTS", "InstalmentStatus", "Loan", "LoanAccrual", "LoanEodRun", "LoanInstalment", "LoanStatus",
            "LoanTransaction", "PrepaymentChoice", "TransactionChannel", "TransactionKind"]
