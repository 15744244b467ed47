"""The loans' domain errors: each with a stable code the API maps once (config/api/problems.py)."""

from apps.domain_errors import DomainError, NotFound


class LoansError(DomainError):
    code = "loans_error"
    title = "The loan operation was refused"
    status = 422


class ScheduleRefused(LoansError):
    """Terms no schedule can honour (a grace as long as the term, a first repayment before the disbursement)."""

    code = "schedule_refused"
    title = "The schedule cannot be made from these terms"


class LoanTermsOutOfRange(LoansError):
    """An amount, rate or term outside the product's limits."""

    code = "loan_terms_out_of_range"
    title = "The terms are outside the product's limits"


class LoanProductNotFound(NotFound):
    code = "loan_product_not_found"
    title = "Loan product not found"


class LoanProductChangeRefused(LoansError):
    code = "loan_product_change_refused"
    title = "The loan product change was refused"

